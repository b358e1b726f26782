/*
 * call_impl.h — the B2BUA's internals, shared by its files:
 *   call.c        calls and legs: makeCall, SIP and built-in peers, CDRs
 *   routing.c     who hears whom (hears[]), relay and the mixer
 *   multiparty.c  consult, transfer, call return, conference
 * Nothing outside src/sip/ includes it; the API is call.h.
 */
#ifndef OCC_CALL_IMPL_H
#define OCC_CALL_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "media/clock.h"
#include "media/mixer.h"
#include "media/mworker.h"
#include "core/agent_state.h"
#include "store/store.h"

struct inbound;
struct dcall;
struct call_req;
struct mep;
struct player;
struct amd_tap;
struct recorder;
struct tel;
struct model;
struct team;

/* A call's parties. The routing below is written for any set of them;
 * the multi-party issue adds the calls that use CONSULT and SUPERVISOR. */
enum leg_role { ROLE_AGENT, ROLE_CUSTOMER, ROLE_CONSULT, ROLE_SUPERVISOR,
		ROLE_COUNT };
enum leg_state { LEG_NEW, LEG_CALLING, LEG_EARLY, LEG_UP, LEG_GONE };


#define BIT(role) (1u << (role))

enum { MIX_FRAME = 160, MIX_RING = 1600 };   /* 20 ms; 200 ms of buffer */

enum {
	VIRTUAL_ANSWER_MS = 1000,
	VIRTUAL_CUSTOMER_TALK_MS = 20000,
	MEDIA_CHECK_MS = 5000,
};

struct leg;
/* A prompt played to a leg (leg_play) has ended. */
typedef void (play_done_h)(struct leg *l, void *arg);

struct leg {
	struct call *call;
	enum leg_role role;
	enum leg_state state;
	char agent[ST_NUM];    /* an inbound offer: the agent it rings (its
				* events go to that agent's channel) */
	int64_t group_id;      /* ... and the group it rings for */
	int64_t uniqueid;
	char channel[ST_NAME];
	char peer[ST_NAME];
	bool virtual;          /* a built-in phone or customer, no SIP */
	bool rang, answered;
	bool auto_answer;      /* INVITE asks the phone to answer at once */
	bool told_ringing, told_hangup;  /* events published */
	uint16_t final_scode;  /* of a failed INVITE */
	struct sipsess *sess;
	struct sip_msg *ringing; /* the phone's last 180/183 (its tags and
				  * Contact: yealinkAnswer's NOTIFY) */
	struct mep *mep;
	struct player *tone;   /* what the leg hears instead: ringback, MOH,
				* a prompt (leg_play) */
	play_done_h *playh;    /* while tone is a prompt: its done handler */
	void *play_arg;
	struct player *voice;  /* a built-in peer's own audio */
	struct amd_tap *amd;   /* answering-machine detection (amdtap.h) */
	struct tmr tmr;        /* ring timeout, virtual answer and hangup */
	/* the RFC 4733 event last seen from this party: a key press is
	 * reported once, on the first packet of its event */
	bool ev_seen;
	uint32_t ev_ts;
	uint8_t ev_code;
	/* keys heard on a media worker, for the control loop's call_digit
	 * (media/mworker.h) */
	struct mworker_defer key_defer;
	char keys[16];
	unsigned nkeys;
	int64_t start_ms, answer_ms, end_ms;
	/* mixer input: what this leg said since the last mixer tick */
	int16_t ring[MIX_RING];
	size_t ring_head, ring_len;
	struct mix_limiter limiter;   /* of what this leg hears mixed */
};

/* A key a party pressed, once per press, however it came (call_digit).
 * It runs inside a SIP or RTP handler: it may play or stop prompts and
 * end the call (call_end defers), never free the call or the leg. */
typedef void (call_digit_h)(struct call *c, struct leg *l, char digit,
			    void *arg);

struct call {
	struct le le;
	struct tel *tel;
	char sessionid[ST_SESSIONID];
	char team[ST_NAME];
	char agent[ST_NUM];
	char agent_exten[ST_NUM];    /* the extension that rang first */
	char callee_agent[ST_NUM];   /* targettype=inner */
	int callee_acw_mode;         /* the callee's own (enum acw_mode) */
	int64_t group_id;
	int acw_mode;                /* the call's agent's */
	struct leg *legs[ROLE_COUNT];   /* by role */
	struct mworker *mw;  /* the media worker of all its endpoints, or
			      * NULL: the control loop (media/mworker.h) */
	/* hears[r]: the roles whose audio the leg of role r hears. A
	 * listener hearing exactly one speaker gets its packets relayed as
	 * they come; one hearing several gets the mixer's limited sum every
	 * 20 ms. */
	uint8_t hears[ROLE_COUNT];
	/* who takes the parties' key presses (the inbound IVR sets it);
	 * NULL: they go where the party's voice goes, as RFC 4733 events */
	call_digit_h *digith;
	void *digit_arg;
	struct mclock_user mix_clk;  /* on the media clock while mixing */
	int64_t mix_start_ms;
	uint64_t mix_frames;
	struct recorder *rec;
	struct recorder *seg;        /* monitorCtrl's segment, while open */
	char seg_file[128];
	bool on_hold, hold_silence;
	bool conference;             /* agent, customer, consulted: all */
	bool transferred;            /* the customer now talks to the
				      * consulted party; the agent is gone */
	bool agent_released;         /* its after-call state already set */
	char consult_agent[ST_NUM];  /* an internal consult's agent */
	int consult_acw_mode;        /* its own ACW mode (enum acw_mode) */
	int sup_mode;                /* enum supervise_mode, with a
				      * ROLE_SUPERVISOR leg */
	char leader[ST_NAME];        /* who supervises (agent or account) */
	bool leader_busy;            /* we made the leader's agent busy */
	struct leg *gone[8];         /* legs that left before the end */
	unsigned ngone;
	bool ending;
	char end_by[16];
	struct tmr end_tmr, media_tmr;
	struct st_cdr cdr;
	/* an inbound call (sip/inbound.c): its routing, IVR, queue place
	 * and the offers ringing agents; NULL for calls an agent placed */
	struct inbound *in;
	/* a campaign's dial (sip/dialerhost.c): the customer rings first,
	 * an agent is rung when the dialer bridges it; NULL otherwise */
	struct dcall *dc;
	bool dialin;                 /* came in: the manual's inbound events */
	bool in_ivr;                 /* the customer is in an IVR: nobody
				      * hears it, it hears the prompts */
	char did[ST_NUM];
	struct call_req_copy {
		char target[ST_NAME], callerid[ST_NUM], trunk[ST_NAME];
		char first_callerid[ST_NUM];  /* qbackcall's icallerid */
		char target_exten[ST_NUM];
		bool inner;
	} req;
};

/* call.c */
extern const char *const role_names[ROLE_COUNT];
/* A new leg of c; install: as c->legs[role] (an inbound offer is not,
 * until it wins). */
int  leg_new(struct leg **lp, struct call *c, enum leg_role role,
	     const char *peer, bool virt, bool install);
/* A new outgoing call set up from req (parties, CDR begun), no leg yet. */
struct call *call_setup(struct tel *tel, const struct team *t,
			const struct call_req *req);
/* A new call of tel in team t (CDR begun, on tel->calls). */
struct call *call_new(struct tel *tel, const struct team *t);
/* Ring a registered (or built-in) extension of the call's team for leg l
 * with from_user shown; ring_s: its ring timeout. */
int  ring_exten(struct leg *l, const char *exten, const char *from_user,
		unsigned ring_s);
void leg_up(struct leg *l);
/* An outgoing leg still ringing is released unanswered after ms (its ring
 * timeout, set again). */
void leg_ring_for(struct leg *l, uint32_t ms);
/* the recording's file name (from the call's agent and number), and the
 * recording itself, started when the conversation is */
void call_name_recording(struct call *c);
void call_record(struct call *c);
int  leg_sip_offer(struct mbuf **descp, const struct sip_msg *msg,
		   void *arg);
