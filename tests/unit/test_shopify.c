/*
 * The Shopify provider (providers/shopify*.c) through shopify_provider's
 * members, no network except a refused connection to 127.0.0.1:1: every order
 * fixture against the facts of tests/fixtures/shopify/README.md (and the
 * commissionable base from commission_base), once as the REST webhook body
 * and once as the GraphQL Admin answer (graphql/), one case per rejected order,
 * refunds, privacy bodies, the webhook signature (PLATFORMS.md vector), webhook
 * classification, and the signed install and callback queries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "attribution.h"
#include "commission.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/http_client.h"
#include "model/order.h"
#include "providers/provider_int.h"
#include "providers/shopify/internal.h"
#include "util/json.h"
#include "util/money.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct provider *const sp = &shopify_provider;

/* Files */

static void read_fixture(const char *name, struct buf *out)
{
	const char *dir = getenv("AFFILIATED_SOURCE_DIR");
	char path[512];
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/shopify/%s",
		 dir && dir[0] ? dir : ".", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	buf_init(out, BUF_MEDIUM);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(out, chunk, n), 0);
	fclose(f);
}

/* Request tables: headers match case-insensitively, as in HTTP. */

struct kv {
	const char *key;
	const char *value;
};

struct table {
	struct kv items[16];
	size_t n;
};

static void table_add(struct table *t, const char *key, const char *value)
{
	assert_true(t->n < COUNT(t->items));
	t->items[t->n].key = key;
	t->items[t->n].value = value;
	t->n++;
}

static const char *header_lookup(const void *ctx, const char *name)
{
	const struct table *t = ctx;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->items[i].key, name) == 0)
			return t->items[i].value;
	return NULL;
}

static const char *query_lookup(const void *ctx, const char *name)
{
	const struct table *t = ctx;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->items[i].key, name) == 0)
			return t->items[i].value;
	return NULL;
}

static void query_each(const void *ctx,
		       int (*fn)(void *arg, const char *key, const char *value),
		       void *arg)
{
	const struct table *t = ctx;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (fn(arg, t->items[i].key, t->items[i].value) != 0)
			return;
}

/* Query signing, written here independently of providers/shopify/install.c. */

static void canon_encode(struct buf *out, const char *s, bool plus)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '*' || c == '-' ||
		    c == '.' || c == '_') {
			assert_int_equal(buf_putc(out, (char)c), 0);
		} else if (c == ' ' && plus) {
			assert_int_equal(buf_putc(out, '+'), 0);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			assert_int_equal(buf_append(out, e, 3), 0);
		}
	}
}

/* The lowercase hex HMAC of t's pairs but hmac, sorted by key. */
static void sign_table(const char *secret, const struct table *t, bool plus,
		       char hex[65])
{
	const struct kv *sorted[16];
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf text, h;
	size_t n = 0, i, j;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->items[i].key, "hmac") == 0)
			continue;
		for (j = n;
		     j > 0 && strcmp(sorted[j - 1]->key, t->items[i].key) > 0;
		     j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &t->items[i];
		n++;
	}
	buf_init(&text, BUF_SMALL);
	for (i = 0; i < n; i++) {
		if (i)
			assert_int_equal(buf_putc(&text, '&'), 0);
		canon_encode(&text, sorted[i]->key, plus);
		assert_int_equal(buf_putc(&text, '='), 0);
		canon_encode(&text, sorted[i]->value ? sorted[i]->value : "",
			     plus);
	}
	crypto_hmac_sha256(secret, strlen(secret), buf_str(&text), text.len,
			   mac);
	buf_init(&h, 128);
	assert_int_equal(hex_encode(&h, mac, sizeof(mac)), 0);
	assert_int_equal(h.len, 64);
	memcpy(hex, h.data, 65);
	buf_release(&h);
	buf_release(&text);
}

static struct provider_request query_request(const struct table *t)
{
	struct provider_request req;

	memset(&req, 0, sizeof(req));
	req.query = query_lookup;
	req.each_query = query_each;
	req.header = header_lookup;
	req.ctx = t;
	return req;
}

/* Order facts (README.md) */

struct facts {
	const char *file;
	const char *id, *name, *currency;
	int64_t total, subtotal, tax, shipping, discounts;
	int64_t commissionable; /* before refunds */
	int64_t after_refunds;	/* commissionable less refunded bases */
	const char *codes[3];
	size_t ncodes;
	const char *ref_attr; /* the note attribute "ref" */
	const char *ref;      /* README's ref: attribute, else landing URL */
	const char *landing_url, *referring_site;
	const char *customer_id, *email, *country, *browser_ip;
	enum order_financial financial;
	bool cancelled;
	int64_t refunded; /* sum of the refunds' amounts */
	size_t nrefunds;
	const char *refund_id;
	int64_t refund_base;
	size_t nlines, gift_line; /* gift_line: 1-based index, 0 none */
	size_t nattrs;
	const char *presentment_currency;
	int64_t presentment_total;
	int64_t created_at, updated_at;
};

