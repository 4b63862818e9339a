/* Paths of the merchant's and the affiliate's pages. */
#include "http/router.h"

#include <stddef.h>

const struct route page_routes[] = {
	{NULL, NULL, NULL},
};
