/*
 * test_routing.c — the routing file (src/inbound/routing_parse.c), the
 * inbound decision and schedules (routing.c) and the TZif reader (tz.c),
 * the latter checked against glibc's localtime_r.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "unit.h"
#include "inbound/routing.h"
#include "inbound/demo_routing.h"
#include "inbound/tz.h"

/* Every section and key once (docs/INBOUND.md's reference example). */
static const char full_file[] =
	"# a comment\n"
	"[lists]\n"
	"blacklist = 1900*, 13800000000\n"
	"blacklist = anonymous\n"
	"blocked = prompt:closed\n"
	"\n"
	"[did 800888]\n"
	"group = main-lines\n"
	"[did 8008*]\n"
	"group = main-lines\n"
	"[did 800999]\n"
	"dest = exten:8001\n"
	"[did 7*]\n"
	"\n"
	"[route vip]\n"
	"priority = 20\n"
	"did_group = main-lines\n"
	"cid_prefix = 139\n"
	"open = queue:6002/5\n"
	"[route office]\n"
	"priority = 10\n"
	"did = 800888\n"
	"trunk = carrier-a\n"
	"schedule = office\n"
	"open = ivr:main\n"
	"closed = prompt:closed\n"
	"[route rest]\n"
	"did_group = main-lines\n"
	"open = ivr:main\n"
	"[route seven]\n"
	"priority = -5\n"
	"did = 7123\n"
	"open = agent:8002\n"
	"\n"
	"[schedule office]\n"
	"tz = America/New_York\n"
	"hours = mon-fri 09:00-12:00, 13:00-18:00\n"
	"hours = sat 10:00-14:00\n"
	"hours = fri 22:00-24:00\n"
	"hours = sat 00:00-02:00\n"
	"closed = 2026-12-25\n"
	"closed = 2026-10-01..2026-10-07\n"
	"\n"
	"[prompt welcome]\n"
	"file = welcome.wav\n"
	"file.en = en/welcome.wav\n"
	"[prompt closed]\n"
	"file = /var/lib/occ/closed.wav\n"
	"[prompt music]\n"
	"file = music.wav\n"
	"\n"
	"[ivr main]\n"
	"exten = 6000\n"
	"start = welcome\n"
	"fail = queue:6001\n"
	"[node main.welcome]\n"
	"type = play_collect\n"
	"prompt = welcome\n"
	"min_digits = 1\n"
	"max_digits = 2\n"
	"first_timeout = 5s\n"
	"inter_timeout = 1500ms\n"
	"tries = 2\n"
	"invalid_prompt = closed\n"
	"noinput_prompt = welcome\n"
	"var = CHOICE\n"
	"key.1 = queue:6001\n"
	"key.2 = node:card\n"
	"key.* = node:welcome\n"
	"key.10 = hangup\n"
	"fail = queue:6001\n"
	"[node main.card]\n"
	"type = play_collect\n"
	"prompt = welcome\n"
	"max_digits = 16\n"
	"var = CARDNO\n"
	"next = node:lookup\n"
	"[node main.lookup]\n"
	"type = http\n"
	"url = https://crm.example/lookup?cid=${callerid}&card=${CARDNO}\n"
	"method = post\n"
	"timeout = 1500ms\n"
	"map = VIP, LANG\n"
	"next = node:vip\n"
	"fail = queue:6001\n"
	"[node main.vip]\n"
	"type = goto\n"
	"if = VIP = 1 -> queue:6002/9\n"
	"if = LANG != cn -> node:setlang\n"
	"if = SCORE > 10 -> node:bye\n"
	"if = CARDNO ^= 62 -> node:bye\n"
	"if = LANG empty -> node:bye\n"
	"next = queue:6001\n"
	"[node main.setlang]\n"
	"type = set\n"
	"set.LANG = en\n"
	"set.EMPTY =\n"
	"set.GREETING = hello ${callerid}\n"
	"next = node:bye\n"
	"[node main.bye]\n"
	"type = play\n"
	"prompt = closed\n"
	"next = node:out\n"
	"[node main.out]\n"
	"type = dest\n"
	"next = hangup\n"
	"\n"
	"[queue 6001]\n"
	"strategy = ringall\n"
	"ring_timeout = 20\n"
	"retry = 3s\n"
	"max_wait = 5m\n"
	"max_callers = 10\n"
	"join_empty = no\n"
	"leave_empty = yes\n"
	"autopause = yes\n"
	"sticky = 3600\n"
	"exit_key = 9\n"
	"exit = ivr:main\n"
	"fail = prompt:closed\n"
	"moh = music\n"
	"announce = 60\n"
	"announce_wait = no\n"
	"relax = 30:2, 60:3\n"
	"member.8001 = 0\n"
	"member.8002 = 1,5\n"
	"[queue 6002]\n"
	"strategy = wrandom\n";

static struct routing *parse(const char *text, char *err, size_t errsz)
{
	struct routing *r = NULL;

	if (routing_parse(&r, "t1", text, strlen(text), err, errsz))
		return NULL;
	return r;
}

static char *print(const struct routing *r)
{
	char *s = NULL;

	if (re_sdprintf(&s, "%H", routing_print, r))
		return NULL;
	return s;
}