static struct facts order_facts[] = {
	{"order_coupon.json",
	 "5678123456789012345",
	 "#1042",
	 "USD",
	 7562,
	 6400,
	 512,
	 650,
	 1600,
	 6400,
	 6400,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "9007199254740993",
	 "ana.lima@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 0,
	 "USD",
	 7562,
	 1741617667,
	 1741617667},
	{"order_note_attribute.json",
	 "5678123456789012346",
	 "#1043",
	 "USD",
	 5900,
	 5000,
	 400,
	 500,
	 0,
	 5000,
	 5000,
	 {NULL},
	 0,
	 "ab12cd",
	 "ab12cd",
	 "/collections/all",
	 "https://www.google.com/",
	 "6543210987654321",
	 "ben.okafor@example.org",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 2,
	 "USD",
	 5900,
	 1741623644,
	 1741623644},
	{"order_landing_ref.json",
	 "5678123456789012347",
	 "#1044",
	 "USD",
	 5832,
	 5400,
	 432,
	 0,
	 0,
	 5400,
	 5400,
	 {NULL},
	 0,
	 NULL,
	 "zed99",
	 "/products/mug?ref=zed99&utm_source=facebook",
	 "https://l.facebook.com/",
	 "7123456789012",
	 "chiara.russo@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 1,
	 0,
	 0,
	 "USD",
	 5832,
	 1741698319,
	 1741698319},
	{"order_no_customer.json",
	 "5678123456789012348",
	 "#1045",
	 "USD",
	 4862,
	 3900,
	 312,
	 650,
	 500,
	 3900,
	 3900,
	 {"WELCOME5"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 NULL,
	 "guest.buyer@example.net",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 1,
	 0,
	 0,
	 "USD",
	 4862,
	 1741729622,
	 1741729622},
	{"order_full_discount.json",
	 "5678123456789012349",
	 "#1046",
	 "USD",
	 0,
	 0,
	 0,
	 0,
	 5000,
	 0,
	 0,
	 {"FREEBIE100"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "9007199254740993",
	 "ana.lima@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 0,
	 "USD",
	 0,
	 1741791600,
	 1741791600},
	{"order_jpy.json",
	 "6789012345678901234",
	 "#2001",
	 "JPY",
	 5992,
	 4720,
	 472,
	 800,
	 1180,
	 4720,
	 4720,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "8123456789012",
	 "haruto.sato@example.jp",
	 "JP",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 0,
	 "JPY",
	 5992,
	 1741781649,
	 1741781649},
	{"order_multi_currency.json",
	 "7890123456789012345",
	 "#1047",
	 "USD",
	 7692,
	 6520,
	 522,
	 650,
	 1630,
	 6520,
	 6520,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "9123456789012",
	 "lena.fischer@example.de",
	 "DE",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 0,
	 "EUR",
	 7080,
	 1741865400,
	 1741865400},
	{"order_several_codes.json",
	 "5678123456789012350",
	 "#1048",
	 "USD",
	 5985,
	 4940,
	 395,
	 650,
	 1860,
	 4940,
	 4940,
	 {"SALLY20", "TAKE5"},
	 2,
	 "partner77",
	 "partner77",
	 "/",
	 NULL,
	 "7234567890123",
	 "eva.novak@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 1,
	 "USD",
	 5985,
	 1741908161,
	 1741908161},
	{"order_minimal.json",
	 "5678123456789012351",
	 "#1049",
	 "USD",
	 1800,
	 1800,
	 0,
	 0,
	 0,
	 1800,
	 1800,
	 {NULL},
	 0,
	 NULL,
	 NULL,
	 NULL,
	 NULL,
	 NULL,
	 "min.buyer@example.com",
	 NULL,
	 NULL,
	 ORDER_PENDING,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 1,
	 0,
	 0,
	 NULL,
	 0,
	 1741953612,
	 1741953612},
	{"order_gift_card_line.json",
	 "5678123456789012352",
	 "#1050",
	 "USD",
	 7055,
	 6440,
	 115,
	 500,
	 360,
	 1440,
	 1440,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "7345678901234",
	 "farah.haddad@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 1,
	 0,
	 "USD",
	 7055,
	 1741977930,
	 1741977930},
	{"order_cancelled.json",
	 "5678123456789012353",
	 "#1051",
	 "USD",
	 4452,
	 3520,
	 282,
	 650,
	 880,
	 3520,
	 3520,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "7456789012345",
	 "gio.bianchi@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_VOIDED,
	 true,
	 0,
	 0,
	 NULL,
	 -1,
	 1,
	 0,
	 0,
	 "USD",
	 4452,
	 1742047800,
	 1742077929},
	{"order_partially_refunded.json",
	 "5678123456789012354",
	 "#1052",
	 "USD",
	 6525,
	 5440,
	 435,
	 650,
	 1360,
	 5440,
	 2880,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "7567890123456",
	 "hugo.martin@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PARTIALLY_REFUNDED,
	 false,
	 2765,
	 1,
	 "1012345678901234599",
	 2560,
	 2,
	 0,
	 0,
	 "USD",
	 6525,
	 1742155200,
	 1742483473},
	{"order_bench_5k.json",
	 "5678123456789012355",
	 "#1053",
	 "USD",
	 3110,
	 2880,
	 230,
	 0,
	 720,
	 2880,
	 2880,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 NULL,
	 NULL,
	 "7678901234567",
	 "ivy.chen@example.com",
	 NULL,
	 NULL,
	 ORDER_PAID,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 1,
	 0,
	 0,
	 "USD",
	 3110,
	 1742232030,
	 1742232030},
	{"order_edited.json",
	 "5678123456789012356",
	 "#1054",
	 "USD",
	 6007,
	 4960,
	 397,
	 650,
	 1240,
	 4960,
	 4960,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "9007199254740993",
	 "ana.lima@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PENDING,
	 false,
	 0,
	 0,
	 NULL,
	 -1,
	 2,
	 0,
	 0,
	 "USD",
	 7562,
	 1742565600,
	 1742574600},
	{"order_edited_refunded.json",
	 "5678123456789012357",
	 "#1055",
	 "USD",
	 6007,
	 4960,
	 397,
	 650,
	 1240,
	 4960,
	 1440,
	 {"SALLY20"},
	 1,
	 NULL,
	 NULL,
	 "/",
	 NULL,
	 "9007199254740993",
	 "ana.lima@example.com",
	 "US",
	 "203.0.113.24",
	 ORDER_PARTIALLY_REFUNDED,
	 false,
	 3802,
	 1,
	 "1012345678901234601",
	 3520,
	 2,
	 0,
	 0,
	 "USD",
	 7562,
	 1742652000,
	 1742852710},
};

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void check_facts(const struct order *o, const struct facts *f)
{
	char ref[256];
	int64_t base, refunded_base = 0, amount = 0;
	size_t i;

	assert_string_equal(o->id, f->id);
	assert_str_or_null(o->name, f->name);
	assert_string_equal(o->currency, f->currency);
	assert_int_equal(o->total, f->total);
	assert_int_equal(o->subtotal, f->subtotal);
	assert_int_equal(o->tax, f->tax);
	assert_int_equal(o->shipping, f->shipping);
	assert_int_equal(o->discounts, f->discounts);
	assert_int_equal(o->ncodes, f->ncodes);
	for (i = 0; i < f->ncodes; i++)
		assert_string_equal(o->codes[i], f->codes[i]);
	assert_str_or_null(order_attr(o, "ref"), f->ref_attr);
	assert_int_equal(o->nattrs, f->nattrs);
	assert_str_or_null(o->landing_url, f->landing_url);
	assert_str_or_null(o->referring_site, f->referring_site);
	/* The README's ref: attribute first, else the landing URL's ref. */
	if (order_attr(o, "ref"))
		snprintf(ref, sizeof(ref), "%s", order_attr(o, "ref"));
	else
		url_ref_param(o->landing_url ? o->landing_url : "", ref,
			      sizeof(ref));
	assert_string_equal(ref, f->ref ? f->ref : "");
	assert_str_or_null(o->customer_id, f->customer_id);
	assert_str_or_null(o->email, f->email);
	assert_str_or_null(o->country, f->country);
	assert_str_or_null(o->browser_ip, f->browser_ip);
	assert_int_equal(o->financial, f->financial);
	assert_int_equal(o->cancelled, f->cancelled);
	assert_false(o->test);
	assert_int_equal(o->nrefunds, f->nrefunds);
	assert_int_equal(order_refunded(o), f->refunded);
	for (i = 0; i < o->nrefunds; i++) {
		amount += o->refunds[i].amount;
		assert_true(o->refunds[i].base >= 0);
		refunded_base += o->refunds[i].base;
	}
	assert_int_equal(amount, f->refunded);
	if (f->refund_id) {
		assert_string_equal(o->refunds[0].id, f->refund_id);
		assert_int_equal(o->refunds[0].base, f->refund_base);
	}
	assert_int_equal(o->nlines, f->nlines);
	for (i = 0; i < o->nlines; i++)
		assert_int_equal(o->lines[i].gift_card, i + 1 == f->gift_line);
	assert_str_or_null(o->presentment_currency, f->presentment_currency);
	assert_int_equal(o->presentment_total, f->presentment_total);
	assert_int_equal(o->created_at, f->created_at);
	assert_int_equal(o->updated_at, f->updated_at);
	assert_int_equal(commission_base(o, BASE_SUBTOTAL, &base), 0);
	assert_int_equal(base, f->commissionable);
	assert_int_equal(base - refunded_base, f->after_refunds);
}

/*
 * One mapping per source: the same facts hold for the REST webhook body
 * and for the GraphQL Admin answer of the same order (graphql/<file>).
 */
struct source {
	const char *name;
	const char *dir; /* under tests/fixtures/shopify/ */
	int (*parse)(const char *json, size_t len, struct order *out,
		     struct buf *err);
};

static struct source sources[] = {
	{"webhook", "", shopify_parse_order},
	{"graphql", "graphql/", shopify_parse_graphql_order},
};

struct fact_case {
	const struct facts *f;
	const struct source *src;
};

static struct fact_case fact_cases[COUNT(order_facts) * COUNT(sources)];

static void test_order_facts(void **state)
{
	const struct fact_case *c = *state;
	const struct facts *f = c->f;
	char name[256];
	struct order o;
	struct buf json, err;

	snprintf(name, sizeof(name), "%s%s", c->src->dir, f->file);
	read_fixture(name, &json);
	buf_init(&err, BUF_SMALL);
	if (c->src->parse(json.data, json.len, &o, &err) != 0)
		fail_msg("%s refused: %s", name, buf_str(&err));
	assert_string_equal(buf_str(&err), "");
	check_facts(&o, f);
	order_release(&o);
	buf_release(&err);
	buf_release(&json);
}

/* Line details the facts table does not carry. */
static void test_order_lines(void **state)
{
	struct order o;
	struct buf json, err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	read_fixture("order_coupon.json", &json);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_int_equal(o.nlines, 2);
	assert_string_equal(o.lines[0].id, "5678123456789100001");
	assert_string_equal(o.lines[0].sku, "MUG-BLU-12");
	assert_string_equal(o.lines[0].product_id, "8123456789012");
	assert_string_equal(o.lines[0].title, "Sally Ceramic Mug");
	assert_int_equal(o.lines[0].quantity, 2);
	assert_int_equal(o.lines[0].price, 1800);
	assert_int_equal(o.lines[0].discount, 720);
	assert_string_equal(o.lines[1].id, "5678123456789100002");
	assert_int_equal(o.lines[1].price, 4400);
	assert_int_equal(o.lines[1].discount, 880);
	order_release(&o);
	buf_release(&json);

	/* JPY: exponent 0, "3500" is 3500 yen, not 350000. */
	read_fixture("order_jpy.json", &json);
	assert_int_equal(money_exponent("JPY"), 0);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_int_equal(o.lines[0].price, 3500);
	assert_int_equal(o.lines[0].discount, 700);
	assert_int_equal(o.lines[1].price, 1200);
	assert_int_equal(o.lines[1].quantity, 2);
	assert_int_equal(o.lines[1].discount, 480);
	order_release(&o);
	buf_release(&json);

	/* Two allocations per line (two stacked codes) add up. */
	read_fixture("order_several_codes.json", &json);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_int_equal(o.lines[0].discount, 720 + 265);
	assert_int_equal(o.lines[1].discount, 640 + 235);
	assert_string_equal(order_attr(&o, "ref"), "partner77");
	order_release(&o);
	buf_release(&json);

	/* 100 % off: every line fully discounted, base 0, not negative. */
	read_fixture("order_full_discount.json", &json);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_int_equal(o.lines[0].discount, 1800);
	assert_int_equal(o.lines[1].discount, 3200);
	order_release(&o);
	buf_release(&json);

	/* The other note attribute is kept as it is. */
	read_fixture("order_note_attribute.json", &json);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_string_equal(order_attr(&o, "gift_message"),
			    "Happy birthday, Tom!");
	order_release(&o);
	buf_release(&json);
	buf_release(&err);
}

/* The REST list's three orders give the same facts as their webhooks. */
static void test_rest_page_orders(void **state)
{
	static const char *const want[] = {"order_coupon.json",
					   "order_note_attribute.json",
					   "order_partially_refunded.json"};
	struct buf json, err, one;
	cJSON *root;
	const cJSON *it;
	size_t i = 0, k;

	(void)state;
	read_fixture("rest_orders_page.json", &json);
	buf_init(&err, BUF_SMALL);
	/* json_parse keeps numbers as their text (strings), so printing
	 * the objects back loses nothing. */
	root = json_parse(json.data, json.len, &err);
	assert_non_null(root);
	cJSON_ArrayForEach(it, json_get(root, "orders"))
	{
		const struct facts *f = NULL;
		struct order o;

		assert_true(i < COUNT(want));
		for (k = 0; k < COUNT(order_facts); k++)
			if (strcmp(order_facts[k].file, want[i]) == 0)
				f = &order_facts[k];
		assert_non_null(f);
		buf_init(&one, BUF_MEDIUM);
		assert_int_equal(json_print(&one, it), 0);
		assert_int_equal(sp->parse_order(one.data, one.len, &o, &err),
				 0);
		check_facts(&o, f);
		order_release(&o);
		buf_release(&one);
		i++;
	}
	assert_int_equal(i, 3);
	cJSON_Delete(root);
	buf_release(&err);
	buf_release(&json);
}

/* The GraphQL orders page: each node gives the facts of its webhook. */
static void test_graphql_page_orders(void **state)
{
	static const char *const want[] = {"order_coupon.json",
					   "order_note_attribute.json",
					   "order_partially_refunded.json"};
	struct buf json, err;
	cJSON *root;
	const cJSON *it, *conn;
	size_t i = 0, k;

	(void)state;
	read_fixture("graphql/orders_page.json", &json);
	buf_init(&err, BUF_SMALL);
	root = json_parse(json.data, json.len, &err);
	assert_non_null(root);
	conn = json_get(json_get(root, "data"), "orders");
	cJSON_ArrayForEach(it, json_get(conn, "nodes"))
	{
		const struct facts *f = NULL;
		struct order o;

		assert_true(i < COUNT(want));
		for (k = 0; k < COUNT(order_facts); k++)
			if (strcmp(order_facts[k].file, want[i]) == 0)
				f = &order_facts[k];
		assert_non_null(f);
		if (shopify_gql_order(it, &o, &err) != 0)
			fail_msg("node %zu refused: %s", i, buf_str(&err));
		check_facts(&o, f);
		order_release(&o);
		i++;
	}
	assert_int_equal(i, 3);
	cJSON_Delete(root);
	buf_release(&err);
	buf_release(&json);
}

/* Line details of an edited order, the same from both sources. */
static void test_edited_lines(void **state)
{
	const struct source *src = *state;
	char name[128];
	struct order o;
	struct buf json, err;

	buf_init(&err, BUF_SMALL);
	snprintf(name, sizeof(name), "%sorder_edited_refunded.json", src->dir);
	read_fixture(name, &json);
	assert_int_equal(src->parse(json.data, json.len, &o, &err), 0);
	assert_int_equal(o.nlines, 2);
	/* One mug of two was taken off: half its discount goes with it. */
	assert_string_equal(o.lines[0].id, "5678123456789100001");
	assert_int_equal(o.lines[0].quantity, 1);
	assert_int_equal(o.lines[0].discount, 360);
	/* The teapot was refunded, not edited: it stays, and the refund
	 * takes it off. */
	assert_string_equal(o.lines[1].id, "5678123456789100002");
	assert_string_equal(o.lines[1].product_id, "8123456789013");
	assert_int_equal(o.lines[1].quantity, 1);
	assert_int_equal(o.lines[1].discount, 880);
	order_release(&o);
	buf_release(&json);
	buf_release(&err);
}

/* Rejected GraphQL answers: one case per input; err names the field. */

struct bad_order {
	const char *what;
	const char *file; /* or body */
	const char *body;
	const char *err; /* what the message must name */
};

#define GQL_HEAD  "{\"data\":{\"order\":{\"id\":\"gid://shopify/Order/1\","
#define GQL_CUR	  "\"currencyCode\":\"USD\","
#define GQL_TOTAL "\"totalPriceSet\":{\"shopMoney\":{\"amount\":\"1.0\"}},"
#define GQL_LINES(nodes, more)                                \
	"\"lineItems\":{\"nodes\":[" nodes "],\"pageInfo\":{" \
	"\"hasNextPage\":" more "}}"
#define GQL_TAIL "}}}"
#define GQL_LINE(extra)                                                        \
	"{\"id\":\"gid://shopify/LineItem/2\",\"quantity\":1,"                 \
	"\"originalUnitPriceSet\":{\"shopMoney\":{\"amount\":\"1.0\"}}," extra \
	"\"isGiftCard\":false}"
#define GQL_ORDER(extra) \
	GQL_HEAD GQL_CUR GQL_TOTAL extra GQL_LINES("", "false") GQL_TAIL

static struct bad_order bad_gql_orders[] = {
	{"graphql/order_bad_types.json", "graphql/order_bad_types.json", NULL,
	 "totalPriceSet"},
	{"graphql/order_truncated.json", "graphql/order_truncated.json", NULL,
	 "JSON"},
	{"an empty object", NULL, "{}", "no order"},
	{"order null", NULL, "{\"data\":{\"order\":null}}", "no order"},
	{"data an array", NULL, "{\"data\":[]}", "no order"},
	{"only errors", NULL,
	 "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":"
	 "\"THROTTLED\"}}]}",
	 "Throttled"},
	{"an array", NULL, "[]", "object"},
	{"the order a string", NULL, "{\"data\":{\"order\":\"1\"}}", "object"},
	{"no id", NULL,
	 "{\"data\":{\"order\":{" GQL_CUR GQL_TOTAL GQL_LINES("",
							      "false") "}}}",
	 "id"},
	{"id of a product", NULL,
	 "{\"data\":{\"order\":{\"id\":\"gid://shopify/Product/1\"," GQL_CUR
		 GQL_TOTAL GQL_LINES("", "false") "}}}",
	 "Order"},
	{"id not a gid", NULL,
	 "{\"data\":{\"order\":{\"id\":\"1\"," GQL_CUR GQL_TOTAL GQL_LINES(
		 "", "false") "}}}",
	 "id"},
	{"id with letters after the kind", NULL,
	 "{\"data\":{\"order\":{\"id\":\"gid://shopify/Order/12ab\"," GQL_CUR
		 GQL_TOTAL GQL_LINES("", "false") "}}}",
	 "Order"},
	{"legacyResourceId not a number", NULL,
	 GQL_ORDER("\"legacyResourceId\":\"12a\","), "legacyResourceId"},
	{"legacyResourceId an object", NULL,
	 GQL_ORDER("\"legacyResourceId\":{},"), "legacyResourceId"},
	{"no currencyCode", NULL,
	 GQL_HEAD GQL_TOTAL GQL_LINES("", "false") GQL_TAIL, "currencyCode"},
	{"unknown currencyCode", NULL,
	 GQL_HEAD "\"currencyCode\":\"XYZ\"," GQL_TOTAL GQL_LINES("", "false")
		 GQL_TAIL,
	 "XYZ"},
	{"no totalPriceSet", NULL,
	 GQL_HEAD GQL_CUR GQL_LINES("", "false") GQL_TAIL, "totalPriceSet"},
	{"totalPriceSet a string", NULL,
	 GQL_HEAD GQL_CUR "\"totalPriceSet\":\"1.00\"," GQL_LINES("", "false")
		 GQL_TAIL,
	 "totalPriceSet"},
	{"totalPriceSet without shopMoney amount", NULL,
	 GQL_HEAD GQL_CUR "\"totalPriceSet\":{\"shopMoney\":{}}," GQL_LINES(
		 "", "false") GQL_TAIL,
	 "totalPriceSet.shopMoney.amount"},
	{"USD total 1.005", NULL,
	 GQL_HEAD GQL_CUR "\"totalPriceSet\":{\"shopMoney\":{\"amount\":"
			  "\"1.005\"}}," GQL_LINES("", "false") GQL_TAIL,
	 "totalPriceSet"},
	{"currentSubtotalPriceSet a number", NULL,
	 GQL_ORDER("\"currentSubtotalPriceSet\":3,"),
	 "currentSubtotalPriceSet"},
	{"no lineItems", NULL, GQL_HEAD GQL_CUR GQL_TOTAL "\"x\":1" GQL_TAIL,
	 "lineItems"},
	{"lineItems.nodes an object", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL "\"lineItems\":{\"nodes\":{}}" GQL_TAIL,
	 "lineItems"},
	{"a second page of line items", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(GQL_LINE(""), "true") GQL_TAIL,
	 "more line items"},
	{"a line without quantity", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 "{\"id\":\"gid://shopify/LineItem/"
		 "2\",\"originalUnitPriceSet\":"
		 "{\"shopMoney\":{\"amount\":\"1.0\"}}}",
		 "false") GQL_TAIL,
	 "quantity"},
	{"a line without a price", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 "{\"id\":\"gid://shopify/LineItem/2\",\"quantity\":1}",
		 "false") GQL_TAIL,
	 "originalUnitPriceSet"},
	{"a line id of an order", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 "{\"id\":\"gid://shopify/Order/2\",\"quantity\":1}", "false")
		 GQL_TAIL,
	 "LineItem"},
	{"isGiftCard a string", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 GQL_LINE("\"isGiftCard\":\"yes\","), "false") GQL_TAIL,
	 "isGiftCard"},
	{"negative currentQuantity", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 GQL_LINE("\"currentQuantity\":-2,"), "false") GQL_TAIL,
	 "negative"},
	{"an allocation without an amount", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES(
		 GQL_LINE("\"discountAllocations\":[{}],"), "false") GQL_TAIL,
	 "allocatedAmountSet"},
	{"a line a string", NULL,
	 GQL_HEAD GQL_CUR GQL_TOTAL GQL_LINES("\"x\"", "false") GQL_TAIL,
	 "line"},
	{"unknown displayFinancialStatus", NULL,
	 GQL_ORDER("\"displayFinancialStatus\":\"BOGUS\","), "BOGUS"},
	{"discountCodes holding an object", NULL,
	 GQL_ORDER("\"discountCodes\":[{}],"), "discountCodes"},
	{"customAttributes a string", NULL,
	 GQL_ORDER("\"customAttributes\":\"ref=x\","), "customAttributes"},
	{"customer a string", NULL, GQL_ORDER("\"customer\":\"x\","),
	 "customer"},
	{"customer id of a product", NULL,
	 GQL_ORDER("\"customer\":{\"id\":\"gid://shopify/Product/3\"},"),
	 "Customer"},
	{"createdAt no time", NULL, GQL_ORDER("\"createdAt\":\"yesterday\","),
	 "createdAt"},
	{"unknown presentmentCurrencyCode", NULL,
	 GQL_ORDER("\"presentmentCurrencyCode\":\"QQQ\","), "QQQ"},
	{"test a string", NULL, GQL_ORDER("\"test\":\"false\","), "test"},
	{"refunds an object", NULL, GQL_ORDER("\"refunds\":{},"), "refunds"},
	{"a refund without id", NULL, GQL_ORDER("\"refunds\":[{}],"), "refund"},
	{"a refund line without lineItem", NULL,
	 GQL_ORDER("\"refunds\":[{\"id\":\"gid://shopify/Refund/5\","
		   "\"refundLineItems\":{\"nodes\":[{\"quantity\":1}]}}],"),
	 "lineItem"},
	{"a refund transaction without amount", NULL,
	 GQL_ORDER("\"refunds\":[{\"id\":\"gid://shopify/Refund/5\","
		   "\"transactions\":{\"nodes\":[{\"kind\":\"REFUND\","
		   "\"status\":\"SUCCESS\"}]}}],"),
	 "amountSet"},
};

