/*
 * Expiring API tokens (Shopify's offline tokens from 2027): a shop's
 * token is refreshed a little before it expires and once when the
 * platform refuses it. Each refresh rotates the refresh token, and the
 * old one dies once the new one is used, so exactly one refresh per shop
 * runs at a time, across threads and processes (a lease on the shop's
 * row); the others wait for its result and take the token it stored.
 */
#ifndef AFFILIATED_TOKEN_REFRESH_H
#define AFFILIATED_TOKEN_REFRESH_H

#include "providers/provider.h"
#include "shop_access.h"

/*
 * The env for API calls about the shop (h must stay open while it is
 * used): its token is refreshed through st when it is about to expire
 * or is refused (below).
 */
void shop_handle_env(struct shop_handle *h, struct store *st,
		     struct http_client *http, struct provider_env *env);

/* When to refresh a token that lasts expires_in seconds from now. */
int64_t token_refresh_at(int64_t now, int64_t expires_in);

/*
 * Makes h's token fresh: PROVIDER_OK (h->ps.token is the new one),
 * PROVIDER_RETRY (a failure that may pass: try later) or
 * PROVIDER_UNAUTHORIZED (cannot be refreshed, or the platform refused
 * the refresh for good: the shop is marked reauth_needed). forced: the
 * platform refused the token h holds, so it must change even if its
 * expiry is still far.
 */
enum provider_status token_refresh(struct shop_handle *h, bool forced,
				   struct buf *err);

/*
 * Exchanges the tokens that do not expire of every active shop installed
 * through the app for expiring pairs (the platform refuses the old kind
 * from 2027). Shops added by hand keep theirs. Logs what it cannot do.
 */
void token_migrate_all(struct store *st, const struct platform_set *set,
		       struct http_client *http);

#endif
