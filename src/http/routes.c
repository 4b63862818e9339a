/*
 * Every path the daemon serves: one table per area, each in the file of
 * its pages. Order matters only between tables that share a path.
 */
#include "http/ops.h"
#include "http/router.h"

#include <stddef.h>

const struct route ops_routes[] = {
	{"GET", "/healthz", page_healthz},
	{"GET", "/metrics", page_metrics},
	{NULL, NULL, NULL},
};

const struct route *const app_route_tables[] = {
	ops_routes,
	platform_routes,
	page_routes,
	NULL,
};