static void test_bad_gql_order(void **state)
{
	const struct bad_order *b = *state;
	struct order o;
	struct buf json, err;

	if (b->file) {
		read_fixture(b->file, &json);
	} else {
		buf_init(&json, BUF_SMALL);
		assert_int_equal(buf_puts(&json, b->body), 0);
	}
	buf_init(&err, BUF_SMALL);
	assert_int_equal(
		shopify_parse_graphql_order(buf_str(&json), json.len, &o, &err),
		-1);
	if (!strstr(buf_str(&err), b->err))
		fail_msg("error '%s' does not name '%s'", buf_str(&err),
			 b->err);
	assert_null(o.id);
	assert_int_equal(o.nlines, 0);
	assert_int_equal(o.nrefunds, 0);
	buf_release(&err);
	buf_release(&json);
}

/*
 * A refund of shipping only: the webhook body (no refund lines, no
 * adjustments, as Shopify sends it since 2024-10) cannot tell, GraphQL's
 * refundShippingLines can.
 */
static void test_refund_shipping_only(void **state)
{
	struct order_refund r;
	struct buf json, err;
	char order_id[64];

	(void)state;
	buf_init(&err, BUF_SMALL);
	read_fixture("refund_shipping_only.json", &json);
	assert_int_equal(sp->parse_refund(json.data, json.len, order_id,
					  sizeof(order_id), &r, &err),
			 0);
	assert_string_equal(order_id, "5678123456789012345");
	assert_string_equal(r.id, "1012345678901234602");
	assert_int_equal(r.amount, 650);
	assert_int_equal(r.base, -1);
	free(r.id);
	buf_release(&json);

	read_fixture("graphql/refund_shipping_only.json", &json);
	assert_int_equal(shopify_parse_graphql_refund(json.data, json.len,
						      "EUR", &r, &err),
			 0);
	assert_string_equal(r.id, "1012345678901234602");
	assert_int_equal(r.amount, 650);
	assert_int_equal(r.base, 0);
	assert_int_equal(r.created_at, 1742390100);
	free(r.id);
	buf_release(&json);
	buf_release(&err);
}

/* GraphQL refunds: what each shape says of the base. */
struct gql_refund_case {
	const char *what;
	const char *body;
	int rc;
	int64_t amount, base;
};

#define GQL_REFUND(lines, ships, txs)                                       \
	"{\"data\":{\"refund\":{\"id\":\"gid://shopify/Refund/9\","         \
	"\"totalRefundedSet\":{\"shopMoney\":{\"amount\":\"5.0\","          \
	"\"currencyCode\":\"USD\"}},\"refundLineItems\":{\"nodes\":[" lines \
	"]},\"refundShippingLines\":{\"nodes\":[" ships "]},"               \
	"\"transactions\":{\"nodes\":[" txs "]}}}}"
