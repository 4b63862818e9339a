/*
 * The [ecwid] section of the configuration: its keys and the neutral
 * role each plays. Nothing in it ages: the REST API is v3, unversioned
 * by date.
 */
#include "providers/ecwid/internal.h"

const struct provider_key ecwid_keys[ECWID_KEY__COUNT] = {
	/* ECWID_KEY_CLIENT_ID */
	{{"ecwid", "client_id", CONFIG_STRING, "", 0, 0, false,
	  "the app's client id"},
	 PLATFORM_CLIENT_ID},
	/* ECWID_KEY_CLIENT_SECRET */
	{{"ecwid", "client_secret", CONFIG_STRING, "", 0, 0, true,
	  "the app's client secret; empty: no installs, no webhooks"},
	 PLATFORM_CLIENT_SECRET},
	/* ECWID_KEY_SCOPES */
	{{"ecwid", "scopes", CONFIG_STRING,
	  "read_orders read_discount_coupons create_discount_coupons "
	  "update_discount_coupons read_store_profile customize_storefront",
	  0, 0, false, "access scopes asked for at install (space-separated)"},
	 PLATFORM_SCOPES},
	/* ECWID_KEY_API_BASE */
	{{"ecwid", "api_base", CONFIG_URL, "https://app.ecwid.com/api/v3", 0, 0,
	  false, "REST API base URL (tests: a simulator)"},
	 PLATFORM_API_BASE},
	/* ECWID_KEY_OAUTH_BASE */
	{{"ecwid", "oauth_base", CONFIG_URL, "https://my.ecwid.com/api/oauth",
	  0, 0, false, "OAuth base URL (tests: a simulator)"},
	 PLATFORM_OAUTH_BASE},
	/* ECWID_KEY_ADMIN_ORIGINS */
	{{"ecwid", "admin_origins", CONFIG_ORIGINS,
	  "https://my.ecwid.com https://my.shopsettings.com", 0, 0, false,
	  "origins whose pages may show the app in a frame (the Control "
	  "Panel)"},
	 PLATFORM_ADMIN_ORIGINS},
	/* ECWID_KEY_SDK_URL: Control Panel pages are shown once it says so */
	{{"ecwid", "sdk_url", CONFIG_SCRIPT,
	  "https://djqizrxa6f10j.cloudfront.net/ecwid-sdk/js/1.3.0/"
	  "ecwid-app.js",
	  0, 0, false,
	  "Ecwid's JS SDK: pages in the Control Panel load it to be shown"},
	 PLATFORM_ADMIN_SCRIPT},
};
