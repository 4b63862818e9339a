#include "platform.h"
#include "util/buf.h"

#include <string.h>

/* Which config keys of a section play which neutral role. */
static const struct platform_keys {
	const char *name;
	enum config_key client_id, client_secret, scopes, api_base, oauth_base,
		admin_origins;
	int api_version;  /* enum config_key, or -1 */
	int admin_script; /* enum config_key, or -1 */
} keys[] = {
	{"shopify", CFG_SHOPIFY_API_KEY, CFG_SHOPIFY_API_SECRET,
	 CFG_SHOPIFY_SCOPES, CFG_SHOPIFY_BASE_URL, CFG_SHOPIFY_BASE_URL,
	 CFG_SHOPIFY_ADMIN_ORIGINS, CFG_SHOPIFY_API_VERSION, -1},
	{"ecwid", CFG_ECWID_CLIENT_ID, CFG_ECWID_CLIENT_SECRET,
	 CFG_ECWID_SCOPES, CFG_ECWID_API_BASE, CFG_ECWID_OAUTH_BASE,
	 CFG_ECWID_ADMIN_ORIGINS, -1, CFG_ECWID_SDK_URL},
};

/* A key only some sections have: "" where there is none (-1). */
static const char *optional(const struct config *cfg, int key)
{
	return key >= 0 ? config_get(cfg, (enum config_key)key) : "";
}

void platforms_load(struct platform_set *set, const struct config *cfg)
{
	const struct provider *pv;
	size_t i, k;

	memset(set, 0, sizeof(*set));
	for (i = 0; (pv = provider_at(i)) && set->n < PLATFORMS_MAX; i++) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(keys[k].name, provider_name(pv)) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			continue;
		struct platform *p = &set->items[set->n++];

		p->provider = pv;
		p->cfg.name = provider_name(pv);
		p->cfg.client_id = config_get(cfg, keys[k].client_id);
		p->cfg.client_secret = config_get(cfg, keys[k].client_secret);
		p->cfg.scopes = config_get(cfg, keys[k].scopes);
		p->cfg.api_base = config_get(cfg, keys[k].api_base);
		p->cfg.oauth_base = config_get(cfg, keys[k].oauth_base);
		p->cfg.api_version = optional(cfg, keys[k].api_version);
		p->cfg.public_url = config_get(cfg, CFG_SERVER_PUBLIC_URL);
		p->cfg.admin_script_url = optional(cfg, keys[k].admin_script);
		p->has_app = p->cfg.client_secret[0] != '\0';
		p->admin_origins = config_get(cfg, keys[k].admin_origins);
	}
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