#define GQL_RLINE(gift)                                                \
	"{\"lineItem\":{\"id\":\"gid://shopify/LineItem/"              \
	"2\",\"isGiftCard\":" gift                                     \
	"},\"quantity\":1,\"subtotalSet\":{\"shopMoney\":{\"amount\":" \
	"\"35.2\"}},\"totalTaxSet\":{\"shopMoney\":{\"amount\":\"2.82\"}}}"
#define GQL_SHIP                                                       \
	"{\"subtotalAmountSet\":{\"shopMoney\":{\"amount\":\"6.5\"}}," \
	"\"taxAmountSet\":{\"shopMoney\":{\"amount\":\"0.0\"}}}"
#define GQL_TX(amount)                                                \
	"{\"kind\":\"REFUND\",\"status\":\"SUCCESS\",\"amountSet\":{" \
	"\"shopMoney\":{\"amount\":\"" amount "\"}}}"

static struct gql_refund_case gql_refund_cases[] = {
	{"a refunded line", GQL_REFUND(GQL_RLINE("false"), "", GQL_TX("38.02")),
	 0, 3802, 3520},
	{"a refunded gift card",
	 GQL_REFUND(GQL_RLINE("true"), "", GQL_TX("38.02")), 0, 3802, 0},
	{"shipping only", GQL_REFUND("", GQL_SHIP, GQL_TX("6.5")), 0, 650, 0},
	{"more than the shipping", GQL_REFUND("", GQL_SHIP, GQL_TX("10.0")), 0,
	 1000, -1},
	{"money only", GQL_REFUND("", "", GQL_TX("4.0")), 0, 400, -1},
	{"no transactions: the total", GQL_REFUND("", "", ""), 0, 500, -1},
	{"a failed transaction is not money back",
	 GQL_REFUND(
		 "", "",
		 "{\"kind\":\"REFUND\",\"status\":\"FAILURE\","
		 "\"amountSet\":{\"shopMoney\":{\"amount\":\"9.0\"}}}," GQL_TX(
			 "1.0")),
	 0, 100, -1},
	{"refund null", "{\"data\":{\"refund\":null}}", -1, 0, -1},
	{"a refund line without subtotal",
	 GQL_REFUND("{\"lineItem\":{\"id\":\"gid://shopify/LineItem/2\"},"
		    "\"quantity\":1}",
		    "", ""),
	 -1, 0, -1},
	{"a refund id of an order",
	 "{\"data\":{\"refund\":{\"id\":\"gid://shopify/Order/9\"}}}", -1, 0,
	 -1},
};

static void test_gql_refund(void **state)
{
	const struct gql_refund_case *c = *state;
	struct order_refund r;
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = shopify_parse_graphql_refund(c->body, strlen(c->body), "USD", &r,
					  &err);
	if (rc != c->rc)
		fail_msg("rc %d, err '%s'", rc, buf_str(&err));
	if (rc == 0) {
		assert_string_equal(r.id, "9");
		assert_int_equal(r.amount, c->amount);
		assert_int_equal(r.base, c->base);
		free(r.id);
	} else {
		assert_true(err.len > 0);
		assert_null(r.id);
	}
	buf_release(&err);
}

/*
 * The Admin API calls without a network: ids are checked before any
 * call, and a refused connection is a transport failure (RETRY). The
 * list says what the 60-day window hides before it even asks.
 */
static const struct platform_config api_cfg = {
	"shopify",
	"test-api-key",
	"secret",
	"read_orders",
	"2026-10",
	"http://127.0.0.1:1/{shop}",
	"http://127.0.0.1:1/{shop}",
	"https://aff.example.com",
	"",
};

static int count_order(void *ctx, const struct order *o)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

static void test_api_offline(void **state)
{
	struct provider_shop shop = {1, "sally-mugs.myshopify.com", "tok",
				     "USD"};
	struct http_client *http = http_client_new(2000);
	struct provider_env env = {&api_cfg, &shop, http, 1767225600, NULL};
	struct order_page_cursor cursor;
	struct order_refund r;
	struct order o;
	struct buf err;
	int n = 0;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(provider_fetch_order(sp, &env, "12ab", &o, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "12ab"));
	assert_int_equal(provider_fetch_refund(sp, &env, "1", "", &r, &err),
			 PROVIDER_REJECTED);
	assert_int_equal(
		provider_fetch_order(sp, &env, "5678123456789012345", &o, &err),
		PROVIDER_RETRY);
	assert_int_equal(provider_fetch_refund(sp, &env, "1", "2", &r, &err),
			 PROVIDER_RETRY);
	memset(&cursor, 0, sizeof(cursor));
	assert_int_equal(provider_list_orders(sp, &env, env.now - 86400,
					      &cursor, count_order, &n, &err),
			 PROVIDER_RETRY);
	assert_string_equal(cursor.note, "");
	/* 2026-01-01 less 61 days: before the window's edge, 2025-11-02. */
	assert_int_equal(provider_list_orders(sp, &env, env.now - 61 * 86400,
					      &cursor, count_order, &n, &err),
			 PROVIDER_RETRY);
	assert_non_null(strstr(cursor.note, "read_all_orders"));
	assert_non_null(strstr(cursor.note, "before 2025-11-02 were not"));
	assert_int_equal(n, 0);
	http_client_free(http);
	buf_release(&err);
}

/* Rejected orders: one case per input. */

static struct bad_order bad_orders[] = {
	{"order_bad_types.json", "order_bad_types.json", NULL, "total_price"},
	{"order_truncated.json", "order_truncated.json", NULL, "JSON"},
	{"empty body", NULL, "", "empty"},
	{"an array", NULL, "[]", "object"},
	{"null", NULL, "null", "object"},
	{"a string", NULL, "\"order\"", "object"},
	{"a number", NULL, "42", "object"},
	{"true", NULL, "true", "object"},
	{"whitespace only", NULL, "  \n", "JSON"},
	{"two objects", NULL, "{\"id\":1,\"currency\":\"USD\"}{}", "JSON"},
	{"no id", NULL, "{\"currency\":\"USD\",\"total_price\":\"1.00\"}",
	 "id"},
	{"id null", NULL, "{\"id\":null,\"currency\":\"USD\"}", "id"},
	{"id an object", NULL, "{\"id\":{},\"currency\":\"USD\"}", "id"},
	{"no currency", NULL, "{\"id\":1,\"total_price\":\"1.00\"}",
	 "currency"},
	{"unknown currency", NULL, "{\"id\":1,\"currency\":\"XYZ\"}", "XYZ"},
	{"lower-case currency", NULL, "{\"id\":1,\"currency\":\"usd\"}", "usd"},
	{"unknown financial_status", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"financial_status\":\"bogus\"}",
	 "bogus"},
	{"USD total 10.005", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"total_price\":\"10.005\"}",
	 "total_price"},
	{"USD price 10.005", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1,\"price\":\"10.005\"}]}",
	 "price"},
	{"JPY price 1200.5", NULL,
	 "{\"id\":1,\"currency\":\"JPY\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1,\"price\":\"1200.5\"}]}",
	 "price"},
	{"JPY total 5992.5", NULL,
	 "{\"id\":1,\"currency\":\"JPY\",\"total_price\":\"5992.5\"}",
	 "total_price"},
	{"price in exponent notation", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"total_price\":\"1e2\"}",
	 "total_price"},
	{"price not a number", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"subtotal_price\":\"ten\"}",
	 "subtotal_price"},
	{"total_tax an object", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"total_tax\":{}}", "total_tax"},
	{"line_items an object", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":{\"id\":2}}",
	 "line_items"},
	{"a line item a string", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[\"x\"]}", "line"},
	{"quantity 1.5", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1.5,\"price\":\"1.00\"}]}",
	 "quantity"},
	{"negative quantity", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":-1,\"price\":\"1.00\"}]}",
	 "negative"},
	{"gift_card a string", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1,\"price\":\"1.00\",\"gift_card\":\"yes\"}]}",
	 "gift_card"},
	{"allocation 1.005", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1,\"price\":\"1.00\",\"discount_allocations\":"
	 "[{\"amount\":\"1.005\"}]}]}",
	 "amount"},
	{"discount_allocations an object", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"line_items\":[{\"id\":2,"
	 "\"quantity\":1,\"price\":\"1.00\",\"discount_allocations\":{}}]}",
	 "discount_allocations"},
	{"discount_codes an object", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"discount_codes\":{}}",
	 "discount_codes"},
	{"note_attributes a string", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"note_attributes\":\"ref=x\"}",
	 "note_attributes"},
	{"refunds an object", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"refunds\":{}}", "refunds"},
	{"a refund without id", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"refunds\":[{\"transactions\":[]}]}",
	 "refund"},
	{"refund amount 1.005", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"refunds\":[{\"id\":3,"
	 "\"transactions\":[{\"kind\":\"refund\",\"status\":\"success\","
	 "\"amount\":\"1.005\"}]}]}",
	 "amount"},
	{"unknown presentment currency", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"presentment_currency\":\"QQQ\"}",
	 "QQQ"},
	{"test a string", NULL,
	 "{\"id\":1,\"currency\":\"USD\",\"test\":\"false\"}", "test"},
};

static void test_bad_order(void **state)
{
	const struct bad_order *b = *state;
	struct order o;
	struct buf json, err;

	if (b->file) {
		read_fixture(b->file, &json);
	} else {
		buf_init(&json, BUF_SMALL);
		assert_int_equal(buf_puts(&json, b->body), 0);
	}
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->parse_order(buf_str(&json), json.len, &o, &err),
			 -1);
	if (!strstr(buf_str(&err), b->err))
		fail_msg("error '%s' does not name '%s'", buf_str(&err),
			 b->err);
	/* No partial order: everything was released. */
	assert_null(o.id);
	assert_int_equal(o.nlines, 0);
	assert_int_equal(o.ncodes, 0);
	buf_release(&err);
	buf_release(&json);
}

/* Refunds */

static void test_refund_one_line(void **state)
{
	struct order_refund r;
	struct order o;
	struct buf json, err;
	char order_id[64];
	int64_t base;

	(void)state;
	read_fixture("refund_one_line.json", &json);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->parse_refund(json.data, json.len, order_id,
					  sizeof(order_id), &r, &err),
			 0);
	assert_string_equal(order_id, "5678123456789012345");
	assert_string_equal(r.id, "1012345678901234567");
	assert_int_equal(r.amount, 3802);
	assert_int_equal(r.base, 3520);
	assert_int_equal(r.created_at, 1742324575);
	buf_release(&json);

	/* After it, order_coupon's commissionable is 6400 - 3520. */
	read_fixture("order_coupon.json", &json);
	assert_int_equal(sp->parse_order(json.data, json.len, &o, &err), 0);
	assert_int_equal(commission_base(&o, BASE_SUBTOTAL, &base), 0);
	assert_int_equal(base - r.base, 2880);
	order_release(&o);
	free(r.id);
	buf_release(&json);
	buf_release(&err);
}

struct bad_refund {
	const char *what;
	const char *body;
	size_t n; /* the order_id buffer */
};

