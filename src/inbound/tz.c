/*
 * tz.c — a small TZif reader (RFC 8536) and POSIX TZ rule evaluator.
 *
 * A zone keeps its transitions (64-bit times, each with the UT offset of
 * the local time type it starts) and, from the footer, one POSIX rule
 * (std offset, optional dst offset and the two yearly changes). Local time
 * before the first transition is time type 0's; after the last one it is
 * the rule's when the file has one (RFC 8536 §3.3), else the last type's.
 *
 * Everything read is bounded and checked before use: counts against the
 * bytes present and against TZ_MAX_TRANS, transition times strictly
 * ascending, type indexes below typecnt, UT offsets within ±25 h. A file
 * that breaks any of these is refused whole (EINVAL).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "inbound/tz.h"

enum { MAX_TYPES = 256, MAX_UTOFF = 25 * 3600, DAY = 86400 };

/* A yearly change of a POSIX rule: Mm.w.d, Jn or n, at `secs` local. */
struct rule_date {
	char kind;             /* 'M', 'J' or 'D' (zero-based day) */
	int m, w, d, n;
	int32_t secs;          /* time of day, may be negative or > 24 h */
};

struct posix_tz {
	bool present;
	bool has_dst;
	int32_t std_off, dst_off;      /* seconds east of UTC */
	struct rule_date start, end;
};

struct tz {
	unsigned ntrans;
	int64_t *at;           /* transition times, ascending */
	int32_t *off;          /* UT offset in force from at[i] */
	int32_t first_off;     /* time type 0: before the first transition */
	struct posix_tz rule;
};

static void tz_destructor(void *arg)
{
	struct tz *z = arg;

	mem_deref(z->at);
	mem_deref(z->off);
}

/* ---- calendar ---- */

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t tz_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void tz_civil_from_days(int64_t z, int *yp, int *mp, int *dp)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp_, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp_ = (5 * doy + 2) / 153;
	d = doy - (153 * mp_ + 2) / 5 + 1;
	m = mp_ < 10 ? mp_ + 3 : mp_ - 9;
	*yp = (int)(y + (m <= 2));
	*mp = (int)m;
	*dp = (int)d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };
	return md[m - 1] + (m == 2 && leap_year(y));
}

static int weekday(int64_t days)
{
	return (int)(((days % 7) + 7 + 4) % 7);    /* 1970-01-01: Thursday */
}

/* ---- POSIX TZ string (the footer) ---- */

static bool parse_name(const char **sp)
{
	const char *s = *sp;
	size_t n = 0;

	if (*s == '<') {
		for (s++; *s && *s != '>'; s++, n++) {
			if (!isalnum((unsigned char)*s) && *s != '+' &&
			    *s != '-')
				return false;
		}
		if (*s != '>' || n < 3)
			return false;
		*sp = s + 1;
		return true;
	}
	for (; isalpha((unsigned char)*s); s++)
		n++;
	if (n < 3)
		return false;
	*sp = s;
	return true;
}

static bool parse_num(const char **sp, int max, int *vp)
{
	const char *s = *sp;
	int v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*vp = v;
	*sp = s;
	return true;
}

/* [+-]hh[:mm[:ss]]; hours up to max_h (24 for offsets, 167 for times). */
static bool parse_hms(const char **sp, int max_h, int32_t *vp)
{
	const char *s = *sp;
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!parse_num(&s, max_h, &h))
		return false;
	if (*s == ':') {
		s++;
		if (!parse_num(&s, 59, &m))
			return false;
		if (*s == ':') {
			s++;
			if (!parse_num(&s, 59, &sec))
				return false;
		}
	}
	*vp = sign * (h * 3600 + m * 60 + sec);
	*sp = s;
	return true;
}

static bool parse_rule_date(const char **sp, struct rule_date *r)
{
	const char *s = *sp;

	memset(r, 0, sizeof(*r));
	if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (!parse_num(&s, 12, &r->m) || r->m < 1 || *s++ != '.' ||
		    !parse_num(&s, 5, &r->w) || r->w < 1 || *s++ != '.' ||
		    !parse_num(&s, 6, &r->d))
			return false;
	}
	else if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (!parse_num(&s, 365, &r->n) || r->n < 1)
			return false;
	}
	else {
		r->kind = 'D';
		if (!parse_num(&s, 365, &r->n))
			return false;
	}
	r->secs = 2 * 3600;
	if (*s == '/') {
		s++;
		if (!parse_hms(&s, 167, &r->secs))
			return false;
	}
	*sp = s;
	return true;
}

