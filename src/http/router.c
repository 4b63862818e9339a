#include "http/router.h"

#include <string.h>

/*
 * Compares one pattern with a path; captures go into scratch as
 * NUL-terminated copies. Returns the number of captures, or -1.
 */
static int pattern_match(const char *pattern, const char *path,
			 const char **params, char *scratch, size_t room)
{
	int n = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return -1;
		pattern++;
		path++;
		if (*pattern == ':') {
			size_t len = strcspn(path, "/");

			if (len == 0 || len + 1 > room || n == ROUTE_PARAMS_MAX)
				return -1;
			memcpy(scratch, path, len);
			scratch[len] = '\0';
			params[n++] = scratch;
			scratch += len + 1;
			room -= len + 1;
			pattern += strcspn(pattern, "/");
			path += len;
		} else {
			size_t plen = strcspn(pattern, "/");

			if (strncmp(pattern, path, plen) != 0 ||
			    (path[plen] != '/' && path[plen] != '\0'))
				return -1;
			pattern += plen;
			path += plen;
		}
	}
	return *pattern == '\0' && *path == '\0' ? n : -1;
}

static bool method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 &&
		strcmp(route_method, "GET") == 0);
}

enum route_result router_match(const struct route *routes, struct request *req,
			       char *scratch, size_t scratch_len,
			       const struct route **out, struct buf *allow)
{
	const char *params[ROUTE_PARAMS_MAX];
	const struct route *r;
	bool path_known = false;
	int n, i;

	for (r = routes; r->pattern; r++) {
		n = pattern_match(r->pattern, req->path, params, scratch,
				  scratch_len);
		if (n < 0)
			continue;
		if (!method_matches(r->method, req->method)) {
			if (buf_printf(allow, "%s%s", allow->len ? ", " : "",
				       r->method) < 0)
				buf_reset(allow);
			path_known = true;
			continue;
		}
		for (i = 0; i < n; i++)
			req->params[i] = params[i];
		req->nparams = n;
		req->route = r->pattern;
		*out = r;
		return ROUTE_FOUND;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

enum route_result router_match_all(const struct route *const *tables,
				   struct request *req, char *scratch,
				   size_t scratch_len, const struct route **out,
				   struct buf *allow)
{
	enum route_result best = ROUTE_NOT_FOUND, r;

	for (; *tables; tables++) {
		r = router_match(*tables, req, scratch, scratch_len, out,
				 allow);
		if (r == ROUTE_FOUND)
			return r;
		if (r == ROUTE_BAD_METHOD)
			best = r;
	}
	return best;
}
