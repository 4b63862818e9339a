/*
 * One HTTP exchange as handlers see it: the request (method, path, route
 * parameters, headers, query, cookies, body) and the response they fill
 * in. The libmicrohttpd connection stays hidden behind these functions.
 */
#ifndef AFFILIATED_REQUEST_H
#define AFFILIATED_REQUEST_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum { ROUTE_PARAMS_MAX = 4, RESPONSE_HEADERS_MAX = 16 };

struct MHD_Connection;

struct request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* without the query string */
	const char *route;  /* the matched pattern, for logs and metrics */
	char id[20];	    /* request id, also sent as X-Request-Id */
	const char *params[ROUTE_PARAMS_MAX]; /* ":name" segments, in order */
	int nparams;
	struct buf body; /* raw bytes as received, capped at max_body */
	char remote_ip[64];
	struct MHD_Connection *conn;
};

struct response {
	int status;
	const char *content_type; /* static string */
	struct buf body;
	char *header_names[RESPONSE_HEADERS_MAX]; /* owned */
	char *header_values[RESPONSE_HEADERS_MAX];
	int nheaders;
};

/* Header value or NULL; names are case-insensitive. */
const char *request_header(const struct request *req, const char *name);
/* Decoded query parameter or NULL. */
const char *request_query(const struct request *req, const char *name);
/* Cookie value or NULL. */
const char *request_cookie(const struct request *req, const char *name);
/*
 * Whether the browser says it loads the answer into a frame (Fetch
 * Metadata: Sec-Fetch-Dest: iframe). Browsers without it say nothing.
 */
bool request_in_frame(const struct request *req);
/*
 * Calls fn for each query parameter in the order received, decoded
 * (value NULL for a bare key). Stops when fn returns non-zero.
 */
void request_query_each(const struct request *req,
			int (*fn)(void *ctx, const char *key,
				  const char *value),
			void *ctx);
/* The i-th route parameter ("" when absent). */
const char *request_param(const struct request *req, int i);

void response_init(struct response *resp);
void response_release(struct response *resp);
/* Adds a header (copied). Aborts past RESPONSE_HEADERS_MAX: a code bug. */
void response_header(struct response *resp, const char *name,
		     const char *value);
/* Replaces the body with text. */
void response_text(struct response *resp, int status, const char *ctype,
		   const char *text);
/* {"error": "<msg>"} with the given status. */
void response_error(struct response *resp, int status, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
void response_redirect(struct response *resp, int status, const char *location);

#endif