#define REFUND_TX                                                        \
	"\"transactions\":[{\"kind\":\"refund\",\"status\":\"success\"," \
	"\"amount\":\"1.00\",\"currency\":\"USD\"}]"

static struct bad_refund bad_refunds[] = {
	{"no order_id", "{\"id\":7," REFUND_TX "}", 64},
	{"order_id null", "{\"id\":7,\"order_id\":null," REFUND_TX "}", 64},
	{"order_id empty", "{\"id\":7,\"order_id\":\"\"," REFUND_TX "}", 64},
	{"order_id too long for the buffer",
	 "{\"id\":7,\"order_id\":5678123456789012345," REFUND_TX "}", 8},
	{"no id", "{\"order_id\":1," REFUND_TX "}", 64},
	{"no currency anywhere", "{\"id\":7,\"order_id\":1}", 64},
	{"amount 1.005",
	 "{\"id\":7,\"order_id\":1,\"transactions\":[{\"kind\":\"refund\","
	 "\"status\":\"success\",\"amount\":\"1.005\",\"currency\":"
	 "\"USD\"}]}",
	 64},
	{"not JSON", "{\"id\":7,", 64},
	{"empty body", "", 64},
};

static void test_bad_refund(void **state)
{
	const struct bad_refund *b = *state;
	struct order_refund r;
	struct buf err;
	char order_id[64] = "";

	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->parse_refund(b->body, strlen(b->body), order_id,
					  b->n, &r, &err),
			 -1);
	assert_true(err.len > 0);
	assert_null(r.id);
	buf_release(&err);
}

/*
 * Refunds in shop money. Shopify refunds in the presentment currency:
 * refund transactions carry presentment amounts, while every *_set has
 * shop_money. The neutral refund is in the order's (shop) currency.
 */
#define MC_REFUND_LINE(sub_pres, tax_pres, cur)                        \
	"\"refund_line_items\":[{\"id\":51,\"line_item_id\":11,"       \
	"\"quantity\":1,\"subtotal\":25.6,\"subtotal_set\":{"          \
	"\"shop_money\":{\"amount\":\"25.60\","                        \
	"\"currency_code\":\"USD\"},\"presentment_money\":{"           \
	"\"amount\":\"" sub_pres "\",\"currency_code\":\"" cur "\"}}," \
	"\"total_tax\":2.05,\"total_tax_set\":{"                       \
	"\"shop_money\":{\"amount\":\"2.05\","                         \
	"\"currency_code\":\"USD\"},\"presentment_money\":{"           \
	"\"amount\":\"" tax_pres "\",\"currency_code\":\"" cur "\"}}," \
	"\"line_item\":{\"id\":11,\"gift_card\":false}}]"

/* What a parse gave, copied out so that asserts come after cleanup. */
struct refund_got {
	int rc;
	char err[256];
	size_t nrefunds;
	int64_t amount, base;
	int64_t commissionable, presentment_total;
};

static void got_refund(const char *body, struct refund_got *g)
{
	struct order_refund r;
	struct buf err;
	char order_id[64];

	memset(g, 0, sizeof(*g));
	buf_init(&err, BUF_SMALL);
	g->rc = sp->parse_refund(body, strlen(body), order_id, sizeof(order_id),
				 &r, &err);
	snprintf(g->err, sizeof(g->err), "%s", buf_str(&err));
	if (g->rc == 0) {
		g->nrefunds = 1;
		g->amount = r.amount;
		g->base = r.base;
		free(r.id);
	}
	buf_release(&err);
}

static void got_order_refund(const char *body, struct refund_got *g)
{
	struct order o;
	struct buf err;

	memset(g, 0, sizeof(*g));
	buf_init(&err, BUF_SMALL);
	g->rc = sp->parse_order(body, strlen(body), &o, &err);
	snprintf(g->err, sizeof(g->err), "%s", buf_str(&err));
	if (g->rc == 0) {
		g->nrefunds = o.nrefunds;
		if (o.nrefunds) {
			g->amount = o.refunds[0].amount;
			g->base = o.refunds[0].base;
		}
		g->presentment_total = o.presentment_total;
		if (commission_base(&o, BASE_SUBTOTAL, &g->commissionable) < 0)
			g->commissionable = -1;
		order_release(&o);
	}
	buf_release(&err);
}

/* refunds/create for a USD shop whose buyer paid in JPY. */
static void test_refund_presentment_jpy(void **state)
{
	static const char body[] =
		"{\"id\":61,\"order_id\":1,\"order_adjustments\":[],"
		"\"transactions\":[{\"id\":71,\"kind\":\"refund\","
		"\"status\":\"success\",\"amount\":\"4104\","
		"\"currency\":\"JPY\"}]," MC_REFUND_LINE("3800", "304",
							 "JPY") "}";
	struct refund_got g;

	(void)state;
	got_refund(body, &g);
	if (g.rc != 0)
		fail_msg("refused: %s", g.err);
	assert_int_equal(g.base, 2560);	  /* USD cents */
	assert_int_equal(g.amount, 2765); /* USD cents, not yen */
}

/* The same inside an order: USD shop, EUR presentment. */
static void test_order_refund_presentment_eur(void **state)
{
	static const char body[] =
		"{\"id\":1,\"currency\":\"USD\","
		"\"presentment_currency\":\"EUR\","
		"\"financial_status\":\"partially_refunded\","
		"\"total_price\":\"65.25\",\"subtotal_price\":\"64.00\","
		"\"total_price_set\":{\"shop_money\":{\"amount\":\"65.25\","
		"\"currency_code\":\"USD\"},\"presentment_money\":{"
		"\"amount\":\"60.05\",\"currency_code\":\"EUR\"}},"
		"\"line_items\":[{\"id\":11,\"quantity\":2,"
		"\"price\":\"32.00\",\"gift_card\":false}],"
		"\"refunds\":[{\"id\":61,\"transactions\":[{\"id\":71,"
		"\"kind\":\"refund\",\"status\":\"success\","
		"\"amount\":\"25.45\",\"currency\":\"EUR\"}]," MC_REFUND_LINE(
			"23.55", "1.90", "EUR") "}]}";
	struct refund_got g;

	(void)state;
	got_order_refund(body, &g);
	if (g.rc != 0)
		fail_msg("refused: %s", g.err);
	assert_int_equal(g.presentment_total, 6005);
	assert_int_equal(g.nrefunds, 1);
	assert_int_equal(g.base, 2560);
	/* 25.45 EUR returned is 27.65 USD (25.60 + 2.05 in shop money). */
	assert_int_equal(g.amount, 2765);
}

/*
 * A refunded gift card line takes nothing off the commission base: the
 * base never held it (order.h: base = "part of the commission base
 * refunded"). The refund line carries line_item.gift_card, and inside an
 * order the line is known too.
 */
#define GIFT_REFUND                                                        \
	"{\"id\":81,\"order_id\":2,\"order_adjustments\":[],"              \
	"\"transactions\":[{\"id\":91,\"kind\":\"refund\","                \
	"\"status\":\"success\",\"amount\":\"50.00\","                     \
	"\"currency\":\"USD\"}],"                                          \
	"\"refund_line_items\":[{\"id\":101,\"line_item_id\":31,"          \
	"\"quantity\":1,\"subtotal\":50.0,\"subtotal_set\":{"              \
	"\"shop_money\":{\"amount\":\"50.00\",\"currency_code\":\"USD\"}," \
	"\"presentment_money\":{\"amount\":\"50.00\","                     \
	"\"currency_code\":\"USD\"}},\"total_tax\":0.0,"                   \
	"\"line_item\":{\"id\":31,\"gift_card\":true,"                     \
	"\"price\":\"50.00\"}}]}"

static void test_refund_gift_card_line(void **state)
{
	struct refund_got g;

	(void)state;
	got_refund(GIFT_REFUND, &g);
	if (g.rc != 0)
		fail_msg("refused: %s", g.err);
	assert_int_equal(g.amount, 5000);
	assert_int_equal(g.base, 0);
}

static void test_order_refund_gift_card_line(void **state)
{
	static const char body[] =
		"{\"id\":2,\"currency\":\"USD\","
		"\"financial_status\":\"partially_refunded\","
		"\"total_price\":\"70.55\",\"line_items\":["
		"{\"id\":31,\"quantity\":1,\"price\":\"50.00\","
		"\"gift_card\":true},"
		"{\"id\":32,\"quantity\":1,\"price\":\"18.00\","
		"\"gift_card\":false,"
		"\"discount_allocations\":[{\"amount\":\"3.60\"}]}],"
		"\"refunds\":[" GIFT_REFUND "]}";
	struct refund_got g;

	(void)state;
	got_order_refund(body, &g);
	if (g.rc != 0)
		fail_msg("refused: %s", g.err);
	assert_int_equal(g.commissionable, 1440);
	assert_int_equal(g.amount, 5000);
	assert_int_equal(g.base, 0);
}

/* Privacy */

struct privacy_case {
	const char *file;
	const char *customer_id, *email;
};

static struct privacy_case privacy_cases[] = {
	{"customers_redact.json", "9007199254740993", "ana.lima@example.com"},
	{"customers_data_request.json", "9007199254740993",
	 "ana.lima@example.com"},
	{"shop_redact.json", "", ""},
};

static void test_privacy(void **state)
{
	const struct privacy_case *p = *state;
	struct buf json, err;
	char id[64], email[128];

	read_fixture(p->file, &json);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->parse_privacy(json.data, json.len, id, sizeof(id),
					   email, sizeof(email), &err),
			 0);
	assert_string_equal(id, p->customer_id);
	assert_string_equal(email, p->email);
	buf_release(&err);
	buf_release(&json);
}

static void test_privacy_not_json(void **state)
{
	struct buf err;
	char id[64], email[128];

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->parse_privacy("{\"customer\":", 12, id, sizeof(id),
					   email, sizeof(email), &err),
			 -1);
	assert_true(err.len > 0);
	buf_release(&err);
}

/* Webhook signature (PLATFORMS.md 1b vector) */

#define VECTOR_SECRET "test_secret_key"
#define VECTOR_BODY   "{\"foo\": \"bar\"}"
#define VECTOR_HMAC   "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="

struct verify_case {
	const char *what;
	const char *header_name; /* NULL: no header */
	const char *header;
	const char *body;
	size_t len; /* 0: strlen(body) unless empty */
	bool empty;
	const char *secret;
	bool want;
};

