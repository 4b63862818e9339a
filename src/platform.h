/*
 * The platforms this daemon serves: each provider of the registry, with
 * its config in neutral terms. A platform whose section has no app
 * credentials still serves the shops added by hand (custom apps, which
 * sign webhooks with their own secret); only installs need the app.
 */
#ifndef AFFILIATED_PLATFORM_H
#define AFFILIATED_PLATFORM_H

#include "config.h"
#include "providers/provider.h"

enum { PLATFORMS_MAX = 8 };

struct platform {
	const struct provider *provider;
	struct platform_config cfg; /* strings borrowed from struct config */
	bool has_app; /* the section has the app's client secret */
	/* origins whose pages may frame the app: the platform's admin */
	const char *admin_origins;
};

struct platform_set {
	struct platform items[PLATFORMS_MAX];
	int n;
};

/* Fills set from cfg for every provider of the registry. */
void platforms_load(struct platform_set *set, const struct config *cfg);
/* The platform named name, or NULL when no provider has that name. */
const struct platform *platforms_find(const struct platform_set *set,
				      const char *name);
/*
 * The platform named name when it has an app (a client secret), for
 * installs and the app's admin pages; NULL otherwise, with why in err.
 */
const struct platform *platforms_find_app(const struct platform_set *set,
					  const char *name, struct buf *err);

/*
 * A CSP frame-ancestors source list: 'self' and every platform's admin
 * origins (config validated them), space-separated, into out.
 */
int platforms_frame_ancestors(const struct platform_set *set, struct buf *out);
/*
 * A CSP script-src source list: 'self' and the scripts of the platforms'
 * admins that merchant pages in their frames load (config validated them).
 */
int platforms_script_sources(const struct platform_set *set, struct buf *out);

#endif
