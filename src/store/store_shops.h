/* Shops: one row per installed store, with its sealed API token. */
#ifndef AFFILIATED_STORE_SHOPS_H
#define AFFILIATED_STORE_SHOPS_H

#include "model.h"
#include "store/store.h"

/*
 * Adds a shop, or on reinstall (same platform and domain) replaces its
 * token, scopes and name and makes it active again. *id gets its id.
 */
int store_shop_put(struct store_tx *tx, const struct shop *s,
		   const char *sealed_token, int64_t *id, struct buf *err);
/* 1 found (out filled), 0 none, -1 error. */
int store_shop_find(struct store_tx *tx, const char *platform,
		    const char *domain, struct shop *out, struct buf *err);
int store_shop_get(struct store_tx *tx, int64_t id, struct shop *out,
		   struct buf *err);
/* The sealed token into out: 1 found, 0 none (uninstalled), -1 error. */
int store_shop_token(struct store_tx *tx, int64_t id, struct buf *out,
		     struct buf *err);
/* Sets the shop's sealed webhook secret; NULL: the app's secret again. */
int store_shop_set_webhook_secret(struct store_tx *tx, int64_t id,
				  const char *sealed, struct buf *err);
/*
 * Calls fn with platform, domain and sealed secret of each shop that has
 * a webhook secret of its own; stops early when fn returns non-zero.
 */
int store_shop_webhook_secrets(struct store_tx *tx,
			       int (*fn)(void *ctx, const char *platform,
					 const char *domain,
					 const char *sealed),
			       void *ctx, struct buf *err);
/* Forgets the token and marks the shop uninstalled. */
int store_shop_uninstall(struct store_tx *tx, int64_t id, struct buf *err);
int store_shop_set_currency(struct store_tx *tx, int64_t id,
			    const char *currency, struct buf *err);
/* Calls fn for each shop by id; stops early when fn returns non-zero. */
int store_shop_each(struct store_tx *tx,
		    int (*fn)(void *ctx, const struct shop *s), void *ctx,
		    struct buf *err);

#endif
