/*
 * registrar.c — REGISTER handling (see registrar.h).
 *
 * Digest (RFC 2617/7616 MD5, qop=auth). Nonces are stateless and signed:
 * "<unix time, 8 hex><random, 16 hex><HMAC-SHA256(key, both), 32 hex>",
 * valid for NONCE_TTL_S — unique per challenge, so two phones (or one
 * phone twice) challenged in the same second never share one; an expired but genuine nonce gets a new challenge with
 * stale=true. Replays are refused: for each nonce the highest nonce-count
 * used so far is kept until the nonce expires (a nonce without qop may be
 * used once), so a captured REGISTER cannot be sent again.
 *
 * Guessing: failed digests are counted per (team/extension, source
 * address) and per source address with [security] auth_fail_limit,
 * auth_fail_limit_source and auth_fail_window — the HTTP API's limits,
 * counted apart. Past a limit, authenticated REGISTERs from there get 403
 * without their digest being checked, until the window ends. A nonce that
 * carried a wrong digest is spent: each guess costs a new challenge. One
 * line is logged when a key is locked out, none per guess. From the browser
 * phones' proxy ([sip] webphone_proxy) the browser its X-Occ-Client header
 * names stands for the source address (fail_source()).
 *
 * Existence is not revealed: an unknown team or extension (or one that is
 * not a SIP phone) is challenged like a known one and its digest fails
 * like a wrong password, counted the same way. Which team: see
 * registrar.h and claim_of(); the realm of a number in no team or several
 * (domain = occd's address) is a team picked by a keyed hash of the
 * number, so it looks like the realm of a known number of that team.
 *
 * Bindings: Contact's ;expires= wins over the Expires header (baresip sends
 * the parameter), clamped to MAX_EXPIRES_S; 1..MIN_EXPIRES_S-1 gets 423.
 * Expired bindings and used nonces are removed by one periodic sweep
 * (SWEEP_MS, armed only while there is something to sweep), not by a
 * libre timer each: libre keeps its timers in one sorted list, so a timer
 * per binding made every REGISTER cost O(registrations) on the loop. The
 * nonces sweep is O(expired) (they are recorded in the order they expire,
 * all living NONCE_TTL_S); the bindings sweep walks them all once per
 * SWEEP_MS. Until the sweep runs, an expired binding is ignored by every
 * look-up (binding_live()), so what a phone or a caller sees is as exact
 * as with a timer. Bindings are
 * written to the store for `occctl status` and restored at start. An
 * extension keeps at most [sip] max_contacts_per_exten bindings (a new
 * contact evicts the one refreshed longest ago), so its 200 OK, which lists
 * them all, stays well within a UDP datagram; all teams together keep at
 * most [sip] max_bindings (beyond, a new contact gets 503; refreshes still
 * work).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.registrar"
#include "base/conf.h"
#include "base/log.h"
#include "core/model.h"
#include "core/ratelimit.h"
#include "core/occ.h"
#include "sip/registrar.h"

enum {
	NONCE_HEAD = 8 + 16,       /* time and random, hex */
	NONCE_LEN = NONCE_HEAD + 32,
	NONCE_TTL_S = 300,
	MIN_EXPIRES_S = 60,
	MAX_EXPIRES_S = 3600,
	DEFAULT_EXPIRES_S = 3600,
	MAX_NONCES = 100000,
	MAX_FAIL_KEYS = 65536,
	SWEEP_MS = 1000,
	NC_SPENT = UINT32_MAX,     /* nonce-count of a nonce spent by a failure */
};

struct registrar {
	struct occ *occ;
	struct sip *sip;
	struct hash *bindings;     /* by "team/exten" */
	struct hash *by_source;    /* bindings by where they registered from */
	struct hash *nonces;       /* used nonces: replay protection */
	struct list nonce_order;   /* the same, oldest (first to expire) first */
	struct tmr sweep;          /* expired bindings and nonces go */
	unsigned nbindings, nnonces;
	uint8_t key[32];
	uint8_t dummy_ha1[16];     /* what an unknown extension is checked against */
	struct ratelimit *fails_user;    /* "team/exten@address" */
	struct ratelimit *fails_source;  /* "address" */
	bool full_logged;          /* the max_bindings warning was logged */
	registrar_observer_h *observer;   /* a binding came or went */
	void *observer_arg;
};

struct nonce_use {
	struct le he;
	struct registrar *reg;
	char nonce[NONCE_LEN + 1];
	struct le le_order;        /* in registrar's nonce_order */
	uint32_t nc;               /* highest nonce-count seen */
	int64_t expires_ms;        /* the sweep forgets it from then on */
};

static void sweep_arm(struct registrar *r);

static uint32_t aor_hash(const char *team, const char *exten)
{
	return hash_joaat_str(team) * 31u + hash_joaat_str(exten);
}

/* ---- nonces ------------------------------------------------------------ */

/* sig = the first 128 bits of HMAC(key, head), hex; head is time+random */
static void nonce_sign(const struct registrar *r, const char *head,
		       char sig[33])
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const uint8_t *)head, NONCE_HEAD, r->key);
	for (int i = 0; i < 16; i++)
		re_snprintf(sig + 2 * i, 3, "%02x", mac[i]);
}

