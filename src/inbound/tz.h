/*
 * tz.h — local time from a TZif file (RFC 8536), for the schedules of
 * inbound routes. Reads the version 1 data or, in version 2+ files, the
 * 64-bit data and the POSIX TZ string of the footer, which gives the local
 * time after the last transition (so past 2038 too). Leap-second files
 * (zoneinfo/right/) are refused: no schedule needs them.
 *
 * tz_parse is pure and bounded (TZ_MAX_FILE bytes, TZ_MAX_TRANS
 * transitions); tz_load reads <dir>/<name> and refuses names that could
 * leave dir (an absolute name or a ".." component).
 */
#ifndef OCC_TZ_H
#define OCC_TZ_H

#include <stddef.h>
#include <stdint.h>

#define TZ_ZONEINFO_DIR "/usr/share/zoneinfo"

enum { TZ_MAX_FILE = 64 * 1024, TZ_MAX_TRANS = 4096, TZ_MAX_NAME = 64 };

struct tz;

struct tz_local {
	int64_t days;          /* days since 1970-01-01, local */
	int wday;              /* 0 = Sunday */
	int min;               /* minutes since local midnight */
	int sec;               /* seconds within the minute */
	int32_t utoff;         /* seconds east of UTC in force */
	int year, mon, mday;   /* civil date (mon 1-12) */
};

/* EINVAL if data is not a TZif file we accept. *zp is a mem object. */
int  tz_parse(struct tz **zp, const uint8_t *data, size_t len);
/* ENOENT for an unknown zone, EINVAL for a refused name or file. */
int  tz_load(struct tz **zp, const char *dir, const char *name);
/* Is name a zone name tz_load would try (no "..", not absolute)? */
int  tz_name_ok(const char *name);
/* Local time at utc_s; z NULL is UTC. */
void tz_localtime(const struct tz *z, int64_t utc_s, struct tz_local *out);
int32_t tz_offset(const struct tz *z, int64_t utc_s);

/* Civil calendar helpers (proleptic Gregorian), exposed for the schedule
 * parser: days since 1970-01-01 of y-m-d, and back. */
int64_t tz_days_from_civil(int64_t y, unsigned m, unsigned d);
void    tz_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif
