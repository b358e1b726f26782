/*
 * recordings.c — where recordings live and how they are handed out.
 *
 * Files: <data>/recordings/<YYYY-MM-DD>/<name>, name =
 *   <YYYYMMDDhhmmss>-<agent>-<peer>-<team>-<sessionid>.wav
 * (the manual's start-agent-peer, then the team and the call's sessionid:
 * two teams' agents of the same number calling the same number in the same
 * second get two files; each is created with O_EXCL, so a file is never
 * shared or truncated). getMonitor returns
 *   <webroot_address>getMonitor/<name>?o=<team>&e=<expiry>&t=<token>
 * token = first 128 bits of HMAC-SHA256(key, "occ-rec-2\n" team "\n" name
 * "\n" expiry), hex; expiry = Unix time of the request + [recording]
 * url_ttl. occd serves a file only with a token for its own team (the team
 * in the name must be the URL's) and before the expiry. The key is random,
 * made once and kept in <data>/recording.key (0600), so URLs survive
 * restarts but cannot be guessed from the (guessable) file names.
 *
 * Recordings made before the team and sessionid were in the name (no
 * 32-hex tail) keep their old URLs: ?t=HMAC(key, name), no expiry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.recordings"
#include "base/log.h"
#include "base/conf.h"
#include "core/occ.h"
#include "store/store.h"
#include "sip/tel.h"
#include "sip/tel_impl.h"

int recordings_init(struct tel *tel, const char *data_dir)
{
	char path[600];
	int fd, err = 0;
	ssize_t n;

	re_snprintf(path, sizeof(path), "%s/recording.key", data_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, tel->rec_key, sizeof(tel->rec_key));
		close(fd);
		if (n == (ssize_t)sizeof(tel->rec_key))
			return 0;
	}
	randombytes_buf(tel->rec_key, sizeof(tel->rec_key));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	if (write(fd, tel->rec_key, sizeof(tel->rec_key)) !=
	    (ssize_t)sizeof(tel->rec_key))
		err = EIO;
	close(fd);
	return err;
}

enum { SID_LEN = 32, TEAM_IN_NAME = 24, AGENT_IN_NAME = 20,
       PEER_IN_NAME = 24 };

static void hex16(const uint8_t *mac, char out[33])
{
	for (int i = 0; i < 16; i++)
		re_snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* The URL token of one team's file, valid until expiry. */
static void token_of(const struct tel *tel, const char *team,
		     const char *file, const char *expiry, char out[33])
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, tel->rec_key, sizeof(tel->rec_key));
#define PART(s) crypto_auth_hmacsha256_update(&st, (const uint8_t *)(s), \
					      strlen(s))
	PART("occ-rec-2\n");
	PART(team);
	PART("\n");
	PART(file);
	PART("\n");
	PART(expiry);
#undef PART
	crypto_auth_hmacsha256_final(&st, mac);
	hex16(mac, out);
}

/* Before names carried team and sessionid: the name alone, no expiry. */
static void legacy_token_of(const struct tel *tel, const char *file,
			    char out[33])
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const uint8_t *)file, strlen(file),
			       tel->rec_key);
	hex16(mac, out);
}

/* Letters, digits and those of `extra`, at most max of them. */
static void keep_safe(char *out, size_t max, const char *in,
		      const char *extra)
{
	size_t n = 0;

	for (const char *p = in; *p && n < max; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p && strchr(extra, *p)))
			out[n++] = *p;
	out[n] = '\0';
}

void tel_recording_name(char *out, size_t sz, int64_t start_ms,
			const char *team, const char *agent, const char *peer,
			const char *sessionid)
{
	char ts[20], t[TEAM_IN_NAME + 1], a[AGENT_IN_NAME + 1];
	char p[PEER_IN_NAME + 1], sid[SID_LEN + 1];
	time_t secs = (time_t)(start_ms / 1000);
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", &tm);
	keep_safe(t, TEAM_IN_NAME, team, "_");
	keep_safe(a, AGENT_IN_NAME, agent, "_");
	keep_safe(p, PEER_IN_NAME, peer, "+*#");
	keep_safe(sid, SID_LEN, sessionid, "");
	re_snprintf(out, sz, "%s-%s-%s-%s-%s.wav", ts, a, p, t, sid);
}

/* File names are ours: digits, letters, '-', '_', '+', '*', '#', ".wav". */
static bool safe_name(const char *f)
{
	size_t n = strlen(f);

	if (n < 20 || n > 127 || strcmp(f + n - 4, ".wav"))
		return false;
	for (size_t i = 0; i < 8; i++)
		if (f[i] < '0' || f[i] > '9')
			return false;
	return !strchr(f, '/') && !strstr(f, "..");
}