UNIT_TEST(routing_demo_file_parses)
{
	char err[256];
	struct routing *r = NULL;
	const struct ivr_flow *f;
	const struct ivr_node *n;
	struct inbound_out out;
	struct inbound_in in = { "800888", "13900001111", "", 1764900000 };

	UT_EQ_INT(routing_parse(&r, "demo", demo_routing_ini,
				demo_routing_len(), err, sizeof(err)), 0);
	f = routing_flow_by_exten(r, "6000");
	UT_ASSERT(f && !strcmp(f->name, "main"));
	n = flow_node(f, f->start);
	UT_ASSERT(n && n->kind == NODE_COLLECT);
	UT_EQ_INT(n->first_timeout_ms, 5000);
	UT_EQ_INT(n->tries, 2);
	UT_EQ_INT(n->nkeys, 2);
	UT_EQ_STR(n->keys[0].digits, "1");
	UT_EQ_STR(n->keys[0].dest.arg, "6001");
	UT_EQ_STR(n->keys[1].dest.arg, "6002");
	UT_EQ_INT(n->fail.kind, DEST_QUEUE);
	UT_EQ_STR(n->fail.arg, "6001");
	UT_ASSERT(routing_queue(r, "6001") && routing_queue(r, "6002"));
	UT_EQ_INT(routing_decide(r, &in, &out), IN_ROUTED);
	UT_EQ_INT(out.dest.kind, DEST_IVR);
	UT_EQ_STR(out.dest.arg, "main");
	UT_ASSERT(out.open);
	in.did = "800889";
	UT_EQ_INT(routing_decide(r, &in, &out), IN_NO_DID);
	routing_free(r);
}

UNIT_TEST(routing_print_parse_round_trip)
{
	char err[256] = "";
	struct routing *a = parse(full_file, err, sizeof(err)), *b;
	char *t1, *t2;

	if (!a)
		fprintf(stderr, "  %s\n", err);
	UT_ASSERT(a);
	t1 = print(a);
	UT_ASSERT(t1);
	b = parse(t1, err, sizeof(err));
	if (!b)
		fprintf(stderr, "  %s\n%s", err, t1);
	UT_ASSERT(b);
	UT_ASSERT(routing_equal(a, b));
	t2 = print(b);
	UT_EQ_STR(t2, t1);
	/* spot checks that the file said what it means */
	UT_EQ_INT(a->nblack, 3);
	UT_EQ_INT(a->blocked.kind, DEST_PROMPT);
	UT_EQ_INT(a->queues[0].levels[1].after_s, 60);
	UT_EQ_INT(a->queues[0].levels[1].max_level, 3);
	UT_EQ_INT(a->queues[0].max_wait_s, 300);
	UT_EQ_INT(a->queues[0].members[1].weight, 5);
	UT_EQ_INT(a->queues[0].exit_key, '9');
	UT_EQ_INT(a->queues[0].announce_s, 60);
	UT_ASSERT(!a->queues[0].announce_wait);
	UT_ASSERT(a->queues[1].announce_wait);    /* the default */
	UT_EQ_INT(a->flows[0].nodes[0].inter_timeout_ms, 1500);
	UT_EQ_INT(a->flows[0].nodes[3].tests[2].op, TEST_GT);
	UT_EQ_INT(a->flows[0].nodes[3].tests[4].op, TEST_EMPTY);
	UT_EQ_STR(a->flows[0].nodes[4].sets[2].value, "hello ${callerid}");
	UT_EQ_INT(a->schedules[0].spans[2].wday_mask, 1 << 6);
	UT_EQ_INT(a->routes[3].priority, -5);
	/* the demo file too */
	routing_free(a);
	routing_free(b);
	mem_deref(t1);
	mem_deref(t2);
	a = NULL;
	UT_EQ_INT(routing_parse(&a, "demo", demo_routing_ini,
				demo_routing_len(), err, sizeof(err)), 0);
	t1 = print(a);
	b = parse(t1, err, sizeof(err));
	UT_ASSERT(b);
	routing_free(b);
	b = NULL;
	UT_EQ_INT(routing_parse(&b, "demo", t1, strlen(t1), err,
				sizeof(err)), 0);
	UT_ASSERT(routing_equal(a, b));
	routing_free(a);
	routing_free(b);
	mem_deref(t1);
}

static enum inbound_verdict decide(const struct routing *r, const char *did,
				   const char *cid, const char *trunk,
				   int64_t now, struct inbound_out *out)
{
	struct inbound_in in = { did, cid, trunk, now };

	return routing_decide(r, &in, out);
}

/* 2026-12-07 is a Monday; New York is UTC-5 in December. */
static int64_t ny_winter(int mday, int hh, int mm)
{
	return tz_days_from_civil(2026, 12, (unsigned)mday) * 86400 +
	       (hh + 5) * 3600 + mm * 60;
}

