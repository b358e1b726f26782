/*
 * routing.h — a team's inbound routing as data: DIDs, inbound routes,
 * schedules, caller lists, prompts, IVR flows and queue settings. One
 * routing file per team (INI, docs/INBOUND.md) is parsed whole into a
 * struct routing, or refused with the line and the reason; nothing is ever
 * half-applied. occctl stores the file's text in the store, occd parses it
 * at start and on reload and swaps the team's struct routing at once.
 *
 * Everything here is pure: parsing, validation and the routing decision
 * (routing_decide) take their inputs as arguments (the time included) and
 * touch no socket, file descriptor or clock. Reading prompt files and time
 * zone files happens in the callers.
 *
 * The SIP layer (src/sip/inbound.c) carries the decisions out; the IVR
 * interpreter (ivr.h) walks the flows; the ACD (src/acd/) gets the queue
 * settings.
 */
#ifndef OCC_ROUTING_H
#define OCC_ROUTING_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "store/store.h"

struct tz;
struct re_printf;

/* Bounds: a file over these is refused with a clear error. */
enum {
	RT_MAX_FILE     = 1024 * 1024,  /* bytes of a routing file */
	RT_MAX_LINE     = 1024,
	RT_NAME         = ST_NAME,      /* names of routes, nodes, prompts ... */
	RT_VALUE        = ST_URL,
	RT_MAX_KEYS     = 16,           /* menu keys of a play_collect node */
	RT_MAX_SETS     = 8,            /* assignments of a set node */
	RT_MAX_TESTS    = 8,            /* tests of a goto node */
	RT_MAX_MAP      = 8,            /* reply fields of an http node */
	RT_MAX_LEVELS   = 8,            /* relaxation steps of a queue */
	RT_MAX_LANGS    = 4,            /* languages of a prompt */
};

/* Where a call goes. Written in the file as kind:arg, e.g. "ivr:main",
 * "queue:6001", "queue:6001/5" (priority 5), "exten:8001", "agent:8001",
 * "prompt:closed" (play, then hang up), "node:card" (inside an IVR flow),
 * "hangup". */
enum dest_kind {
	DEST_NONE = 0,
	DEST_IVR,       /* arg: flow name; enters its start node */
	DEST_NODE,      /* arg: node name in the current flow */
	DEST_QUEUE,     /* arg: queue number (the agent group's queue) */
	DEST_EXTEN,     /* arg: extension number of the team */
	DEST_AGENT,     /* arg: agent number; rings its current device */
	DEST_PROMPT,    /* arg: prompt name; play it, then hang up */
	DEST_HANGUP,
};

struct dest {
	enum dest_kind kind;
	char arg[RT_NAME];
	int prio;                /* DEST_QUEUE: the caller's priority */
};

/* A prompt: one WAV file per language ("" = the default language). The
 * paths are relative to <data_dir>/prompts/<team>/ unless absolute. */
struct prompt {
	char name[RT_NAME];
	unsigned nlang;
	struct {
		char lang[8];
		char file[RT_VALUE];
		unsigned line;   /* in the file, for errors found after
				  * parsing (the WAV check); 0 = unknown */
	} lang[RT_MAX_LANGS];
};

/* Weekly hours in a time zone, with exception dates (closed all day) and
 * extra open dates. Minutes since local midnight, per weekday (0 = Sunday).
 * A schedule without any hours is always open. */
struct schedule {
	char name[RT_NAME];
	char tz[RT_NAME];        /* IANA name, "" = UTC */
	struct tz *zone;         /* routing_load_zones(); NULL = UTC */
	unsigned line;           /* of the tz key (else the section), for
				  * routing_load_zones' errors; 0 = unknown */
	unsigned nspans;
	struct span {
		uint8_t wday_mask;       /* bit d = weekday d */
		uint16_t from_min, to_min;   /* [from, to) */
	} spans[32];
	unsigned nclosed;
	struct { int32_t from_day, to_day; } closed[32]; /* days since
						 * 1970-01-01, inclusive */
};

enum did_match { DID_EXACT, DID_PREFIX };

struct did {
	char number[ST_NUM];     /* the dialled number (request-URI user);
				  * DID_PREFIX: the prefix, without the
				  * file's '*' ([did 8008*]) */
	enum did_match match;
	char group[RT_NAME];     /* DID group, "" = none */
	struct dest direct;      /* bound straight to a destination: routes
				  * are bypassed (DEST_NONE = use routes) */
};