static struct verify_case verify_cases[] = {
	{"the vector", "X-Shopify-Hmac-Sha256", VECTOR_HMAC, VECTOR_BODY, 0,
	 false, VECTOR_SECRET, true},
	{"lower-case shopify-hmac-sha256", "shopify-hmac-sha256", VECTOR_HMAC,
	 VECTOR_BODY, 0, false, VECTOR_SECRET, true},
	{"lower-case x-shopify-hmac-sha256", "x-shopify-hmac-sha256",
	 VECTOR_HMAC, VECTOR_BODY, 0, false, VECTOR_SECRET, true},
	{"wrong header", "X-Shopify-Hmac-Sha256",
	 "C23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", VECTOR_BODY, 0, false,
	 VECTOR_SECRET, false},
	{"missing header", NULL, NULL, VECTOR_BODY, 0, false, VECTOR_SECRET,
	 false},
	{"empty header", "X-Shopify-Hmac-Sha256", "", VECTOR_BODY, 0, false,
	 VECTOR_SECRET, false},
	{"empty body", "X-Shopify-Hmac-Sha256", VECTOR_HMAC, "", 0, true,
	 VECTOR_SECRET, false},
	{"one flipped body byte", "X-Shopify-Hmac-Sha256", VECTOR_HMAC,
	 "{\"foo\": \"bas\"}", 0, false, VECTOR_SECRET, false},
	{"body with a trailing newline", "X-Shopify-Hmac-Sha256", VECTOR_HMAC,
	 "{\"foo\": \"bar\"}\n", 0, false, VECTOR_SECRET, false},
	{"body cut by one byte", "X-Shopify-Hmac-Sha256", VECTOR_HMAC,
	 VECTOR_BODY, 13, false, VECTOR_SECRET, false},
	{"header without padding", "X-Shopify-Hmac-Sha256",
	 "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g", VECTOR_BODY, 0, false,
	 VECTOR_SECRET, false},
	{"header with an extra byte", "X-Shopify-Hmac-Sha256", VECTOR_HMAC "=",
	 VECTOR_BODY, 0, false, VECTOR_SECRET, false},
	{"header as hex", "X-Shopify-Hmac-Sha256",
	 "076dad5cdf3ad6067480a9a2e4a8b76d0fc3544ba0e72a529bac0dc19bde9c3b",
	 VECTOR_BODY, 0, false, VECTOR_SECRET, false},
	{"another secret", "X-Shopify-Hmac-Sha256", VECTOR_HMAC, VECTOR_BODY, 0,
	 false, "test_secret_kez", false},
};

static void test_verify(void **state)
{
	const struct verify_case *v = *state;
	struct platform_config cfg;
	struct provider_request req;
	struct table headers;

	memset(&cfg, 0, sizeof(cfg));
	cfg.name = "shopify";
	cfg.client_id = "test-api-key";
	cfg.client_secret = v->secret;
	memset(&headers, 0, sizeof(headers));
	table_add(&headers, "X-Shopify-Topic", "orders/create");
	if (v->header_name)
		table_add(&headers, v->header_name, v->header);
	memset(&req, 0, sizeof(req));
	req.body = v->body;
	req.len = v->empty ? 0 : v->len ? v->len : strlen(v->body);
	req.header = header_lookup;
	req.query = query_lookup;
	req.each_query = query_each;
	req.ctx = &headers;
	assert_int_equal(sp->verify_webhook(&cfg, &req), v->want);
}

/* Webhook classification */

struct classify_case {
	const char *what;
	const char *topic, *shop, *id, *at; /* NULL: header absent */
	bool lower;			    /* the shopify-* header names */
	int want;
	enum webhook_kind kind;
	int64_t event_time;
};

#define SHOP "sally-mugs.myshopify.com"
#define WHID "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
#define AT   "2025-03-10T14:41:08.877041743Z"

static struct classify_case classify_cases[] = {
	{"orders/create", "orders/create", SHOP, WHID, AT, false, 0,
	 WEBHOOK_ORDER, 1741617668},
	{"orders/paid", "orders/paid", SHOP, WHID, AT, false, 0, WEBHOOK_ORDER,
	 1741617668},
	{"orders/updated", "orders/updated", SHOP, WHID, AT, false, 0,
	 WEBHOOK_ORDER, 1741617668},
	{"orders/cancelled", "orders/cancelled", SHOP, WHID, AT, false, 0,
	 WEBHOOK_ORDER, 1741617668},
	{"refunds/create", "refunds/create", SHOP, WHID, AT, false, 0,
	 WEBHOOK_REFUND, 1741617668},
	{"app/uninstalled", "app/uninstalled", SHOP, WHID, AT, false, 0,
	 WEBHOOK_UNINSTALLED, 1741617668},
	{"customers/data_request", "customers/data_request", SHOP, WHID, AT,
	 false, 0, WEBHOOK_DATA_REQUEST, 1741617668},
	{"customers/redact", "customers/redact", SHOP, WHID, AT, false, 0,
	 WEBHOOK_CUSTOMER_REDACT, 1741617668},
	{"shop/redact", "shop/redact", SHOP, WHID, AT, false, 0,
	 WEBHOOK_SHOP_REDACT, 1741617668},
	{"unknown topic", "products/update", SHOP, WHID, AT, false, 0,
	 WEBHOOK_IGNORED, 1741617668},
	{"topic in upper case", "ORDERS/CREATE", SHOP, WHID, AT, false, 0,
	 WEBHOOK_IGNORED, 1741617668},
	{"no Triggered-At", "orders/paid", SHOP, WHID, NULL, false, 0,
	 WEBHOOK_ORDER, 0},
	{"Triggered-At with an offset", "orders/paid", SHOP, WHID,
	 "2025-03-10T09:41:08-05:00", false, 0, WEBHOOK_ORDER, 1741617668},
	{"lower-case header names", "orders/paid", SHOP, WHID, AT, true, 0,
	 WEBHOOK_ORDER, 1741617668},
	{"digits and hyphens in the shop", "orders/paid",
	 "shop-2-go.myshopify.com", WHID, AT, false, 0, WEBHOOK_ORDER,
	 1741617668},
	{"missing topic", NULL, SHOP, WHID, AT, false, -1, 0, 0},
	{"missing shop", "orders/paid", NULL, WHID, AT, false, -1, 0, 0},
	{"missing webhook id", "orders/paid", SHOP, NULL, AT, false, -1, 0, 0},
	{"empty webhook id", "orders/paid", SHOP, "", AT, false, -1, 0, 0},
	{"webhook id of 128 bytes", "orders/paid", SHOP,
	 "0123456789012345678901234567890123456789012345678901234567890123"
	 "0123456789012345678901234567890123456789012345678901234567890123",
	 AT, false, -1, 0, 0},
	{"shop evil.com", "orders/paid", "evil.com", WHID, AT, false, -1, 0, 0},
	{"shop x.myshopify.com.evil.com", "orders/paid",
	 "x.myshopify.com.evil.com", WHID, AT, false, -1, 0, 0},
	{"shop -x.myshopify.com", "orders/paid", "-x.myshopify.com", WHID, AT,
	 false, -1, 0, 0},
	{"shop x_y.myshopify.com", "orders/paid", "x_y.myshopify.com", WHID, AT,
	 false, -1, 0, 0},
	{"shop .myshopify.com", "orders/paid", ".myshopify.com", WHID, AT,
	 false, -1, 0, 0},
	{"shop myshopify.com", "orders/paid", "myshopify.com", WHID, AT, false,
	 -1, 0, 0},
	{"shop a.b.myshopify.com", "orders/paid", "a.b.myshopify.com", WHID, AT,
	 false, -1, 0, 0},
	{"shop with a port", "orders/paid", "x.myshopify.com:443", WHID, AT,
	 false, -1, 0, 0},
	{"shop with a path", "orders/paid", "x.myshopify.com/admin", WHID, AT,
	 false, -1, 0, 0},
	{"shop x.shopify.com", "orders/paid", "x.shopify.com", WHID, AT, false,
	 -1, 0, 0},
	{"shop empty", "orders/paid", "", WHID, AT, false, -1, 0, 0},
	{"shop with a space", "orders/paid", "x y.myshopify.com", WHID, AT,
	 false, -1, 0, 0},
};

/* The smallest body of each kind's shape, naming shop where it must. */
static void shaped_body(enum webhook_kind kind, const char *shop, char *out,
			size_t n)
{
	switch (kind) {
	case WEBHOOK_ORDER:
		snprintf(out, n, "{\"line_items\":[]}");
		break;
	case WEBHOOK_REFUND:
		snprintf(out, n, "{\"order_id\":1}");
		break;
	case WEBHOOK_UNINSTALLED:
		snprintf(out, n, "{\"myshopify_domain\":\"%s\"}", shop);
		break;
	case WEBHOOK_DATA_REQUEST:
		snprintf(out, n,
			 "{\"shop_domain\":\"%s\",\"customer\":{},"
			 "\"data_request\":{}}",
			 shop);
		break;
	case WEBHOOK_CUSTOMER_REDACT:
		snprintf(out, n,
			 "{\"shop_domain\":\"%s\",\"customer\":{},"
			 "\"orders_to_redact\":[]}",
			 shop);
		break;
	case WEBHOOK_SHOP_REDACT:
		snprintf(out, n, "{\"shop_domain\":\"%s\",\"shop_id\":1}",
			 shop);
		break;
	default:
		snprintf(out, n, "{}");
	}
}

static void test_classify(void **state)
{
	const struct classify_case *c = *state;
	struct provider_request req;
	struct webhook_info info;
	struct table headers;
	struct buf err;
	char body[512];

	memset(&headers, 0, sizeof(headers));
	if (c->topic)
		table_add(&headers,
			  c->lower ? "shopify-topic" : "X-Shopify-Topic",
			  c->topic);
	if (c->shop)
		table_add(&headers,
			  c->lower ? "shopify-shop-domain"
				   : "X-Shopify-Shop-Domain",
			  c->shop);
	if (c->id)
		table_add(&headers,
			  c->lower ? "shopify-webhook-id"
				   : "X-Shopify-Webhook-Id",
			  c->id);
	if (c->at)
		table_add(&headers,
			  c->lower ? "shopify-triggered-at"
				   : "X-Shopify-Triggered-At",
			  c->at);
	table_add(&headers, "X-Shopify-API-Version", "2025-10");
	memset(&req, 0, sizeof(req));
	shaped_body(c->kind, c->shop ? c->shop : "", body, sizeof(body));
	req.body = body;
	req.len = strlen(body);
	req.header = header_lookup;
	req.query = query_lookup;
	req.each_query = query_each;
	req.ctx = &headers;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->classify_webhook(&req, &info, &err), c->want);
	assert_false(info.mismatch);
	if (c->want == 0) {
		assert_int_equal(info.kind, c->kind);
		assert_string_equal(info.shop, c->shop);
		assert_string_equal(info.topic, c->topic);
		assert_string_equal(info.delivery_id, c->id);
		assert_int_equal(info.event_time, c->event_time);
	} else {
		assert_true(err.len > 0);
	}
	buf_release(&err);
}

/*
 * A signed body sent under headers it does not match: refused as a
 * mismatch (a replay), or accepted when it is the topic's own shape.
 */
struct match_case {
	const char *what;
	const char *topic;
	const char *body;
	bool mismatch; /* else accepted */
};

#define OTHER "bob-teapots.myshopify.com"
#define STATUS_URL(host)                                                 \
	"\"order_status_url\":\"https://" host "/61234567890/orders/ab/" \
	"authenticate?key=cd\""