static void nonce_make(const struct registrar *r, char out[NONCE_LEN + 1])
{
	uint32_t t = (uint32_t)(now_ms() / 1000);
	uint8_t rnd[8];
	char sig[33];

	randombytes_buf(rnd, sizeof(rnd));
	re_snprintf(out, NONCE_HEAD + 1, "%08x%w", t, rnd, sizeof(rnd));
	nonce_sign(r, out, sig);
	memcpy(out + NONCE_HEAD, sig, 33);
}

enum nonce_check { NONCE_OK, NONCE_STALE, NONCE_BAD };

static enum nonce_check nonce_verify(const struct registrar *r,
				     const struct pl *n)
{
	char head[NONCE_HEAD + 1], sig[33];
	struct pl tpl;
	uint32_t t, now = (uint32_t)(now_ms() / 1000);

	if (n->l != NONCE_LEN)
		return NONCE_BAD;
	memcpy(head, n->p, NONCE_HEAD);
	head[NONCE_HEAD] = '\0';
	nonce_sign(r, head, sig);
	if (sodium_memcmp(sig, n->p + NONCE_HEAD, 32))
		return NONCE_BAD;
	tpl.p = n->p;
	tpl.l = 8;
	t = pl_x32(&tpl);
	return now - t <= NONCE_TTL_S ? NONCE_OK : NONCE_STALE;
}

static void nonce_use_destructor(void *arg)
{
	struct nonce_use *u = arg;

	hash_unlink(&u->he);
	list_unlink(&u->le_order);
	u->reg->nnonces--;
}

static bool nonce_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct nonce_use *)le->data)->nonce, arg);
}

static struct nonce_use *nonce_find(struct registrar *r, const char *key)
{
	struct le *le = hash_lookup(r->nonces, hash_joaat_str(key), nonce_cmp,
				    (void *)key);
	return le ? le->data : NULL;
}

enum nonce_state { NONCE_FRESH, NONCE_REPLAYED, NONCE_SPENT, NONCE_FULL };

/* May (nonce, nc) be used? Looks only; nonce_record() or nonce_spend()
 * writes once the digest has been checked. */
static enum nonce_state nonce_check(struct registrar *r,
				    const struct pl *nonce,
				    const struct pl *nc)
{
	char key[NONCE_LEN + 1];
	const struct nonce_use *u;

	pl_strcpy(nonce, key, sizeof(key));
	u = nonce_find(r, key);
	if (!u)
		return NONCE_FRESH;
	if (u->nc == NC_SPENT)
		return NONCE_SPENT;
	if (!nc->l || pl_x32(nc) <= u->nc)
		return NONCE_REPLAYED;
	return NONCE_FRESH;
}

/* Set the nonce's highest nonce-count; NONCE_FULL if it cannot be kept. A
 * spent nonce may use only half of the table, so wrong digests from many
 * addresses cannot crowd out the phones that know their password. */
static enum nonce_state nonce_record(struct registrar *r,
				     const struct pl *nonce, uint32_t count)
{
	char key[NONCE_LEN + 1];
	struct nonce_use *u;
	unsigned room = count == NC_SPENT ? MAX_NONCES / 2 : MAX_NONCES;

	pl_strcpy(nonce, key, sizeof(key));
	u = nonce_find(r, key);
	if (u) {
		u->nc = count;
		return NONCE_FRESH;
	}
	if (r->nnonces >= room)
		return NONCE_FULL;  /* flood: make the client fetch a new one */
	u = mem_zalloc(sizeof(*u), nonce_use_destructor);
	if (!u)
		return NONCE_FULL;
	u->reg = r;
	str_ncpy(u->nonce, key, sizeof(u->nonce));
	u->nc = count;
	u->expires_ms = now_ms() + (NONCE_TTL_S + 5) * 1000;
	hash_append(r->nonces, hash_joaat_str(key), &u->he, u);
	list_append(&r->nonce_order, &u->le_order, u);
	r->nnonces++;
	sweep_arm(r);
	return NONCE_FRESH;
}

/* A wrong digest spends its nonce: each guess costs a new challenge. */
static void nonce_spend(struct registrar *r, const struct pl *nonce)
{
	(void)nonce_record(r, nonce, NC_SPENT);
}

/* ---- bindings ---------------------------------------------------------- */

static void binding_destructor(void *arg)
{
	struct binding *b = arg;

	hash_unlink(&b->le);
	hash_unlink(&b->le_src);
	b->reg->nbindings--;
}

static void told(struct registrar *r, const char *team, const char *exten)
{
	if (r->observer)
		r->observer(team, exten, r->observer_arg);
}

static void binding_forget(struct binding *b)
{
	struct registrar *r = b->reg;
	struct team *t = team_find(r->occ->m, b->team);
	char team[sizeof(b->team)], exten[sizeof(b->exten)];

	str_ncpy(team, b->team, sizeof(team));
	str_ncpy(exten, b->exten, sizeof(exten));
	if (t)
		store_registration_del(r->occ->st, t->id, b->exten,
				       b->contact);
	mem_deref(b);
	told(r, team, exten);
}

static bool binding_live(const struct binding *b, int64_t now)
{
	return b->expires_ms > now;
}

static bool binding_gone(struct le *le, void *arg)
{
	struct binding *b = le->data;
	struct list *dead = arg;

	if (!binding_live(b, now_ms()))
		list_append(dead, &b->le_sweep, b);
	return false;
}