struct route {
	char name[RT_NAME];
	int priority;            /* higher wins; ties: file order */
	/* matches: an empty field matches anything; all set fields must */
	char did[ST_NUM];        /* exact DID */
	char did_group[RT_NAME];
	char cid_prefix[ST_NUM];
	char trunk[RT_NAME];
	char schedule[RT_NAME];  /* "" = always open */
	struct dest open, closed;
};

/* IVR nodes. Digits are taken while a prompt plays (barge-in) unless the
 * node is a plain `play`. */
enum ivr_node_kind {
	NODE_PLAY,          /* prompt, then next */
	NODE_COLLECT,       /* play_collect: prompt + digits */
	NODE_SET,           /* variables, then next */
	NODE_HTTP,          /* lookup, reply fields into variables */
	NODE_GOTO,          /* first test that holds, else next */
	NODE_DEST,          /* straight to a destination (next) */
};

enum ivr_test_op { TEST_EQ, TEST_NE, TEST_LT, TEST_GT, TEST_PREFIX,
		   TEST_EMPTY, TEST_NONEMPTY };

struct ivr_node {
	char name[RT_NAME];
	enum ivr_node_kind kind;
	char prompt[RT_NAME];        /* PLAY, COLLECT */
	/* COLLECT */
	unsigned min_digits, max_digits;       /* default 1, 1 */
	unsigned first_timeout_ms;             /* default 5000 */
	unsigned inter_timeout_ms;             /* default 2000 */
	unsigned tries;                        /* default 3 */
	char invalid_prompt[RT_NAME], noinput_prompt[RT_NAME];
	char var[RT_NAME];           /* input into; default "inputcode" */
	unsigned nkeys;              /* 0: any input is accepted -> next */
	struct { char digits[ST_NUM]; struct dest dest; } keys[RT_MAX_KEYS];
	/* SET: value may hold ${var} references */
	unsigned nsets;
	struct { char var[RT_NAME]; char value[RT_VALUE]; } sets[RT_MAX_SETS];
	/* HTTP: url and body may hold ${var} references (URL-encoded when
	 * substituted); the reply's body is split on '|' into map[i] */
	char url[RT_VALUE];
	bool post;
	unsigned timeout_ms;                   /* default 3000 */
	unsigned nmap;
	char map[RT_MAX_MAP][RT_NAME];
	/* GOTO */
	unsigned ntests;
	struct {
		char var[RT_NAME];
		enum ivr_test_op op;
		char value[RT_VALUE];
		struct dest dest;
	} tests[RT_MAX_TESTS];
	struct dest next;   /* PLAY/SET/GOTO/DEST/HTTP success; COLLECT with
			     * no keys: after input */
	struct dest fail;   /* COLLECT: tries used up; HTTP: timeout,
			     * error or garbage; DEST_NONE = the flow's */
};

struct ivr_flow {
	char name[RT_NAME];
	char exten[ST_NUM];      /* internal number (agentToIvr ivrexten);
				  * "" = a sub-flow, not dialable */
	char start[RT_NAME];     /* node name */
	struct dest fail;        /* failure destination of the flow */
	unsigned nnodes;
	struct ivr_node *nodes;  /* owned */
};

enum queue_strategy {
	QS_RINGALL, QS_LEASTRECENT, QS_FEWESTCALLS, QS_LEASTTALK, QS_RANDOM,
	QS_WRANDOM, QS_RRMEMORY, QS_LINEAR,
};

/* Settings of an agent group's queue, by the group's queue number. A group
 * without a [queue] section gets the defaults. */