static bool parse_posix(const char *s, struct posix_tz *p)
{
	int32_t off;

	memset(p, 0, sizeof(*p));
	if (!parse_name(&s) || !parse_hms(&s, 24, &off))
		return false;
	p->std_off = -off;             /* POSIX counts west as positive */
	p->present = true;
	if (!*s)
		return true;
	if (!parse_name(&s))
		return false;
	p->has_dst = true;
	p->dst_off = p->std_off + 3600;
	if (*s && *s != ',') {
		if (!parse_hms(&s, 24, &off))
			return false;
		p->dst_off = -off;
	}
	/* the data block's bound: std + 1 h by default can pass it
	 * (<+1245>-24:45<+1345>: +25:45) */
	if (p->dst_off < -MAX_UTOFF || p->dst_off > MAX_UTOFF)
		return false;
	if (!*s) {     /* no rule: the US rule, as POSIX implementations */
		p->start = (struct rule_date){ 'M', 3, 2, 0, 0, 7200 };
		p->end = (struct rule_date){ 'M', 11, 1, 0, 0, 7200 };
		return true;
	}
	if (*s++ != ',' || !parse_rule_date(&s, &p->start) || *s++ != ',' ||
	    !parse_rule_date(&s, &p->end))
		return false;
	return *s == '\0';
}

/* Days since the epoch of a rule's day in year y. */
static int64_t rule_day(const struct rule_date *r, int64_t y)
{
	int64_t jan1 = tz_days_from_civil(y, 1, 1), first;
	int day;

	switch (r->kind) {
	case 'J':      /* 1..365, February 29 never counted */
		return jan1 + r->n - 1 + (leap_year(y) && r->n >= 60);
	case 'D':
		return jan1 + r->n;
	default:
		first = tz_days_from_civil(y, (unsigned)r->m, 1);
		day = 1 + (r->d - weekday(first) + 7) % 7 + 7 * (r->w - 1);
		while (day > month_days(y, r->m))
			day -= 7;
		return first + day - 1;
	}
}

static int32_t posix_offset(const struct posix_tz *p, int64_t t)
{
	int64_t days, start, end;
	int y, m, d;

	if (!p->has_dst)
		return p->std_off;
	days = floor_div(t + p->std_off, DAY);
	tz_civil_from_days(days, &y, &m, &d);
	/* the changes are given in the local time in force before them */
	start = rule_day(&p->start, y) * DAY + p->start.secs - p->std_off;
	end = rule_day(&p->end, y) * DAY + p->end.secs - p->dst_off;
	if (start < end)
		return t >= start && t < end ? p->dst_off : p->std_off;
	return t >= end && t < start ? p->std_off : p->dst_off;
}