UNIT_TEST(routing_decide_branches)
{
	char err[256] = "";
	struct routing *r = parse(full_file, err, sizeof(err));
	struct inbound_out out;
	int64_t mon10 = ny_winter(7, 10, 0);

	UT_ASSERT(r);
	UT_EQ_INT(routing_load_zones(r, TZ_ZONEINFO_DIR, err, sizeof(err)),
		  0);
	/* blacklist: exact, prefix, a word; the blocked destination */
	UT_EQ_INT(decide(r, "800888", "13800000000", "", mon10, &out),
		  IN_BLOCKED);
	UT_EQ_INT(out.dest.kind, DEST_PROMPT);
	UT_EQ_INT(decide(r, "800888", "19005551234", "", mon10, &out),
		  IN_BLOCKED);
	UT_EQ_INT(decide(r, "800888", "anonymous", "", mon10, &out),
		  IN_BLOCKED);
	UT_EQ_INT(decide(r, "800888", "1380000000", "", mon10, &out),
		  IN_ROUTED);       /* a prefix of a listed number is not it */
	/* unknown DID */
	UT_EQ_INT(decide(r, "900000", "555", "", mon10, &out), IN_NO_DID);
	UT_ASSERT(!out.did);
	/* direct DID bypasses routes, even the higher-priority vip route */
	UT_EQ_INT(decide(r, "800999", "1391234", "", mon10, &out), IN_ROUTED);
	UT_ASSERT(!out.route);
	UT_EQ_INT(out.dest.kind, DEST_EXTEN);
	UT_EQ_STR(out.dest.arg, "8001");
	/* 800999 is not under 8008*; 800812 is */
	UT_EQ_INT(decide(r, "800812", "555", "", mon10, &out), IN_ROUTED);
	UT_EQ_STR(out.did->number, "8008");
	UT_EQ_INT(out.did->match, DID_PREFIX);
	/* exact beats the prefix: 800888 is also under 8008* */
	UT_EQ_INT(decide(r, "800888", "555", "carrier-a", mon10, &out),
		  IN_ROUTED);
	UT_EQ_STR(out.did->number, "800888");
	UT_EQ_INT(out.did->match, DID_EXACT);
	/* longest prefix: 7* against a DID "8008*" is irrelevant, 7123 */
	UT_EQ_INT(decide(r, "7123", "555", "", mon10, &out), IN_ROUTED);
	UT_EQ_STR(out.did->number, "7");
	UT_EQ_STR(out.route->name, "seven");
	UT_EQ_INT(out.dest.kind, DEST_AGENT);
	/* a DID known but no route matches it: 404 too */
	UT_EQ_INT(decide(r, "7999", "555", "", mon10, &out), IN_NO_ROUTE);
	/* priority: vip (20, did_group + cid prefix 139) over office (10) */
	UT_EQ_INT(decide(r, "800888", "13912345678", "carrier-a", mon10,
			 &out), IN_ROUTED);
	UT_EQ_STR(out.route->name, "vip");
	UT_EQ_INT(out.dest.kind, DEST_QUEUE);
	UT_EQ_INT(out.dest.prio, 5);
	/* did_group: vip matches the prefix DID's group too */
	UT_EQ_INT(decide(r, "800812", "139", "", mon10, &out), IN_ROUTED);
	UT_EQ_STR(out.route->name, "vip");
	/* trunk: office needs carrier-a; another trunk falls to rest */
	UT_EQ_INT(decide(r, "800888", "555", "carrier-b", mon10, &out),
		  IN_ROUTED);
	UT_EQ_STR(out.route->name, "rest");
	UT_ASSERT(out.open);
	UT_EQ_INT(decide(r, "800888", "555", "", mon10, &out), IN_ROUTED);
	UT_EQ_STR(out.route->name, "rest");
	/* schedule: office open Monday 10:00 New York, closed at 12:30 */
	UT_EQ_INT(decide(r, "800888", "555", "carrier-a", mon10, &out),
		  IN_ROUTED);
	UT_EQ_STR(out.route->name, "office");
	UT_ASSERT(out.open);
	UT_EQ_INT(out.dest.kind, DEST_IVR);
	UT_EQ_INT(decide(r, "800888", "555", "carrier-a",
			 ny_winter(7, 12, 30), &out), IN_ROUTED);
	UT_ASSERT(!out.open);
	UT_EQ_INT(out.dest.kind, DEST_PROMPT);
	UT_EQ_STR(out.dest.arg, "closed");
	routing_free(r);
}

