/*
 * amdtap.c — answering-machine detection on a call leg (amdtap.h).
 *
 * Timestamps: audio arriving at time t (ms since the start) with d ms of
 * samples is placed at t - d - LAG on the detector's timeline; the
 * timeline thus runs LAG behind the wall clock, like a jitter buffer, and
 * a packet late by less than LAG continues the audio before it instead of
 * leaving a gap. Every TICK ms the timeline is advanced to t - LAG - HOLE:
 * a stream that stopped for HOLE ms more than its jitter is silence (the
 * far end stopped sending: DTX, a machine that plays nothing).
 */
#include <re.h>
#define LOG_TOPIC "sip.amd"
#include "base/conf.h"
#include "base/log.h"
#include "media/amd.h"
#include "media/mep.h"
#include "sip/amdtap.h"
#include "sip/call.h"
#include "sip/call_impl.h"

enum { LAG = 60, HOLE = 40, TICK = 20 };

struct amd_tap {
	struct leg *leg;
	struct amd det;
	int64_t start_ms;
	struct tmr tick, report;
	struct mworker_defer verdict;   /* from a media worker */
	bool decided;
	amd_tap_h *cb;
	void *arg;
};

static void tap_destructor(void *arg)
{
	struct amd_tap *t = arg;

	tmr_cancel(&t->tick);
	tmr_cancel(&t->report);
	mworker_defer_cancel(&t->verdict);
	if (t->leg->mep)
		mep_set_tap(t->leg->mep, NULL, NULL);
}

static void report(void *arg)
{
	struct amd_tap *t = arg;
	struct leg *l = t->leg;
	struct amd_result r = *amd_result(&t->det);
	amd_tap_h *cb = t->cb;
	void *cb_arg = t->arg;

	/* the tap is spent: the callback may start another on the leg */
	l->amd = mem_deref(l->amd);
	cb(l, &r, cb_arg);
}

/* a verdict: stop listening, report from the loop */
static void decided(struct amd_tap *t)
{
	if (t->decided)
		return;
	t->decided = true;
	tmr_cancel(&t->tick);
	if (t->leg->mep)
		mep_set_tap(t->leg->mep, NULL, NULL);
	tmr_start(&t->report, 0, report, t);
}

static void decided_h(void *arg)
{
	decided(arg);
}

static void tick(void *arg)
{
	struct amd_tap *t = arg;
	int64_t at = (int64_t)tmr_jiffies() - t->start_ms;

	if (amd_advance(&t->det, at - LAG - HOLE))
		decided(t);
	else
		tmr_start(&t->tick, TICK, tick, t);
}

static void tap_audio(struct mep *m, const int16_t *pcm, size_t n,
		      void *arg)
{
	struct amd_tap *t = arg;
	int64_t at = (int64_t)tmr_jiffies() - t->start_ms;

	if (amd_feed(&t->det, pcm, n, at - (int64_t)n / 8 - LAG))
		mworker_defer(&t->verdict, decided_h, t);
}

int amd_tap_start(struct leg *l, const struct amd_params *p, amd_tap_h *cb,
		  void *arg)
{
	struct amd_tap *t;

	if (l->amd)
		return EALREADY;
	if (!l->mep || !cb)
		return EINVAL;
	t = mem_zalloc(sizeof(*t), tap_destructor);
	if (!t)
		return ENOMEM;
	t->leg = l;
	t->cb = cb;
	t->arg = arg;
	amd_init(&t->det, p);
	t->start_ms = (int64_t)tmr_jiffies();   /* monotonic */
	tmr_init(&t->tick);
	tmr_init(&t->report);
	l->amd = t;
	mep_set_tap(l->mep, tap_audio, t);
	tmr_start(&t->tick, TICK, tick, t);
	return 0;
}

void amd_tap_stop(struct leg *l)
{
	l->amd = mem_deref(l->amd);
}

void amd_tap_release(struct leg *l)
{
	l->amd = mem_deref(l->amd);
}

void amd_tap_hangup(struct leg *l)
{
	struct amd_tap *t = l->amd;

	if (!t)
		return;
	if (!t->det.r.status) {
		t->det.r.status = AMD_HANGUP;
		t->det.r.at_ms = (int64_t)tmr_jiffies() - t->start_ms;
	}
	report(t);          /* at once: the leg is going */
}

void amd_params_from_conf(struct amd_params *p, const struct conf *cfg)
{
	*p = (struct amd_params){
		.initial_silence = cfg->amd_initial_silence,
		.greeting = cfg->amd_greeting,
		.after_greeting_silence = cfg->amd_after_greeting_silence,
		.total_analysis_time = cfg->amd_total_analysis_time,
		.min_word_length = cfg->amd_min_word_length,
		.maximum_word_length = cfg->amd_maximum_word_length,
		.between_words_silence = cfg->amd_between_words_silence,
		.maximum_number_of_words = cfg->amd_maximum_number_of_words,
		.silence_threshold = cfg->amd_silence_threshold,
	};
}

void amd_tap_record(struct leg *l, const struct amd_result *r, void *arg)
{
	struct call *c = l->call;
	char ms[24];

	OCC_INFO("amd verdict session=%s uniqueid=%lld status=%s cause=%s"
		 " at_ms=%lld words=%u voice_ms=%u", c->sessionid,
		 (long long)l->uniqueid, amd_status_name(r->status),
		 amd_cause_name(r->cause), (long long)r->at_ms, r->words,
		 r->voice_ms);
	re_snprintf(ms, sizeof(ms), "%lld", (long long)r->at_ms);
	if (call_set_var(c, "amd", amd_status_name(r->status)) ||
	    call_set_var(c, "amd_cause", amd_cause_name(r->cause)) ||
	    call_set_var(c, "amd_ms", ms))
		OCC_WARN("amd verdict not all in the CDR session=%s (vars"
			 " full)", c->sessionid);
}
