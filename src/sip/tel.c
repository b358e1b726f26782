/*
 * tel.c — the SIP stack and the routing of requests that start nothing
 * else: REGISTER to the registrar, OPTIONS answered here, new INVITEs to
 * inbound.c (calls to a team's DIDs). In-dialog requests are libre sipsess's.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <re.h>
#define LOG_TOPIC "sip"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "sip/registrar.h"
#include "sip/call.h"
#include "sip/inbound.h"
#include "sip/inbound_impl.h"
#include "sip/tel.h"
#include "sip/sipdrain.h"
#include "sip/tel_impl.h"
#include "media/mep.h"

static const char allow[] =
	"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, INFO\r\n";

static bool request_h(const struct sip_msg *msg, void *arg)
{
	struct tel *tel = arg;

	if (registrar_handle(tel->reg, msg))
		return true;
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		sip_replyf(tel->sip, msg, 200, "OK",
			   "%sAccept: application/sdp\r\n"
			   "Content-Length: 0\r\n\r\n", allow);
		return true;
	}
	return false;
}

/* A new INVITE (not in a dialog we know): a call coming in. */
static void conn_h(const struct sip_msg *msg, void *arg)
{
	inbound_invite(arg, msg);
}

static void exit_h(void *arg)
{
	(void)arg;
}

static void tel_destructor(void *arg)
{
	struct tel *tel = arg;

	call_shutdown_all(tel);     /* hangs up, closes CDRs */
	mem_deref(tel->ivr_http);   /* after the calls' lookups */
	dialerhost_close(tel);      /* after the calls: they tell it */
	acdhost_close(tel);
	acw_timer_close(tel);
	trunks_close(tel);
	mem_deref(tel->reg);
	mem_deref(tel->sock);
	mem_deref(tel->lsnr);
	if (tel->sip)
		sip_close(tel->sip, true);
	mem_deref(tel->sip);
}

/* RTP binds to [media] address, else the SIP address (loopback for a
 * wildcard, which cannot be announced in SDP). */
static void media_address(struct tel *tel, const char *cfg)
{
	if (cfg[0] && !sa_set_str(&tel->media_ip, cfg, 0))
		return;
	tel->media_ip = tel->laddr;
	sa_set_port(&tel->media_ip, 0);
	if (sa_is_any(&tel->media_ip))
		sa_set_str(&tel->media_ip, "127.0.0.1", 0);
}

/* [media] rtp_port_min/max. A range overlapping the kernel's ephemeral
 * ports works (a taken port is skipped) but shares them with every client
 * socket of the machine, and a firewall rule for it would open those too. */
static int media_ports(unsigned min, unsigned max)
{
	unsigned lo, hi;
	FILE *f;

	if (mep_port_range((uint16_t)min, (uint16_t)max)) {
		OCC_ERR("[media] rtp_port_min=%u is not below rtp_port_max=%u",
			min, max);
		return EINVAL;
	}
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f && fscanf(f, "%u %u", &lo, &hi) == 2 && min <= hi && lo <= max)
		OCC_WARN("rtp ports overlap the kernel's ephemeral ports "
			 "rtp=%u-%u ephemeral=%u-%u "
			 "(net.ipv4.ip_local_port_range)", min, max, lo, hi);
	if (f)
		fclose(f);
	OCC_INFO("rtp ports=%u-%u", min, max);
	return 0;
}

/* A deep receive queue for the SIP UDP socket. One thread polls it among
 * hundreds of busy RTP sockets (read until empty each pass, sipdrain.c,
 * but a pass can take milliseconds), so a burst of SIP waits there; with the kernel's default 208 KiB it overflowed under
 * load and calls broke. libre does not hand out the socket: find it by its
 * address among our descriptors. Past net.core.rmem_max only root
 * (SO_RCVBUFFORCE) gets the full size. */
static void sip_rcvbuf(const struct sa *laddr)
{
	enum { WANT = 4 * 1024 * 1024, FD_SCAN = 1024 };

	for (int fd = 3; fd < FD_SCAN; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int type = 0, got = 0, want = WANT;
		socklen_t tl = sizeof(type), gl = sizeof(got);
		struct sa a;

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) ||
		    type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &len) ||
		    sa_set_sa(&a, (struct sockaddr *)&ss) ||
		    !sa_cmp(&a, laddr, SA_ALL))
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
			       sizeof(want)))
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want,
					 sizeof(want));
		(void)getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl);
		OCC_INFO("sip socket receive buffer bytes=%d", got);
		return;
	}
}

int tel_alloc(struct tel **telp, struct occ *occ, const char *listen)
{
	struct tel *tel = mem_zalloc(sizeof(*tel), tel_destructor);
	int err;

	if (!tel)
		return ENOMEM;
	tel->occ = occ;
	err = sa_decode(&tel->laddr, listen, strlen(listen));
	if (err) {
		OCC_ERR("bad sip listen address \"%s\"", listen);
		goto out;
	}
	err = sip_alloc(&tel->sip, NULL, 1024, 1024, 1024, "occ", exit_h, tel);
	if (err)
		goto out;
	sipdrain_capture_begin();
	err = sip_transp_add(tel->sip, SIP_TRANSP_UDP, &tel->laddr);
	if (!sipdrain_capture_end() && !err)
		OCC_WARN("sip socket not drained: read one datagram a pass");
	err |= sip_transp_add(tel->sip, SIP_TRANSP_TCP, &tel->laddr);
	if (err) {
		OCC_ERR("cannot listen on sip %J: %m", &tel->laddr, err);
		goto out;
	}
	sip_rcvbuf(&tel->laddr);
	media_address(tel, occ->cfg->media_address);
	err = media_ports(occ->cfg->rtp_port_min, occ->cfg->rtp_port_max);
	if (err)
		goto out;
	re_snprintf(tel->rec_dir, sizeof(tel->rec_dir), "%s/recordings",
		    occ->cfg->data_dir);
	err = recordings_init(tel, occ->cfg->data_dir);
	if (err) {
		OCC_ERR("cannot keep the recording key in %s: %m",
			occ->cfg->data_dir, err);
		goto out;
	}
	err = sip_listen(&tel->lsnr, tel->sip, true, request_h, tel);
	err |= sipsess_listen(&tel->sock, tel->sip, 1024, conn_h, tel);
	err |= registrar_alloc(&tel->reg, occ, tel->sip);
	if (err)
		goto out;
	trunks_sync(tel);
	err = acdhost_init(tel);
	if (!err)
		err = dialerhost_init(tel);
	if (err)
		goto out;
	acw_timer_init(tel);
	OCC_INFO("sip listening on %J (udp, tcp)", &tel->laddr);
 out:
	if (err)
		mem_deref(tel);
	else
		*telp = tel;
	return err;
}

void tel_reload(struct tel *tel)
{
	trunks_sync(tel);
	acdhost_sync(tel);
}

void tel_team_stop(struct tel *tel, const char *team)
{
	call_shutdown_team(tel, team);
	registrar_team_drop(tel->reg, team);
}

void tel_team_start(struct tel *tel, int64_t team_id)
{
	registrar_team_restore(tel->reg, team_id);
}

struct sip *tel_sip(const struct tel *tel)
{
	return tel->sip;
}

struct registrar *tel_registrar(const struct tel *tel)
{
	return tel->reg;
}

struct sipsess_sock *tel_sess_sock(const struct tel *tel)
{
	return tel->sock;
}