UNIT_TEST(routing_schedule_boundaries_and_dst)
{
	char err[256] = "";
	struct routing *r = parse(full_file, err, sizeof(err));
	const struct schedule *s;

	UT_ASSERT(r);
	UT_EQ_INT(routing_load_zones(r, TZ_ZONEINFO_DIR, err, sizeof(err)),
		  0);
	s = &r->schedules[0];
	/* Friday 2026-12-11 21:59 closed, 22:00 open; across midnight into
	 * Saturday 01:59 open (another weekday's span), 02:00 closed */
	UT_ASSERT(!schedule_open(s, ny_winter(11, 21, 59)));
	UT_ASSERT(schedule_open(s, ny_winter(11, 22, 0)));
	UT_ASSERT(schedule_open(s, ny_winter(11, 23, 59)));
	UT_ASSERT(schedule_open(s, ny_winter(12, 0, 0)));
	UT_ASSERT(schedule_open(s, ny_winter(12, 1, 59)));
	UT_ASSERT(!schedule_open(s, ny_winter(12, 2, 0)));
	UT_ASSERT(schedule_open(s, ny_winter(12, 10, 0)));
	UT_ASSERT(!schedule_open(s, ny_winter(12, 14, 0)));
	/* Sunday: no hours */
	UT_ASSERT(!schedule_open(s, ny_winter(13, 10, 0)));
	/* lunch break, the end is exclusive */
	UT_ASSERT(schedule_open(s, ny_winter(7, 11, 59)));
	UT_ASSERT(!schedule_open(s, ny_winter(7, 12, 0)));
	UT_ASSERT(schedule_open(s, ny_winter(7, 13, 0)));
	UT_ASSERT(!schedule_open(s, ny_winter(7, 18, 0)));
	/* exception date: Friday 2026-12-25 is closed all day (local) */
	UT_ASSERT(!schedule_open(s, ny_winter(25, 10, 0)));
	UT_ASSERT(!schedule_open(s, ny_winter(25, 23, 0)));
	UT_ASSERT(schedule_open(s, ny_winter(24, 10, 0)));
	/* a range: Thursday 2026-10-01 .. Wednesday 2026-10-07 (EDT,
	 * UTC-4); 10:00 local on 2026-10-08 is open again */
	UT_ASSERT(!schedule_open(s, tz_days_from_civil(2026, 10, 7) * 86400 +
				 14 * 3600));
	UT_ASSERT(schedule_open(s, tz_days_from_civil(2026, 10, 8) * 86400 +
				14 * 3600));
	/* DST: Monday 2026-03-09 (EDT since the 8th) 09:00 local is 13:00
	 * UTC, open; 08:30 local = 12:30 UTC closed, although in EST (the
	 * week before) 12:30 UTC... was 07:30, also closed; 13:30 UTC on
	 * Monday 2026-03-02 (EST) is 08:30 local: closed, while 13:30 UTC
	 * a week later is 09:30 EDT: open */
	UT_ASSERT(schedule_open(s, tz_days_from_civil(2026, 3, 9) * 86400 +
				13 * 3600));
	UT_ASSERT(!schedule_open(s, tz_days_from_civil(2026, 3, 9) * 86400 +
				 12 * 3600 + 1800));
	UT_ASSERT(!schedule_open(s, tz_days_from_civil(2026, 3, 2) * 86400 +
				 13 * 3600 + 1800));
	UT_ASSERT(schedule_open(s, tz_days_from_civil(2026, 3, 9) * 86400 +
				13 * 3600 + 1800));
	routing_free(r);
}

UNIT_TEST(routing_unknown_zone_is_refused_with_its_line)
{
	static const char text[] = "[schedule x]\n"
		"hours = daily 08:00-20:00\n"
		"tz = Mars/Olympus_Mons\n";
	char err[256] = "";
	struct routing *r = parse(text, err, sizeof(err));

	UT_ASSERT(r);
	UT_EQ_INT(routing_load_zones(r, TZ_ZONEINFO_DIR, err, sizeof(err)),
		  EINVAL);
	UT_ASSERT(!strncmp(err, "line 3: unknown time zone Mars/Olympus_Mons",
			   43));
	routing_free(r);
}

UNIT_TEST(routing_whitelist)
{
	static const char text[] = "[lists]\nwhitelist = 86*, 12345\n"
		"[did 1]\ndest = hangup\n";
	char err[256] = "";
	struct routing *r = parse(text, err, sizeof(err));
	struct inbound_out out;

	UT_ASSERT(r);
	UT_EQ_INT(decide(r, "1", "8613", "", 0, &out), IN_ROUTED);
	UT_EQ_INT(decide(r, "1", "12345", "", 0, &out), IN_ROUTED);
	UT_EQ_INT(decide(r, "1", "123456", "", 0, &out), IN_BLOCKED);
	UT_EQ_INT(out.dest.kind, DEST_HANGUP);   /* the default */
	UT_EQ_INT(decide(r, "1", "", "", 0, &out), IN_BLOCKED);
	routing_free(r);
}

