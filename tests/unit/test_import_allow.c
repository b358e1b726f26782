/*
 * test_import_allow.c — the SSRF allow-list of file imports
 * (import_allow_check in src/import/fetch.c): scheme, host, port and path
 * prefix must match an entry; bad URLs and tricks are refused without a
 * connection (these tests make none).
 */
#include <errno.h>
#include "unit.h"
#include "import/fetch.h"

static int check(const char *allow, const char *url)
{
	char why[256];

	return (int)import_allow_check(allow, url, why, sizeof(why));
}

UNIT_TEST(import_allow_matches_scheme_host_port_path)
{
	const char *a = "http://files.example.com/exports/ , "
			"ftp://10.0.0.5:2121/crm https://Data.Example.com";

	UT_EQ_INT(check(a, "http://files.example.com/exports/a.csv"), IMPORT_OK);
	UT_EQ_INT(check(a, "http://FILES.example.com:80/exports/x/y.csv"),
		  IMPORT_OK);
	UT_EQ_INT(check(a, "http://files.example.com/exports"), IMPORT_OK);
	UT_EQ_INT(check(a, "http://files.example.com/exports2.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "http://files.example.com/other/a.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "https://files.example.com/exports/a.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "http://files.example.com:8080/exports/a.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "ftp://10.0.0.5:2121/crm/list.csv"), IMPORT_OK);
	UT_EQ_INT(check(a, "ftp://10.0.0.5/crm/list.csv"), IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "https://data.example.com/any/where.csv?x=1"),
		  IMPORT_OK);
	UT_EQ_INT(check(a, "https://data.example.com.evil.net/a.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "https://evil.net/?https://data.example.com/"),
		  IMPORT_E_DENIED);
	/* userinfo does not change the host */
	UT_EQ_INT(check(a, "https://data.example.com@evil.net/a.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "https://u:p@data.example.com/a.csv"), IMPORT_OK);
}

UNIT_TEST(import_allow_refuses_tricks)
{
	const char *a = "http://127.0.0.1:8000/pub/";
	char why[256];

	/* empty list: everything refused */
	UT_EQ_INT(check("", "http://127.0.0.1:8000/pub/a.csv"), IMPORT_E_DENIED);
	UT_EQ_INT(import_allow_check(NULL, "http://127.0.0.1:8000/pub/a.csv",
				     why, sizeof(why)), IMPORT_E_DENIED);
	UT_ASSERT(strstr(why, "http://127.0.0.1:8000 is not in [import] allow"));
	/* dot segments are resolved before the check */
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/../secret.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/./x/../a.csv"), IMPORT_OK);
	/* encoded ones and backslashes are refused */
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/%2e%2e/secret.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/..%2Fsecret.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/..%5csecret.csv"),
		  IMPORT_E_DENIED);
	/* other schemes, relative and broken URLs */
	UT_EQ_INT(check("file:///etc/ http://127.0.0.1:8000/pub/",
			"file:///etc/passwd"), IMPORT_E_URL);
	UT_EQ_INT(check(a, "gopher://127.0.0.1:8000/pub/a"), IMPORT_E_URL);
	UT_EQ_INT(check(a, "dict://127.0.0.1:8000/pub/a"), IMPORT_E_URL);
	UT_EQ_INT(check(a, "/pub/a.csv"), IMPORT_E_URL);
	UT_EQ_INT(check(a, ""), IMPORT_E_URL);
	UT_EQ_INT(check(a, "http://"), IMPORT_E_URL);
	UT_EQ_INT(check(a, "http://127.0.0.1:8000/pub/a b.csv"), IMPORT_E_URL);
	/* the same address written otherwise is another host (no DNS) */
	UT_EQ_INT(check(a, "http://localhost:8000/pub/a.csv"), IMPORT_E_DENIED);
}

UNIT_TEST(import_allow_valid_entries)
{
	char why[256] = "";

	UT_EQ_INT(import_allow_valid("", why, sizeof(why)), 0);
	UT_EQ_INT(import_allow_valid("http://a/ https://b:8443/x,ftp://c",
				     why, sizeof(why)), 0);
	UT_EQ_INT(import_allow_valid("http://a/ file:///etc", why,
				     sizeof(why)), EINVAL);
	UT_ASSERT(strstr(why, "file:///etc"));
	UT_EQ_INT(import_allow_valid("files.example.com", why, sizeof(why)),
		  EINVAL);
	/* not taken as relative to the entry before it */
	UT_EQ_INT(import_allow_valid("http://a/ b/x", why, sizeof(why)),
		  EINVAL);
	UT_EQ_INT(import_allow_valid("http://a/ /x", why, sizeof(why)),
		  EINVAL);
	UT_EQ_INT(check("http://a/pub/ /priv", "http://a/priv/x.csv"),
		  IMPORT_E_DENIED);
	UT_EQ_INT(import_allow_valid("http://a/?q=1", why, sizeof(why)),
		  EINVAL);
	UT_EQ_INT(import_allow_valid("http://u:p@a/", why, sizeof(why)),
		  EINVAL);
	/* the BackMsg codes the import operation answers */
	UT_EQ_INT(import_err_backmsg(IMPORT_E_DENIED), 89);
	UT_EQ_INT(import_err_backmsg(IMPORT_E_NOTFOUND), 404);
	UT_EQ_INT(import_err_backmsg(IMPORT_E_CSV), 86);
	UT_EQ_INT(import_err_backmsg(IMPORT_OK), 0);
}