int  leg_sip_answer(const struct sip_msg *msg, void *arg);
void leg_sip_estab(const struct sip_msg *msg, void *arg);
void leg_sip_close(int err, const struct sip_msg *msg, void *arg);
struct model *model_of(const struct call *c);
void set_agent_state(struct call *c, const char *number, enum agent_state s);
enum agent_state after_call_state(const struct call *c, bool rang,
				  bool answered);
void emit(struct call *c, const struct leg *l, const char *event);
void tell_ringing(struct leg *l);
void leg_send(struct leg *l, const int16_t *pcm, size_t n);
void leg_gone(struct leg *l, uint16_t scode, const char *by);
void leg_release(struct leg *l);
void leg_detach(struct leg *l);
/* A built-in phone ringing for l answers now (yealinkAnswer). */
void leg_answer_virtual(struct leg *l);
int  reoffer(struct leg *l, bool sendonly);
/* The sipsess INFO handler of every leg (l as arg): DTMF
 * (application/dtmf-relay, application/dtmf) to call_digit, 200; 415 for
 * other bodies. */
void leg_sip_info(struct sip *sip, const struct sip_msg *msg, void *arg);
int  dial(struct call *c, enum leg_role role, bool inner, const char *target,
	  const char *exten, const char *trunk, struct leg **lp);
void call_end(struct call *c, const char *by);

/* dialerhost.c: a campaign dial's customer answered, its agent answered,
 * the call ended (results recorded, the dialer told) */
void dialerhost_customer_up(struct call *c);
void dialerhost_agent_up(struct call *c);
/* The agent leg l of a dialer call failed before it answered; true: the
 * dialer took it (the leg is detached, the customer hears the campaign's
 * message, then the hang-up), the call goes on */
bool dialerhost_agent_failed(struct call *c, struct leg *l);
void dialerhost_call_ended(struct call *c);

/* routing.c */
void remix(struct call *c);
void leg_audio(struct mep *m, const int16_t *pcm, size_t n, void *arg);
void leg_event(struct mep *m, const uint8_t *p, size_t len, uint32_t ts,
	       bool marker, void *arg);
void tone_to_leg(const int16_t *pcm, size_t n, void *arg);
/* A key pressed by the party of leg l: RFC 4733 (leg_event) and SIP INFO
 * (leg_sip_info, info true) both end here, once per press. To the call's
 * digit hook if set; else an INFO key is sent on as RFC 4733 events to
 * whoever hears l alone (RFC 4733 packets are relayed as they come by
 * leg_event, their durations kept). */
void call_digit(struct call *c, struct leg *l, char digit, bool info);
/* Play prompts (8 kHz mono 16-bit WAV files, read at each play; see
 * media/player.h for missing files) to leg l, in order, instead of what
 * it hears of the call, and the recording says so; then h(l, arg) and the
 * leg hears the call again. Replaces any tone or prompt the leg hears
 * (a replaced prompt's handler is not called). 0 or an errno. */
int  leg_play(struct leg *l, const char *path, play_done_h *h, void *arg);
int  leg_play_seq(struct leg *l, const char *const paths[], size_t n,
		  play_done_h *h, void *arg);
/* Stop a prompt at once (barge-in); its handler is not called. A tone
 * that is not a prompt (ringback, music) is left alone. */
void leg_stop_play(struct leg *l);
void tone_from_leg(const int16_t *pcm, size_t n, void *arg);

/* multiparty.c */
void customer_wait(struct call *c, bool waiting);
void consult_ringing(struct leg *k);
void consult_answered(struct leg *k);
void consult_gone(struct call *c, struct leg *k, const char *by);
void customer_leaves(struct call *c);
bool customer_here(const struct call *c);
struct agent *call_agent(const struct call *c, const char *number);
void leader_busy(struct call *c, bool busy);
void agent_leaves(struct call *c);
void supervisor_answered(struct leg *s);
void supervisor_gone(struct call *c, struct leg *s);

/* inbound.c: the hooks call.c gives an inbound call; each returns true
 * when it took the matter */
bool inbound_leg_up(struct leg *l);
bool inbound_leg_gone(struct leg *l);
void inbound_call_ended(struct call *c);

#endif
