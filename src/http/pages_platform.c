/* Paths the platforms and their installs use: webhooks, OAuth, snippets. */
#include "http/router.h"

#include <stddef.h>

const struct route platform_routes[] = {
	{NULL, NULL, NULL},
};
