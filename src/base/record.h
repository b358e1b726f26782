/*
 * record.h — the inline record of an import (`source=data`, API.md §4.23):
 * `name1=value1||name2=value2||...`, a field name being a column's display
 * name or its column name.
 *
 * Faces the network: bounded in fields and bytes, rejects NUL bytes. Names
 * and values are trimmed of spaces and tabs; empty segments (a leading,
 * trailing or doubled `||`) are skipped. A segment without `=`, an empty
 * name, or a name given twice makes the record invalid. A value may contain
 * `=` (the first one separates) but never `||`: the manual has no escape.
 * The parsed record owns one copy of the input; fields point into it.
 *
 * record_encode() writes name=value pairs urlencoded and &-joined, the form
 * the store keeps a customer's data in (read back with base/form.h).
 */
#ifndef OCC_RECORD_H
#define OCC_RECORD_H

#include <stddef.h>

enum {
	REC_MAX_FIELDS = 64,
	REC_MAX_NAME = 63,       /* bytes, as a column's display name */
	REC_MAX_VALUE = 1024,
	REC_MAX_BYTES = 16384,   /* the whole context */
};

struct rec_field {
	const char *name;
	const char *value;
};

struct record {
	struct rec_field f[REC_MAX_FIELDS];
	size_t n;
	char buf[REC_MAX_BYTES + 1];
};

/* 0; EINVAL: empty record, NUL byte, a segment without `=`, an empty or
 * repeated name; E2BIG: more than REC_MAX_FIELDS fields, a name or value
 * too long, or more than REC_MAX_BYTES bytes. */
int record_parse(struct record *r, const char *s, size_t len);

struct mbuf;
/* Append `name=value` (percent-encoded; `&` first unless mb is empty). */
int record_encode(struct mbuf *mb, const char *name, const char *value);

#endif