struct queue_cfg {
	char queue[ST_NUM];
	enum queue_strategy strategy;          /* default QS_LEASTRECENT */
	unsigned ring_timeout_s;               /* default 15 */
	unsigned retry_s;                      /* default 5 */
	unsigned max_wait_s;                   /* 0 = none */
	unsigned max_callers;                  /* 0 = none */
	bool join_empty, leave_empty;          /* default yes, no */
	bool autopause;                        /* after ring-no-answer */
	unsigned sticky_s;                     /* 0 = off */
	char exit_key;                         /* '\0' = none */
	struct dest exit_dest, fail;           /* fail: max wait, full,
						* empty */
	char moh[RT_NAME];                     /* prompt, "" = chime */
	unsigned announce_s;                   /* position + expected wait
						* every N s; 0 = off */
	bool announce_wait;                    /* say the expected wait;
						* default yes */
	unsigned nlevels;      /* relaxation: after after_s the caller may be
				* offered members up to max_level */
	struct { unsigned after_s; unsigned max_level; } levels[RT_MAX_LEVELS];
	unsigned nmembers;     /* member levels (penalties), default 0 */
	struct { char agent[ST_NUM]; unsigned level; unsigned weight; }
		*members;      /* owned */
};

struct routing {
	char team[ST_NAME];
	unsigned ndids, nroutes, nschedules, nprompts, nflows, nqueues;
	struct did *dids;
	struct route *routes;
	struct schedule *schedules;
	struct prompt *prompts;
	struct ivr_flow *flows;
	struct queue_cfg *queues;
	/* caller lists: numbers or prefixes ending in '*' */
	unsigned nblack, nwhite;
	char (*blacklist)[ST_NUM];
	char (*whitelist)[ST_NUM];   /* non-empty: only these may call */
	struct dest blocked;         /* default DEST_HANGUP */
};

/* Parse a whole routing file for team. On error returns EINVAL and writes
 * "line N: reason" into err. */
int  routing_parse(struct routing **rp, const char *team, const char *text,
		   size_t len, char *err, size_t errsz);
/* The file for this routing, as routing_parse reads it (export). */
int  routing_print(struct re_printf *pf, const struct routing *r);
void routing_free(struct routing *r);
/* A destination as the file writes it: "kind:arg", "queue:N/prio" or
 * "hangup" into buf. */
const char *routing_dest_str(char *buf, size_t size, const struct dest *d);
/* Same content (source lines and loaded zones aside): parse(print(x)) is
 * x, which the tests and the fuzz target check. */
bool routing_equal(const struct routing *a, const struct routing *b);

/* Lookups (NULL if none). */
const struct ivr_flow *routing_flow(const struct routing *r, const char *name);
const struct ivr_flow *routing_flow_by_exten(const struct routing *r,
					     const char *exten);
const struct ivr_node *flow_node(const struct ivr_flow *f, const char *name);
const struct prompt   *routing_prompt(const struct routing *r,
				      const char *name);
const struct queue_cfg *routing_queue(const struct routing *r,
				      const char *queue);

/* A prompt's file for language lang: that language's, else the default
 * language's (""), else the first; NULL if p is NULL. */
const char *prompt_file(const struct prompt *p, const char *lang);
/* Where a prompt file is: file itself if absolute, else
 * <data_dir>/prompts/<team>/<file>. ENAMETOOLONG if it does not fit. */
int  routing_prompt_path(char *buf, size_t size, const char *data_dir,
			 const char *team, const char *file);

/* Read the TZif files (tz.h) of the schedules' zones from zoneinfo_dir
 * (normally /usr/share/zoneinfo); an unknown zone is an error for the
 * file ("line N: unknown time zone ..."). Not pure: it reads files. */
int  routing_load_zones(struct routing *r, const char *zoneinfo_dir,
			char *err, size_t errsz);

/* Is the schedule open at now_utc_s? */
bool schedule_open(const struct schedule *s, int64_t now_utc_s);

/* The routing decision for an inbound call: black/whitelist, then the DID
 * (longest exact-or-prefix match), its direct destination or the routes
 * in priority order, and the route's schedule. */
struct inbound_in {
	const char *did;         /* request-URI user */
	const char *cid;         /* caller number */
	const char *trunk;       /* trunk it came from, "" = an allowed peer */
	int64_t now_utc_s;
};
enum inbound_verdict {
	IN_ROUTED,              /* *out is where to go */
	IN_NO_DID,              /* 404 */
	IN_NO_ROUTE,            /* DID known, nothing matches: 404 too */
	IN_BLOCKED,             /* black/whitelist: *out = r->blocked */
};
struct inbound_out {
	struct dest dest;
	const struct did *did;
	const struct route *route;   /* NULL for a DID bound directly */
	bool open;                   /* the schedule said open */
};
enum inbound_verdict routing_decide(const struct routing *r,
				    const struct inbound_in *in,
				    struct inbound_out *out);

#endif
