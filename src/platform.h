/*
 * The platforms this daemon serves: each provider of the registry whose
 * configuration section has a secret, with its config in neutral terms.
 */
#ifndef AFFILIATED_PLATFORM_H
#define AFFILIATED_PLATFORM_H

#include "config.h"
#include "providers/provider.h"

enum { PLATFORMS_MAX = 8 };

struct platform {
	const struct provider *provider;
	struct platform_config cfg; /* strings borrowed from struct config */
	bool enabled;		    /* the section has a client secret */
};

struct platform_set {
	struct platform items[PLATFORMS_MAX];
	int n;
};

/* Fills set from cfg for every provider of the registry. */
void platforms_load(struct platform_set *set, const struct config *cfg);
/* The enabled platform named name, or NULL (unknown or turned off). */
const struct platform *platforms_find(const struct platform_set *set,
				      const char *name);

#endif