static struct match_case match_cases[] = {
	{"order", "orders/paid",
	 "{\"admin_graphql_api_id\":\"gid://shopify/Order/1\","
	 "\"line_items\":[]," STATUS_URL(SHOP) "}",
	 false},
	{"order on the shop's own domain", "orders/paid",
	 "{\"line_items\":[]," STATUS_URL("shop.sallymugs.example") "}", false},
	{"order of another shop", "orders/paid",
	 "{\"line_items\":[]," STATUS_URL(OTHER) "}", true},
	{"order status URL of another shop in capitals", "orders/paid",
	 "{\"line_items\":[]," STATUS_URL("BOB-teapots.myshopify.com") "}",
	 true},
	{"order status URL not a string", "orders/paid",
	 "{\"line_items\":[],\"order_status_url\":{}}", true},
	{"order without line items", "orders/paid", "{\"id\":1}", true},
	{"refund as an order", "orders/paid",
	 "{\"admin_graphql_api_id\":\"gid://shopify/Refund/1\","
	 "\"line_items\":[]}",
	 true},
	{"refund body with line items", "refunds/create",
	 "{\"order_id\":1,\"line_items\":[]}", true},
	{"order as a refund", "refunds/create",
	 "{\"admin_graphql_api_id\":\"gid://shopify/Order/1\","
	 "\"order_id\":1}",
	 true},
	{"refund", "refunds/create",
	 "{\"admin_graphql_api_id\":\"gid://shopify/Refund/1\","
	 "\"order_id\":1}",
	 false},
	{"order as shop/redact", "shop/redact",
	 "{\"admin_graphql_api_id\":\"gid://shopify/Order/1\","
	 "\"line_items\":[]}",
	 true},
	{"shop/redact of another shop", "shop/redact",
	 "{\"shop_id\":1,\"shop_domain\":\"" OTHER "\"}", true},
	{"shop/redact with a customer", "shop/redact",
	 "{\"shop_id\":1,\"shop_domain\":\"" SHOP "\",\"customer\":{}}", true},
	{"shop/redact without shop_id", "shop/redact",
	 "{\"shop_domain\":\"" SHOP "\"}", true},
	{"shop/redact", "shop/redact",
	 "{\"shop_id\":1,\"shop_domain\":\"" SHOP "\"}", false},
	{"shop_domain not a string", "shop/redact",
	 "{\"shop_id\":1,\"shop_domain\":[]}", true},
	{"data request as customers/redact", "customers/redact",
	 "{\"shop_domain\":\"" SHOP "\",\"customer\":{},"
	 "\"orders_requested\":[],\"data_request\":{}}",
	 true},
	{"customers/redact as data request", "customers/data_request",
	 "{\"shop_domain\":\"" SHOP "\",\"customer\":{},"
	 "\"orders_to_redact\":[]}",
	 true},
	{"customers/redact of another shop", "customers/redact",
	 "{\"shop_domain\":\"" OTHER "\",\"customer\":{},"
	 "\"orders_to_redact\":[]}",
	 true},
	{"uninstall of another shop", "app/uninstalled",
	 "{\"domain\":\"shop.sallymugs.example\",\"myshopify_domain\":\"" OTHER
	 "\"}",
	 true},
	{"uninstall naming another shop in domain", "app/uninstalled",
	 "{\"domain\":\"" OTHER "\",\"myshopify_domain\":\"" SHOP "\"}", true},
	{"uninstall as shop/redact", "shop/redact",
	 "{\"myshopify_domain\":\"" SHOP "\",\"shop_id\":1}", true},
	{"uninstall", "app/uninstalled",
	 "{\"domain\":\"shop.sallymugs.example\",\"myshopify_domain\":\"" SHOP
	 "\"}",
	 false},
	{"ignored topic naming another shop", "products/update",
	 "{\"shop_domain\":\"" OTHER "\"}", true},
	{"ignored topic", "products/update", "{\"id\":1}", false},
};

static void test_match(void **state)
{
	const struct match_case *c = *state;
	struct provider_request req;
	struct webhook_info info;
	struct table headers;
	struct buf err;

	memset(&headers, 0, sizeof(headers));
	table_add(&headers, "X-Shopify-Topic", c->topic);
	table_add(&headers, "X-Shopify-Shop-Domain", SHOP);
	table_add(&headers, "X-Shopify-Webhook-Id", WHID);
	memset(&req, 0, sizeof(req));
	req.body = c->body;
	req.len = strlen(c->body);
	req.header = header_lookup;
	req.ctx = &headers;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->classify_webhook(&req, &info, &err),
			 c->mismatch ? -1 : 0);
	assert_int_equal(info.mismatch, c->mismatch);
	if (c->mismatch)
		assert_true(err.len > 0);
	buf_release(&err);
}

/*
 * Not JSON, or JSON but no object: classified from the headers, no
 * mismatch (it names nothing), so intake stores it and the worker fails
 * it with its reason.
 */
static void test_match_malformed(void **state)
{
	static const char *const bodies[] = {"not json", "[1]", "{\"a\":"};
	struct provider_request req;
	struct webhook_info info;
	struct table headers;
	struct buf err;
	size_t i;

	(void)state;
	memset(&headers, 0, sizeof(headers));
	table_add(&headers, "X-Shopify-Topic", "orders/paid");
	table_add(&headers, "X-Shopify-Shop-Domain", SHOP);
	table_add(&headers, "X-Shopify-Webhook-Id", WHID);
	for (i = 0; i < COUNT(bodies); i++) {
		memset(&req, 0, sizeof(req));
		req.body = bodies[i];
		req.len = strlen(bodies[i]);
		req.header = header_lookup;
		req.ctx = &headers;
		buf_init(&err, BUF_SMALL);
		assert_int_equal(sp->classify_webhook(&req, &info, &err), 0);
		assert_false(info.mismatch);
		assert_int_equal(err.len, 0);
		assert_int_equal(info.kind, WEBHOOK_ORDER);
		assert_string_equal(info.delivery_id, WHID);
		buf_release(&err);
	}
}

/* Install and callback queries */

#define NOW	  INT64_C(1741617667)
#define SECRET	  "s3cret"
#define GOOD_SHOP "sally.myshopify.com"
#define WANT_LOCATION                                                       \
	"https://sally.myshopify.com/admin/oauth/authorize?client_id=test-" \
	"api-key&scope=read_orders%2Cwrite_discounts&redirect_uri=https%3A" \
	"%2F%2Faff.example.com%2Fauth%2Fshopify%2Fcallback&state="          \
	"0f1e2d3c4b5a&grant_options%5B%5D="

static const struct platform_config install_cfg = {
	"shopify",
	"test-api-key",
	SECRET,
	"read_orders,write_discounts",
	"2025-10",
	"https://{shop}",
	"https://{shop}",
	"https://aff.example.com",
	"",
};

enum sign_mode {
	SIGN_GOOD,	/* %20 for spaces, as the SDK */
	SIGN_PLUS,	/* '+' for spaces */
	SIGN_NONE,	/* no hmac parameter */
	SIGN_FLIPPED,	/* one hex digit changed */
	SIGN_SHORT,	/* 63 hex digits */
	SIGN_OTHER_KEY, /* right shape, another secret */
};

struct install_case {
	const char *what;
	const char *shop;	 /* NULL: absent */
	int64_t ts_off;		 /* timestamp = NOW + ts_off */
	const char *ts;		 /* literal timestamp instead; "-": absent */
	const char *key, *value; /* one more signed parameter */
	enum sign_mode mode;
	const char *late_key, *late_value; /* added after signing */
	int want;
};

static struct install_case install_cases[] = {
	{"valid, timestamp now", GOOD_SHOP, 0, NULL, "host",
	 "c2FsbHkubXlzaG9waWZ5LmNvbS9hZG1pbg", SIGN_GOOD, NULL, NULL, 0},
	{"valid, timestamp 90 s old", GOOD_SHOP, -90, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, 0},
	{"valid, timestamp 90 s ahead", GOOD_SHOP, 90, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, 0},
	{"value with a space signed with %20", GOOD_SHOP, 0, NULL, "locale",
	 "en US", SIGN_GOOD, NULL, NULL, 0},
	{"value with '&' and '=' signed encoded", GOOD_SHOP, 0, NULL, "session",
	 "a=b&c", SIGN_GOOD, NULL, NULL, 0},
	{"bare parameter signed as k=", GOOD_SHOP, 0, NULL, "embedded", NULL,
	 SIGN_GOOD, NULL, NULL, 0},
	{"value with a space signed with '+'", GOOD_SHOP, 0, NULL, "locale",
	 "en US", SIGN_PLUS, NULL, NULL, -1},
	{"bad hmac", GOOD_SHOP, 0, NULL, NULL, NULL, SIGN_FLIPPED, NULL, NULL,
	 -1},
	{"missing hmac", GOOD_SHOP, 0, NULL, NULL, NULL, SIGN_NONE, NULL, NULL,
	 -1},
	{"hmac of 63 digits", GOOD_SHOP, 0, NULL, NULL, NULL, SIGN_SHORT, NULL,
	 NULL, -1},
	{"hmac with another secret", GOOD_SHOP, 0, NULL, NULL, NULL,
	 SIGN_OTHER_KEY, NULL, NULL, -1},
	{"a parameter added after signing", GOOD_SHOP, 0, NULL, NULL, NULL,
	 SIGN_GOOD, "scope", "write_orders", -1},
	{"stale timestamp (91 s old)", GOOD_SHOP, -91, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, -1},
	{"future timestamp (91 s ahead)", GOOD_SHOP, 91, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, -1},
	{"timestamp a day old", GOOD_SHOP, -86400, NULL, NULL, NULL, SIGN_GOOD,
	 NULL, NULL, -1},
	{"missing timestamp", GOOD_SHOP, 0, "-", NULL, NULL, SIGN_GOOD, NULL,
	 NULL, -1},
	{"timestamp not a number", GOOD_SHOP, 0, "yesterday", NULL, NULL,
	 SIGN_GOOD, NULL, NULL, -1},
	{"shop evil.com", "evil.com", 0, NULL, NULL, NULL, SIGN_GOOD, NULL,
	 NULL, -1},
	{"shop x.myshopify.com.evil.com", "x.myshopify.com.evil.com", 0, NULL,
	 NULL, NULL, SIGN_GOOD, NULL, NULL, -1},
	{"shop -x.myshopify.com", "-x.myshopify.com", 0, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, -1},
	{"shop x_y.myshopify.com", "x_y.myshopify.com", 0, NULL, NULL, NULL,
	 SIGN_GOOD, NULL, NULL, -1},
	{"missing shop", NULL, 0, NULL, NULL, NULL, SIGN_GOOD, NULL, NULL, -1},
};

