/*
 * Routes: method + path pattern -> handler. A pattern is literal segments
 * and ":name" segments that capture one non-empty path segment each, e.g.
 * "/a/:shop/signup". HEAD is served by the GET route. A path that matches
 * some route with another method gets 405 and an Allow header; no match
 * at all gets 404.
 */
#ifndef AFFILIATED_ROUTER_H
#define AFFILIATED_ROUTER_H

#include "http/request.h"

struct app;

typedef void route_handler(struct app *app, struct request *req,
			   struct response *resp);

struct route {
	const char *method;
	const char *pattern;
	route_handler *handler;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/*
 * Matches req->method and req->path against routes (NULL-pattern
 * terminated). On ROUTE_FOUND sets req->route and req->params (pointing
 * into scratch, which must outlive the request) and *out. On
 * ROUTE_BAD_METHOD writes the allowed methods into allow.
 */
enum route_result router_match(const struct route *routes, struct request *req,
			       char *scratch, size_t scratch_len,
			       const struct route **out, struct buf *allow);

/*
 * The application's routes: a NULL-terminated list of tables, one per
 * area (routes.c), each table ending with a NULL pattern.
 */
extern const struct route *const app_route_tables[];
extern const struct route ops_routes[], platform_routes[], page_routes[];

/* router_match over every table of a list. */
enum route_result router_match_all(const struct route *const *tables,
				   struct request *req, char *scratch,
				   size_t scratch_len, const struct route **out,
				   struct buf *allow);

#endif
