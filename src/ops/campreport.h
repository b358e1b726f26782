/*
 * campreport.h — campaign reports per day (docs/CAMPAIGNS.md, "Campaign
 * reports"): dials, answers, live answers, abandons and the compliance
 * window's abandon rate, AMD verdicts, talk minutes per agent-hour,
 * occupancy and the wait from the customer's answer to an agent.
 *
 * Computed from what the store keeps: the campaign's CDRs (and their
 * legs), the state log of its group's agents and, as it is now, its
 * pre-dial list. crep_compute() is pure:
 * rows in, figures out (tests/unit/test_campreport.c); crep_load() reads
 * the store and calls it; crep_json() prints the result for occctl
 * --json and the campaign_report operation.
 */
#ifndef OCC_OPS_CAMPREPORT_H
#define OCC_OPS_CAMPREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct re_printf;
struct store;
struct st_campaign;

enum { CREP_MAX_DAYS = 31, CREP_AMD = 6, CREP_WINDOW_DAYS = 30 };

/* one dial, as crep_compute() needs it */
struct crep_call {
	int64_t start_ms;
	int64_t answer_ms;      /* the customer answered, 0: not */
	int64_t agent_ms;       /* an agent answered (bridged), 0: not */
	int64_t end_ms;         /* 0: still up */
	char amd[12];           /* the AMD verdict (HUMAN, MACHINE, ...), "" */
};

struct st_campaign_call;
/* A stored dial as a crep_call; a live answer (answered, not an AMD
 * MACHINE) and an abandon (live, ended, no agent answered) as the reports
 * and the dialer's restored abandon budget count them. */
void crep_call_of(struct crep_call *x, const struct st_campaign_call *c);
bool crep_is_live(const struct crep_call *c);
bool crep_is_abandon(const struct crep_call *c);
/* hung up by AMD: judged MACHINE, no agent took it, ended */
bool crep_is_machine(const struct crep_call *c);

/* one state-log row (enum agent_state) */
struct crep_log {
	int64_t agent_id, ts_ms;
	int state;
};

struct crep_day {
	/* in: the day and the compliance window whose rate it reports */
	char day[11];                 /* YYYY-MM-DD */
	int64_t from_ms, to_ms;       /* [from, to): the day, local time */
	int64_t win_from_ms, win_to_ms;
	double amd_fp;                /* the campaign's amd_fp share (0..1) */
	/* out */
	unsigned dials, answers, live, abandons;
	unsigned win_live, win_abandons;
	/* answers AMD judged MACHINE that no agent took (hung up by AMD),
	 * and amd_fp of them: people, abandoned (live and abandons too) */
	unsigned machines, win_machines;
	double amd_fp_est, win_amd_fp_est;
	struct { char verdict[12]; unsigned n; } amd[CREP_AMD];
	unsigned namd;
	int64_t talk_ms;              /* agent answer to end, the day's dials */
	int64_t avail_ms;             /* agents idle, ringing, busy or in ACW */
	int64_t handle_ms;            /* agents ringing, busy or in ACW */
	unsigned waits;               /* answers an agent took */
	unsigned wait_1s, wait_2s, wait_over; /* <= 1 s, 1-2 s, > 2 s */
	int64_t wait_p50, wait_p90, wait_max;
};

/* Fill days[].out from the calls (any order) and the log (by agent, then
 * time; an agent's last row lasts until now_ms). A call counts on the day
 * its start falls in, and in every window its start falls in. ENOMEM. */
int crep_compute(struct crep_day *days, size_t ndays,
		 const struct crep_call *calls, size_t ncalls,
		 const struct crep_log *log, size_t nlog, int64_t now_ms);

enum { CREP_RESULTS = 12 };
struct crep {
	int64_t campaign_id;
	char profile[8];
	size_t ndays;
	struct crep_day days[CREP_MAX_DAYS];
	/* the pre-dial list now: rows still to dial (due: by now), the
	 * attempts of all rows, the other rows by last result */
	int64_t waiting, due, attempts;
	struct { char result[16]; int64_t n; } list[CREP_RESULTS];
	size_t nlist;
};

/* The report of ndays (1..CREP_MAX_DAYS) days up to day (YYYY-MM-DD,
 * local; "" or NULL: today's) of campaign c. EINVAL: a bad day or ndays;
 * ENOMEM, EIO. */
int crep_load(struct store *st, const struct st_campaign *c, const char *day,
	      int ndays, int64_t now_ms, struct crep *r);

/* rate in percent, one decimal; 0 without live answers */
double crep_pct(unsigned part, unsigned whole);
/* the abandon rate with AMD's estimated false positives fp counted as
 * live answers abandoned: (abandons + fp) / (live + fp), in percent */
double crep_abandon_pct(unsigned abandons, unsigned live, double fp);

/* the report as a JSON object (re_printf: %H with crep_json, r) */
int crep_json(struct re_printf *pf, void *r);

#endif
