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
 * Bindings: Contact's ;expires= wins over the Expires header (baresip sends
 * the parameter), clamped to MAX_EXPIRES_S; 1..MIN_EXPIRES_S-1 gets 423.
 * Each binding has a timer that removes it when it expires. Bindings are
 * written to the store for `occctl status` and restored at start.
 */
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.registrar"
#include "base/log.h"
#include "core/model.h"
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
};

struct registrar {
	struct occ *occ;
	struct sip *sip;
	struct hash *bindings;     /* by "team/exten" */
	struct hash *nonces;       /* used nonces: replay protection */
	unsigned nbindings, nnonces;
	uint8_t key[32];
};

struct nonce_use {
	struct le he;
	struct registrar *reg;
	char nonce[NONCE_LEN + 1];
	uint32_t nc;               /* highest nonce-count seen */
	struct tmr tmr;
};

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

	tmr_cancel(&u->tmr);
	hash_unlink(&u->he);
	u->reg->nnonces--;
}

static void nonce_expired(void *arg)
{
	mem_deref(arg);
}

static bool nonce_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct nonce_use *)le->data)->nonce, arg);
}

/* Record the use of (nonce, nc); false if it was used already. */
static bool nonce_fresh(struct registrar *r, const struct pl *nonce,
			const struct pl *nc)
{
	char key[NONCE_LEN + 1];
	uint32_t count = nc->l ? pl_x32(nc) : 0;
	struct le *le;
	struct nonce_use *u;

	pl_strcpy(nonce, key, sizeof(key));
	le = hash_lookup(r->nonces, hash_joaat_str(key), nonce_cmp, key);
	if (le) {
		u = le->data;
		if (!nc->l || count <= u->nc)
			return false;
		u->nc = count;
		return true;
	}
	if (r->nnonces >= MAX_NONCES)
		return false;       /* flood: make the client fetch a new one */
	u = mem_zalloc(sizeof(*u), nonce_use_destructor);
	if (!u)
		return false;
	u->reg = r;
	str_ncpy(u->nonce, key, sizeof(u->nonce));
	u->nc = count;
	hash_append(r->nonces, hash_joaat_str(key), &u->he, u);
	r->nnonces++;
	tmr_start(&u->tmr, (NONCE_TTL_S + 5) * 1000, nonce_expired, u);
	return true;
}

static void challenge(struct registrar *r, const struct sip_msg *msg,
		      const char *realm, bool stale)
{
	char nonce[NONCE_LEN + 1];

	nonce_make(r, nonce);
	sip_replyf(r->sip, msg, 401, "Unauthorized",
		   "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\","
		   " algorithm=MD5, qop=\"auth\"%s\r\n"
		   "Content-Length: 0\r\n\r\n",
		   realm, nonce, stale ? ", stale=true" : "");
}

/* ---- bindings ---------------------------------------------------------- */

static void binding_destructor(void *arg)
{
	struct binding *b = arg;

	tmr_cancel(&b->tmr);
	hash_unlink(&b->le);
	b->reg->nbindings--;
}

static void binding_forget(struct binding *b)
{
	struct team *t = team_find(b->reg->occ->m, b->team);

	if (t)
		store_registration_del(b->reg->occ->st, t->id, b->exten,
				       b->contact);
	mem_deref(b);
}

static void binding_expired(void *arg)
{
	struct binding *b = arg;

	OCC_INFO("registration expired team=%s exten=%s contact=%H", b->team,
		 b->exten, LQ(b->contact));
	binding_forget(b);
}

struct aor_key {
	const char *team, *exten, *contact;
};

static bool binding_cmp(struct le *le, void *arg)
{
	const struct binding *b = le->data;
	const struct aor_key *k = arg;

	return !strcmp(b->team, k->team) && !strcmp(b->exten, k->exten) &&
		(!k->contact || !strcmp(b->contact, k->contact));
}

static struct binding *binding_find(const struct registrar *r,
				    const char *team, const char *exten,
				    const char *contact)
{
	struct aor_key k = { team, exten, contact };
	struct le *le = hash_lookup(r->bindings, aor_hash(team, exten),
				    binding_cmp, &k);
	return le ? le->data : NULL;
}

static struct binding *binding_set(struct registrar *r, const char *team,
				   const char *exten, const char *contact,
				   int64_t expires_ms)
{
	struct binding *b = binding_find(r, team, exten, contact);

	if (!b) {
		b = mem_zalloc(sizeof(*b), binding_destructor);
		if (!b)
			return NULL;
		b->reg = r;
		str_ncpy(b->team, team, sizeof(b->team));
		str_ncpy(b->exten, exten, sizeof(b->exten));
		str_ncpy(b->contact, contact, sizeof(b->contact));
		hash_append(r->bindings, aor_hash(team, exten), &b->le, b);
		r->nbindings++;
	}
	b->expires_ms = expires_ms;
	tmr_start(&b->tmr, (uint64_t)(expires_ms - now_ms()), binding_expired,
		  b);
	return b;
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
	if (store_registration_save(r->occ->st, &row))
		OCC_WARN("registration not saved team=%s exten=%s", b->team,
			 b->exten);
}