static void sweep(void *arg)
{
	struct registrar *r = arg;
	int64_t now = now_ms();
	struct list dead = LIST_INIT;

	while (r->nonce_order.head &&
	       ((struct nonce_use *)r->nonce_order.head->data)->expires_ms
	       <= now)
		mem_deref(r->nonce_order.head->data);
	/* collected first: forgetting one tells the observer, which may
	 * look bindings up */
	hash_apply(r->bindings, binding_gone, &dead);
	while (dead.head) {
		struct binding *b = dead.head->data;
		list_unlink(&b->le_sweep);
		OCC_INFO("registration expired team=%s exten=%s contact=%H",
			 b->team, b->exten, LQ(b->contact));
		binding_forget(b);
	}
	sweep_arm(r);
}

/* Runs every SWEEP_MS while there are bindings or nonces. */
static void sweep_arm(struct registrar *r)
{
	if ((r->nbindings || r->nnonces) && !tmr_isrunning(&r->sweep))
		tmr_start(&r->sweep, SWEEP_MS, sweep, r);
}

struct aor_key {
	const char *team, *exten, *contact;
	int64_t now;               /* for binding_cmp_live */
};

static bool binding_cmp(struct le *le, void *arg)
{
	const struct binding *b = le->data;
	const struct aor_key *k = arg;

	return !strcmp(b->team, k->team) && !strcmp(b->exten, k->exten) &&
		(!k->contact || !strcmp(b->contact, k->contact));
}

/* a live binding of the AOR (and contact) */
static bool binding_cmp_live(struct le *le, void *arg)
{
	return binding_cmp(le, arg) &&
		binding_live(le->data, ((const struct aor_key *)arg)->now);
}

static struct binding *binding_find(const struct registrar *r,
				    const char *team, const char *exten,
				    const char *contact)
{
	struct aor_key k = { team, exten, contact, 0 };
	struct le *le = hash_lookup(r->bindings, aor_hash(team, exten),
				    binding_cmp, &k);
	return le ? le->data : NULL;
}

/* Room for one more binding of team/exten: at the extension's cap its
 * binding refreshed longest ago goes; at the total cap there is none. */
static bool binding_room(struct registrar *r, const char *team,
			 const char *exten)
{
	const struct conf *cfg = r->occ->cfg;
	struct aor_key k = { team, exten, NULL, now_ms() };

	for (;;) {
		struct binding *oldest = NULL;
		unsigned n = 0;
		struct le *le;

		LIST_FOREACH(hash_list(r->bindings, aor_hash(team, exten)), le) {
			struct binding *b = le->data;
			if (!binding_cmp_live(le, &k))
				continue;
			n++;
			if (!oldest || b->refreshed_ms < oldest->refreshed_ms)
				oldest = b;
		}
		if (n < cfg->sip_max_contacts_per_exten)
			break;
		OCC_INFO("registration evicted team=%s exten=%s contact=%s: "
			 "[sip] max_contacts_per_exten", oldest->team,
			 oldest->exten, oldest->contact);
		binding_forget(oldest);
	}
	if (r->nbindings < cfg->sip_max_bindings) {
		r->full_logged = false;
		return true;
	}
	if (!r->full_logged)
		OCC_WARN("registration refused team=%s exten=%s: [sip] "
			 "max_bindings (%u) reached", team, exten,
			 cfg->sip_max_bindings);
	r->full_logged = true;
	return false;
}

/* Add or refresh a binding: 0, ENOSPC (no room) or ENOMEM. */
static int binding_set(struct registrar *r, const char *team,
		       const char *exten, const char *contact,
		       int64_t expires_ms, struct binding **bp)
{
	struct binding *b = binding_find(r, team, exten, contact);

	if (!b) {
		if (!binding_room(r, team, exten))
			return ENOSPC;
		b = mem_zalloc(sizeof(*b), binding_destructor);
		if (!b)
			return ENOMEM;
		b->reg = r;
		str_ncpy(b->team, team, sizeof(b->team));
		str_ncpy(b->exten, exten, sizeof(b->exten));
		str_ncpy(b->contact, contact, sizeof(b->contact));
		hash_append(r->bindings, aor_hash(team, exten), &b->le, b);
		r->nbindings++;
		told(r, team, exten);
	}
	b->expires_ms = expires_ms;
	sweep_arm(r);
	*bp = b;
	return 0;
}

/* Where the binding's phone sends from (its REGISTER's source). */
static void binding_source(struct registrar *r, struct binding *b,
			   const struct sa *src, enum sip_transp tp)
{
	hash_unlink(&b->le_src);
	b->src = *src;
	b->tp = tp;
	hash_append(r->by_source, sa_hash(src, SA_ALL), &b->le_src, b);
}

static void binding_save(struct registrar *r, const struct team *t,
			 const struct binding *b)
{
	struct st_registration row = {
		.team_id = t->id, .expires_ms = b->expires_ms,
	};

	str_ncpy(row.exten, b->exten, sizeof(row.exten));
	str_ncpy(row.contact, b->contact, sizeof(row.contact));
	re_snprintf(row.source, sizeof(row.source), "%s:%J",
		    sip_transp_name(b->tp), &b->src);
	str_ncpy(row.user_agent, b->user_agent, sizeof(row.user_agent));
	str_ncpy(row.path, b->path, sizeof(row.path));
	if (store_registration_save(r->occ->st, &row))
		OCC_WARN("registration not saved team=%s exten=%s", b->team,
			 b->exten);
}

