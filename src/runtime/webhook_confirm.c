/*
 * Why a describe_shop call is the confirmation: it is the cheapest call
 * every platform answers with its invalid-token error
 * (PROVIDER_UNAUTHORIZED) once the app is gone, and with the shop when
 * it is not. customers/redact needs none: its signed body names its own
 * shop and customer (checked against the headers by the provider), so a
 * replay can only redo that same redaction.
 */
#include "runtime/webhook_confirm.h"
#include "shop_access.h"
#include "token_refresh.h"
#include "util/clock.h"

#include <stdbool.h>

/* Under Shopify's 5 s answer limit, with room for our own work. */
#define CONFIRM_TIMEOUT_MS 3000

/*
 * With the token keeper: an access token that merely expired is
 * refreshed and the call made again, so only a token the platform
 * refuses for good (and its refresh, when it has one) confirms.
 */
static int ask_platform(struct shop_handle *h, struct store *st,
			struct buf *err)
{
	struct http_client *http = http_client_new(CONFIRM_TIMEOUT_MS);
	struct provider_env env;
	struct shop_info info;
	struct buf why;
	enum provider_status ps;
	int rc;

	shop_handle_env(h, st, http, &env);
	buf_init(&why, BUF_SMALL);
	ps = provider_describe_shop(h->platform->provider, &env, &info, &why);
	if (ps == PROVIDER_UNAUTHORIZED)
		rc = 1;
	else if (ps == PROVIDER_OK) {
		errorf(err, "the shop's token still works: the app is "
			    "installed");
		rc = 0;
	} else
		rc = errorf(err, "the platform could not confirm (%s): %s",
			    provider_status_str(ps), buf_str(&why));
	buf_release(&why);
	http_client_free(http);
	return rc;
}

int webhook_confirm(struct app *app, int64_t shop_id, enum webhook_kind kind,
		    struct buf *err)
{
	struct shop_handle h;
	int rc;

	if (kind != WEBHOOK_UNINSTALLED && kind != WEBHOOK_SHOP_REDACT)
		return 1;
	rc = shop_handle_load(app->store, &app->platforms, shop_id, &h, err);
	if (rc < 0)
		return -1;
	/*
	 * No token: only a confirmed uninstall erases it (or the shop never
	 * had one), and there is nothing left to ask the platform with.
	 */
	if (!h.ps.token)
		rc = 1;
	else if (!h.platform)
		rc = errorf(err, "platform '%s' is turned off",
			    h.shop.platform);
	else
		rc = ask_platform(&h, app->store, err);
	shop_handle_release(&h);
	return rc;
}
