/*
 * Helpers for scripts/bench: seeds a store the way production fills it
 * (through the pipeline and the store API, never raw SQL), watches it
 * drain, and makes signed Ecwid events for wrk.
 *
 *   bench_tool seed-engine DIR AFFILIATES PAST INBOX
 *   bench_tool wait-inbox DIR N
 *   bench_tool drain DIR
 *   bench_tool seed-rewards DIR N TOKEN
 *   bench_tool wait-rewards DIR N
 *   bench_tool ecwid-events SECRET STORE N FILE
 *
 * DIR holds affiliated.db and master.key (a daemon's data directory).
 */
#include "affiliates.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "pipeline.h"
#include "model/model.h"
#include "util/seal.h"
#include "shop_access.h"
#include "store/store.h"
#include "store/store_inbox.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_shops.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOP "bench-shop.myshopify.com"

static void die(const char *what, const struct buf *err)
{
	fprintf(stderr, "bench_tool: %s: %s\n", what, err ? buf_str(err) : "");
	exit(1);
}

static struct store *open_dir(const char *dir)
{
	char path[512];
	struct buf err;
	struct store *st;

	buf_init(&err, BUF_SMALL);
	snprintf(path, sizeof(path), "%s/master.key", dir);
	if (seal_open(path, true, &err) < 0)
		die("key", &err);
	snprintf(path, sizeof(path), "%s/affiliated.db", dir);
	st = store_open(path, STORE_CREATE | STORE_MIGRATE, &err);
	if (!st)
		die("store", &err);
	buf_release(&err);
	return st;
}

static int64_t number(const char *s)
{
	int64_t v;

	if (parse_int_str(s, INT64_MAX, &v) < 0 || v < 0) {
		fprintf(stderr, "bench_tool: '%s' is not a count\n", s);
		exit(2);
	}
	return v;
}

static struct store_tx *begin(struct store *st)
{
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(st, &tx, &err) < 0)
		die("begin", &err);
	buf_release(&err);
	return tx;
}

static void commit(struct store_tx *tx)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (store_tx_commit(tx, &err) < 0)
		die("commit", &err);
	buf_release(&err);
}

static int64_t add_shop(struct store *st, const char *token)
{
	struct store_tx *tx = begin(st);
	struct shop shop;
	struct buf sealed, err;
	int64_t id;

	buf_init(&sealed, 4096);
	buf_init(&err, BUF_SMALL);
	memset(&shop, 0, sizeof(shop));
	shop.platform = xstrdup("shopify");
	shop.domain = xstrdup(SHOP);
	shop.name = xstrdup("Bench");
	shop.currency = xstrdup("USD");
	shop.scopes = xstrdup("");
	if (shop_seal_token("shopify", SHOP, token, &sealed, &err) < 0 ||
	    store_shop_put(tx, &shop,
			   &(struct shop_tokens){sealed.data, NULL, 0, 0, 0},
			   &id, &err) < 0)
		die("shop", &err);
	commit(tx);
	shop_release(&shop);
	buf_release(&sealed);
	buf_release(&err);
	return id;
}

static void add_program(struct store *st, int64_t shop_id,
			enum reward_kind reward, struct program *p)
{
	struct store_tx *tx = begin(st);
	struct buf err;

	buf_init(&err, BUF_SMALL);
	program_init(p);
	p->shop_id = shop_id;
	p->name = xstrdup("Bench program");
	p->currency = xstrdup("USD");
	p->landing_url = xstrdup("https://" SHOP "/");
	p->networks = xstrdup("facebook,x,linkedin,email");
	p->rate_bps = 1500;
	p->reward = reward;
	program_add_rule(p, RULE_TIER, "", 20, 2000);
	if (store_program_add(tx, p, &p->id, &err) < 0)
		die("program", &err);
	commit(tx);
	buf_release(&err);
}

