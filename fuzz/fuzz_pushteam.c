/*
 * fuzz_pushteam.c — libFuzzer target for push_request_team()
 * (src/events/push.c): the team a push subscription names, read by a node
 * that does not serve it to pass the request on (src/api/forward.c).
 *
 * Input: the request path, '\n', the raw query string. Checked: only the
 * push paths name a team; a team found is by name (a NUL-terminated
 * string that fits, team_id 0) or by id (team empty, id > 0), never
 * both; the answer is the same when asked twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "api/httpd.h"
#include "events/push.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_pushteam: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { IN_MAX = 8192 };

static int starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[IN_MAX + 1];
	char team[64], team2[64];
	int64_t id = -1, id2 = -1;
	struct http_req req;
	char *nl;
	bool found;

	if (size > IN_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = buf;
	req.query = nl ? nl + 1 : "";
	memset(team, 'x', sizeof(team));
	found = push_request_team(&req, team, sizeof(team), &id);
	CHECK(memchr(team, '\0', sizeof(team)) != NULL);
	if (!found) {
		CHECK(id >= 0);
	}
	else {
		CHECK(!strcmp(buf, "/push/sse") || !strcmp(buf, "/push/poll") ||
		      !strcmp(buf, "/push/auth") ||
		      starts(buf, "/agentindesks/agentpull/") ||
		      starts(buf, "/publicapi/agentpull/") ||
		      starts(buf, "/systemevents/agentpull/"));
		CHECK((team[0] != '\0') != (id > 0));
		CHECK(team[0] ? id == 0 : id > 0);
	}
	CHECK(push_request_team(&req, team2, sizeof(team2), &id2) == found);
	CHECK(id2 == id);
	if (found)
		CHECK(!strcmp(team, team2));
	return 0;
}