/* Builds the case's query into t (strings kept in the static slots). */
static void install_query(const struct install_case *c, const char *secret,
			  struct table *t, char ts[32], char hmac[72])
{
	memset(t, 0, sizeof(*t));
	if (c->shop)
		table_add(t, "shop", c->shop);
	if (!c->ts)
		snprintf(ts, 32, "%lld", (long long)(NOW + c->ts_off));
	else
		snprintf(ts, 32, "%s", c->ts);
	if (strcmp(ts, "-") != 0)
		table_add(t, "timestamp", ts);
	if (c->key)
		table_add(t, c->key, c->value);
	if (c->mode != SIGN_NONE) {
		sign_table(c->mode == SIGN_OTHER_KEY ? "other" : secret, t,
			   c->mode == SIGN_PLUS, hmac);
		if (c->mode == SIGN_FLIPPED)
			hmac[10] = hmac[10] == '0' ? '1' : '0';
		if (c->mode == SIGN_SHORT)
			hmac[63] = '\0';
		table_add(t, "hmac", hmac);
	}
	if (c->late_key)
		table_add(t, c->late_key, c->late_value);
}

static void test_install(void **state)
{
	const struct install_case *c = *state;
	struct provider_env env = {&install_cfg, NULL, NULL, NOW, NULL};
	struct provider_request req;
	struct table t;
	struct buf location, err;
	char ts[32], hmac[72], shop[256];

	install_query(c, SECRET, &t, ts, hmac);
	req = query_request(&t);
	buf_init(&location, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	memset(shop, 0, sizeof(shop));
	assert_int_equal(sp->install_redirect(&env, &req, "0f1e2d3c4b5a",
					      &location, shop, &err),
			 c->want);
	if (c->want == 0) {
		assert_string_equal(buf_str(&location), WANT_LOCATION);
		assert_string_equal(shop, GOOD_SHOP);
	} else {
		assert_true(err.len > 0);
	}
	buf_release(&location);
	buf_release(&err);
}

/* My signer reproduces the PLATFORMS.md query vector. */
static void test_query_vector_signer(void **state)
{
	struct table t;
	char hex[65];

	(void)state;
	memset(&t, 0, sizeof(t));
	table_add(&t, "shop", "some-shop.myshopify.com");
	table_add(&t, "timestamp", "1337178173");
	table_add(&t, "code", "0907a61c0c8d55e99db179b68161bc00");
	table_add(&t, "state", "0.6784241404160823");
	sign_table("hush", &t, false, hex);
	assert_string_equal(hex, "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df073"
				 "90d2cbca10d7c328fc4bf");
}

/*
 * finish_install over the vector: the checks pass, so the token exchange
 * is tried against 127.0.0.1:1 and fails as a transport error (RETRY).
 * When a check fails it is REJECTED before any connection.
 */
struct callback_case {
	const char *what;
	const char *hmac;
	int64_t now;
	bool no_code;
	enum provider_status want;
};

#define VECTOR_QUERY_HMAC \
	"700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"

static struct callback_case callback_cases[] = {
	{"vector passes the checks", VECTOR_QUERY_HMAC, 1337178173, false,
	 PROVIDER_RETRY},
	{"vector 90 s later still passes", VECTOR_QUERY_HMAC, 1337178263, false,
	 PROVIDER_RETRY},
	{"vector with a bad hmac",
	 "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bd",
	 1337178173, false, PROVIDER_REJECTED},
	{"vector without hmac", NULL, 1337178173, false, PROVIDER_REJECTED},
	{"vector 91 s later", VECTOR_QUERY_HMAC, 1337178264, false,
	 PROVIDER_REJECTED},
	{"vector now", VECTOR_QUERY_HMAC, NOW, false, PROVIDER_REJECTED},
	{"vector with the code removed", VECTOR_QUERY_HMAC, 1337178173, true,
	 PROVIDER_REJECTED},
};

static void test_callback(void **state)
{
	const struct callback_case *c = *state;
	struct platform_config cfg = install_cfg;
	struct provider_env env;
	struct provider_request req;
	struct install_result out;
	struct table t;
	struct buf err;

	cfg.client_secret = "hush";
	cfg.oauth_base = "http://127.0.0.1:1/{shop}";
	cfg.api_base = "http://127.0.0.1:1/{shop}";
	memset(&t, 0, sizeof(t));
	if (!c->no_code)
		table_add(&t, "code", "0907a61c0c8d55e99db179b68161bc00");
	table_add(&t, "shop", "some-shop.myshopify.com");
	table_add(&t, "state", "0.6784241404160823");
	table_add(&t, "timestamp", "1337178173");
	if (c->hmac)
		table_add(&t, "hmac", c->hmac);
	req = query_request(&t);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.http = http_client_new(2000);
	env.now = c->now;
	memset(&out, 0, sizeof(out));
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->finish_install(&env, &req, &out, &err), c->want);
	assert_true(err.len > 0);
	assert_string_equal(out.token, "");
	buf_release(&err);
	http_client_free(env.http);
}

/* A callback signed right but without a code is refused, no call made. */
static void test_callback_no_code(void **state)
{
	struct platform_config cfg = install_cfg;
	struct provider_env env;
	struct provider_request req;
	struct install_result out;
	struct table t;
	struct buf err;
	char ts[32], hmac[72];

	(void)state;
	cfg.oauth_base = "http://127.0.0.1:1/{shop}";
	memset(&t, 0, sizeof(t));
	table_add(&t, "shop", GOOD_SHOP);
	table_add(&t, "state", "0f1e2d3c4b5a");
	snprintf(ts, sizeof(ts), "%lld", (long long)NOW);
	table_add(&t, "timestamp", ts);
	sign_table(SECRET, &t, false, hmac);
	table_add(&t, "hmac", hmac);
	req = query_request(&t);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.http = http_client_new(2000);
	env.now = NOW;
	memset(&out, 0, sizeof(out));
	buf_init(&err, BUF_SMALL);
	assert_int_equal(sp->finish_install(&env, &req, &out, &err),
			 PROVIDER_REJECTED);
	assert_non_null(strstr(buf_str(&err), "code"));
	buf_release(&err);
	http_client_free(env.http);
}

/* The members the interface needs are there. */
static void test_members(void **state)
{
	const struct provider_key *keys;
	size_t i, n;

	(void)state;
	assert_string_equal(sp->name, "shopify");
	assert_ptr_equal(provider_find("shopify"), sp);
	assert_true(sp->caps & PROVIDER_CAN_GIFT_CARD);
	assert_true(sp->caps & PROVIDER_CAN_FETCH_ORDER);
	assert_true(sp->caps & PROVIDER_CAN_API_WEBHOOKS);
	/* A capability bit and its member come together. */
	assert_true(provider_has(sp, PROVIDER_CAN_REFRESH_TOKEN |
					     PROVIDER_CAN_MIGRATE_TOKEN |
					     PROVIDER_SHOP_SECRETS));
	assert_non_null(sp->refresh_token);
	assert_non_null(sp->migrate_token);
	assert_non_null(sp->webhook_claimed_shop);
	assert_false(provider_has(sp, PROVIDER_UNSOLICITED_INSTALL));
	assert_string_equal(provider_name(sp), "shopify");
	assert_non_null(sp->fetch_refund);
	assert_non_null(sp->storefront_js);
	assert_ptr_equal(provider_storefront_js(sp), sp->storefront_js);
	assert_null(provider_admin_frame_js(sp));
	/* Its config section is its own, named as the provider. */
	keys = provider_keys(sp, &n);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_string_equal(keys[i].def.section, "shopify");
}

int main(void)
{
	size_t i;

	add_case(test_members, NULL, "members");
	for (i = 0; i < COUNT(fact_cases); i++) {
		fact_cases[i].f = &order_facts[i % COUNT(order_facts)];
		fact_cases[i].src = &sources[i / COUNT(order_facts)];
		add_case(test_order_facts, &fact_cases[i], "%s order %s",
			 fact_cases[i].src->name, fact_cases[i].f->file);
	}
	add_case(test_order_lines, NULL, "parse_order line details");
	add_case(test_rest_page_orders, NULL, "rest_orders_page.json orders");
	add_case(test_graphql_page_orders, NULL, "graphql/orders_page.json");
	for (i = 0; i < COUNT(sources); i++)
		add_case(test_edited_lines, &sources[i],
			 "%s edited order lines", sources[i].name);
	for (i = 0; i < COUNT(bad_gql_orders); i++)
		add_case(test_bad_gql_order, &bad_gql_orders[i],
			 "graphql order rejects %s", bad_gql_orders[i].what);
	add_case(test_refund_shipping_only, NULL,
		 "refund of shipping only: webhook -1, graphql 0");
	for (i = 0; i < COUNT(gql_refund_cases); i++)
		add_case(test_gql_refund, &gql_refund_cases[i],
			 "graphql refund: %s", gql_refund_cases[i].what);
	add_case(test_api_offline, NULL, "Admin API calls without a network");
	for (i = 0; i < COUNT(bad_orders); i++)
		add_case(test_bad_order, &bad_orders[i],
			 "parse_order rejects %s", bad_orders[i].what);
	add_case(test_refund_one_line, NULL, "parse_refund refund_one_line");
	add_case(test_refund_presentment_jpy, NULL,
		 "parse_refund in shop money (JPY presentment)");
	add_case(test_order_refund_presentment_eur, NULL,
		 "parse_order refund in shop money (EUR presentment)");
	add_case(test_refund_gift_card_line, NULL,
		 "parse_refund of a gift card line: base 0");
	add_case(test_order_refund_gift_card_line, NULL,
		 "parse_order refund of a gift card line: base 0");
	for (i = 0; i < COUNT(bad_refunds); i++)
		add_case(test_bad_refund, &bad_refunds[i],
			 "parse_refund rejects %s", bad_refunds[i].what);
	for (i = 0; i < COUNT(privacy_cases); i++)
		add_case(test_privacy, &privacy_cases[i], "parse_privacy %s",
			 privacy_cases[i].file);
	add_case(test_privacy_not_json, NULL, "parse_privacy rejects not JSON");
	for (i = 0; i < COUNT(verify_cases); i++)
		add_case(test_verify, &verify_cases[i], "verify_webhook: %s",
			 verify_cases[i].what);
	for (i = 0; i < COUNT(classify_cases); i++)
		add_case(test_classify, &classify_cases[i],
			 "classify_webhook: %s", classify_cases[i].what);
	for (i = 0; i < COUNT(match_cases); i++)
		add_case(test_match, &match_cases[i], "webhook match: %s",
			 match_cases[i].what);
	add_case(test_match_malformed, NULL, "webhook match: %s",
		 "malformed bodies");
	add_case(test_query_vector_signer, NULL, "query signer vector");
	for (i = 0; i < COUNT(install_cases); i++)
		add_case(test_install, &install_cases[i],
			 "install_redirect: %s", install_cases[i].what);
	for (i = 0; i < COUNT(callback_cases); i++)
		add_case(test_callback, &callback_cases[i],
			 "finish_install: %s", callback_cases[i].what);
	add_case(test_callback_no_code, NULL, "finish_install: no code");
	return _cmocka_run_group_tests("shopify", cases, ncases, NULL, NULL);
}