/* Each class of error, refused with its line; nothing is returned. */
UNIT_TEST(routing_parse_errors_name_the_line)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[did 1]\nfoo = 1\n", "line 2: unknown key 'foo'" },
		{ "x = 1\n", "line 1: 'x' is outside any section" },
		{ "[did 1]\n[bogus 2]\n", "line 2: unknown section [bogus]" },
		{ "[route a]\nopen = hangup\n\n[route a]\n",
		  "line 4: duplicate [route a]" },
		{ "[did 1]\n[did 1]\n", "line 2: duplicate [did 1]" },
		{ "[did 1]\ngroup = a\ngroup = b\n",
		  "line 3: duplicate key 'group'" },
		{ "[route a]\nopen = ivr:nope\n", "line 2: no [ivr nope]" },
		{ "[route a]\nopen = queue:77\n", "line 2: no [queue 77]" },
		{ "[route a]\nopen = prompt:p\n", "line 2: no [prompt p]" },
		{ "[route a]\nschedule = s\nopen = hangup\nclosed = hangup\n",
		  "line 2: no [schedule s]" },
		{ "[route a]\ndid = 5\nopen = hangup\n",
		  "line 2: did 5: no [did] section matches it" },
		{ "[route a]\ndid_group = g\nopen = hangup\n",
		  "line 2: did_group g: no [did] has group = g" },
		{ "[route a]\nopen = node:x\n",
		  "line 2: open: node: destinations only work inside" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = dest\n"
		  "next = node:zz\n", "line 5: no [node m.zz]" },
		{ "[ivr m]\nstart = b\n[node m.a]\ntype = dest\n"
		  "next = hangup\n", "line 2: no [node m.b]" },
		{ "[node m.a]\ntype = dest\n", "line 1: [node m.a]: no [ivr m]" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = play_collect\n"
		  "key.# = hangup\n", "line 5: key.#: # ends the input" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = play_collect\n"
		  "key.1# = hangup\n", "line 5: key.1#: # ends the input" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = play_collect\n"
		  "key.12 = hangup\n", "line 3: [node m.a]: key 12 does not fit" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = play\n"
		  "url = http://x\n", "line 3: [node m.a]: 'url' does not apply" },
		{ "[ivr m]\nstart = a\n[node m.a]\nnext = hangup\n",
		  "line 3: [node m.a] needs type" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = set\n",
		  "line 3: [node m.a] needs next" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = play_collect\n"
		  "key.1 = hangup\nnext = hangup\n",
		  "line 3: [node m.a]: a menu (key.N) has no next" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = goto\nif = X ~ 1 -> "
		  "hangup\nnext = hangup\n", "line 5: if 'X ~ 1 -> hangup'" },
		{ "[ivr m]\nstart = a\n[node m.a]\ntype = goto\nif = X > a -> "
		  "hangup\nnext = hangup\n", "line 5: if 'X > a -> hangup': <" },
		{ "[queue 1]\nring_timeout = 0\n", "line 2: ring_timeout" },
		{ "[queue 1]\nring_timeout = 2ms\n",
		  "line 2: ring_timeout '2ms': whole seconds only" },
		{ "[queue 1]\nstrategy = best\n", "line 2: strategy 'best'" },
		{ "[queue 1]\njoin_empty = maybe\n", "line 2: join_empty" },
		{ "[queue 1]\nrelax = 60:3, 30:2\n", "line 2: relax" },
		{ "[queue 1]\nexit_key = 9\n", "line 1: [queue 1]: exit_key" },
		{ "[queue 1]\nmember.8001 = 1\nmember.8001 = 2\n",
		  "line 3: duplicate key 'member.8001'" },
		{ "[schedule s]\nhours = mon-fri 18:00-09:00\n",
		  "line 2: hours '18:00-09:00'" },
		{ "[schedule s]\nhours = someday 09:00-18:00\n",
		  "line 2: hours 'someday" },
		{ "[schedule s]\nclosed = 2026-02-30\n", "line 2: closed" },
		{ "[schedule s]\ntz = ../etc/passwd\n", "line 2: tz" },
		{ "[prompt p]\nfile = ../../etc/passwd\n", "line 2: file" },
		{ "[prompt p]\n", "line 1: [prompt p] needs file" },
		{ "[lists]\nblacklist = 1*2\n", "line 2: list entry '1*2'" },
		{ "[did 1]\n\n\nx\n", "line 4: expected KEY = VALUE" },
		{ "[did 1]\r\ngroup = a\r\nfoo = 1\r\n",
		  "line 3: unknown key 'foo'" },
		{ "[did 1]\ngroup = a\001\n", "line 2: control characters" },
		{ "[route a]\n", "line 1: [route a] needs open" },
		{ "[route a]\nopen = hangup\nclosed = hangup\n",
		  "line 1: [route a]: closed needs a schedule" },
		{ "[did abc]\n", "line 1: [did abc]" },
		{ "[route a]\nopen = queue:6001/100\n",
		  "line 2: queue priority 100: out of range" },
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct routing *r = (struct routing *)1;
		int e;

		err[0] = '\0';
		e = routing_parse(&r, "t", cases[i].text,
				  strlen(cases[i].text), err, sizeof(err));
		if (e != EINVAL || strncmp(err, cases[i].err,
					   strlen(cases[i].err)))
			fprintf(stderr, "  case %zu: got %d \"%s\", want \"%s\"\n",
				i, e, err, cases[i].err);
		UT_EQ_INT(e, EINVAL);
		UT_ASSERT(!strncmp(err, cases[i].err, strlen(cases[i].err)));
		UT_ASSERT(r == (struct routing *)1);   /* untouched */
	}
}

UNIT_TEST(routing_limits)
{
	char err[256];
	struct routing *r = NULL;
	char *big = malloc(RT_MAX_FILE + 2);
	char line[RT_MAX_LINE + 32];
	struct mbuf *mb = mbuf_alloc(4096);

	UT_ASSERT(big && mb);
	memset(big, '#', RT_MAX_FILE + 1);
	UT_EQ_INT(routing_parse(&r, "t", big, RT_MAX_FILE + 1, err,
				sizeof(err)), EINVAL);
	UT_ASSERT(strstr(err, "more than 1048576"));
	free(big);
	/* a line of RT_MAX_LINE + 1 bytes */
	memset(line, 'a', sizeof(line));
	memcpy(line, "# ", 2);
	UT_EQ_INT(routing_parse(&r, "t", line, RT_MAX_LINE + 1, err,
				sizeof(err)), EINVAL);
	UT_EQ_STR(err, "line 1: longer than 1024 bytes");
	UT_EQ_INT(routing_parse(&r, "t", line, RT_MAX_LINE, err,
				sizeof(err)), 0);
	routing_free(r);
	/* one menu key too many */
	mbuf_printf(mb, "[ivr m]\nstart = a\n[node m.a]\ntype = play_collect\n"
		    "max_digits = 2\n");
	for (int i = 0; i <= RT_MAX_KEYS; i++)
		mbuf_printf(mb, "key.%d = hangup\n", 10 + i);
	r = NULL;
	UT_EQ_INT(routing_parse(&r, "t", (char *)mb->buf, mb->end, err,
				sizeof(err)), EINVAL);
	UT_EQ_STR(err, "line 22: too many menu keys (at most 16)");
	mem_deref(mb);
}

/* ---- tz.c against glibc ---- */

