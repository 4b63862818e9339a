/*
 * Shared fixture of the pipeline tests: a temporary store (migrated) with the
 * master key loaded (reward codes and pseudonyms need it), one write
 * transaction open for the whole case, a shop, and builders for programs,
 * affiliates and neutral orders. Include after <cmocka.h>: the helpers
 * assert. Header-only; every function is static inline.
 */
#ifndef AFFILIATED_TESTS_ENGINE_FIXTURE_H
#define AFFILIATED_TESTS_ENGINE_FIXTURE_H

#include "affiliates.h"
#include "pipeline.h"
#include "ledger.h"
#include "util/log.h"
#include "model/model.h"
#include "model/order.h"
#include "util/seal.h"
#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_shops.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FX_DAY 86400

struct fx {
	char dir[64];
	char db[128];
	char key[128];
	struct store *st;
	struct store_tx *tx;
	struct buf err;
	int64_t shop; /* the default shop (USD) */
};

/* Replaces *field with a copy of value (NULL clears). */
static inline void fx_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static inline void fx_fail_on(int rc, const struct fx *f, const char *what)
{
	if (rc < 0)
		fail_msg("%s: %s", what, buf_str(&f->err));
}

static inline int64_t fx_shop_add(struct fx *f, const char *domain,
				  const char *currency)
{
	struct shop s;
	int64_t id = 0;

	memset(&s, 0, sizeof(s));
	s.platform = xstrdup("shopify");
	s.domain = xstrdup(domain);
	s.name = xstrdup(domain);
	s.currency = xstrdup(currency);
	s.scopes = xstrdup("");
	fx_fail_on(store_shop_put(f->tx, &s, &(struct shop_tokens){0}, &id,
				  &f->err),
		   f, "store_shop_put");
	shop_release(&s);
	return id;
}

