/*
 * rules.c — the per-record rules of dialer.h: DNC, calling window, retry
 * delays and maximum attempts by result, the UK 72-hour lockout.
 */
#include <string.h>
#include "dialer/dialer.h"

#define LOCKOUT_MS (72ULL * 3600 * 1000)

void dialer_rules_default(struct dialer_rules *rules, bool uk)
{
	memset(rules, 0, sizeof(*rules));
	rules->retry[DIALER_RES_NONE] = (struct dialer_retry_rule){ 0, 1 };
	rules->retry[DIALER_RES_BUSY] = (struct dialer_retry_rule){ 300, 5 };
	rules->retry[DIALER_RES_NO_ANSWER] =
		(struct dialer_retry_rule){ 1800, 3 };
	rules->retry[DIALER_RES_FAILED] = (struct dialer_retry_rule){ 3600, 2 };
	rules->retry[DIALER_RES_MACHINE] = (struct dialer_retry_rule){ 3600, 2 };
	rules->retry[DIALER_RES_ABANDONED] =
		(struct dialer_retry_rule){ 3600, 3 };
	rules->retry[DIALER_RES_ANSWERED] = (struct dialer_retry_rule){ 0, 0 };
	rules->retry[DIALER_RES_INTERRUPTED] =
		(struct dialer_retry_rule){ 1800, 3 };
	rules->uk_lockout = uk;
}

uint64_t dialer_record_next(const struct dialer_rules *rules,
			    const struct dialer_record *r)
{
	const struct dialer_retry_rule *rule;
	uint64_t at;

	if (r->last_result == DIALER_RES_NONE && r->attempts == 0)
		return 0;
	if ((unsigned)r->last_result >= DIALER_RES__N)
		return UINT64_MAX;
	rule = &rules->retry[r->last_result];
	if (r->attempts >= rule->max_attempts)
		return UINT64_MAX;
	at = r->last_ms + (uint64_t)rule->delay_s * 1000;
	if (rules->uk_lockout && r->last_abandon_ms &&
	    r->last_abandon_ms + LOCKOUT_MS > at)
		at = r->last_abandon_ms + LOCKOUT_MS;
	return at;
}

enum dialer_refusal dialer_record_check(const struct dialer_rules *rules,
					const struct dialer_record *r,
					const struct dialer_record_ops *ops,
					void *arg, uint64_t now_ms)
{
	uint64_t next = dialer_record_next(rules, r);

	/* the law first: DNC and the window refuse whatever the retries say */
	if (!ops->dnc || ops->dnc(arg, r))
		return DIALER_NO_DNC;
	if (!ops->in_window || !ops->in_window(arg, r, now_ms))
		return DIALER_NO_WINDOW;
	if (next == UINT64_MAX)
		return DIALER_NO_DONE;
	if (rules->uk_lockout && r->last_abandon_ms &&
	    now_ms < r->last_abandon_ms + LOCKOUT_MS)
		return DIALER_NO_LOCKOUT;
	if (now_ms < next)
		return DIALER_NO_RETRY_DELAY;
	return DIALER_OK;
}

void dialer_rules_apply(struct dialer_rules *rules,
			const struct dialer_retry_cfg *c)
{
	static const enum dialer_result retried[] = {
		DIALER_RES_BUSY, DIALER_RES_NO_ANSWER, DIALER_RES_FAILED,
		DIALER_RES_MACHINE, DIALER_RES_ABANDONED, DIALER_RES_INTERRUPTED,
	};

	if (c->busy_s)
		rules->retry[DIALER_RES_BUSY].delay_s = c->busy_s;
	if (c->noanswer_s)
		rules->retry[DIALER_RES_NO_ANSWER].delay_s = c->noanswer_s;
	if (c->failed_s)
		rules->retry[DIALER_RES_FAILED].delay_s = c->failed_s;
	if (!c->max_attempts)
		return;
	for (size_t i = 0; i < sizeof(retried) / sizeof(retried[0]); i++)
		rules->retry[retried[i]].max_attempts = (uint8_t)
			(c->max_attempts > 255 ? 255 : c->max_attempts);
}

size_t dialer_number_digits(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return 0;
	for (; in && *in; in++) {
		if (*in < '0' || *in > '9')
			continue;
		if (n + 1 >= size) {
			n = 0;
			break;
		}
		out[n++] = *in;
	}
	out[n] = '\0';
	return n;
}

uint32_t dialer_window_wait_s(int start_min, int end_min, int min, int sec)
{
	int now_s = min * 60 + sec, open_s = start_min * 60;
	bool open;

	if (start_min == end_min || start_min < 0 || start_min >= 1440)
		return UINT32_MAX;
	open = start_min < end_min ? min >= start_min && min < end_min
		: min >= start_min || min < end_min;
	if (open)
		return 0;
	return (uint32_t)(open_s > now_s ? open_s - now_s
			  : 86400 - now_s + open_s);
}