/* The team part of a name with team and sessionid ("...-<team>-<32 hex>
 * .wav") into team; false for an older name. */
static bool team_in_name(const char *f, char team[TEAM_IN_NAME + 1])
{
	size_t n = strlen(f);
	const char *sid, *dash;

	if (n < SID_LEN + 6)
		return false;
	sid = f + n - 4 - SID_LEN;
	if (sid[-1] != '-')
		return false;
	for (size_t i = 0; i < SID_LEN; i++)
		if (!strchr("0123456789abcdef", sid[i]) || !sid[i])
			return false;
	for (dash = sid - 2; dash > f && *dash != '-'; dash--)
		;
	if (*dash != '-' || (size_t)(sid - 1 - dash - 1) > TEAM_IN_NAME)
		return false;
	re_snprintf(team, TEAM_IN_NAME + 1, "%b", dash + 1,
		    (size_t)(sid - 1 - dash - 1));
	return true;
}

void recording_path(const char *data_dir, const char *file, char *out,
		    size_t sz)
{
	/* 20130123114549-... lives in recordings/2013-01-23/ */
	re_snprintf(out, sz, "%s/recordings/%b-%b-%b/%s", data_dir, file,
		    (size_t)4, file + 4, (size_t)2, file + 6, (size_t)2, file);
}

static void file_path(const struct tel *tel, const char *file, char *out,
		      size_t sz)
{
	recording_path(tel->occ->cfg->data_dir, file, out, sz);
}

int tel_recording_url(const struct tel *tel, const char *team,
		      const char *file, char *out, size_t sz)
{
	const char *web = tel->occ->cfg->webroot_address;
	const char *slash = web[0] && web[strlen(web) - 1] == '/' ? "" : "/";
	char path[700], token[33], expiry[24], in_name[TEAM_IN_NAME + 1];
	char o[3 * ST_NAME + 1];
	struct stat st;
	size_t n = 0;

	if (!safe_name(file))
		return EINVAL;
	file_path(tel, file, path, sizeof(path));
	if (stat(path, &st))
		return ENOENT;
	if (!team_in_name(file, in_name)) {         /* an older recording */
		legacy_token_of(tel, file, token);
		re_snprintf(out, sz, "%s%sgetMonitor/%s?t=%s", web, slash,
			    file, token);
		return 0;
	}
	if (!team)
		return EINVAL;
	re_snprintf(expiry, sizeof(expiry), "%lld", (long long)time(NULL) +
		    (long long)tel->occ->cfg->recording_url_ttl);
	token_of(tel, team, file, expiry, token);
	for (const char *p = team; *p && n + 4 <= sizeof(o); p++) {
		if (strchr("-_.~", *p) || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			o[n++] = *p;
		else
			n += (size_t)re_snprintf(o + n, 4, "%%%02X",
						 (uint8_t)*p);
	}
	o[n] = '\0';
	re_snprintf(out, sz, "%s%sgetMonitor/%s?o=%s&e=%s&t=%s", web, slash,
		    file, o, expiry, token);
	return 0;
}

/* EACCES unless token opens file for this team before expiry (or is the
 * token of an older recording, without team and expiry). */
static int check_token(const struct tel *tel, const char *file,
		       const char *team, const char *expiry,
		       const char *token)
{
	char want[33], in_name[TEAM_IN_NAME + 1], safe[TEAM_IN_NAME + 1];
	bool new_name = team_in_name(file, in_name);
	char *end;
	long long e;

	if (!token || strlen(token) != 32)
		return EACCES;
	if (!new_name) {
		legacy_token_of(tel, file, want);
		return sodium_memcmp(want, token, 32) ? EACCES : 0;
	}
	if (!team || !expiry || !*expiry)
		return EACCES;
	keep_safe(safe, TEAM_IN_NAME, team, "_");
	if (strcmp(safe, in_name))
		return EACCES;                /* another team's file */
	e = strtoll(expiry, &end, 10);
	if (*end || e < (long long)time(NULL))
		return EACCES;                /* expired */
	token_of(tel, team, file, expiry, want);
	return sodium_memcmp(want, token, 32) ? EACCES : 0;
}

int tel_recording_open(const struct tel *tel, const char *file,
		       const char *team, const char *expiry,
		       const char *token, int *fdp, size_t *sizep)
{
	char path[700];
	struct stat st;
	int fd, err;

	if (!safe_name(file))
		return ENOENT;
	err = check_token(tel, file, team, expiry, token);
	if (err)
		return err;
	file_path(tel, file, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ENOENT;
	if (fstat(fd, &st)) {
		close(fd);
		return EIO;
	}
	*fdp = fd;
	*sizep = (size_t)st.st_size;
	return 0;
}