/* Affiliates A0..An-1 with coupons C0..Cn-1. */
static void add_affiliates(struct store *st, const struct program *p, int64_t n)
{
	struct store_tx *tx = begin(st);
	struct buf err;
	char name[48], email[64], code[32], coupon[32], *coupons[1];
	int64_t i, id;

	buf_init(&err, BUF_SMALL);
	for (i = 0; i < n; i++) {
		struct affiliate a;

		memset(&a, 0, sizeof(a));
		snprintf(name, sizeof(name), "Affiliate %lld", (long long)i);
		snprintf(email, sizeof(email), "a%lld@bench.example",
			 (long long)i);
		snprintf(code, sizeof(code), "REF%lld", (long long)i);
		snprintf(coupon, sizeof(coupon), "CPN%lld", (long long)i);
		a.name = xstrdup(name);
		a.email = xstrdup(email);
		a.code = xstrdup(code);
		coupons[0] = coupon;
		a.coupons = coupons;
		a.ncoupons = 1;
		a.status = AFFILIATE_ACTIVE;
		if (affiliate_join(tx, p, &a, NULL, &id, &err) != 0)
			die("affiliate", &err);
		a.coupons = NULL;
		a.ncoupons = 0;
		affiliate_release(&a);
	}
	commit(tx);
	buf_release(&err);
}

static void fill_order(struct order *o, int64_t n, int64_t affiliates)
{
	char text[64];
	struct order_line *l;

	order_init(o);
	snprintf(text, sizeof(text), "%lld", (long long)(9000000000000 + n));
	o->id = xstrdup(text);
	o->currency = xstrdup("USD");
	snprintf(text, sizeof(text), "buyer%lld@shop.example", (long long)n);
	o->email = xstrdup(text);
	o->total = o->subtotal = 2000 + n % 5000;
	o->financial = ORDER_PAID;
	o->created_at = o->updated_at = clock_now() - 86400;
	snprintf(text, sizeof(text), "CPN%lld", (long long)(n % affiliates));
	order_add_code(o, text);
	l = order_add_line(o);
	l->price = o->total;
	l->id = xstrdup("1");
}

static void add_past_orders(struct store *st, int64_t shop_id, int64_t n,
			    int64_t affiliates)
{
	struct pipeline_outcome out;
	struct store_tx *tx = NULL;
	struct order o;
	struct buf err;
	int64_t i;

	buf_init(&err, BUF_SMALL);
	for (i = 0; i < n; i++) {
		if (!tx)
			tx = begin(st);
		fill_order(&o, i, affiliates);
		if (pipeline_process_order(tx, shop_id, &o, NULL, &out, &err) <
		    0)
			die("past order", &err);
		order_release(&o);
		if (i % 5000 == 4999) {
			commit(tx);
			tx = NULL;
		}
	}
	if (tx)
		commit(tx);
	buf_release(&err);
}

/* Deliveries as Shopify sends them: a ~5 KB order body each. */
static void add_inbox(struct store *st, int64_t shop_id, int64_t from,
		      int64_t n, int64_t affiliates)
{
	struct store_tx *tx = begin(st);
	struct inbox_put put;
	struct buf body, err, pad;
	char id[64];
	int64_t i, row;

	buf_init(&body, BUF_MEDIUM);
	buf_init(&err, BUF_SMALL);
	buf_init(&pad, 8192);
	for (i = 0; i < 3600; i++)
		if (buf_putc(&pad, 'x') < 0)
			die("pad", NULL);
	for (i = from; i < from + n; i++) {
		buf_reset(&body);
		if (buf_printf(
			    &body,
			    "{\"id\":%lld,\"name\":\"#%lld\",\"email\":"
			    "\"b%lld@shop.example\",\"currency\":\"USD\","
			    "\"financial_status\":\"paid\",\"total_price\":"
			    "\"25.00\",\"subtotal_price\":\"25.00\","
			    "\"total_tax\":\"0.00\",\"total_discounts\":"
			    "\"0.00\",\"created_at\":\"2026-11-20T10:00:00Z\","
			    "\"updated_at\":\"2026-11-20T10:00:00Z\","
			    "\"discount_codes\":[{\"code\":\"CPN%lld\","
			    "\"amount\":\"0.00\",\"type\":\"fixed_amount\"}],"
			    "\"note\":\"%s\",\"line_items\":[{\"id\":1,"
			    "\"product_id\":7,\"sku\":\"MUG\",\"title\":"
			    "\"Mug\",\"quantity\":1,\"price\":\"25.00\","
			    "\"gift_card\":false,\"discount_allocations\":"
			    "[]}]}",
			    (long long)(8000000000000 + i), (long long)i,
			    (long long)i, (long long)(i % affiliates),
			    pad.data) < 0)
			die("body", NULL);
		snprintf(id, sizeof(id), "bench-%lld", (long long)i);
		put.shop_id = shop_id;
		put.platform = "shopify";
		put.delivery_id = id;
		put.topic = "orders/paid";
		put.kind = 0; /* WEBHOOK_ORDER */
		put.body = body.data;
		put.len = body.len;
		if (store_inbox_put(tx, &put, &row, &err) < 0)
			die("inbox", &err);
	}
	commit(tx);
	buf_release(&body);
	buf_release(&err);
	buf_release(&pad);
}

