/*
 * Install states (single-use OAuth nonces), privacy requests and the
 * reconciliation bookmark of each shop.
 */
#ifndef AFFILIATED_STORE_PLATFORM_H
#define AFFILIATED_STORE_PLATFORM_H

#include "store/store.h"

int store_state_put(struct store_tx *tx, const char *state,
		    const char *platform, const char *shop, int64_t expires_at,
		    struct buf *err);
/*
 * Takes a state once: 1 when it existed, was unexpired and for platform
 * (shop gets the shop it was issued for), 0 otherwise. Always deletes it.
 */
int store_state_take(struct store_tx *tx, const char *state,
		     const char *platform, int64_t now, char shop[256],
		     struct buf *err);

int store_privacy_add(struct store_tx *tx, int64_t shop_id, const char *kind,
		      const char *customer_id, const char *email,
		      const char *export_json, struct buf *err);
/* Erases a customer's personal data from orders of a shop; *n orders. */
int store_privacy_redact_customer(struct store_tx *tx, int64_t shop_id,
				  const char *customer_id, const char *email,
				  int64_t *n, struct buf *err);
/* Erases the personal data of a whole shop (orders, affiliates, clicks). */
int store_privacy_redact_shop(struct store_tx *tx, int64_t shop_id,
			      struct buf *err);
/* The orders of one customer as a JSON array into out (data requests). */
int store_privacy_export(struct store_tx *tx, int64_t shop_id,
			 const char *customer_id, const char *email,
			 struct buf *out, struct buf *err);
/* Privacy requests of all shops, newest first. */
int store_privacy_each(struct store_tx *tx,
		       int (*fn)(void *ctx, int64_t id, int64_t shop_id,
				 const char *kind, const char *customer_id,
				 const char *email, const char *export_json,
				 int64_t created_at),
		       void *ctx, struct buf *err);

/* When reconciliation last saw an order of the shop (0: never). */
int store_sync_get(struct store_tx *tx, int64_t shop_id, int64_t *last_order,
		   int64_t *last_run, struct buf *err);
int store_sync_put(struct store_tx *tx, int64_t shop_id, int64_t last_order,
		   int64_t last_run, const char *error, struct buf *err);

#endif