/* Opens a fresh store in a new temporary directory. */
static inline void fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	log_set_level(LOG_WARN);
	buf_init(&f->err, BUF_SMALL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/affiliated-pipeline-XXXXXX");
	if (!mkdtemp(f->dir))
		fail_msg("%s", "mkdtemp failed");
	snprintf(f->db, sizeof(f->db), "%s/affiliated.db", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/master.key", f->dir);
	if (seal_open(f->key, true, &f->err) < 0)
		fail_msg("seal_open: %s", buf_str(&f->err));
	f->st = store_open(f->db, STORE_CREATE | STORE_MIGRATE, &f->err);
	if (!f->st)
		fail_msg("store_open: %s", buf_str(&f->err));
	fx_fail_on(store_tx_begin(f->st, &f->tx, &f->err), f, "begin");
	f->shop = fx_shop_add(f, "sally.myshopify.com", "USD");
}

/* Commits the open transaction and begins the next one. */
static inline void fx_commit(struct fx *f)
{
	fx_fail_on(store_tx_finish(&f->tx, &f->err), f, "commit");
	fx_fail_on(store_tx_begin(f->st, &f->tx, &f->err), f, "begin");
}

static inline void fx_close(struct fx *f)
{
	static const char *const files[] = {"affiliated.db",
					    "affiliated.db-wal",
					    "affiliated.db-shm", "master.key"};
	char path[192];
	size_t i;

	store_tx_abandon(&f->tx);
	store_close(f->st);
	f->st = NULL;
	seal_close();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	buf_release(&f->err);
}

/* A percentage program (10%, credit on payment) of a shop; not stored. */
static inline void fx_program_init(struct program *p, int64_t shop_id,
				   const char *currency)
{
	program_init(p);
	p->shop_id = shop_id;
	p->name = xstrdup("Friends");
	p->kind = PROGRAM_REFERRAL;
	p->landing_url = xstrdup("https://shop.test/");
	p->commission = COMMISSION_PERCENT;
	p->rate_bps = 1000;
	p->currency = xstrdup(currency);
	p->base = BASE_SUBTOTAL;
	p->networks = xstrdup("facebook,x,linkedin,email");
}

/* Stores p (then releases it); returns the new id. */
static inline int64_t fx_program_add(struct fx *f, struct program *p)
{
	int64_t id = 0;

	fx_fail_on(store_program_add(f->tx, p, &id, &f->err), f,
		   "store_program_add");
	program_release(p);
	return id;
}

/* The default program of the default shop with a rate; returns its id. */
static inline int64_t fx_percent_program(struct fx *f, int64_t rate_bps)
{
	struct program p;

	fx_program_init(&p, f->shop, "USD");
	p.rate_bps = rate_bps;
	return fx_program_add(f, &p);
}

/*
 * An affiliate through affiliate_join: code is the referral code, coupons
 * a NULL-terminated list (or NULL), customer_id may be NULL. Active.
 */
static inline int64_t fx_affiliate_full(struct fx *f, int64_t program_id,
					const char *name, const char *email,
					const char *code,
					const char *const *coupons,
					const char *customer_id)
{
	struct program p;
	struct affiliate a;
	int64_t id = 0;
	int rc;

	rc = store_program_get(f->tx, program_id, &p, &f->err);
	if (rc != 1)
		fail_msg("program %lld: %s", (long long)program_id,
			 buf_str(&f->err));
	memset(&a, 0, sizeof(a));
	a.name = xstrdup(name);
	a.email = xstrdup(email);
	a.code = code ? xstrdup(code) : NULL;
	a.customer_id = customer_id ? xstrdup(customer_id) : NULL;
	a.status = AFFILIATE_ACTIVE;
	while (coupons && coupons[a.ncoupons]) {
		a.coupons = xrealloc(a.coupons,
				     (a.ncoupons + 1) * sizeof(*a.coupons));
		a.coupons[a.ncoupons] = xstrdup(coupons[a.ncoupons]);
		a.ncoupons++;
	}
	rc = affiliate_join(f->tx, &p, &a, NULL, &id, &f->err);
	program_release(&p);
	affiliate_release(&a);
	fx_fail_on(rc, f, "affiliate_join");
	return id;
}

/* name@aff.test, referral code `code`, one optional coupon. */
static inline int64_t fx_affiliate(struct fx *f, int64_t program_id,
				   const char *name, const char *code,
				   const char *coupon)
{
	const char *coupons[] = {coupon, NULL};
	char email[96];

	snprintf(email, sizeof(email), "%s@aff.test", name);
	return fx_affiliate_full(f, program_id, name, email, code,
				 coupon ? coupons : NULL, NULL);
}

/*
 * A paid order of one line worth `subtotal` in `currency`, no tax or
 * shipping, created and updated now.
 */
static inline void fx_order(struct order *o, const char *id,
			    const char *currency, int64_t subtotal)
{
	struct order_line *l;
	char name[64];

	order_init(o);
	snprintf(name, sizeof(name), "#%s", id);
	o->id = xstrdup(id);
	o->name = xstrdup(name);
	o->currency = xstrdup(currency);
	o->subtotal = subtotal;
	o->total = subtotal;
	o->financial = ORDER_PAID;
	o->created_at = clock_now();
	o->updated_at = o->created_at;
	l = order_add_line(o);
	l->id = xstrdup("L1");
	l->product_id = xstrdup("P1");
	l->sku = xstrdup("SKU-1");
	l->title = xstrdup("Thing");
	l->price = subtotal;
	l->quantity = 1;
}

static inline struct order_refund *fx_refund(struct order *o, const char *id,
					     int64_t amount, int64_t base)
{
	struct order_refund *r = order_add_refund(o);

	r->id = xstrdup(id);
	r->amount = amount;
	r->base = base;
	r->created_at = clock_now();
	return r;
}

struct fx_sum {
	const char *currency;
	const char *bucket;
	int64_t sum;
};

static inline int fx_sum_cb(void *ctx, const char *currency, const char *bucket,
			    int64_t sum)
{
	struct fx_sum *s = ctx;

	if (strcmp(currency, s->currency) == 0 &&
	    strcmp(bucket, s->bucket) == 0)
		s->sum = sum;
	return 0;
}

/* An affiliate's balance in a bucket (sum of its entries). */
static inline int64_t fx_bucket(struct fx *f, int64_t affiliate_id,
				const char *currency, const char *bucket)
{
	struct fx_sum s = {currency, bucket, 0};

	fx_fail_on(
		store_ledger_sums(f->tx, affiliate_id, fx_sum_cb, &s, &f->err),
		f, "store_ledger_sums");
	return s.sum;
}

struct fx_count {
	int64_t commission_id; /* 0: any */
	const char *kind;      /* NULL: any */
	const char *bucket;    /* NULL: any */
	int64_t n;
	int64_t sum;
};

static inline int fx_count_cb(void *ctx, const struct ledger_entry *e)
{
	struct fx_count *c = ctx;

	if ((!c->commission_id || e->commission_id == c->commission_id) &&
	    (!c->kind || strcmp(e->kind, c->kind) == 0) &&
	    (!c->bucket || strcmp(e->bucket, c->bucket) == 0)) {
		c->n++;
		c->sum += e->amount;
	}
	return 0;
}

/* Number of entries of a commission (0: all) of a kind (NULL: all). */
static inline int64_t fx_entries(struct fx *f, int64_t commission_id,
				 const char *kind)
{
	struct fx_count c = {commission_id, kind, NULL, 0, 0};

	fx_fail_on(store_ledger_each(f->tx, 0, fx_count_cb, &c, &f->err), f,
		   "store_ledger_each");
	return c.n;
}

/* Sum of the entries of a commission of a kind and bucket (NULL: any). */
static inline int64_t fx_entries_sum(struct fx *f, int64_t commission_id,
				     const char *kind, const char *bucket)
{
	struct fx_count c = {commission_id, kind, bucket, 0, 0};

	fx_fail_on(store_ledger_each(f->tx, 0, fx_count_cb, &c, &f->err), f,
		   "store_ledger_each");
	return c.sum;
}

static inline void fx_verify(struct fx *f)
{
	int64_t n = 0;

	if (ledger_verify(f->tx, &n, &f->err) < 0)
		fail_msg("ledger_verify: %s", buf_str(&f->err));
}

/* Runs the pipeline on o; fails the case on error. */
static inline void fx_process(struct fx *f, int64_t shop_id,
			      const struct order *o,
			      struct pipeline_outcome *out)
{
	fx_fail_on(
		pipeline_process_order(f->tx, shop_id, o, NULL, out, &f->err),
		f, "pipeline_process_order");
}

/* The stored order row of a platform order id (asserts it exists). */
static inline void fx_row(struct fx *f, int64_t shop_id, const char *id,
			  struct order_row *row)
{
	if (store_order_find(f->tx, shop_id, id, row, &f->err) != 1)
		fail_msg("order %s not found: %s", id, buf_str(&f->err));
}

#endif
