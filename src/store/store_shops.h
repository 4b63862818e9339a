/* Shops: one row per installed store, with its sealed API token. */
#ifndef AFFILIATED_STORE_SHOPS_H
#define AFFILIATED_STORE_SHOPS_H

#include "model/model.h"
#include "store/store.h"

/* A shop's API tokens, sealed. refresh NULL and expires_at 0: no expiry. */
struct shop_tokens {
	const char *access;
	const char *refresh;
	int64_t expires_at;	    /* the access token's, seconds */
	int64_t refresh_at;	    /* when to refresh it, a little before */
	int64_t refresh_expires_at; /* the refresh token's; 0 unknown */
};

/*
 * Adds a shop, or on reinstall (same platform and domain) replaces its
 * tokens, scopes and name and makes it active again (and no longer
 * waiting for the merchant to sign in again). *id gets its id.
 */
int store_shop_put(struct store_tx *tx, const struct shop *s,
		   const struct shop_tokens *tokens, int64_t *id,
		   struct buf *err);
/*
 * The tokens after a refresh, as one write: the refresh token rotates, so
 * the pair must never be stored half. Ends the refresh lease.
 */
int store_shop_set_tokens(struct store_tx *tx, int64_t id,
			  const struct shop_tokens *tokens, struct buf *err);
/* Where a shop's refresh stands. */
struct shop_refresh_state {
	int64_t refresh_at;  /* when to refresh; 0: the token never expires */
	int64_t lease_until; /* a refresh in flight (or backing off) till */
	int64_t failures;    /* refreshes that failed since the last one */
	bool reauth_needed;
};

/*
 * The sealed refresh token into out and where the refresh stands: 1
 * found, 0 none (a token that does not expire: state is still filled;
 * or the shop is not active), -1 error.
 */
int store_shop_refresh_token(struct store_tx *tx, int64_t id, struct buf *out,
			     struct shop_refresh_state *state, struct buf *err);
/*
 * Takes the shop's refresh lease until `until` unless another holder's
 * lease runs past now: 1 taken, 0 held elsewhere, -1 error.
 */
int store_shop_lease_refresh(struct store_tx *tx, int64_t id, int64_t now,
			     int64_t until, struct buf *err);
/*
 * A refresh that may work later: keeps the lease until retry_at, so no
 * thread calls again before, and counts the failure.
 */
int store_shop_refresh_failed(struct store_tx *tx, int64_t id, int64_t retry_at,
			      struct buf *err);
/* The platform refused the refresh for good: the merchant must sign in. */
int store_shop_mark_reauth(struct store_tx *tx, int64_t id, const char *reason,
			   struct buf *err);
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
/* Forgets the token and marks the shop uninstalled. */
int store_shop_uninstall(struct store_tx *tx, int64_t id, struct buf *err);
int store_shop_set_currency(struct store_tx *tx, int64_t id,
			    const char *currency, struct buf *err);
/*
 * What a check of the platform's webhook subscriptions found: the shop's
 * topics are replaced as a whole (state ok, missing or refused).
 */
int store_shop_topics_clear(struct store_tx *tx, int64_t shop_id,
			    struct buf *err);
int store_shop_topic_put(struct store_tx *tx, int64_t shop_id,
			 const char *topic, const char *state,
			 const char *message, struct buf *err);
/* Calls fn for each topic of the shop's last check, in topic order. */
int store_shop_topics_each(struct store_tx *tx, int64_t shop_id,
			   int (*fn)(void *ctx, const char *topic,
				     const char *state, const char *message,
				     int64_t checked_at),
			   void *ctx, struct buf *err);

/* Calls fn for each shop by id; stops early when fn returns non-zero. */
int store_shop_each(struct store_tx *tx,
		    int (*fn)(void *ctx, const struct shop *s), void *ctx,
		    struct buf *err);

#endif
