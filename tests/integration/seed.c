#include "seed.h"
#include "affiliates.h"
#include "pipeline.h"
#include "model/model.h"
#include "util/seal.h"
#include "shop_access.h"
#include "store/store.h"
#include "store/store_programs.h"
#include "store/store_shops.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void seed_open(const struct daemon_proc *d, struct seeded *s)
{
	char path[256];
	struct buf err;

	memset(s, 0, sizeof(*s));
	buf_init(&err, BUF_SMALL);
	snprintf(path, sizeof(path), "%s/master.key", d->dir);
	assert_int_equal(seal_open(path, true, &err), 0);
	snprintf(path, sizeof(path), "%s/affiliated.db", d->dir);
	s->st = store_open(path, STORE_CREATE | STORE_MIGRATE, &err);
	if (!s->st)
		fail_msg("store: %s", buf_str(&err));
	buf_release(&err);
}

void seed_close(struct seeded *s)
{
	store_close(s->st);
	s->st = NULL;
	seal_close();
}

struct store_tx *seed_begin(struct seeded *s)
{
	struct store_tx *tx;

	assert_int_equal(store_tx_begin(s->st, &tx, NULL), 0);
	return tx;
}

void seed_commit(struct store_tx *tx)
{
	assert_int_equal(store_tx_commit(tx, NULL), 0);
}

void seed_shopify_shop(struct seeded *s, const char *domain, const char *name,
		       const char *token)
{
	struct shop shop;
	struct buf sealed;
	struct store_tx *tx = seed_begin(s);

	memset(&shop, 0, sizeof(shop));
	shop.platform = xstrdup("shopify");
	shop.domain = xstrdup(domain);
	shop.name = xstrdup(name);
	shop.currency = xstrdup("USD");
	shop.scopes = xstrdup("");
	buf_init(&sealed, 4096);
	assert_int_equal(
		shop_seal_token("shopify", domain, token, &sealed, NULL), 0);
	assert_int_equal(store_shop_put(tx, &shop,
					&(struct shop_tokens){sealed.data, NULL,
							      0, 0, 0},
					&s->shop_id, NULL),
			 0);
	seed_commit(tx);
	buf_release(&sealed);
	shop_release(&shop);
}

int64_t seed_coupon_program(struct seeded *s, const char *name,
			    int64_t friend_bps)
{
	struct store_tx *tx = seed_begin(s);
	struct program p;
	int64_t id;

	program_init(&p);
	p.shop_id = s->shop_id;
	p.name = xstrdup(name);
	p.currency = xstrdup("USD");
	p.landing_url = xstrdup("");
	p.networks = xstrdup("");
	p.rate_bps = 1000;
	p.reward = REWARD_COUPON;
	p.friend_discount_bps = friend_bps;
	assert_int_equal(store_program_add(tx, &p, &id, NULL), 0);
	program_release(&p);
	seed_commit(tx);
	return id;
}

int64_t seed_affiliate(struct seeded *s, int64_t program_id, const char *name,
		       const char *email, const char *coupon)
{
	struct store_tx *tx = seed_begin(s);
	struct program p;
	struct affiliate a;
	char *code = xstrdup(coupon);
	int64_t id;

	assert_int_equal(store_program_get(tx, program_id, &p, NULL), 1);
	memset(&a, 0, sizeof(a));
	a.name = xstrdup(name);
	a.email = xstrdup(email);
	/* Lent for the call: the code is freed here, not by the release. */
	a.coupons = &code;
	a.ncoupons = 1;
	a.status = AFFILIATE_ACTIVE;
	assert_int_equal(affiliate_join(tx, &p, &a, NULL, &id, NULL), 0);
	a.coupons = NULL;
	a.ncoupons = 0;
	free(code);
	affiliate_release(&a);
	program_release(&p);
	seed_commit(tx);
	return id;
}

void seed_paid_orders(struct seeded *s, const char *coupon, int first_id, int n,
		      int64_t total, int64_t step)
{
	struct store_tx *tx = seed_begin(s);
	struct pipeline_outcome out;
	struct order o;
	char id[32];
	int i;

	for (i = 0; i < n; i++) {
		struct order_line *l;

		order_init(&o);
		snprintf(id, sizeof(id), "%d", first_id + i);
		o.id = xstrdup(id);
		o.currency = xstrdup("USD");
		o.email = xstrdup("buyer@example.org");
		o.total = o.subtotal = total + i * step;
		o.financial = ORDER_PAID;
		order_add_code(&o, coupon);
		l = order_add_line(&o);
		l->price = o.total;
		assert_int_equal(pipeline_process_order(tx, s->shop_id, &o,
							NULL, &out, NULL),
				 0);
		assert_true(out.reward_id > 0);
		order_release(&o);
	}
	seed_commit(tx);
}
