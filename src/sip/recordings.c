/*
 * recordings.c — where recordings live and how they are handed out.
 *
 * Files: <data>/recordings/<YYYY-MM-DD>/<YYYYMMDDhhmmss>-<agent>-<peer>.wav
 * (the manual's naming). getMonitor returns
 *   <webroot_address>getMonitor/<file>?t=<token>
 * where token = first 128 bits of HMAC-SHA256(key, file name), hex. The
 * key is random, made once and kept in <data>/recording.key (0600), so URLs
 * survive restarts but cannot be guessed from the (guessable) file names.
 * occd serves /getMonitor/<file> only with the right token.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.recordings"
#include "base/log.h"
#include "base/conf.h"
#include "core/occ.h"
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

static void token_of(const struct tel *tel, const char *file, char out[33])
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const uint8_t *)file, strlen(file),
			       tel->rec_key);
	for (int i = 0; i < 16; i++)
		re_snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* File names are ours: digits, letters, '-', '+', '*', '#', ".wav". */
static bool safe_name(const char *f)
{
	size_t n = strlen(f);

	if (n < 20 || n > 120 || strcmp(f + n - 4, ".wav"))
		return false;
	for (size_t i = 0; i < 8; i++)
		if (f[i] < '0' || f[i] > '9')
			return false;
	return !strchr(f, '/') && !strstr(f, "..");
}

static void file_path(const struct tel *tel, const char *file, char *out,
		      size_t sz)
{
	/* 20130123114549-... lives in recordings/2013-01-23/ */
	re_snprintf(out, sz, "%s/%b-%b-%b/%s", tel->rec_dir, file, (size_t)4,
		    file + 4, (size_t)2, file + 6, (size_t)2, file);
}

int tel_recording_url(const struct tel *tel, const char *file, char *out,
		      size_t sz)
{
	const char *web = tel->occ->cfg->webroot_address;
	char path[700], token[33];
	struct stat st;

	if (!safe_name(file))
		return EINVAL;
	file_path(tel, file, path, sizeof(path));
	if (stat(path, &st))
		return ENOENT;
	token_of(tel, file, token);
	re_snprintf(out, sz, "%s%sgetMonitor/%s?t=%s", web,
		    web[0] && web[strlen(web) - 1] == '/' ? "" : "/", file,
		    token);
	return 0;
}

int tel_recording_open(const struct tel *tel, const char *file,
		       const char *token, int *fdp, size_t *sizep)
{
	char path[700], want[33];
	struct stat st;
	int fd;

	if (!safe_name(file) || !token)
		return ENOENT;
	token_of(tel, file, want);
	if (strlen(token) != 32 || sodium_memcmp(want, token, 32))
		return EACCES;
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
