/* Every path the daemon serves, in one table. */
#include "http/pages_ops.h"
#include "http/router.h"

#include <stddef.h>

const struct route app_routes[] = {
	{"GET", "/healthz", page_healthz},
	{"GET", "/metrics", page_metrics},
	{NULL, NULL, NULL},
};
