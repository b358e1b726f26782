/*
 * dialer.h — predictive pacing for one outbound campaign. A pure module
 * like src/acd/: no SIP, no store, no timers, no clock of its own. The
 * host reports what happens (agents' states, dials' outcomes), with the
 * time, asks dialer_decide() how many numbers to dial now, and carries
 * out the decisions handed back through callbacks (bridge a live answer
 * to an agent, abandon it with the recorded message).
 *
 * The model (docs/DIALER.md): forecast, over the next seconds, the agents
 * that will be free (idle, wrap-ups ending, talks ending given how long
 * they have lasted) and the answers that will need one (calls in flight,
 * given how long they have rung); dial while the chance that a new call,
 * if it answers, finds no agent stays under a risk level; the risk level
 * follows the day's measured abandonment (an integral on the abandons
 * left in the budget), with the legal window as a hard budget: when it is
 * nearly spent the campaign dials progressively. The distributions (answer
 * probability, time to answer, time to fail, talk time) are learned online
 * from the outcomes the host reports, forgetting with a 5-minute time
 * constant, from weak priors.
 *
 * Invariants: an agent is offered at most one call (the module marks it
 * talking when it bridges); a live answer is bridged or abandoned within
 * cfg.hold_ms (≤ 2000) of the answer, provided the host calls
 * dialer_tick() at the time the wake callback asks for.
 *
 * Callbacks come from inside the entry point that caused them and must not
 * call back into the module. Handles live from add/dialled until removed
 * (agents) or until the call's end is reported or it is bridged/abandoned.
 */
#ifndef OCC_DIALER_H
#define OCC_DIALER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dialer;
struct dialer_agent;
struct dialer_call;

enum dialer_mode {
	DIALER_PREVIEW,      /* never dials: the agent calls (makeCall) */
	DIALER_PROGRESSIVE,  /* one call per free agent */
	DIALER_PREDICTIVE,
};

enum dialer_profile {
	DIALER_PROFILE_US,   /* ≤ limit over 30 days (one bucket per day) */
	DIALER_PROFILE_UK,   /* ≤ limit over 24 h (one bucket per hour) */
	DIALER_PROFILE_NONE, /* limit as configured, over 30 days */
};

struct dialer_cfg {
	enum dialer_mode mode;
	enum dialer_profile profile;
	double limit;          /* hard abandon limit over the window (0.03) */
	double day_target;     /* the day's target, lower (0.025) */
	uint32_t hold_ms;      /* a live answer waits this long for an agent
				* before the message; clamped to ≤ 2000 */
	uint32_t ring_ms;      /* unanswered dials are released after this;
				* clamped to ≥ 15000 */
	unsigned team_cap;     /* concurrent dialer calls, 0 = no cap */
	unsigned campaign_cap;
	double amd_fp;         /* share of AMD hang-ups that were people
				* (0..1): each counts as that much of a live
				* answer abandoned; 0 without AMD */
};

/* The defaults: predictive, US, 3 % / 2.5 %, hold 1000 ms, ring 25 s. */
void dialer_cfg_default(struct dialer_cfg *cfg);

struct dialer_ops {
	/* connect the answered call to the agent (the agent is now talking) */
	void (*bridge)(void *arg, void *call_host, void *agent_host);
	/* no agent within hold_ms: play the message and hang up (counted) */
	void (*abandon)(void *arg, void *call_host);
	/* call dialer_tick() at at_ms; 0: nothing to do. Latest counts. */
	void (*wake)(void *arg, uint64_t at_ms);
};

struct dialer *dialer_new(const struct dialer_cfg *cfg,
			  const struct dialer_ops *ops, void *arg);
void dialer_free(struct dialer *d);
/* New settings (mode, caps, limits); the learned model is kept. */
void dialer_set_cfg(struct dialer *d, const struct dialer_cfg *cfg);

/* ---- agents (checked in to the campaign, dialout or all mode) ---- */

/* A new agent starts paused until the host says idle. */
struct dialer_agent *dialer_agent_add(struct dialer *d, void *host,
				      uint64_t now_ms);
/* Abandons nothing: a call it talks to is the host's now. */
void dialer_agent_remove(struct dialer *d, struct dialer_agent *a,
			 uint64_t now_ms);