static void tz_check_zone(int *unit_failed_, const char *name)
{
	struct tz *z = NULL;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	int bad = 0;

	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, name), 0);
	setenv("TZ", name, 1);
	tzset();
	/* every 7 h 13 min 17 s from 1900 to 2100 (the step walks through
	 * every time of day), and both sides of each transition */
	for (int64_t t = -2208988800LL; t < 4102444800LL; t += 26000) {
		for (int d = -1; d <= 0; d++) {
			time_t tt = (time_t)(t + d);
			struct tm tm;
			struct tz_local lt;
			int64_t days;

			if (!localtime_r(&tt, &tm))
				continue;
			tz_localtime(z, tt, &lt);
			days = tz_days_from_civil(tm.tm_year + 1900,
						  (unsigned)tm.tm_mon + 1,
						  (unsigned)tm.tm_mday);
			if (lt.days != days || lt.wday != tm.tm_wday ||
			    lt.min != tm.tm_hour * 60 + tm.tm_min ||
			    lt.sec != tm.tm_sec ||
			    lt.utoff != tm.tm_gmtoff) {
				if (bad++ < 5)
					fprintf(stderr, "  %s at %lld: ours %lld"
						" %d %d off %d, glibc %lld %d"
						" %d off %ld\n", name,
						(long long)tt,
						(long long)lt.days, lt.wday,
						lt.min, lt.utoff,
						(long long)days, tm.tm_wday,
						tm.tm_hour * 60 + tm.tm_min,
						tm.tm_gmtoff);
			}
		}
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	}
	else
		unsetenv("TZ");
	tzset();
	mem_deref(z);
	UT_EQ_INT(bad, 0);
}

/* The transitions themselves: a second before and at each, 1970-2100. */
static void tz_check_transitions(int *unit_failed_, const char *name)
{
	struct tz *z = NULL;
	int bad = 0, changes = 0;
	int32_t prev;

	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, name), 0);
	setenv("TZ", name, 1);
	tzset();
	prev = tz_offset(z, 0);
	/* find changes hour by hour, then check the second each happens */
	for (int64_t t = 3600; t < 4102444800LL; t += 1800) {
		int32_t off = tz_offset(z, t);
		struct tm tm;
		time_t tt;

		if (off == prev)
			continue;
		changes++;
		prev = off;
		for (tt = (time_t)(t - 1800); tt <= (time_t)t; tt += 60) {
			localtime_r(&tt, &tm);
			if (tm.tm_gmtoff != tz_offset(z, tt) && bad++ < 5)
				fprintf(stderr, "  %s at %lld: ours %d glibc"
					" %ld\n", name, (long long)tt,
					tz_offset(z, tt), tm.tm_gmtoff);
		}
	}
	unsetenv("TZ");
	tzset();
	mem_deref(z);
	UT_EQ_INT(bad, 0);
	UT_ASSERT(changes > 0);
}

UNIT_TEST(tz_matches_glibc)
{
	static const char *const zones[] = {
		"Asia/Shanghai", "America/New_York", "Europe/London",
		"Australia/Lord_Howe", "UTC", "America/Sao_Paulo",
	};

	for (size_t i = 0; i < ARRAY_SIZE(zones); i++) {
		tz_check_zone(unit_failed_, zones[i]);
		if (*unit_failed_)
			return;
	}
	tz_check_transitions(unit_failed_, "America/New_York");
	tz_check_transitions(unit_failed_, "Europe/London");
	tz_check_transitions(unit_failed_, "Australia/Lord_Howe");
}

UNIT_TEST(tz_refuses_bad_names_and_files)
{
	struct tz *z = NULL;
	static const uint8_t junk[] = "TZif2 not really";

	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, "../../etc/passwd"), EINVAL);
	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, "/etc/localtime"), EINVAL);
	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, "Asia/../../x"), EINVAL);
	UT_EQ_INT(tz_load(&z, TZ_ZONEINFO_DIR, "Nowhere/City"), ENOENT);
	UT_EQ_INT(tz_parse(&z, junk, sizeof(junk)), EINVAL);
	UT_EQ_INT(tz_parse(&z, junk, 3), EINVAL);
	UT_ASSERT(!z);
}

/* ---- the store's team_routing (migration 5) and the model ---- */

#include <unistd.h>
#include "core/model.h"

static void rm_store(const char *root)
{
	static const char *const files[] = { "occ.db", "occ.db-wal",
					     "occ.db-shm" };
	char p[160];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/data/%s", root, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/data", root);
	rmdir(p);
	rmdir(root);
}

