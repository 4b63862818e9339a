/*
 * http/router.h: router_match over a small table of our own (not
 * app_routes): literals, ":param" captures, HEAD via GET, 405 with the
 * Allow text, 404, and captures that do not fit the scratch buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/router.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void handler(struct app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	(void)resp;
}

enum {
	R_ROOT,
	R_HEALTH,
	R_SIGNUP_GET,
	R_SIGNUP_POST,
	R_ORDER,
	R_WEBHOOK,
	R_NONE = -1
};

static const struct route routes[] = {
	{"GET", "/", handler},			     /* R_ROOT */
	{"GET", "/health", handler},		     /* R_HEALTH */
	{"GET", "/a/:shop/signup", handler},	     /* R_SIGNUP_GET */
	{"POST", "/a/:shop/signup", handler},	     /* R_SIGNUP_POST */
	{"GET", "/shops/:shop/orders/:id", handler}, /* R_ORDER */
	{"POST", "/webhooks/shopify", handler},	     /* R_WEBHOOK */
	{NULL, NULL, NULL},
};

static struct match_case {
	const char *name;
	const char *method, *path;
	size_t scratch_len; /* 0: the full scratch buffer */
	enum route_result result;
	int route; /* on ROUTE_FOUND */
	int nparams;
	const char *p0, *p1;
	const char *allow; /* on ROUTE_BAD_METHOD */
} match_cases[] = {
	{"root", "GET", "/", 0, ROUTE_FOUND, R_ROOT, 0, NULL, NULL, NULL},
	{"literal", "GET", "/health", 0, ROUTE_FOUND, R_HEALTH, 0, NULL, NULL,
	 NULL},
	{"one param GET", "GET", "/a/sally/signup", 0, ROUTE_FOUND,
	 R_SIGNUP_GET, 1, "sally", NULL, NULL},
	{"one param POST", "POST", "/a/sally/signup", 0, ROUTE_FOUND,
	 R_SIGNUP_POST, 1, "sally", NULL, NULL},
	{"two params", "GET", "/shops/sally.myshopify.com/orders/1042", 0,
	 ROUTE_FOUND, R_ORDER, 2, "sally.myshopify.com", "1042", NULL},
	{"HEAD served by GET", "HEAD", "/a/bob/signup", 0, ROUTE_FOUND,
	 R_SIGNUP_GET, 1, "bob", NULL, NULL},
	{"HEAD on a literal", "HEAD", "/health", 0, ROUTE_FOUND, R_HEALTH, 0,
	 NULL, NULL, NULL},
	{"wrong method, two allowed", "DELETE", "/a/sally/signup", 0,
	 ROUTE_BAD_METHOD, R_NONE, 0, NULL, NULL, "GET, POST"},
	{"wrong method, one allowed", "GET", "/webhooks/shopify", 0,
	 ROUTE_BAD_METHOD, R_NONE, 0, NULL, NULL, "POST"},
	{"HEAD on a POST-only route", "HEAD", "/webhooks/shopify", 0,
	 ROUTE_BAD_METHOD, R_NONE, 0, NULL, NULL, "POST"},
	{"POST on a GET literal", "POST", "/health", 0, ROUTE_BAD_METHOD,
	 R_NONE, 0, NULL, NULL, "GET"},
	{"trailing slash on a literal", "GET", "/health/", 0, ROUTE_NOT_FOUND,
	 R_NONE, 0, NULL, NULL, NULL},
	{"trailing slash after a param", "GET", "/a/sally/signup/", 0,
	 ROUTE_NOT_FOUND, R_NONE, 0, NULL, NULL, NULL},
	{"empty segment not captured", "GET", "/a//signup", 0, ROUTE_NOT_FOUND,
	 R_NONE, 0, NULL, NULL, NULL},
	{"empty second segment", "GET", "/shops/s/orders/", 0, ROUTE_NOT_FOUND,
	 R_NONE, 0, NULL, NULL, NULL},
	{"unknown path", "GET", "/nope", 0, ROUTE_NOT_FOUND, R_NONE, 0, NULL,
	 NULL, NULL},
	{"literal with extra characters", "GET", "/healthz", 0, ROUTE_NOT_FOUND,
	 R_NONE, 0, NULL, NULL, NULL},
	{"literal prefix only", "GET", "/healt", 0, ROUTE_NOT_FOUND, R_NONE, 0,
	 NULL, NULL, NULL},
	{"missing last segment", "GET", "/a/sally", 0, ROUTE_NOT_FOUND, R_NONE,
	 0, NULL, NULL, NULL},
	{"extra segment", "GET", "/a/sally/signup/x", 0, ROUTE_NOT_FOUND,
	 R_NONE, 0, NULL, NULL, NULL},
	{"double slash", "GET", "//health", 0, ROUTE_NOT_FOUND, R_NONE, 0, NULL,
	 NULL, NULL},
	{"empty path", "GET", "", 0, ROUTE_NOT_FOUND, R_NONE, 0, NULL, NULL,
	 NULL},
	{"no leading slash", "GET", "health", 0, ROUTE_NOT_FOUND, R_NONE, 0,
	 NULL, NULL, NULL},
	/* 15 characters and the NUL fill a 16-byte scratch exactly. */
	{"param fills the scratch", "GET", "/a/abcdefghijklmno/signup", 16,
	 ROUTE_FOUND, R_SIGNUP_GET, 1, "abcdefghijklmno", NULL, NULL},
	{"param overlong for the scratch", "GET", "/a/abcdefghijklmnop/signup",
	 16, ROUTE_NOT_FOUND, R_NONE, 0, NULL, NULL, NULL},
	{"two params overlong together", "GET",
	 "/shops/abcdefgh/orders/1234567", 16, ROUTE_NOT_FOUND, R_NONE, 0, NULL,
	 NULL, NULL},
	{"overlong param with another method", "DELETE",
	 "/a/abcdefghijklmnop/signup", 16, ROUTE_NOT_FOUND, R_NONE, 0, NULL,
	 NULL, NULL},
};