/* Ready: takes the longest-held answer at once (bridge callback). */
void dialer_agent_idle(struct dialer *d, struct dialer_agent *a,
		       uint64_t now_ms);
/* The call ended (its talk time is learned); wrap-up until until_ms.
 * The host still reports idle when the wrap-up ends. */
void dialer_agent_wrapup(struct dialer *d, struct dialer_agent *a,
			 uint64_t until_ms, uint64_t now_ms);
void dialer_agent_pause(struct dialer *d, struct dialer_agent *a,
			uint64_t now_ms);
/* In a call the dialer did not make (inbound, manual): busy, no forecast */
void dialer_agent_busy(struct dialer *d, struct dialer_agent *a,
		       uint64_t now_ms);

/* Blending: an inbound caller waits for this agent (it serves, in `all`
 * work mode, a queue where a caller waits that it would take; the host
 * asks the ACD). Inbound callers go first: while awaited, the agent
 * counts as no free agent in any forecast (whatever its state) and is
 * given no held answer; when no longer awaited and idle, it takes the
 * longest-held answer at once (bridge callback). */
void dialer_agent_awaited(struct dialer *d, struct dialer_agent *a,
			  bool awaited, uint64_t now_ms);

/* ---- calls ---- */

/* The host placed one of the dials dialer_decide() asked for. */
struct dialer_call *dialer_dialled(struct dialer *d, void *host,
				   uint64_t now_ms);
/* busy, invalid, congestion: learned as a fast failure. Ends the handle. */
void dialer_call_failed(struct dialer *d, struct dialer_call *c,
			uint64_t now_ms);
/* released unanswered (the host releases at dialer_ring_ms()). Ends it. */
void dialer_call_no_answer(struct dialer *d, struct dialer_call *c,
			   uint64_t now_ms);
/* Answered and needs an agent (AMD off, or AMD said human). live: counts
 * in the abandon rate's denominator (true when unknown). Bridged now
 * (bridge callback) or held until an agent is idle or hold_ms passed
 * (abandon callback). The handle ends with the bridge or the abandon. */
void dialer_call_answered(struct dialer *d, struct dialer_call *c, bool live,
			  uint64_t now_ms);
/* Answered, AMD said machine and the host hung up (or played the message
 * and hung up): "hung up by AMD". For pacing a no-answer; cfg.amd_fp of
 * it counts as a live answer and an abandon (the estimated false
 * positives). Ends the handle. */
void dialer_call_machine(struct dialer *d, struct dialer_call *c,
			 uint64_t now_ms);
/* A call the module bridged lost its agent before the agent answered
 * (the agent's phone failed, or did not answer, and the customer was
 * hung up): an abandon of a live answer already counted. */
void dialer_bridge_lost(struct dialer *d, uint64_t now_ms);

/* Restart: a live answer the host recorded before this module existed,
 * at at_ms (the module's clock, <= now_ms), abandoned or not. It counts
 * in the legal window's and the day's abandonment as it did before, so
 * the budget continues across a restart of the host; older than the
 * window: ignored. Call before the module's own answers come in. */
void dialer_account_past(struct dialer *d, uint64_t at_ms, bool abandoned,
			 uint64_t now_ms);

/* Restart: an AMD hang-up (dialer_call_machine) the host recorded before
 * this module existed, at at_ms: cfg.amd_fp of it counts in the window's
 * and the day's abandonment as it did before (the share in force now:
 * the campaign's setting). Older than the window: ignored. */
void dialer_account_past_machine(struct dialer *d, uint64_t at_ms,
				 uint64_t now_ms);

/* Time-based work: held answers past hold_ms are abandoned. */
void dialer_tick(struct dialer *d, uint64_t now_ms);

/* How many new numbers to dial now (0 in preview, when stopped by caps
 * or budget). The host dials them and reports each with dialer_dialled().
 * Cheap enough to call after every event. */
unsigned dialer_decide(struct dialer *d, uint64_t now_ms);

uint32_t dialer_ring_ms(const struct dialer *d);
uint32_t dialer_hold_ms(const struct dialer *d);