const struct binding *registrar_lookup(const struct registrar *r,
				       const char *team, const char *exten)
{
	struct aor_key k = { team, exten, NULL };
	const struct binding *best = NULL;
	struct le *le;

	/* all bindings of the AOR share its hash bucket */
	LIST_FOREACH(hash_list(r->bindings, aor_hash(team, exten)), le) {
		const struct binding *b = le->data;
		if (binding_cmp((struct le *)le, &k) &&
		    (!best || b->expires_ms > best->expires_ms))
			best = b;
	}
	return best;
}

unsigned registrar_count(const struct registrar *r)
{
	return r->nbindings;
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
	b = binding_set(c->r, c->team->name, c->exten, contact,
			now_ms() + (int64_t)expires * 1000);
	if (!b) {
		c->scode = 500;
		return true;
	}
	b->src = msg->src;
	b->tp = msg->tp;
	user_agent_of(msg, b->user_agent, sizeof(b->user_agent));
	binding_save(c->r, c->team, b);
	OCC_INFO("registered team=%s exten=%s contact=%H expires=%u source=%J",
		 b->team, b->exten, LQ(b->contact), expires, &msg->src);
	return false;
}

static void reply_bindings(struct reg_ctx *c)
{
	struct mbuf *mb = mbuf_alloc(512);
	struct aor_key k = { c->team->name, c->exten, NULL };
	struct le *le;
	int64_t now = now_ms();

	if (!mb) {
		sip_reply(c->r->sip, c->msg, 500, "Server Error");
		return;
	}
	LIST_FOREACH(hash_list(c->r->bindings, aor_hash(k.team, k.exten)), le) {
		const struct binding *b = le->data;
		if (binding_cmp((struct le *)le, &k))
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

/* Digest check; replies itself and returns false when it fails. */
static bool authorized(struct registrar *r, const struct sip_msg *msg,
		       const struct team *t, const struct exten *e)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	struct httpauth_digest_resp resp;
	uint8_t ha1[16];

	if (!h) {
		challenge(r, msg, t->name, false);
		return false;
	}
	if (httpauth_digest_response_decode(&resp, &h->val) ||
	    pl_strcmp(&resp.realm, t->name) ||
	    pl_strcmp(&resp.username, e->number)) {
		sip_reply(r->sip, msg, 403, "Forbidden");
		return false;
	}
	switch (nonce_verify(r, &resp.nonce)) {
	case NONCE_OK:
		break;
	case NONCE_STALE:
		challenge(r, msg, t->name, true);
		return false;
	default:
		challenge(r, msg, t->name, false);
		return false;
	}
	if (!hex_to_bin(e->ha1, ha1, sizeof(ha1)) ||
	    httpauth_digest_response_auth(&resp, &msg->met, ha1)) {
		OCC_INFO("REGISTER refused team=%s exten=%s source=%J: wrong "
			 "password", t->name, e->number, &msg->src);
		sip_reply(r->sip, msg, 403, "Forbidden");
		return false;
	}
	if (!nonce_fresh(r, &resp.nonce, &resp.nc)) {
		OCC_WARN("REGISTER replay refused team=%s exten=%s source=%J",
			 t->name, e->number, &msg->src);
		challenge(r, msg, t->name, false);
		return false;
	}
	return true;
}

bool registrar_handle(struct registrar *r, const struct sip_msg *msg)
{
	struct reg_ctx c = { .r = r, .msg = msg };
	char team_name[64], exten[32];
	const struct team *t;
	const struct exten *e;

	if (pl_strcmp(&msg->met, "REGISTER"))
		return false;
	if (msg->to.uri.host.l >= sizeof(team_name) ||
	    msg->to.uri.user.l >= sizeof(exten)) {
		sip_reply(r->sip, msg, 404, "Not Found");
		return true;
	}
	pl_strcpy(&msg->to.uri.host, team_name, sizeof(team_name));
	pl_strcpy(&msg->to.uri.user, exten, sizeof(exten));
	t = team_find(r->occ->m, team_name);
	e = t ? exten_find(t, exten) : NULL;
	if (!e || strcmp(e->kind, "sip")) {
		sip_reply(r->sip, msg, 404, "Not Found");
		return true;
	}
	if (!authorized(r, msg, t, e))
		return true;

	c.team = t;
	c.exten = e->number;
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
	b = binding_set(r, t->name, row->exten, row->contact, row->expires_ms);
	if (!b)
		return;
	str_ncpy(b->user_agent, row->user_agent, sizeof(b->user_agent));
	/* the source is informational; calls go to the Contact URI */
	b->tp = strstr(row->source, "TCP") ? SIP_TRANSP_TCP : SIP_TRANSP_UDP;
}

static void registrar_destructor(void *arg)
{
	struct registrar *r = arg;

	hash_flush(r->bindings);
	mem_deref(r->bindings);
	hash_flush(r->nonces);
	mem_deref(r->nonces);
}

int registrar_alloc(struct registrar **rp, struct occ *occ, struct sip *sip)
{
	static const struct store_visitor v = { .registration = restore_binding };
	struct registrar *r = mem_zalloc(sizeof(*r), registrar_destructor);
	int err;

	if (!r)
		return ENOMEM;
	r->occ = occ;
	r->sip = sip;
	randombytes_buf(r->key, sizeof(r->key));
	err = hash_alloc(&r->bindings, 1024);
	err |= hash_alloc(&r->nonces, 1024);
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
