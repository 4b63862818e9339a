#include "platform.h"
#include "util/buf.h"

#include <string.h>

/* The fields of struct platform_config a role fills. */
static void take_value(struct platform *p, unsigned roles, const char *v)
{
	if (roles & PLATFORM_CLIENT_ID)
		p->cfg.client_id = v;
	if (roles & PLATFORM_CLIENT_SECRET)
		p->cfg.client_secret = v;
	if (roles & PLATFORM_SCOPES)
		p->cfg.scopes = v;
	if (roles & PLATFORM_API_BASE)
		p->cfg.api_base = v;
	if (roles & PLATFORM_OAUTH_BASE)
		p->cfg.oauth_base = v;
	if (roles & PLATFORM_API_VERSION)
		p->cfg.api_version = v;
	if (roles & PLATFORM_ADMIN_SCRIPT)
		p->cfg.admin_script_url = v;
	if (roles & PLATFORM_ADMIN_ORIGINS)
		p->admin_origins = v;
}

/* A platform from its provider's own section of cfg. */
static void platform_load(struct platform *p, const struct provider *pv,
			  const struct config *cfg)
{
	const struct provider_key *keys;
	size_t i, n;

	keys = provider_keys(pv, &n);
	p->provider = pv;
	p->cfg.name = provider_name(pv);
	/* A role no key plays reads as empty, like an unset key. */
	p->cfg.client_id = p->cfg.client_secret = p->cfg.scopes = "";
	p->cfg.api_base = p->cfg.oauth_base = p->cfg.api_version = "";
	p->cfg.admin_script_url = p->admin_origins = "";
	p->cfg.public_url = config_get(cfg, CFG_SERVER_PUBLIC_URL);
	for (i = 0; i < n; i++) {
		const char *v = config_lookup(cfg, keys[i].def.section,
					      keys[i].def.name);

		if (v)
			take_value(p, keys[i].roles, v);
	}
	p->has_app = p->cfg.client_secret[0] != '\0';
}

void platforms_load(struct platform_set *set, const struct config *cfg)
{
	const struct provider *pv;
	size_t i;

	memset(set, 0, sizeof(*set));
	for (i = 0; (pv = provider_at(i)) && set->n < PLATFORMS_MAX; i++)
		platform_load(&set->items[set->n++], pv, cfg);
}

const struct platform *platforms_find(const struct platform_set *set,
				      const char *name)
{
	int i;

	for (i = 0; name && i < set->n; i++)
		if (strcmp(provider_name(set->items[i].provider), name) == 0)
			return &set->items[i];
	return NULL;
}

const struct platform *platforms_find_app(const struct platform_set *set,
					  const char *name, struct buf *err)
{
	const struct platform *p = platforms_find(set, name);

	if (!p) {
		errorf(err, "no platform '%s'", name ? name : "");
		return NULL;
	}
	if (!p->has_app) {
		errorf(err,
		       "platform '%s' has no app: the [%s] section of the "
		       "configuration has no client secret",
		       name, name);
		return NULL;
	}
	return p;
}

int platforms_frame_ancestors(const struct platform_set *set, struct buf *out)
{
	int i;

	if (buf_puts(out, "'self'") < 0)
		return -1;
	for (i = 0; i < set->n; i++)
		if (set->items[i].admin_origins[0] &&
		    buf_printf(out, " %s", set->items[i].admin_origins) < 0)
			return -1;
	return 0;
}

int platforms_script_sources(const struct platform_set *set, struct buf *out)
{
	int i;

	if (buf_puts(out, "'self'") < 0)
		return -1;
	for (i = 0; i < set->n; i++)
		if (set->items[i].has_app &&
		    set->items[i].cfg.admin_script_url[0] &&
		    buf_printf(out, " %s", set->items[i].cfg.admin_script_url) <
			    0)
			return -1;
	return 0;
}