/* What the controller measured (its abandon metric is the report's). */
struct dialer_stats {
	uint64_t dials, answers, live, abandons;
	uint64_t day_live, day_abandons;       /* the current day (UTC) */
	uint64_t window_live, window_abandons; /* the legal window */
	uint64_t machines;    /* hung up by AMD */
	double amd_fp_est;    /* amd_fp x machines: abandons too */
	double risk;          /* the risk level in force at the last decision */
	bool progressive_fallback; /* budget nearly spent at the last decision */
	double p_answer;      /* learned: answers per dial */
	double talk_mean_s;   /* learned */
};
void dialer_stats(const struct dialer *d, struct dialer_stats *st);

/* ---- the per-record rules (pure; the host owns the records) ---- */

enum dialer_result {
	DIALER_RES_NONE = 0,   /* never dialled */
	DIALER_RES_BUSY,
	DIALER_RES_NO_ANSWER,
	DIALER_RES_FAILED,
	DIALER_RES_ABANDONED,  /* answered live, no agent: the message played */
	DIALER_RES_ANSWERED,   /* reached an agent: no automatic retry */
	DIALER_RES_MACHINE,
	DIALER_RES_INTERRUPTED, /* the host stopped (crashed) during the dial:
				 * what happened is unknown */
	DIALER_RES__N,
};

struct dialer_retry_rule {
	uint32_t delay_s;      /* wait after this result before the next try */
	uint8_t max_attempts;  /* attempts in total after which this result
				* ends the record (0: never retried) */
};

struct dialer_record {
	const char *number;
	uint8_t attempts;              /* dials so far */
	enum dialer_result last_result;
	uint64_t last_ms;              /* when the last dial ended */
	uint64_t last_abandon_ms;      /* 0: never abandoned */
};

/* The host's view of the world: DNC lists (system, team, campaign) and the
 * calling window in the record's own time zone. */
struct dialer_record_ops {
	bool (*dnc)(void *arg, const struct dialer_record *r);
	bool (*in_window)(void *arg, const struct dialer_record *r,
			  uint64_t now_ms);
};

enum dialer_refusal {
	DIALER_OK = 0,
	DIALER_NO_DNC,          /* on a do-not-call list */
	DIALER_NO_WINDOW,       /* outside its calling window */
	DIALER_NO_DONE,         /* answered, or out of attempts */
	DIALER_NO_RETRY_DELAY,  /* too soon after its last result */
	DIALER_NO_LOCKOUT,      /* uk: within 72 h of an abandon */
};

struct dialer_rules {
	struct dialer_retry_rule retry[DIALER_RES__N];
	bool uk_lockout;               /* 72 h no-redial after an abandon */
};
/* busy 300 s ×5, no answer 1800 s ×3, failed 3600 s ×2, machine 3600 s
 * ×2, abandoned 3600 s ×3 (uk lockout: 72 h), interrupted 1800 s ×3,
 * answered: done. */
void dialer_rules_default(struct dialer_rules *rules, bool uk);

/* May this record be dialled now? DIALER_OK or why not. */
enum dialer_refusal dialer_record_check(const struct dialer_rules *rules,
					const struct dialer_record *r,
					const struct dialer_record_ops *ops,
					void *arg, uint64_t now_ms);
/* When the record may next be tried after its last result; UINT64_MAX:
 * never (done). */
uint64_t dialer_record_next(const struct dialer_rules *rules,
			    const struct dialer_record *r);

/* A campaign's retry settings over the defaults: the delay after a busy,
 * an unanswered and a failed dial (seconds), and the attempts a number
 * gets in all (whatever its results; machine, abandoned and interrupted
 * too). 0 keeps the default. */
struct dialer_retry_cfg {
	uint32_t busy_s, noanswer_s, failed_s;
	unsigned max_attempts;
};
void dialer_rules_apply(struct dialer_rules *rules,
			const struct dialer_retry_cfg *c);

/* A number as DNC lists compare it: its digits only (spaces, dashes,
 * dots, parentheses and a leading + dropped). The length, 0 when it has
 * no digit or they do not fit in size (out is then ""). */
size_t dialer_number_digits(const char *in, char *out, size_t size);

/* The calling window [start_min, end_min) of a day, minutes since local
 * midnight (end 1440: midnight; start > end: it spans midnight; start ==
 * end: never open). Seconds from local time min:sec to the window's next
 * opening: 0 when open now, UINT32_MAX when it never opens. */
uint32_t dialer_window_wait_s(int start_min, int end_min, int min, int sec);

#endif
