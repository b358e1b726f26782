/*
 * test_phone_auth.c — registrar_authenticate(): a request a phone sends
 * through occd (an INVITE) is challenged with 407 and checked like a
 * REGISTER, its team named by the From domain, the digest username or the
 * number alone. A real libre SIP stack on 127.0.0.1 with the demo data;
 * the phone is a UDP socket speaking SIP text.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <re.h>
#include "unit.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "core/provision.h"
#include "sip/registrar.h"
#include "store/store.h"

struct phone_fx {
	char dir[48];
	struct conf cfg;
	struct occ occ;
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct registrar *reg;
	struct udp_sock *us;
	struct sa srv, me;
	char reply[2048];
	char who[128];           /* "team/exten" the server authenticated */
};

static bool fx_request(const struct sip_msg *msg, void *arg)
{
	struct phone_fx *f = arg;
	const struct team *t;
	const struct exten *e;

	if (pl_strcmp(&msg->met, "INVITE"))
		return false;
	if (registrar_authenticate(f->reg, msg, &t, &e)) {
		snprintf(f->who, sizeof(f->who), "%s/%s", t->name, e->number);
		(void)sip_reply(f->sip, msg, 488, "Authenticated");
	}
	return true;
}

static void fx_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct phone_fx *f = arg;
	size_t n = mbuf_get_left(mb);

	(void)src;
	if (n >= sizeof(f->reply))
		n = sizeof(f->reply) - 1;
	memcpy(f->reply, mbuf_buf(mb), n);
	f->reply[n] = '\0';
	if (strncmp(f->reply, "SIP/2.0 1", 9))   /* a final answer */
		re_cancel();
}

static void fx_guard(void *arg)
{
	(void)arg;
	re_cancel();
}

static void fx_close(struct phone_fx *f)
{
	f->us = mem_deref(f->us);
	f->reg = mem_deref(f->reg);
	f->lsnr = mem_deref(f->lsnr);
	if (f->sip)
		sip_close(f->sip, true);
	f->sip = mem_deref(f->sip);
	f->occ.m = mem_deref(f->occ.m);
	f->occ.st = mem_deref(f->occ.st);
	if (f->dir[0]) {
		char cmd[80];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
		if (system(cmd))
			fprintf(stderr, "  cannot remove %s\n", f->dir);
	}
}

static int fx_open(struct phone_fx *f)
{
	char data[64];
	int err;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/occ-unit-phone-XXXXXX");
	if (!mkdtemp(f->dir))
		return errno;
	snprintf(data, sizeof(data), "%s/data", f->dir);
	conf_defaults(&f->cfg);
	f->occ.cfg = &f->cfg;
	err = store_open(&f->occ.st, data);
	err = err ? err : provision_demo(f->occ.st);
	err = err ? err : model_load(&f->occ.m, f->occ.st);
	sa_set_str(&f->srv, "127.0.0.1", 0);
	err = err ? err : sip_alloc(&f->sip, NULL, 32, 32, 32, "t", NULL, NULL);
	err = err ? err : sip_transp_add(f->sip, SIP_TRANSP_UDP, &f->srv);
	err = err ? err : sip_transp_laddr(f->sip, &f->srv, SIP_TRANSP_UDP,
					   NULL);
	err = err ? err : sip_listen(&f->lsnr, f->sip, true, fx_request, f);
	err = err ? err : registrar_alloc(&f->reg, &f->occ, f->sip);
	sa_set_str(&f->me, "127.0.0.1", 0);
	err = err ? err : udp_listen(&f->us, &f->me, fx_recv, f);
	err = err ? err : udp_local_get(f->us, &f->me);
	return err;
}

/* One INVITE from user@domain; auth: a Proxy-Authorization line or "".
 * Returns the final answer's status code (f->reply: the answer). */