static void store_routing_body(int *unit_failed_, struct store *st)
{
	int64_t team = 0, other = 0, ms = 0;
	char *text = NULL;
	struct model *m = NULL;
	struct team *t;
	static const char bad[] = "[route a]\nopen = ivr:nope\n";

	UT_EQ_INT(store_team_add(st, "demo", &team), 0);
	UT_EQ_INT(store_team_add(st, "other", &other), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), ENOENT);
	UT_EQ_INT(store_routing_del(st, team), ENOENT);
	UT_EQ_INT(store_routing_set(st, 999, "x", 1, 5), ENOENT);
	UT_EQ_INT(store_routing_set(st, team, demo_routing_ini,
				    demo_routing_len(), 1234), 0);
	UT_EQ_INT(store_routing_set(st, other, bad, strlen(bad), 1), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), 0);
	UT_EQ_STR(text, demo_routing_ini);
	UT_EQ_INT(ms, 1234);
	text = mem_deref(text);
	/* occd's model: the good file parsed, the bad one left out */
	UT_EQ_INT(model_load(&m, st), 0);
	t = team_find(m, "demo");
	UT_ASSERT(t && t->routing);
	UT_ASSERT(routing_flow_by_exten(t->routing, "6000"));
	t = team_find(m, "other");
	UT_ASSERT(t && !t->routing);
	m = mem_deref(m);
	/* replace, then clear; removing the team removes its file */
	UT_EQ_INT(store_routing_set(st, team, "# empty\n", 8, 99), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), 0);
	UT_EQ_STR(text, "# empty\n");
	text = mem_deref(text);
	UT_EQ_INT(store_routing_del(st, team), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), ENOENT);
	UT_EQ_INT(store_team_del(st, "other"), 0);
	UT_EQ_INT(store_routing_get(st, other, &text, &ms), ENOENT);
}

/* On the store under test: SQLite, or PostgreSQL under tests/pg/run.sh
 * (the "store_" in the names picks them there). */
static void with_store(int *unit_failed_,
		       void (*body)(int *unit_failed_, struct store *st))
{
	char root[64] = "/tmp/occ-routing-XXXXXX", dir[96];
	struct store *st = NULL;

	UT_ASSERT(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/data", root);
	if (unit_store_open(&st, dir, true) == 0)
		body(unit_failed_, st);
	else
		(*unit_failed_)++;
	mem_deref(st);
	rm_store(root);
}

UNIT_TEST(routing_store_and_model)
{
	with_store(unit_failed_, store_routing_body);
}

/* A file as given, byte for byte: CRLF, tabs, UTF-8, no final newline. */
static const char odd_text[] = "[route main]\r\n\topen = queue:8001\r\n"
	"; 欢迎 — welcome";

/* get: the file last set (ENOENT: none, an empty file is one); del: that
 * team's file only (ENOENT: none); set again after a del. */
static void store_routing_get_del_body(int *unit_failed_, struct store *st)
{
	int64_t team = 0, other = 0, ms = 0;
	char *text = NULL, *big = mem_zalloc(ST_ROUTING + 2, NULL);

	UT_ASSERT(big);
	memset(big, 'x', ST_ROUTING + 1);
	UT_EQ_INT(store_team_add(st, "demo", &team), 0);
	UT_EQ_INT(store_team_add(st, "other", &other), 0);
	UT_EQ_INT(store_routing_set(st, team, odd_text, strlen(odd_text),
				    1700000000123), 0);
	UT_EQ_INT(store_routing_set(st, other, "# b\n", 4, 20), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), 0);
	UT_EQ_STR(text, odd_text);
	UT_EQ_INT(ms, 1700000000123);
	text = mem_deref(text);
	UT_EQ_INT(store_routing_get(st, team, &text, NULL), 0);
	UT_EQ_STR(text, odd_text);
	text = mem_deref(text);
	UT_EQ_INT(store_routing_get(st, other + 100, &text, &ms), ENOENT);
	UT_EQ_INT(store_routing_del(st, other + 100), ENOENT);
	UT_EQ_INT(store_routing_get(st, 0, &text, &ms), EINVAL);
	UT_EQ_INT(store_routing_del(st, 0), EINVAL);

	UT_EQ_INT(store_routing_del(st, team), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), ENOENT);
	UT_ASSERT(!text);
	UT_EQ_INT(store_routing_del(st, team), ENOENT);
	UT_EQ_INT(store_routing_get(st, other, &text, &ms), 0);
	UT_EQ_STR(text, "# b\n");
	UT_EQ_INT(ms, 20);
	text = mem_deref(text);

	/* an empty file is a file; the largest one whole */
	UT_EQ_INT(store_routing_set(st, team, "", 0, 30), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), 0);
	UT_EQ_STR(text, "");
	UT_EQ_INT(ms, 30);
	text = mem_deref(text);
	UT_EQ_INT(store_routing_set(st, team, big, ST_ROUTING + 1, 40),
		  EINVAL);
	UT_EQ_INT(store_routing_set(st, team, big, ST_ROUTING, 40), 0);
	UT_EQ_INT(store_routing_get(st, team, &text, &ms), 0);
	big[ST_ROUTING] = '\0';
	UT_EQ_INT(strlen(text), ST_ROUTING);
	UT_EQ_STR(text, big);
	text = mem_deref(text);
	UT_EQ_INT(store_routing_del(st, team), 0);
	UT_EQ_INT(store_routing_get(st, other, &text, &ms), 0);
	text = mem_deref(text);
	mem_deref(big);
}

UNIT_TEST(routing_store_get_del)
{
	with_store(unit_failed_, store_routing_get_del_body);
}

UNIT_TEST(routing_prompt_files)
{
	char err[256] = "", path[64];
	struct routing *r = parse(full_file, err, sizeof(err));
	const struct prompt *p;

	UT_ASSERT(r);
	p = routing_prompt(r, "welcome");
	UT_EQ_STR(prompt_file(p, "en"), "en/welcome.wav");
	UT_EQ_STR(prompt_file(p, "cn"), "welcome.wav");    /* the default */
	UT_EQ_STR(prompt_file(p, NULL), "welcome.wav");
	UT_ASSERT(!prompt_file(NULL, "en"));
	UT_EQ_INT(routing_prompt_path(path, sizeof(path), "/d", "demo",
				      "en/welcome.wav"), 0);
	UT_EQ_STR(path, "/d/prompts/demo/en/welcome.wav");
	UT_EQ_INT(routing_prompt_path(path, sizeof(path), "/d", "demo",
				      "/abs/x.wav"), 0);
	UT_EQ_STR(path, "/abs/x.wav");
	UT_EQ_INT(routing_prompt_path(path, 10, "/d", "demo", "x.wav"),
		  ENAMETOOLONG);
	routing_free(r);
}

