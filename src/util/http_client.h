/*
 * Outgoing HTTP for platform APIs: libcurl with timeouts, a body cap, and
 * the standard signals parsed from response headers (Retry-After, the
 * Link header's next page). A platform's own rate-limit signals are its
 * provider's to read, from the answer it gets back. One client per
 * thread: the easy handle keeps connections alive between calls.
 */
#ifndef AFFILIATED_HTTP_CLIENT_H
#define AFFILIATED_HTTP_CLIENT_H

#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

struct http_client;

struct http_call {
	const char *method; /* "GET", "POST", ... */
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;	    /* NULL: none */
	size_t len;
};

struct http_result {
	long status;		/* 0 when no response arrived */
	struct buf body;	/* capped; see http_result_init */
	int64_t retry_after_ms; /* from Retry-After; -1 absent */
	char next_url[1024];	/* Link: <...>; rel="next", "" */
	char error[256];	/* transport error text */
	uint64_t usec;		/* duration */
};

/* timeout_ms bounds each whole call, connect included. */
struct http_client *http_client_new(long timeout_ms);
void http_client_free(struct http_client *c);

void http_result_init(struct http_result *r);
void http_result_release(struct http_result *r);

/*
 * Performs the call. Returns 0 when a response arrived (any status) and
 * -1 when none did (refused, timed out, dropped, body over the cap), with
 * r->error saying which.
 */
int http_client_do(struct http_client *c, const struct http_call *call,
		   struct http_result *r);

/* Appends s percent-encoded (RFC 3986 unreserved kept). */
int url_encode(struct buf *out, const char *s) WARN_UNUSED_RESULT;

#endif