static int invite(struct phone_fx *f, unsigned cseq, const char *user,
		  const char *domain, const char *auth)
{
	struct mbuf *mb = mbuf_alloc(1024);
	struct tmr t;

	f->reply[0] = '\0';
	if (!mb)
		return -1;
	mbuf_printf(mb,
		    "INVITE sip:5550100@%s SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP %J;branch=z9hG4bKu%u\r\n"
		    "From: <sip:%s@%s>;tag=t1\r\n"
		    "To: <sip:5550100@%s>\r\n"
		    "Call-ID: phone-auth-test\r\n"
		    "CSeq: %u INVITE\r\n"
		    "Contact: <sip:%s@%J>\r\n"
		    "Max-Forwards: 70\r\n"
		    "%s%s"
		    "Content-Length: 0\r\n\r\n",
		    domain, &f->me, cseq, user, domain, domain, cseq, user,
		    &f->me, auth, *auth ? "\r\n" : "");
	mb->pos = 0;
	(void)udp_send(f->us, &f->srv, mb);
	mem_deref(mb);
	tmr_init(&t);
	tmr_start(&t, 2000, fx_guard, NULL);
	re_main(NULL);
	tmr_cancel(&t);
	return f->reply[0] ? atoi(f->reply + 8) : -1;
}

/* realm and nonce of the 407's Proxy-Authenticate */
static bool challenge_of(const char *reply, char realm[64], char nonce[80])
{
	const char *h = strstr(reply, "Proxy-Authenticate: Digest ");
	const char *r = h ? strstr(h, "realm=\"") : NULL;
	const char *n = h ? strstr(h, "nonce=\"") : NULL;

	if (!r || !n)
		return false;
	return sscanf(r, "realm=\"%63[^\"]", realm) == 1 &&
		sscanf(n, "nonce=\"%79[^\"]", nonce) == 1;
}

static void hex(char out[33], const uint8_t md[16])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void authz(char *out, size_t sz, const char *username,
		  const char *realm, const char *nonce, const char *password,
		  const char *uri)
{
	uint8_t md[16];
	char ha1[33], ha2[33], resp[33];

	md5_printf(md, "%s:%s:%s", username, realm, password);
	hex(ha1, md);
	md5_printf(md, "INVITE:%s", uri);
	hex(ha2, md);
	md5_printf(md, "%s:%s:00000001:c0ffee:auth:%s", ha1, nonce, ha2);
	hex(resp, md);
	snprintf(out, sz, "Proxy-Authorization: Digest username=\"%s\", "
		 "realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\", "
		 "algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c0ffee\"",
		 username, realm, nonce, uri, resp);
}

/* INVITE, 407, INVITE with the digest: the final code */
static int call_as(struct phone_fx *f, const char *user, const char *domain,
		   const char *username, const char *password, char realm[64])
{
	char nonce[80], line[512], uri[80];
	int code = invite(f, 1, user, domain, "");

	if (code != 407 || !challenge_of(f->reply, realm, nonce))
		return code;
	snprintf(uri, sizeof(uri), "sip:5550100@%s", domain);
	authz(line, sizeof(line), username, realm, nonce, password, uri);
	return invite(f, 2, user, domain, line);
}

UNIT_TEST(phone_invite_authenticated_like_register)
{
	static struct phone_fx f;
	char realm[64];

	UT_EQ_INT(fx_open(&f), 0);
	/* the team as domain */
	UT_EQ_INT(call_as(&f, "8002", "demo", "8002", "8002", realm), 488);
	UT_EQ_STR(realm, "demo");
	UT_EQ_STR(f.who, "demo/8002");
	/* occd's address as domain: the number alone, the username forms */
	f.who[0] = '\0';
	UT_EQ_INT(call_as(&f, "8003", "127.0.0.1", "8003", "8003", realm), 488);
	UT_EQ_STR(realm, "demo");
	UT_EQ_STR(f.who, "demo/8003");
	f.who[0] = '\0';
	UT_EQ_INT(call_as(&f, "8004", "192.0.2.10", "demo/8004", "8004", realm),
		  488);
	UT_EQ_STR(f.who, "demo/8004");
	f.who[0] = '\0';
	UT_EQ_INT(call_as(&f, "9001", "127.0.0.1", "9001@acme", "9001", realm),
		  488);
	UT_EQ_STR(realm, "acme");
	UT_EQ_STR(f.who, "acme/9001");
	/* refused like REGISTER: a wrong password, an unknown number */
	f.who[0] = '\0';
	UT_EQ_INT(call_as(&f, "8002", "127.0.0.1", "8002", "wrong", realm), 403);
	UT_EQ_INT(call_as(&f, "8099", "127.0.0.1", "8099", "8099", realm), 403);
	UT_EQ_STR(f.who, "");
	fx_close(&f);
}
