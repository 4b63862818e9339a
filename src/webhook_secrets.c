#include "webhook_secrets.h"
#include "log.h"
#include "shop_access.h"
#include "store/store_shops.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *platform;
	char *domain;
	char *secret; /* in clear; wiped when the table is dropped */
};

struct table {
	struct entry *v;
	size_t n, cap;
};

struct webhook_secrets {
	pthread_rwlock_t lock;
	struct table t;
	size_t unreadable; /* at the last load: logged when it changes */
};

struct load {
	struct table t;
	size_t unreadable;
	struct buf shops; /* the shops whose secret did not unseal */
};

static void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		OPENSSL_cleanse(t->v[i].secret, strlen(t->v[i].secret));
		free(t->v[i].secret);
		free(t->v[i].platform);
		free(t->v[i].domain);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct webhook_secrets *webhook_secrets_new(void)
{
	struct webhook_secrets *ws = xcalloc(1, sizeof(*ws));

	pthread_rwlock_init(&ws->lock, NULL);
	return ws;
}

void webhook_secrets_free(struct webhook_secrets *ws)
{
	if (!ws)
		return;
	table_release(&ws->t);
	pthread_rwlock_destroy(&ws->lock);
	free(ws);
}

static int add_row(void *ctx, const char *platform, const char *domain,
		   const char *sealed)
{
	struct load *l = ctx;
	struct table *t = &l->t;
	struct buf secret, err;

	buf_init(&secret, 1024);
	buf_init(&err, BUF_SMALL);
	if (shop_open_webhook_secret(platform, domain, sealed, &secret, &err) <
	    0) {
		l->unreadable++;
		if (buf_printf(&l->shops, "%s%s:%s (%s)",
			       l->shops.len ? ", " : "", platform, domain,
			       buf_str(&err)) < 0)
			buf_reset(&l->shops);
	} else {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 8;
			t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		t->v[t->n].platform = xstrdup(platform);
		t->v[t->n].domain = xstrdup(domain);
		t->v[t->n].secret = xstrdup(buf_str(&secret));
		t->n++;
	}
	if (secret.data)
		OPENSSL_cleanse(secret.data, secret.cap);
	buf_release(&secret);
	buf_release(&err);
	return 0;
}

int webhook_secrets_load(struct webhook_secrets *ws, struct store *st,
			 struct buf *err)
{
	struct load fresh = {{0}, 0, {0}};
	struct table old;
	struct store_tx *tx;
	int rc;

	buf_init(&fresh.shops, BUF_SMALL);
	if (store_read_begin(st, &tx, err) < 0) {
		buf_release(&fresh.shops);
		return -1;
	}
	rc = store_shop_webhook_secrets(tx, add_row, &fresh, err);
	store_tx_rollback(tx);
	if (rc < 0) {
		table_release(&fresh.t);
		buf_release(&fresh.shops);
		return -1;
	}
	/* Once per change, not once a second. */
	if (fresh.unreadable != ws->unreadable && fresh.unreadable)
		log_error("webhook_secret.unreadable", "count=%zu shops=\"%s\"",
			  fresh.unreadable, buf_str(&fresh.shops));
	ws->unreadable = fresh.unreadable;
	buf_release(&fresh.shops);
	pthread_rwlock_wrlock(&ws->lock);
	old = ws->t;
	ws->t = fresh.t;
	pthread_rwlock_unlock(&ws->lock);
	table_release(&old);
	return 0;
}

int webhook_secrets_find(struct webhook_secrets *ws, const char *platform,
			 const char *shop, struct buf *out)
{
	size_t i;
	int found = 0;

	if (!ws || !shop)
		return 0;
	pthread_rwlock_rdlock(&ws->lock);
	for (i = 0; i < ws->t.n && !found; i++) {
		const struct entry *e = &ws->t.v[i];

		if (strcmp(e->domain, shop) == 0 &&
		    strcmp(e->platform, platform) == 0)
			found = buf_puts(out, e->secret) == 0;
	}
	pthread_rwlock_unlock(&ws->lock);
	return found;
}
