#include "shop_access.h"
#include "util/seal.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void token_context(const char *platform, const char *domain, char *out,
			  size_t n)
{
	snprintf(out, n, "token:%s:%s", platform, domain);
}

int shop_seal_token(const char *platform, const char *domain, const char *token,
		    struct buf *out, struct buf *err)
{
	char ctx[300];

	token_context(platform, domain, ctx, sizeof(ctx));
	return seal_encrypt(out, ctx, token, strlen(token), err);
}

static void secret_context(const char *platform, const char *domain, char *out,
			   size_t n)
{
	snprintf(out, n, "webhook-secret:%s:%s", platform, domain);
}

int shop_seal_webhook_secret(const char *platform, const char *domain,
			     const char *secret, struct buf *out,
			     struct buf *err)
{
	char ctx[300];

	secret_context(platform, domain, ctx, sizeof(ctx));
	return seal_encrypt(out, ctx, secret, strlen(secret), err);
}

int shop_open_webhook_secret(const char *platform, const char *domain,
			     const char *sealed, struct buf *out,
			     struct buf *err)
{
	char ctx[300];

	secret_context(platform, domain, ctx, sizeof(ctx));
	return seal_decrypt(out, ctx, sealed, err);
}

int shop_handle_open(struct store_tx *tx, const struct platform_set *set,
		     int64_t shop_id, struct shop_handle *h, struct buf *err)
{
	struct buf sealed;
	int rc;

	memset(h, 0, sizeof(*h));
	buf_init(&h->token, 4096);
	buf_init(&sealed, 8192);
	rc = store_shop_get(tx, shop_id, &h->shop, err);
	if (rc <= 0) {
		buf_release(&sealed);
		return rc < 0 ? -1
			      : errorf(err, "no shop %lld", (long long)shop_id);
	}
	h->platform = platforms_find(set, h->shop.platform);
	h->ps.id = h->shop.id;
	h->ps.domain = h->shop.domain;
	h->ps.currency = h->shop.currency;
	rc = store_shop_token(tx, shop_id, &sealed, err);
	if (rc == 1)
		rc = shop_handle_unseal(h, sealed.data, err);
	buf_release(&sealed);
	if (rc < 0) {
		shop_handle_release(h);
		return -1;
	}
	return 0;
}

struct id_list {
	int64_t *ids;
	size_t n, cap;
};

static int collect_active(void *ctx, const struct shop *s)
{
	struct id_list *l = ctx;

	if (strcmp(s->status, "active") != 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->ids = xrealloc(l->ids, l->cap * sizeof(*l->ids));
	}
	l->ids[l->n++] = s->id;
	return 0;
}

int shop_active_ids(struct store *st, int64_t **ids, size_t *n, struct buf *err)
{
	struct id_list l = {NULL, 0, 0};
	struct store_tx *tx;
	int rc;

	*ids = NULL;
	*n = 0;
	if (store_read_begin(st, &tx, err) < 0)
		return -1;
	rc = store_shop_each(tx, collect_active, &l, err);
	store_tx_rollback(tx);
	if (rc < 0) {
		free(l.ids);
		return -1;
	}
	*ids = l.ids;
	*n = l.n;
	return 0;
}

int shop_handle_load(struct store *st, const struct platform_set *set,
		     int64_t shop_id, struct shop_handle *h, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	memset(h, 0, sizeof(*h));
	if (store_read_begin(st, &tx, err) < 0)
		return -1;
	rc = shop_handle_open(tx, set, shop_id, h, err);
	store_tx_rollback(tx);
	return rc;
}

int shop_handle_unseal(struct shop_handle *h, const char *sealed,
		       struct buf *err)
{
	char ctx[300];

	token_context(h->shop.platform, h->shop.domain, ctx, sizeof(ctx));
	if (h->token.data)
		OPENSSL_cleanse(h->token.data, h->token.cap);
	buf_reset(&h->token);
	h->ps.token = NULL;
	if (seal_decrypt(&h->token, ctx, sealed, err) < 0)
		return -1;
	h->ps.token = buf_str(&h->token);
	return 0;
}

void shop_handle_release(struct shop_handle *h)
{
	if (h->token.data)
		OPENSSL_cleanse(h->token.data, h->token.cap);
	buf_release(&h->token);
	shop_release(&h->shop);
	memset(&h->ps, 0, sizeof(h->ps));
}