static int seed_engine(char **argv)
{
	struct store *st = open_dir(argv[2]);
	int64_t affiliates = number(argv[3]), past = number(argv[4]);
	int64_t inbox = number(argv[5]);
	uint64_t t0 = clock_usec();
	struct program p;
	int64_t shop;

	shop = add_shop(st, "shpat_bench");
	add_program(st, shop, REWARD_CASH, &p);
	add_affiliates(st, &p, affiliates);
	add_past_orders(st, shop, past, affiliates);
	add_inbox(st, shop, 0, inbox, affiliates);
	printf("seeded: %lld affiliates, %lld past orders, %lld deliveries in "
	       "the inbox (%.1f s)\n",
	       (long long)affiliates, (long long)past, (long long)inbox,
	       (double)(clock_usec() - t0) / 1e6);
	program_release(&p);
	store_close(st);
	seal_close();
	return 0;
}

static int64_t inbox_left(struct store *st)
{
	struct store_tx *tx;
	int64_t n = -1;

	if (store_read_begin(st, &tx, NULL) == 0) {
		store_inbox_count(tx, "pending", &n, NULL);
		store_tx_rollback(tx);
	}
	return n;
}

static int wait_inbox(char **argv)
{
	struct store *st = open_dir(argv[2]);
	int64_t n = number(argv[3]), left;
	uint64_t t0 = 0, t1;

	while ((left = inbox_left(st)) >= n)
		clock_sleep_ms(5);
	t0 = clock_usec();
	while ((left = inbox_left(st)) > 0)
		clock_sleep_ms(20);
	t1 = clock_usec();
	printf("pipeline: %lld deliveries (inbox row -> parse -> attribution "
	       "-> commission -> ledger) in %.2f s: %.0f orders/s\n",
	       (long long)n, (double)(t1 - t0) / 1e6,
	       (double)n * 1e6 / (double)(t1 - t0));
	store_close(st);
	seal_close();
	return 0;
}

/*
 * Waits until the workers have taken every delivery a load run left in
 * the inbox, and the WAL it wrote is in the database, so that the next
 * run measures its own route, not the aftermath of the last one.
 */
static int drain(char **argv)
{
	struct store *st = open_dir(argv[2]);
	int64_t first = inbox_left(st), left;
	uint64_t t0 = clock_usec();
	int frames = 0, most = 0;

	while ((left = inbox_left(st)) > 0)
		clock_sleep_ms(20);
	if (first > 0)
		printf("  %lld deliveries were left in the inbox; the workers "
		       "took them in %.1f s\n",
		       (long long)first, (double)(clock_usec() - t0) / 1e6);
	t0 = clock_usec();
	/* Bounded: a reader that never lets go must not hang the bench. */
	while (store_checkpoint(st, &frames) == 0 && frames > 0 &&
	       clock_usec() - t0 < 60 * 1000000ULL) {
		most = frames > most ? frames : most;
		clock_sleep_ms(50);
	}
	if (most > 0)
		printf("  the WAL (%d pages to copy) was checkpointed in "
		       "%.1f s\n",
		       most, (double)(clock_usec() - t0) / 1e6);
	store_close(st);
	seal_close();
	return left < 0;
}