void registrar_set_observer(struct registrar *r, registrar_observer_h *h,
			    void *arg)
{
	r->observer = h;
	r->observer_arg = arg;
}

const struct binding *registrar_lookup(const struct registrar *r,
				       const char *team, const char *exten)
{
	struct aor_key k = { team, exten, NULL, now_ms() };
	const struct binding *best = NULL;
	struct le *le;

	/* all bindings of the AOR share its hash bucket */
	LIST_FOREACH(hash_list(r->bindings, aor_hash(team, exten)), le) {
		const struct binding *b = le->data;
		if (binding_cmp_live((struct le *)le, &k) &&
		    (!best || b->expires_ms > best->expires_ms))
			best = b;
	}
	return best;
}

unsigned registrar_count(const struct registrar *r)
{
	return r->nbindings;
}

bool registrar_is_webproxy(const struct registrar *r, const struct sa *sa)
{
	const char *ip = r->occ->cfg->sip_webphone_proxy;
	struct sa p;

	return *ip && !sa_set_str(&p, ip, 0) && sa_cmp(&p, sa, SA_ADDR);
}

static bool is_edge(const struct registrar *r, const struct sa *sa)
{
	const char *ip = r->occ->cfg->sip_edge_proxy;
	struct sa p;

	return *ip && !sa_decode(&p, ip, strlen(ip)) &&
		sa_cmp(&p, sa, SA_ALL);
}

bool registrar_edge_phone(const struct registrar *r,
			  const struct sip_msg *msg)
{
	return is_edge(r, &msg->src) && sip_msg_xhdr(msg, "X-Occ-Phone");
}

/* A binding registered through a proxy (Path) has the proxy's address as
 * its source, shared with every other phone and trunk behind it: that
 * address does not name the phone, so it is not counted here. */
bool registrar_from_phone(const struct registrar *r, const struct sip_msg *msg)
{
	int64_t now = now_ms();
	struct le *le;

	LIST_FOREACH(hash_list(r->by_source, sa_hash(&msg->src, SA_ALL)), le) {
		const struct binding *b = le->data;
		if (!b->path[0] && b->tp == msg->tp &&
		    sa_cmp(&b->src, &msg->src, SA_ALL) &&
		    binding_live(b, now))
			return true;
	}
	return false;
}

/* ---- REGISTER ---------------------------------------------------------- */

struct reg_ctx {
	struct registrar *r;
	const struct sip_msg *msg;
	const struct team *team;
	const char *exten;
	uint32_t default_expires;
	int err;
	uint16_t scode;
};

static const char *user_agent_of(const struct sip_msg *msg, char *buf,
				 size_t sz)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);

	buf[0] = '\0';
	if (h)
		pl_strcpy(&h->val, buf, sz);
	return buf;
}

/* The URI of the REGISTER's first Path header (the proxy next to occd),
 * "" without one or with one that does not fit; without its ";lr", which
 * libre adds to every Route it sends (twice, a proxy's parser refuses). */
static void path_of(const struct sip_msg *msg, char *out, size_t sz)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_PATH);
	struct sip_addr a;
	char *lr;

	out[0] = '\0';
	if (!h || sip_addr_decode(&a, &h->val) || a.auri.l >= sz)
		return;
	pl_strcpy(&a.auri, out, sz);
	for (lr = strstr(out, ";lr"); lr; lr = strstr(lr + 1, ";lr"))
		if (lr[3] == ';' || lr[3] == '\0') {
			memmove(lr, lr + 3, strlen(lr + 3) + 1);
			break;
		}
}

/* One Contact header: add, refresh or remove its binding. */
static bool contact_apply(const struct sip_hdr *hdr, const struct sip_msg *msg,
			  void *arg)
{
	struct reg_ctx *c = arg;
	struct sip_addr addr;
	struct pl ep;
	char contact[512];
	uint32_t expires = c->default_expires;
	struct binding *b;

	if (sip_addr_decode(&addr, &hdr->val)) {
		c->scode = 400;
		return true;
	}
	if (!msg_param_decode(&addr.params, "expires", &ep))
		expires = pl_u32(&ep);
	if (addr.auri.l >= sizeof(contact)) {
		c->scode = 400;
		return true;
	}
	pl_strcpy(&addr.auri, contact, sizeof(contact));
	if (expires == 0) {
		b = binding_find(c->r, c->team->name, c->exten, contact);
		if (b) {
			OCC_INFO("unregistered team=%s exten=%s contact=%H",
				 b->team, b->exten, LQ(b->contact));
			binding_forget(b);
		}
		return false;
	}
	if (expires < MIN_EXPIRES_S) {
		c->scode = 423;
		return true;
	}
	if (expires > MAX_EXPIRES_S)
		expires = MAX_EXPIRES_S;
	switch (binding_set(c->r, c->team->name, c->exten, contact,
			    now_ms() + (int64_t)expires * 1000, &b)) {
	case 0:
		break;
	case ENOSPC:
		c->scode = 503;
		return true;
	default:
		c->scode = 500;
		return true;
	}
	b->refreshed_ms = now_ms();
	binding_source(c->r, b, &msg->src, msg->tp);
	path_of(msg, b->path, sizeof(b->path));
	user_agent_of(msg, b->user_agent, sizeof(b->user_agent));
	binding_save(c->r, c->team, b);
	OCC_INFO("registered team=%s exten=%s contact=%H expires=%u source=%J",
		 b->team, b->exten, LQ(b->contact), expires, &msg->src);
	return false;
}

