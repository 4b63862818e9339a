#include "runtime/webhook_secrets.h"
#include "util/log.h"
#include "shop_access.h"
#include "store/store_inbox.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *platform;
	char *domain;
	int64_t id;
	bool active;
	char *secret; /* in clear, wiped when the table is dropped; NULL: the
		       * app's secret signs for this shop */
};

struct table {
	struct entry *v;
	size_t n, cap;
};

struct webhook_secrets {
	pthread_rwlock_t lock;
	struct table t;
	/* Loads come from the daemon's tick and from installs: one at a
	 * time, so that an older read never replaces a newer one. */
	pthread_mutex_t loading;
	size_t unreadable; /* at the last load, under loading */
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
		if (t->v[i].secret)
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
	pthread_mutex_init(&ws->loading, NULL);
	return ws;
}

void webhook_secrets_free(struct webhook_secrets *ws)
{
	if (!ws)
		return;
	table_release(&ws->t);
	pthread_rwlock_destroy(&ws->lock);
	pthread_mutex_destroy(&ws->loading);
	free(ws);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->platform, y->platform);

	return c ? c : strcmp(x->domain, y->domain);
}

struct key {
	const char *platform, *domain;
};

/* bsearch's comparison: the key first, then a table entry. */
static int key_cmp(const void *k, const void *e)
{
	const struct key *x = k;
	const struct entry *y = e;
	int c = strcmp(x->platform, y->platform);

	return c ? c : strcmp(x->domain, y->domain);
}

/* Unseals a shop's own secret; one that does not unseal is noted. */
static char *open_secret(struct load *l, const char *platform,
			 const char *domain, const char *sealed)
{
	struct buf secret, err;
	char *out = NULL;

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
		out = xstrdup(buf_str(&secret));
	}
	if (secret.data)
		OPENSSL_cleanse(secret.data, secret.cap);
	buf_release(&secret);
	buf_release(&err);
	return out;
}

static int add_row(void *ctx, int64_t id, const char *platform,
		   const char *domain, const char *status, const char *sealed)
{
	struct load *l = ctx;
	struct table *t = &l->t;
	struct entry *e;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	e = &t->v[t->n++];
	e->platform = xstrdup(platform);
	e->domain = xstrdup(domain);
	e->id = id;
	e->active = strcmp(status, "active") == 0;
	e->secret = sealed ? open_secret(l, platform, domain, sealed) : NULL;
	return 0;
}

static int load_locked(struct webhook_secrets *ws, struct store *st,
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
	rc = store_inbox_shops(tx, add_row, &fresh, err);
	store_tx_rollback(tx);
	if (rc < 0) {
		table_release(&fresh.t);
		buf_release(&fresh.shops);
		return -1;
	}
	if (fresh.t.n)
		qsort(fresh.t.v, fresh.t.n, sizeof(*fresh.t.v), entry_cmp);
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

int webhook_secrets_load(struct webhook_secrets *ws, struct store *st,
			 struct buf *err)
{
	int rc;

	pthread_mutex_lock(&ws->loading);
	rc = load_locked(ws, st, err);
	pthread_mutex_unlock(&ws->loading);
	return rc;
}

/* The entry for platform's domain, or NULL; the caller holds the lock. */
static const struct entry *lookup(const struct table *t, const char *platform,
				  const char *domain)
{
	const struct key key = {platform, domain};

	if (!t->n)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), key_cmp);
}

int webhook_secrets_find(struct webhook_secrets *ws, const char *platform,
			 const char *shop, struct buf *out)
{
	const struct entry *e;
	int found = 0;

	if (!ws || !shop)
		return 0;
	pthread_rwlock_rdlock(&ws->lock);
	e = lookup(&ws->t, platform, shop);
	if (e && e->secret)
		found = buf_puts(out, e->secret) == 0;
	pthread_rwlock_unlock(&ws->lock);
	return found;
}

int webhook_secrets_shop(struct webhook_secrets *ws, const char *platform,
			 const char *domain, int64_t *id, bool *active)
{
	const struct entry *e;
	int found = 0;

	if (!ws || !domain)
		return 0;
	pthread_rwlock_rdlock(&ws->lock);
	e = lookup(&ws->t, platform, domain);
	if (e) {
		*id = e->id;
		*active = e->active;
		found = 1;
	}
	pthread_rwlock_unlock(&ws->lock);
	return found;
}

void webhook_secrets_deactivate(struct webhook_secrets *ws, int64_t id)
{
	size_t i;

	if (!ws)
		return;
	pthread_rwlock_wrlock(&ws->lock);
	for (i = 0; i < ws->t.n; i++)
		if (ws->t.v[i].id == id)
			ws->t.v[i].active = false;
	pthread_rwlock_unlock(&ws->lock);
}