/* A TZif v2 file without transitions: its footer rule gives every local
 * time, so the POSIX TZ forms real zones rarely use (Jn, n, times below 0
 * or past 24 h, no rule at all) can be compared with glibc reading the
 * same string from TZ (names no zoneinfo file has, so glibc parses it). */
static size_t tzif_with_footer(uint8_t *buf, size_t size, const char *rule,
			       int32_t std_off)
{
	uint8_t hdr[44] = "TZif2";
	uint8_t block[6 + 4] = { 0 };
	size_t n = 0, rl = strlen(rule);

	hdr[39] = 1;           /* typecnt */
	hdr[43] = 4;           /* charcnt */
	block[0] = (uint8_t)((uint32_t)std_off >> 24);
	block[1] = (uint8_t)((uint32_t)std_off >> 16);
	block[2] = (uint8_t)((uint32_t)std_off >> 8);
	block[3] = (uint8_t)std_off;
	memcpy(block + 6, "AAA", 4);
	if (2 * (sizeof(hdr) + sizeof(block)) + rl + 2 > size)
		return 0;
	for (int i = 0; i < 2; i++) {
		memcpy(buf + n, hdr, sizeof(hdr));
		n += sizeof(hdr);
		memcpy(buf + n, block, sizeof(block));
		n += sizeof(block);
	}
	buf[n++] = '\n';
	memcpy(buf + n, rule, rl);
	n += rl;
	buf[n++] = '\n';
	return n;
}

/* The footer's offsets have the data block's bound (±25 h): a DST one
 * hour past a standard time of +24:45 (the fuzzer's <+1345>) is refused,
 * one written inside the bound is taken. */
UNIT_TEST(tz_footer_offsets_stay_within_25_hours)
{
	uint8_t buf[256];
	struct tz *z = NULL;
	size_t n;

	n = tzif_with_footer(buf, sizeof(buf),
			     "<+1245>-24:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
			     24 * 3600 + 45 * 60);
	UT_ASSERT(n);
	UT_EQ_INT(tz_parse(&z, buf, n), EINVAL);
	UT_ASSERT(!z);
	n = tzif_with_footer(buf, sizeof(buf),
			     "<+1245>-24:45<+1359>-24:59,M9.5.0/2:45,M4.1.0/3:45",
			     24 * 3600 + 45 * 60);
	UT_EQ_INT(tz_parse(&z, buf, n), 0);
	UT_EQ_INT(tz_offset(z, 1700000000), 24 * 3600 + 59 * 60); /* DST */
	mem_deref(z);
	n = tzif_with_footer(buf, sizeof(buf), "AAA-24:45", 24 * 3600 + 2700);
	UT_EQ_INT(tz_parse(&z, buf, n), 0);
	mem_deref(z);
}

UNIT_TEST(tz_posix_rules_match_glibc)
{
	static const struct { const char *rule; int32_t std_off; } rules[] = {
		{ "AAA3BBB,M3.2.0,M11.1.0", -3 * 3600 },
		{ "AAA-10BBB,M10.1.0,M4.1.0/3", 10 * 3600 },
		{ "AAA-10:30BBB-11,M10.1.0,M4.1.0", 10 * 3600 + 1800 },
		{ "AAA3BBB,J60/-1,J300/25", -3 * 3600 },
		{ "AAA3BBB,59/2,299/2", -3 * 3600 },
		{ "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", -3 * 3600 },
		{ "AAA0", 0 },
		{ "AAA-5:45", 5 * 3600 + 45 * 60 },
		{ "AAA-1BBB,M3.5.0,M10.5.0/3", 3600 },
		{ "AAA-13BBB-14,M9.5.0/3,M4.1.0/4", 13 * 3600 },
	};
	uint8_t buf[256];
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		unsigned dst = 0;
		struct tz *z = NULL;
		size_t n = tzif_with_footer(buf, sizeof(buf), rules[i].rule,
					    rules[i].std_off);

		UT_ASSERT(n);
		UT_EQ_INT(tz_parse(&z, buf, n), 0);
		setenv("TZ", rules[i].rule, 1);
		tzset();
		for (int64_t t = 0; t < 4102444800LL && bad < 5; t += 25013) {
			time_t tt = (time_t)t;
			struct tm tm;

			localtime_r(&tt, &tm);
			dst += tm.tm_isdst > 0;
			if (tm.tm_gmtoff != tz_offset(z, t)) {
				bad++;
				fprintf(stderr, "  %s at %lld: ours %d, glibc"
					" %ld\n", rules[i].rule, (long long)t,
					tz_offset(z, t), tm.tm_gmtoff);
			}
		}
		mem_deref(z);
		/* not vacuous: glibc saw the rule's summer time too */
		UT_ASSERT(!strchr(rules[i].rule, ',') == !dst);
	}
	unsetenv("TZ");
	tzset();
	UT_EQ_INT(bad, 0);
}