static void reply_bindings(struct reg_ctx *c)
{
	struct mbuf *mb = mbuf_alloc(512);
	int64_t now = now_ms();
	struct aor_key k = { c->team->name, c->exten, NULL, now };
	struct le *le;

	if (!mb) {
		sip_reply(c->r->sip, c->msg, 500, "Server Error");
		return;
	}
	LIST_FOREACH(hash_list(c->r->bindings, aor_hash(k.team, k.exten)), le) {
		const struct binding *b = le->data;
		if (binding_cmp_live((struct le *)le, &k))
			mbuf_printf(mb, "Contact: <%s>;expires=%lld\r\n",
				    b->contact,
				    (long long)((b->expires_ms - now + 999) / 1000));
	}
	sip_replyf(c->r->sip, c->msg, 200, "OK", "%bContent-Length: 0\r\n\r\n",
		   mb->buf, mb->end);
	mem_deref(mb);
}

static bool is_star(const struct sip_hdr *hdr, const struct sip_msg *msg,
		    void *arg)
{
	return !pl_strcmp(&hdr->val, "*");
}

/* Remove every binding of the AOR ("Contact: *" with Expires: 0). */
static void unregister_all(struct reg_ctx *c)
{
	struct binding *b;

	while ((b = binding_find(c->r, c->team->name, c->exten, NULL)))
		binding_forget(b);
}

static bool hex_to_bin(const char *hex, uint8_t *out, size_t n)
{
	return strlen(hex) == 2 * n && !str_hex(out, n, hex);
}

/* ---- failed digests ---------------------------------------------------- */

struct fail_keys {
	char user[64 + 32 + 64];   /* "team/exten@address" */
	char source[64];           /* "address", or "web:<browser>" */
};

/* Behind the browser phones' proxy every browser has the proxy's address:
 * its X-Occ-Client header (the browser's address, which the proxy sets and
 * a browser cannot) names the browser instead, so one browser's wrong
 * passwords lock out that browser, not all of them. Letters, digits and
 * ".:[]-_" only, at most 40; a missing or odd one counts as the proxy. */
static void fail_source(char *buf, size_t sz, const struct registrar *r,
			const struct sip_msg *msg)
{
	const struct sip_hdr *h;
	struct pl v;

	if ((registrar_is_webproxy(r, &msg->src) || is_edge(r, &msg->src)) &&
	    (h = sip_msg_xhdr(msg, "X-Occ-Client")) && (v = h->val).l &&
	    v.l <= 40) {
		bool ok = true;
		for (size_t i = 0; i < v.l && ok; i++)
			ok = isalnum((unsigned char)v.p[i]) ||
				strchr(".:[]-_", v.p[i]);
		if (ok) {
			re_snprintf(buf, sz, "web:%r", &v);
			return;
		}
	}
	re_snprintf(buf, sz, "%j", &msg->src);
}

static void fail_keys_make(struct fail_keys *k, const struct registrar *r,
			   const char *team, const char *exten,
			   const struct sip_msg *msg)
{
	fail_source(k->source, sizeof(k->source), r, msg);
	re_snprintf(k->user, sizeof(k->user), "%s/%s@%s", team, exten,
		    k->source);
}

static bool locked_out(struct registrar *r, const struct fail_keys *k,
		       int64_t now)
{
	return ratelimit_exceeded(r->fails_user, k->user, now) ||
		ratelimit_exceeded(r->fails_source, k->source, now);
}

/* Count a wrong digest; the one that locks a key out is logged. */
static void count_failure(struct registrar *r, const struct fail_keys *k,
			  int64_t now)
{
	ratelimit_count(r->fails_user, k->user, now);
	ratelimit_count(r->fails_source, k->source, now);
	if (ratelimit_exceeded(r->fails_user, k->user, now))
		OCC_WARN("REGISTER locked out %s: [security] auth_fail_limit "
			 "wrong digests", k->user);
	else if (ratelimit_exceeded(r->fails_source, k->source, now))
		OCC_WARN("REGISTER locked out source=%s: [security] "
			 "auth_fail_limit_source wrong digests", k->source);
	else
		OCC_DBG("REGISTER wrong digest %s", k->user);
}

/* ---- who a request comes from ------------------------------------------ */

/* The digest usernames a phone may be configured with: the number, or the
 * number with its team ("8002@demo", "demo/8002") when the SIP domain is
 * occd's address. The form is the index of its HA1 in the extension's
 * list (struct st_exten). */
enum uname_form { UNAME_NUMBER, UNAME_AT, UNAME_SLASH };

/* Who a request claims to be; t or e is NULL for an unknown team or
 * extension, one that is not a SIP phone, or a number in several teams —
 * challenged and refused exactly like a known one with a wrong password. */
struct claim {
	char realm[64];            /* challenged, and checked */
	char exten[32];
	bool team_named;           /* by the URI's domain or the username */
	const struct team *t;
	const struct exten *e;
};

/* Could s be a team's name (occctl's rule)? Anything else is refused
 * outright: that reveals nothing, and keeps the realm safe to quote. */