static void test_match(void **state)
{
	const struct match_case *c = *state;
	char scratch[256];
	const struct route *out = NULL;
	struct request req;
	struct buf allow;
	enum route_result r;

	memset(&req, 0, sizeof(req));
	memset(scratch, 0x55, sizeof(scratch));
	req.method = c->method;
	req.path = c->path;
	buf_init(&allow, BUF_SMALL);
	r = router_match(routes, &req, scratch,
			 c->scratch_len ? c->scratch_len : sizeof(scratch),
			 &out, &allow);
	assert_int_equal(r, c->result);
	if (r == ROUTE_FOUND) {
		assert_ptr_equal(out, &routes[c->route]);
		assert_string_equal(req.route, routes[c->route].pattern);
		assert_int_equal(req.nparams, c->nparams);
		if (c->nparams > 0)
			assert_string_equal(req.params[0], c->p0);
		if (c->nparams > 1)
			assert_string_equal(req.params[1], c->p1);
		/* Captures live in the scratch buffer, within its length. */
		if (c->nparams > 0) {
			assert_true(req.params[0] >= scratch);
			assert_true(req.params[c->nparams - 1] +
					    strlen(req.params[c->nparams - 1]) <
				    scratch + (c->scratch_len
						       ? c->scratch_len
						       : sizeof(scratch)));
		}
	} else {
		assert_null(out);
		assert_int_equal(req.nparams, 0);
	}
	if (r == ROUTE_BAD_METHOD)
		assert_string_equal(buf_str(&allow), c->allow);
	buf_release(&allow);
}

/* A route table with only the terminator matches nothing. */
static void test_empty_table(void **state)
{
	static const struct route none[] = {{NULL, NULL, NULL}};
	const struct route *out = NULL;
	struct request req;
	struct buf allow;
	char scratch[32];

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/";
	buf_init(&allow, BUF_SMALL);
	assert_int_equal(router_match(none, &req, scratch, sizeof(scratch),
				      &out, &allow),
			 ROUTE_NOT_FOUND);
	assert_null(out);
	buf_release(&allow);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(match_cases); i++)
		add_case(test_match, &match_cases[i], "%s: %s %s",
			 match_cases[i].name, match_cases[i].method,
			 match_cases[i].path);
	add_case(test_empty_table, NULL, "empty table");
	return _cmocka_run_group_tests("router", cases, ncases, NULL, NULL);
}