static int seed_rewards(char **argv)
{
	struct store *st = open_dir(argv[2]);
	int64_t n = number(argv[3]), i;
	struct pipeline_outcome out;
	struct store_tx *tx;
	struct program p;
	struct order o;
	struct buf err;
	int64_t shop;

	buf_init(&err, BUF_SMALL);
	shop = add_shop(st, argv[4]);
	add_program(st, shop, REWARD_COUPON, &p);
	/* One order per affiliate: a code used by many buyers at once would
	 * be held for review, and then earns no reward. */
	add_affiliates(st, &p, n);
	tx = begin(st);
	for (i = 0; i < n; i++) {
		fill_order(&o, i, n);
		if (pipeline_process_order(tx, shop, &o, NULL, &out, &err) <
			    0 ||
		    !out.reward_id)
			die("reward order", &err);
		order_release(&o);
	}
	commit(tx);
	printf("seeded: %lld rewards waiting\n", (long long)n);
	program_release(&p);
	buf_release(&err);
	store_close(st);
	seal_close();
	return 0;
}

static int64_t issued(struct store *st)
{
	struct store_tx *tx;
	int64_t depth = 0, oldest = 0;

	if (store_read_begin(st, &tx, NULL) == 0) {
		store_reward_backlog(tx, &depth, &oldest, NULL);
		store_tx_rollback(tx);
	}
	return depth;
}

static int wait_rewards(char **argv)
{
	struct store *st = open_dir(argv[2]);
	int64_t n = number(argv[3]), left, last = -1;
	uint64_t t0 = clock_usec();
	double secs;

	/* Bounded: a sender that stalls is reported, not waited on forever. */
	while ((left = issued(st)) > 0 &&
	       clock_usec() - t0 < 900 * 1000000ull) {
		if (left != last && (n - left) % 100 == 0)
			printf("  %6.1f s: %lld issued\n",
			       (double)(clock_usec() - t0) / 1e6,
			       (long long)(n - left));
		last = left;
		clock_sleep_ms(100);
	}
	secs = (double)(clock_usec() - t0) / 1e6;
	printf("  %6.1f s: %lld issued%s, %.2f rewards/s\n", secs,
	       (long long)(n - left), left ? " (GAVE UP WAITING)" : " (all)",
	       secs > 0 ? (double)(n - left) / secs : 0);
	store_close(st);
	seal_close();
	return left ? 1 : 0;
}

/* eventId TAB eventCreated TAB signature, one signed event a line. */
static int ecwid_events(char **argv)
{
	const char *secret = argv[2];
	int64_t store = number(argv[3]), n = number(argv[4]), i;
	int64_t now = clock_now();
	FILE *f = fopen(argv[5], "w");
	unsigned char mac[CRYPTO_SHA256_LEN];
	char msg[128];
	struct buf sig;

	if (!f)
		die("cannot write the events file", NULL);
	buf_init(&sig, 128);
	for (i = 0; i < n; i++) {
		int len = snprintf(msg, sizeof(msg), "%lld.ev-%lld-%lld",
				   (long long)now, (long long)store,
				   (long long)i);

		crypto_hmac_sha256(secret, strlen(secret), msg, (size_t)len,
				   mac);
		buf_reset(&sig);
		if (base64_encode(&sig, mac, sizeof(mac)) < 0)
			die("signature", NULL);
		fprintf(f, "ev-%lld-%lld\t%lld\t%s\n", (long long)store,
			(long long)i, (long long)now, buf_str(&sig));
	}
	fclose(f);
	buf_release(&sig);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "seed-engine") == 0)
		return seed_engine(argv);
	if (argc == 4 && strcmp(argv[1], "wait-inbox") == 0)
		return wait_inbox(argv);
	if (argc == 3 && strcmp(argv[1], "drain") == 0)
		return drain(argv);
	if (argc == 5 && strcmp(argv[1], "seed-rewards") == 0)
		return seed_rewards(argv);
	if (argc == 4 && strcmp(argv[1], "wait-rewards") == 0)
		return wait_rewards(argv);
	if (argc == 6 && strcmp(argv[1], "ecwid-events") == 0)
		return ecwid_events(argv);
	fprintf(stderr, "usage: see the comment at the top of bench_tool.c\n");
	return 2;
}
