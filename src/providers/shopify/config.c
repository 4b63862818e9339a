/*
 * The [shopify] section of the configuration: its keys, the neutral
 * role each plays, and the one value that ages, the Admin API version,
 * which Shopify serves for 12 months (PLATFORMS.md, section 1g).
 */
#include "providers/shopify/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const struct provider_key shopify_keys[SHOPIFY_KEY__COUNT] = {
	/* SHOPIFY_KEY_API_KEY */
	{{"shopify", "api_key", CONFIG_STRING, "", 0, 0, false,
	  "the app's client id from the Partner Dashboard"},
	 PLATFORM_CLIENT_ID},
	/* SHOPIFY_KEY_API_SECRET */
	{{"shopify", "api_secret", CONFIG_STRING, "", 0, 0, true,
	  "the app's client secret; empty: no installs, only custom apps"},
	 PLATFORM_CLIENT_SECRET},
	/* SHOPIFY_KEY_SCOPES */
	{{"shopify", "scopes", CONFIG_STRING,
	  "read_orders,read_discounts,write_discounts,read_gift_cards,"
	  "write_gift_cards",
	  0, 0, false, "access scopes asked for at install"},
	 PLATFORM_SCOPES},
	/* SHOPIFY_KEY_API_VERSION */
	{{"shopify", "api_version", CONFIG_STRING, "2026-10", 0, 0, false,
	  "Admin API version used for every call; Shopify supports each for "
	  "12 months"},
	 PLATFORM_API_VERSION},
	/* SHOPIFY_KEY_BASE_URL: the shop serves both the API and OAuth */
	{{"shopify", "base_url", CONFIG_STRING, "https://{shop}", 0, 0, false,
	  "shop base URL; {shop} is the myshopify domain (tests: a "
	  "simulator)"},
	 PLATFORM_API_BASE | PLATFORM_OAUTH_BASE},
	/* SHOPIFY_KEY_ADMIN_ORIGINS */
	{{"shopify", "admin_origins", CONFIG_ORIGINS, "", 0, 0, false,
	  "origins whose pages may show the app in a frame; empty: the app "
	  "opens at the top level, not embedded in the Shopify admin"},
	 PLATFORM_ADMIN_ORIGINS},
};

/* Months since year 0 of "YYYY-MM", or -1 when it is not that form. */
static int64_t shopify_version_months(const char *v)
{
	int64_t y = 0, m = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		y = y * 10 + (v[i] - '0');
	}
	if (v[4] != '-' || v[5] < '0' || v[5] > '1' || v[6] < '0' ||
	    v[6] > '9' || v[7] != '\0')
		return -1;
	m = (v[5] - '0') * 10 + (v[6] - '0');
	if (m < 1 || m > 12)
		return -1;
	return y * 12 + m - 1;
}

int shopify_config_warnings(const char *const *values, int64_t now,
			    struct buf *out)
{
	const char *v = values[SHOPIFY_KEY_API_VERSION];
	time_t t = (time_t)now;
	struct tm tm;
	int64_t today, months;

	/* "unstable" is Shopify's preview: it never ages, it just moves. */
	if (!gmtime_r(&t, &tm) || strcmp(v, "unstable") == 0)
		return 0;
	today = (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
	months = shopify_version_months(v);
	if (months < 0)
		return buf_printf(out,
				  "[shopify] api_version = %s is not a "
				  "YYYY-MM version\n",
				  v) < 0
			       ? -1
			       : 1;
	if (today - months <= 12)
		return 0;
	return buf_printf(out,
			  "[shopify] api_version = %s is %lld months old; a "
			  "version is supported for 12 months, after which "
			  "the platform serves another: set it to %s\n",
			  v, (long long)(today - months),
			  shopify_keys[SHOPIFY_KEY_API_VERSION].def.def) < 0
		       ? -1
		       : 1;
}
