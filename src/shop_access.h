/*
 * A shop ready for provider calls: its row, its platform and its token
 * unsealed for the duration of the handle. Tokens are sealed with the
 * context "token:<platform>:<domain>", so a sealed token moved to
 * another shop's row does not open.
 */
#ifndef AFFILIATED_SHOP_ACCESS_H
#define AFFILIATED_SHOP_ACCESS_H

#include "model/model.h"
#include "platform.h"
#include "store/store.h"

struct shop_handle {
	struct shop shop;
	struct buf token; /* in clear; wiped on release */
	struct provider_shop ps;
	const struct platform *platform; /* NULL when turned off */
	/* set by shop_handle_env: where a refreshed token is kept */
	struct token_keeper keeper;
	struct store *store;
	struct http_client *http;
};

/*
 * Loads shop_id. A shop without a token (uninstalled) opens with
 * ps.token NULL; callers that need the API check it.
 */
int shop_handle_open(struct store_tx *tx, const struct platform_set *set,
		     int64_t shop_id, struct shop_handle *h, struct buf *err);
/*
 * The ids of the active shops, in id order, into *ids (the caller frees
 * it) and *n, read in a transaction of its own.
 */
int shop_active_ids(struct store *st, int64_t **ids, size_t *n,
		    struct buf *err);
/* shop_handle_open in a read transaction of its own. */
int shop_handle_load(struct store *st, const struct platform_set *set,
		     int64_t shop_id, struct shop_handle *h, struct buf *err);
void shop_handle_release(struct shop_handle *h);
/* Puts the token in clear into h, from its sealed form. */
int shop_handle_unseal(struct shop_handle *h, const char *sealed,
		       struct buf *err);

/* Seals a token for the shop into out. */
int shop_seal_token(const char *platform, const char *domain, const char *token,
		    struct buf *out, struct buf *err);
/*
 * The same for the shop's own webhook signing secret, under the context
 * "webhook-secret:<platform>:<domain>": a sealed token does not open as
 * a secret, nor the other way round.
 */
int shop_seal_webhook_secret(const char *platform, const char *domain,
			     const char *secret, struct buf *out,
			     struct buf *err);
int shop_open_webhook_secret(const char *platform, const char *domain,
			     const char *sealed, struct buf *out,
			     struct buf *err);

#endif