/* ---- TZif ---- */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->left < n)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct header {
	uint8_t version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool read_header(struct cursor *c, struct header *h)
{
	const uint8_t *p;

	if (!take(c, 44, &p) || memcmp(p, "TZif", 4))
		return false;
	h->version = p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '4'))
		return false;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return h->typecnt >= 1 && h->typecnt <= MAX_TYPES &&
	       h->charcnt >= 1 && h->charcnt <= 4096 &&
	       h->timecnt <= TZ_MAX_TRANS &&
	       (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
	       (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

static size_t block_size(const struct header *h, size_t tsize)
{
	return h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
	       h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* The data block after header h, with times of tsize bytes, into z. */
static int read_block(struct tz *z, struct cursor *c, const struct header *h,
		      size_t tsize)
{
	const uint8_t *times, *idx, *types;
	int32_t utoff[MAX_TYPES];

	if (h->leapcnt)
		return EINVAL;         /* right/ zones: not for schedules */
	if (!take(c, h->timecnt * tsize, &times) ||
	    !take(c, h->timecnt, &idx) || !take(c, h->typecnt * 6, &types))
		return EINVAL;
	for (uint32_t i = 0; i < h->typecnt; i++) {
		const uint8_t *tt = types + 6 * i;
		int32_t off = (int32_t)be32(tt);

		if (off < -MAX_UTOFF || off > MAX_UTOFF || tt[4] > 1 ||
		    tt[5] >= h->charcnt)
			return EINVAL;
		utoff[i] = off;
	}
	z->ntrans = h->timecnt;
	z->at = mem_alloc((h->timecnt ? h->timecnt : 1) * sizeof(*z->at),
			  NULL);
	z->off = mem_alloc((h->timecnt ? h->timecnt : 1) * sizeof(*z->off),
			   NULL);
	if (!z->at || !z->off)
		return ENOMEM;
	for (uint32_t i = 0; i < h->timecnt; i++) {
		int64_t t = tsize == 8 ? be64(times + 8 * i)
			: (int32_t)be32(times + 4 * i);

		if (idx[i] >= h->typecnt || (i && t <= z->at[i - 1]))
			return EINVAL;
		z->at[i] = t;
		z->off[i] = utoff[idx[i]];
	}
	z->first_off = utoff[0];
	/* the rest of the block (names, leap, std/ut indicators) */
	return take(c, h->charcnt + h->isstdcnt + h->isutcnt, &times)
		? 0 : EINVAL;
}

int tz_parse(struct tz **zp, const uint8_t *data, size_t len)
{
	struct cursor c = { data, len };
	struct header h;
	struct tz *z;
	const uint8_t *p;
	int err;

	if (!zp || !data || len > TZ_MAX_FILE || !read_header(&c, &h))
		return EINVAL;
	z = mem_zalloc(sizeof(*z), tz_destructor);
	if (!z)
		return ENOMEM;
	if (h.version == 0) {
		err = read_block(z, &c, &h, 4);
		goto out;
	}
	/* version 2+: skip the 32-bit block, read the 64-bit one */
	if (block_size(&h, 4) > c.left || !take(&c, block_size(&h, 4), &p) ||
	    !read_header(&c, &h)) {
		err = EINVAL;
		goto out;
	}
	err = read_block(z, &c, &h, 8);
	if (err)
		goto out;
	/* footer: "\n" TZ-string "\n" */
	if (!c.left || *c.p != '\n') {
		err = EINVAL;
		goto out;
	}
	{
		const uint8_t *nl = memchr(c.p + 1, '\n', c.left - 1);
		char s[128];
		size_t n;

		if (!nl || (n = (size_t)(nl - c.p - 1)) >= sizeof(s)) {
			err = EINVAL;
			goto out;
		}
		memcpy(s, c.p + 1, n);
		s[n] = '\0';
		if (n && !parse_posix(s, &z->rule))
			err = EINVAL;
	}
 out:
	if (err)
		mem_deref(z);
	else
		*zp = z;
	return err;
}

int tz_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= TZ_MAX_NAME || name[0] == '/')
		return 0;
	for (const char *s = name; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("/_+-.", *s))
			return 0;
	}
	/* no component may be "." or ".." */
	for (const char *s = name; *s; ) {
		size_t k = strcspn(s, "/");

		if (k == 0 || (k == 1 && s[0] == '.') ||
		    (k == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += k;
		if (*s == '/')
			s++;
	}
	return name[n - 1] != '/';
}

int tz_load(struct tz **zp, const char *dir, const char *name)
{
	static uint8_t buf[TZ_MAX_FILE + 1];
	char path[512];
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd, err = 0;

	if (!tz_name_ok(name))
		return EINVAL;
	if (re_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0)
		return EINVAL;
	/* zoneinfo's aliases are symlinks: followed; the name cannot leave
	 * dir (tz_name_ok) */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? ENOENT : errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return ENOENT;
	}
	while (len < sizeof(buf)) {
		got = read(fd, buf + len, sizeof(buf) - len);
		if (got < 0) {
			err = errno;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (err)
		return err;
	if (len > TZ_MAX_FILE)
		return EINVAL;
	return tz_parse(zp, buf, len);
}

int32_t tz_offset(const struct tz *z, int64_t t)
{
	unsigned lo, hi;

	if (!z)
		return 0;
	if (!z->ntrans || t < z->at[0])
		return z->ntrans || !z->rule.present ? z->first_off
			: posix_offset(&z->rule, t);
	if (t >= z->at[z->ntrans - 1])
		return z->rule.present ? posix_offset(&z->rule, t)
			: z->off[z->ntrans - 1];
	/* the last transition at or before t */
	lo = 0;
	hi = z->ntrans - 1;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

void tz_localtime(const struct tz *z, int64_t utc_s, struct tz_local *out)
{
	int64_t local, secs;

	out->utoff = tz_offset(z, utc_s);
	local = utc_s + out->utoff;
	out->days = floor_div(local, DAY);
	secs = local - out->days * DAY;
	out->wday = weekday(out->days);
	out->min = (int)(secs / 60);
	out->sec = (int)(secs % 60);
	tz_civil_from_days(out->days, &out->year, &out->mon, &out->mday);
}