static bool realm_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static const struct exten *sip_exten(const struct team *t, const char *number)
{
	const struct exten *e = t ? exten_find(t, number) : NULL;

	return e && !strcmp(e->kind, "sip") ? e : NULL;
}

/* The team of a number that is a SIP phone in exactly one team, or NULL. */
static const struct team *team_of_number(const struct registrar *r,
					 const char *number)
{
	const struct team *found = NULL;
	struct le *le;

	LIST_FOREACH(&r->occ->m->teams, le) {
		const struct team *t = le->data;
		if (!sip_exten(t, number))
			continue;
		if (found)
			return NULL;
		found = t;
	}
	return found;
}

/* The realm for a number in no team or several: one of the teams, picked
 * by a keyed hash of the number (the same for the same number while occd
 * runs), so the challenge looks like a known number's and tells nothing. */
static void pseudo_realm(const struct registrar *r, const char *number,
			 char *out, size_t sz)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	unsigned n = list_count(&r->occ->m->teams);
	struct le *le;
	uint32_t pick;

	str_ncpy(out, "occ", sz);
	if (!n)
		return;
	crypto_auth_hmacsha256(mac, (const uint8_t *)number, strlen(number),
			       r->key);
	pick = ((uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 |
		(uint32_t)mac[2] << 8 | mac[3]) % n;
	LIST_FOREACH(&r->occ->m->teams, le)
		if (!pick--) {
			str_ncpy(out, ((const struct team *)le->data)->name, sz);
			return;
		}
}

/* From a request's URI (REGISTER: To, others: From): the number is the
 * user part; the team is the domain if that is a team's name, else (occd's
 * address, a host name) the number's own team if it is in exactly one.
 * The digest username may still name the team (authorized()). False (and
 * 403) for a URI that cannot name a phone. */
static bool claim_of(struct registrar *r, const struct sip_msg *msg,
		     const struct uri *uri, struct claim *cl)
{
	const struct pl *host = &uri->host, *user = &uri->user;

	memset(cl, 0, sizeof(*cl));
	if (user->l >= sizeof(cl->exten) || !user->l) {
		sip_reply(r->sip, msg, 403, "Forbidden");
		return false;
	}
	pl_strcpy(user, cl->exten, sizeof(cl->exten));
	if (host->l < sizeof(cl->realm)) {
		pl_strcpy(host, cl->realm, sizeof(cl->realm));
		cl->t = realm_ok(cl->realm) ? team_find(r->occ->m, cl->realm)
			: NULL;
	}
	if (cl->t) {
		cl->team_named = true;
	}
	else if ((cl->t = team_of_number(r, cl->exten))) {
		str_ncpy(cl->realm, cl->t->name, sizeof(cl->realm));
	}
	else {
		pseudo_realm(r, cl->exten, cl->realm, sizeof(cl->realm));
	}
	cl->e = sip_exten(cl->t, cl->exten);
	return true;
}

/* "8002", "8002@demo" or "demo/8002": the number and the team (empty for
 * the first); false for anything else. */
static bool username_parse(const struct pl *u, struct pl *number,
			   struct pl *team, enum uname_form *form)
{
	const char *at = pl_strchr(u, '@'), *slash = pl_strchr(u, '/');

	pl_set_str(team, "");
	*number = *u;
	*form = UNAME_NUMBER;
	if (at && !slash) {
		number->l = (size_t)(at - u->p);
		team->p = at + 1;
		team->l = u->l - number->l - 1;
		*form = UNAME_AT;
	}
	else if (slash && !at) {
		team->p = u->p;
		team->l = (size_t)(slash - u->p);
		number->p = slash + 1;
		number->l = u->l - team->l - 1;
		*form = UNAME_SLASH;
	}
	else if (at || slash) {
		return false;
	}
	return number->l && (*form == UNAME_NUMBER || team->l);
}

/* The HA1 of a username form, if the extension has it (rows from before
 * the username forms hold the number's only). */
static bool ha1_of(const struct exten *e, enum uname_form form,
		   uint8_t ha1[16])
{
	char hex[33];

	if (strlen(e->ha1) < 33 * (size_t)form + 32)
		return false;
	str_ncpy(hex, e->ha1 + 33 * form, sizeof(hex));
	return hex_to_bin(hex, ha1, 16);
}

/* How REGISTER (401) and requests through occd (INVITE: 407) ask. */
struct auth_kind {
	uint16_t scode;
	const char *reason;
	const char *challenge;     /* header name */
	enum sip_hdrid authz;
};

static const struct auth_kind auth_register = {
	401, "Unauthorized", "WWW-Authenticate", SIP_HDR_AUTHORIZATION };
static const struct auth_kind auth_proxy = {
	407, "Proxy Authentication Required", "Proxy-Authenticate",
	SIP_HDR_PROXY_AUTHORIZATION };

static void challenge(struct registrar *r, const struct sip_msg *msg,
		      const struct auth_kind *k, const char *realm, bool stale)
{
	char nonce[NONCE_LEN + 1];

	nonce_make(r, nonce);
	sip_replyf(r->sip, msg, k->scode, k->reason,
		   "%s: Digest realm=\"%s\", nonce=\"%s\","
		   " algorithm=MD5, qop=\"auth\"%s\r\n"
		   "Content-Length: 0\r\n\r\n",
		   k->challenge, realm, nonce, stale ? ", stale=true" : "");
}

/* Of several credentials (a phone answering a second challenge sends one
 * per realm it was asked for), the one for the team its username names,
 * else the one for the claim's realm, else the first that decodes. */
struct creds {
	const struct claim *cl;
	struct httpauth_digest_resp resp;
	int rank;                  /* of resp: 0 none, 1 first, 2, 3 */
};

static bool creds_pick(const struct sip_hdr *hdr, const struct sip_msg *msg,
		       void *arg)
{
	struct creds *c = arg;
	struct httpauth_digest_resp resp;
	struct pl num, team;
	enum uname_form form;

	int rank = 1;

	(void)msg;
	if (httpauth_digest_response_decode(&resp, &hdr->val))
		return false;
	if (username_parse(&resp.username, &num, &team, &form) && team.l &&
	    !pl_cmp(&resp.realm, &team))
		rank = 3;
	else if (!pl_strcmp(&resp.realm, c->cl->realm))
		rank = 2;
	if (rank > c->rank) {
		c->resp = resp;
		c->rank = rank;
	}
	return rank == 3;
}

/* Digest check; replies itself and returns false when it fails. A
 * username naming the team ("8002@demo", "demo/8002") sets the realm
 * when the URI's domain did not: a response for another realm is
 * challenged again, for that team. */
static bool authorized(struct registrar *r, const struct sip_msg *msg,
		       const struct auth_kind *kind, struct claim *cl)
{
	struct creds cr = { .cl = cl };
	struct httpauth_digest_resp *resp = &cr.resp;
	struct pl num, team;
	enum uname_form form;
	struct fail_keys k;
	int64_t now = now_ms();
	uint8_t ha1[16];

	sip_msg_hdr_apply(msg, true, kind->authz, creds_pick, &cr);
	if (!cr.rank) {
		challenge(r, msg, kind, cl->realm, false);
		return false;
	}
	if (!username_parse(&resp->username, &num, &team, &form) ||
	    pl_strcmp(&num, cl->exten) || team.l >= sizeof(cl->realm))
		goto forbidden;
	if (form != UNAME_NUMBER) {
		char named[sizeof(cl->realm)];
		pl_strcpy(&team, named, sizeof(named));
		if (!realm_ok(named) ||
		    (cl->team_named && strcmp(named, cl->realm)))
			goto forbidden;
		if (!cl->team_named) {
			str_ncpy(cl->realm, named, sizeof(cl->realm));
			cl->t = team_find(r->occ->m, named);
			cl->e = sip_exten(cl->t, cl->exten);
			cl->team_named = true;
		}
		if (pl_strcmp(&resp->realm, cl->realm)) {
			challenge(r, msg, kind, cl->realm, false);
			return false;
		}
	}
	else if (pl_strcmp(&resp->realm, cl->realm)) {
		goto forbidden;
	}
	switch (nonce_verify(r, &resp->nonce)) {
	case NONCE_OK:
		break;
	case NONCE_STALE:
		challenge(r, msg, kind, cl->realm, true);
		return false;
	default:
		challenge(r, msg, kind, cl->realm, false);
		return false;
	}
	switch (nonce_check(r, &resp->nonce, &resp->nc)) {
	case NONCE_FRESH:
		break;
	case NONCE_REPLAYED:
		OCC_WARN("%r replay refused team=%s exten=%s source=%J",
			 &msg->met, cl->realm, cl->exten, &msg->src);
		/* fall through */
	default:
		challenge(r, msg, kind, cl->realm, false);
		return false;
	}
	fail_keys_make(&k, r, cl->realm, cl->exten, msg);
	if (locked_out(r, &k, now))
		goto forbidden;
	if (!cl->e || !ha1_of(cl->e, form, ha1))
		memcpy(ha1, r->dummy_ha1, sizeof(ha1));
	if (httpauth_digest_response_auth(resp, &msg->met, ha1) || !cl->e) {
		nonce_spend(r, &resp->nonce);
		count_failure(r, &k, now);
		goto forbidden;
	}
	/* without qop (no nonce-count) a nonce serves once */
	if (nonce_record(r, &resp->nonce, resp->nc.l ? pl_x32(&resp->nc)
			 : NC_SPENT) != NONCE_FRESH) {
		challenge(r, msg, kind, cl->realm, false);
		return false;
	}
	ratelimit_clear(r->fails_user, k.user);
	return true;
 forbidden:
	sip_reply(r->sip, msg, 403, "Forbidden");
	return false;
}

bool registrar_authenticate(struct registrar *r, const struct sip_msg *msg,
			    const struct team **tp, const struct exten **ep)
{
	struct claim cl;

	if (!claim_of(r, msg, &msg->from.uri, &cl) ||
	    !authorized(r, msg, &auth_proxy, &cl))
		return false;
	*tp = cl.t;
	*ep = cl.e;
	return true;
}

bool registrar_handle(struct registrar *r, const struct sip_msg *msg)
{
	struct reg_ctx c = { .r = r, .msg = msg };
	struct claim cl;

	if (pl_strcmp(&msg->met, "REGISTER"))
		return false;
	if (!claim_of(r, msg, &msg->to.uri, &cl) ||
	    !authorized(r, msg, &auth_register, &cl))
		return true;

	c.team = cl.t;
	c.exten = cl.e->number;
	c.default_expires = msg->expires.l ? pl_u32(&msg->expires)
					   : DEFAULT_EXPIRES_S;
	if (sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, is_star, NULL)) {
		if (c.default_expires != 0) {
			sip_reply(r->sip, msg, 400, "Bad Request");
			return true;
		}
		unregister_all(&c);
	}
	else {
		sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_apply, &c);
	}
	if (c.scode == 423)
		sip_replyf(r->sip, msg, 423, "Interval Too Brief",
			   "Min-Expires: %u\r\nContent-Length: 0\r\n\r\n",
			   MIN_EXPIRES_S);
	else if (c.scode == 503)
		sip_replyf(r->sip, msg, 503, "Service Unavailable",
			   "Retry-After: 60\r\nContent-Length: 0\r\n\r\n");
	else if (c.scode)
		sip_reply(r->sip, msg, c.scode, "Bad Request");
	else
		reply_bindings(&c);
	return true;
}

/* ---- life -------------------------------------------------------------- */

static void restore_binding(const struct st_registration *row, void *arg)
{
	struct registrar *r = arg;
	struct team *t;
	struct le *le;
	struct binding *b;

	if (row->expires_ms <= now_ms() + 1000)
		return;
	t = NULL;
	LIST_FOREACH(&r->occ->m->teams, le)
		if (((struct team *)le->data)->id == row->team_id)
			t = le->data;
	if (!t || !exten_find(t, row->exten))
		return;
	if (binding_set(r, t->name, row->exten, row->contact, row->expires_ms,
			&b))
		return;
	str_ncpy(b->user_agent, row->user_agent, sizeof(b->user_agent));
	/* behind a proxy (Path), calls go through it, as before */
	str_ncpy(b->path, row->path, sizeof(b->path));
	/* the source is informational; calls go to the Contact URI */
	b->tp = strstr(row->source, "TCP") ? SIP_TRANSP_TCP : SIP_TRANSP_UDP;
}

/* ---- several nodes (src/cluster) ----------------------------------------- */

struct team_drop {
	const char *team;
	struct list out;
};

static bool binding_of_team(struct le *le, void *arg)
{
	struct binding *b = le->data;
	struct team_drop *d = arg;

	if (!strcmp(b->team, d->team))
		list_append(&d->out, &b->le_sweep, b);
	return false;
}

void registrar_team_drop(struct registrar *r, const char *team)
{
	struct team_drop d = { team, LIST_INIT };
	unsigned n = 0;

	hash_apply(r->bindings, binding_of_team, &d);
	while (d.out.head) {
		struct binding *b = d.out.head->data;
		list_unlink(&b->le_sweep);
		mem_deref(b);           /* its stored row stays: the next
					 * owner restores it */
		n++;
	}
	OCC_INFO("team %H: %u registrations dropped here", LQ(team), n);
}

struct restore_one {
	struct registrar *r;
	int64_t team_id;
};

static void restore_binding(const struct st_registration *row, void *arg);

static void restore_team_row(const struct st_registration *row, void *arg)
{
	struct restore_one *ro = arg;

	if (row->team_id == ro->team_id)
		restore_binding(row, ro->r);
}

void registrar_team_restore(struct registrar *r, int64_t team_id)
{
	static const struct store_visitor v = {
		.registration = restore_team_row };
	struct restore_one ro = { r, team_id };

	if (store_load(r->occ->st, &v, &ro))
		OCC_WARN("registrations of team %lld not restored",
			 (long long)team_id);
}

static void registrar_destructor(void *arg)
{
	struct registrar *r = arg;

	tmr_cancel(&r->sweep);
	hash_flush(r->bindings);
	mem_deref(r->bindings);
	mem_deref(r->by_source);     /* its elements went with bindings */
	hash_flush(r->nonces);
	mem_deref(r->nonces);
	mem_deref(r->fails_user);
	mem_deref(r->fails_source);
}

int registrar_alloc(struct registrar **rp, struct occ *occ, struct sip *sip)
{
	static const struct store_visitor v = { .registration = restore_binding };
	struct registrar *r = mem_zalloc(sizeof(*r), registrar_destructor);
	int64_t win_ms = (int64_t)occ->cfg->auth_fail_window * 1000;
	int err;

	if (!r)
		return ENOMEM;
	r->occ = occ;
	r->sip = sip;
	randombytes_buf(r->key, sizeof(r->key));
	randombytes_buf(r->dummy_ha1, sizeof(r->dummy_ha1));
	tmr_init(&r->sweep);
	err = hash_alloc(&r->bindings, 4096);
	err |= hash_alloc(&r->by_source, 4096);
	err |= hash_alloc(&r->nonces, 1024);
	err |= ratelimit_alloc(&r->fails_user, occ->cfg->auth_fail_limit,
			       win_ms, MAX_FAIL_KEYS);
	err |= ratelimit_alloc(&r->fails_source,
			       occ->cfg->auth_fail_limit_source, win_ms,
			       MAX_FAIL_KEYS);
	if (err) {
		mem_deref(r);
		return ENOMEM;
	}
	err = store_load(occ->st, &v, r);
	if (err)
		OCC_WARN("registrations not restored: %m", err);
	OCC_INFO("registrar ready bindings=%u", r->nbindings);
	*rp = r;
	return 0;
}
