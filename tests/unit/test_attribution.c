/*
 * attribution.h on a real store: each row is one order against the same
 * small world of affiliates, and names who must be credited, by which
 * signal, and words the reason must (and must not) hold. Then the parser
 * of custom precedences and url_ref_param alone.
 *
 * The world (shop USD):
 *   program Friends (window 30 days): sally (code sally, coupon SALLY20,
 *     customer cust-sally), bob (code bob, coupon BOB10), dora (code
 *     dora, coupon DORA5; disabled), pat (code pat; pending)
 *   program Paused (paused): pete (code pete, coupon PETE5)
 *   program Influencers (window 7 days): ivy (code ivy, coupon IVY15)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pipeline_fixture.h"

#include "attribution.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define BUYER_IP "203.0.113.7"

static struct world {
	struct fx fx;
	int64_t friends, paused, influencers;
	int64_t sally, bob, dora, pat, pete, ivy;
	struct order o; /* the case's order, released in the teardown */
} w;

static int64_t aff_id(const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{"sally", offsetof(struct world, sally)},
		{"bob", offsetof(struct world, bob)},
		{"dora", offsetof(struct world, dora)},
		{"pat", offsetof(struct world, pat)},
		{"pete", offsetof(struct world, pete)},
		{"ivy", offsetof(struct world, ivy)},
	};
	size_t i;

	for (i = 0; name && i < COUNT(map); i++)
		if (strcmp(map[i].name, name) == 0)
			return *(const int64_t *)(const void
							  *)((const char *)&w +
							     map[i].off);
	return 0;
}

static int64_t program_id(const char *name)
{
	if (!name)
		return 0;
	if (strcmp(name, "Influencers") == 0)
		return w.influencers;
	if (strcmp(name, "Paused") == 0)
		return w.paused;
	return w.friends;
}

static int case_setup(void **state)
{
	const char *sally[] = {"SALLY20", NULL}, *bob[] = {"BOB10", NULL},
		   *dora[] = {"DORA5", NULL}, *pete[] = {"PETE5", NULL},
		   *ivy[] = {"IVY15", NULL};
	struct program p;

	(void)state;
	order_init(&w.o);
	fx_open(&w.fx);
	fx_program_init(&p, w.fx.shop, "USD");
	w.friends = fx_program_add(&w.fx, &p);
	fx_program_init(&p, w.fx.shop, "USD");
	fx_set(&p.name, "Paused");
	p.active = false;
	w.paused = fx_program_add(&w.fx, &p);
	fx_program_init(&p, w.fx.shop, "USD");
	fx_set(&p.name, "Influencers");
	p.kind = PROGRAM_AFFILIATE;
	p.window_days = 7;
	w.influencers = fx_program_add(&w.fx, &p);

	w.sally = fx_affiliate_full(&w.fx, w.friends, "sally", "Sally@Aff.Test",
				    "sally", sally, "cust-sally");
	w.bob = fx_affiliate_full(&w.fx, w.friends, "bob", "bob@aff.test",
				  "bob", bob, NULL);
	w.dora = fx_affiliate_full(&w.fx, w.friends, "dora", "dora@aff.test",
				   "dora", dora, NULL);
	w.pat = fx_affiliate_full(&w.fx, w.friends, "pat", "pat@aff.test",
				  "pat", NULL, NULL);
	w.pete = fx_affiliate_full(&w.fx, w.paused, "pete", "pete@aff.test",
				   "pete", pete, NULL);
	w.ivy = fx_affiliate_full(&w.fx, w.influencers, "ivy", "ivy@aff.test",
				  "ivy", ivy, NULL);
	fx_fail_on(store_affiliate_set_status(w.fx.tx, w.dora,
					      AFFILIATE_DISABLED, &w.fx.err),
		   &w.fx, "disable");
	fx_fail_on(store_affiliate_set_status(w.fx.tx, w.pat, AFFILIATE_PENDING,
					      &w.fx.err),
		   &w.fx, "pending");
	return 0;
}

static int case_teardown(void **state)
{
	(void)state;
	order_release(&w.o);
	fx_close(&w.fx);
	return 0;
}

enum click_via { CLICK_NONE, CLICK_ATTR, CLICK_IP };

struct attr_case {
	const char *name;
	/* the order */
	const char *codes[3];
	const char *ref_attr;
	const char *landing;
	const char *customer_id; /* NULL: cust-1; "-": none */
	const char *email;	 /* NULL: buyer@example.com */
	/* recorded signals */
	enum click_via click;
	const char *click_aff;
	int click_days; /* age */
	const char *click_network;
	const char *bind_aff;
	const char *bind_key; /* NULL: cust-1 */
	int bind_days;	      /* expires in; negative: expired */
	/* context */
	const char *only_program;
	const char *precedence;
	/* expected */
	const char *decision;
	const char *winner;
	const char *signal;
	const char *say[4];
	const char *not_say[2];
};

static const struct attr_case attr_cases[] = {
	/* Each signal alone. */
	{.name = "coupon code names its affiliate",
	 .codes = {"SALLY20"},
	 .decision = "credited",
	 .winner = "sally",
	 .signal = "coupon",
	 .say = {"coupon SALLY20 belongs to affiliate", "(sally)"}},
	{.name = "coupon code matches case-insensitively",
	 .codes = {"sAlLy20"},
	 .decision = "credited",
	 .winner = "sally",
	 .signal = "coupon",
	 .say = {"coupon sAlLy20"}},
	{.name = "referral code typed as a coupon",
	 .codes = {"BOB"},
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "coupon",
	 .say = {"coupon BOB belongs", "(bob)"}},
	{.name = "ref attribute on the order",
	 .ref_attr = "bob",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "attribute",
	 .say = {"ref=bob in the order's attributes"}},
	{.name = "ref attribute value matches case-insensitively",
	 .ref_attr = "BoB",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "attribute"},
	{.name = "landing URL /x?ref=abc&y=1",
	 .landing = "https://shop.test/x?ref=bob&y=1",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing",
	 .say = {"ref=bob on the landing URL", "(bob)"}},
	{.name = "landing URL ?a=1&ref=abc",
	 .landing = "https://shop.test/?a=1&ref=bob",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing"},
	{.name = "landing URL ref before a fragment",
	 .landing = "https://shop.test/?ref=bob#top",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing"},
	{.name = "landing URL without ref",
	 .landing = "https://shop.test/x?a=1&y=2",
	 .decision = "none",
	 .say = {"no affiliate signal"}},
	{.name = "landing URL with an empty ref=",
	 .landing = "https://shop.test/x?ref=&y=1",
	 .decision = "none"},
	{.name = "landing URL: xref= is not ref=",
	 .landing = "https://shop.test/x?xref=bob",
	 .decision = "none"},
	{.name = "click carried by the cart attribute, within the window",
	 .click = CLICK_ATTR,
	 .click_aff = "bob",
	 .click_days = 3,
	 .click_network = "facebook",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "click",
	 .say = {"carried by the cart", "3 days old", "(facebook)"}},
	{.name = "click carried by the cart attribute, outside the window",
	 .click = CLICK_ATTR,
	 .click_aff = "bob",
	 .click_days = 31,
	 .click_network = "x",
	 .decision = "none"},
	{.name = "click from the buyer's address within the window",
	 .click = CLICK_IP,
	 .click_aff = "bob",
	 .click_days = 1,
	 .click_network = "email",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "click",
	 .say = {"from the buyer's address", "1 day old"}},
	{.name = "click from the buyer's address outside the window",
	 .click = CLICK_IP,
	 .click_aff = "ivy",
	 .click_days = 8,
	 .click_network = "x",
	 .decision = "none"},
	{.name = "lifetime binding, unexpired",
	 .bind_aff = "bob",
	 .bind_days = 10,
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "binding",
	 .say = {"lifetime binding", "referred by affiliate"}},
	{.name = "lifetime binding, expired",
	 .bind_aff = "bob",
	 .bind_days = -1,
	 .decision = "none"},
	{.name = "lifetime binding by (normalised) email, no customer id",
	 /* The pipeline stores the key of a customer without an id as the
	    normalised email (row->email); a later order types it as it
	    likes. */
	 .customer_id = "-",
	 .email = "Buyer@Example.COM",
	 .bind_aff = "bob",
	 .bind_key = "buyer@example.com",
	 .bind_days = 10,
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "binding"},

	/* Default precedence: coupon > attribute > landing > click >
	   binding; the reason names the loser. */
	{.name = "precedence: coupon over attribute",
	 .codes = {"SALLY20"},
	 .ref_attr = "bob",
	 .decision = "credited",
	 .winner = "sally",
	 .signal = "coupon",
	 .say = {"coupon SALLY20", "not credited: ref=bob",
		 "lower precedence"}},
	{.name = "precedence: attribute over landing",
	 .ref_attr = "bob",
	 .landing = "https://shop.test/?ref=sally",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "attribute",
	 .say = {"not credited: ref=sally on the landing URL"}},
	{.name = "precedence: landing over click",
	 .landing = "https://shop.test/?ref=bob",
	 .click = CLICK_IP,
	 .click_aff = "sally",
	 .click_days = 2,
	 .click_network = "x",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing",
	 .say = {"not credited: click", "(sally)"}},
	{.name = "precedence: click over binding",
	 .click = CLICK_ATTR,
	 .click_aff = "bob",
	 .click_days = 2,
	 .click_network = "x",
	 .bind_aff = "sally",
	 .bind_days = 30,
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "click",
	 .say = {"not credited: customer referred by affiliate"}},
	{.name = "custom precedence: binding first",
	 .codes = {"SALLY20"},
	 .bind_aff = "bob",
	 .bind_days = 30,
	 .precedence = "binding,click,landing,attribute,coupon",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "binding",
	 .say = {"not credited: coupon SALLY20"}},
	{.name = "custom precedence: landing before coupon",
	 .codes = {"SALLY20"},
	 .landing = "https://shop.test/?ref=bob",
	 .precedence = "landing coupon attribute click binding",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing"},

	/* Disagreeing signals: exactly one affiliate credited. */
	{.name = "two affiliate codes: the first typed wins",
	 .codes = {"SALLY20", "BOB10"},
	 .decision = "credited",
	 .winner = "sally",
	 .signal = "coupon",
	 .say = {"not credited: coupon BOB10", "(bob)", "lower precedence"}},
	{.name = "two affiliate codes, other order: the first typed wins",
	 .codes = {"BOB10", "SALLY20"},
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "coupon",
	 .say = {"not credited: coupon SALLY20"}},
	{.name = "link from A, code from B: B credited, both named",
	 .codes = {"BOB10"},
	 .landing = "https://shop.test/?ref=sally",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "coupon",
	 .say = {"coupon BOB10 belongs", "(bob)",
		 "not credited: ref=sally on the landing URL", "(sally)"}},
	{.name = "same affiliate by code and link: no 'not credited'",
	 .codes = {"BOB10"},
	 .landing = "https://shop.test/?ref=bob",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "coupon",
	 .not_say = {"not credited"}},

	/* Inactive affiliates and programs. */
	{.name = "disabled affiliate alone: inactive",
	 .codes = {"DORA5"},
	 .decision = "inactive",
	 .say = {"coupon DORA5", "not active"}},
	{.name = "pending affiliate alone: inactive",
	 .ref_attr = "pat",
	 .decision = "inactive",
	 .say = {"not active"}},
	{.name = "disabled affiliate skipped for the next signal",
	 .codes = {"DORA5"},
	 .landing = "https://shop.test/?ref=bob",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing"},
	{.name = "a skipped inactive signal is not called lower precedence",
	 /* DORA5 outranks the link; it lost because dora is disabled. */
	 .codes = {"DORA5"},
	 .landing = "https://shop.test/?ref=bob",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing",
	 .say = {"DORA5"},
	 .not_say = {"lower precedence"}},
	{.name = "paused program: inactive",
	 .codes = {"PETE5"},
	 .decision = "inactive",
	 .say = {"not active"}},
	{.name = "paused program skipped for the next signal",
	 .codes = {"PETE5", "IVY15"},
	 .decision = "credited",
	 .winner = "ivy",
	 .signal = "coupon"},
	{.name = "only_program: the other program's code is not usable",
	 .codes = {"SALLY20", "IVY15"},
	 .only_program = "Influencers",
	 .decision = "credited",
	 .winner = "ivy",
	 .signal = "coupon"},
	{.name = "only_program: nobody of that program",
	 .codes = {"SALLY20"},
	 .only_program = "Influencers",
	 .decision = "inactive"},

	/* Self-referral. */
	{.name = "self-referral by customer id",
	 .codes = {"SALLY20"},
	 .customer_id = "cust-sally",
	 .decision = "self_referral",
	 .signal = "coupon",
	 .say = {"self-referral refused"}},
	{.name = "self-referral by email, case-insensitive",
	 .codes = {"SALLY20"},
	 .email = "SALLY@aff.test",
	 .decision = "self_referral",
	 .say = {"self-referral"}},
	{.name = "self-referral by normalised email (spaces trimmed)",
	 .codes = {"SALLY20"},
	 .email = " sally@aff.test ",
	 .decision = "self_referral"},
	{.name = "another customer with the code is not a self-referral",
	 .codes = {"SALLY20"},
	 .customer_id = "cust-2",
	 .email = "someone@else.test",
	 .decision = "credited",
	 .winner = "sally"},

	/* Codes that belong to nobody. */
	{.name = "unknown codes listed in the reason",
	 .codes = {"NOPE1", "nope2"},
	 .decision = "none",
	 .say = {"codes that belong to nobody", "NOPE1", "nope2"}},
	{.name = "unknown ref listed in the reason",
	 .landing = "https://shop.test/?ref=ghost",
	 .decision = "none",
	 .say = {"ghost"}},
	{.name = "unknown code before a known one: the known one wins",
	 .codes = {"NOPE1", "BOB10"},
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "coupon"},
	{.name = "landing ref: the affiliate's click from the address is noted",
	 .landing = "https://shop.test/?ref=bob",
	 .click = CLICK_IP,
	 .click_aff = "bob",
	 .click_days = 0,
	 .click_network = "facebook",
	 .decision = "credited",
	 .winner = "bob",
	 .signal = "landing",
	 .say = {"click from facebook less than a day old"}},
};

static void add_click(const char *aff, int days, const char *network,
		      int64_t *id)
{
	struct click c;

	memset(&c, 0, sizeof(c));
	c.shop_id = w.fx.shop;
	c.affiliate_id = aff_id(aff);
	c.program_id = strcmp(aff, "ivy") == 0 ? w.influencers : w.friends;
	snprintf(c.network, sizeof(c.network), "%s", network);
	seal_pseudonym(BUYER_IP, c.ip_hash);
	snprintf(c.visitor, sizeof(c.visitor), "v-%s", aff);
	c.created_at = clock_now() - (int64_t)days * FX_DAY - 60;
	fx_fail_on(store_click_add(w.fx.tx, &c, id, &w.fx.err), &w.fx,
		   "store_click_add");
}

static void test_decide(void **state)
{
	const struct attr_case *c = *state;
	enum signal_kind prec[SIGNAL__COUNT];
	struct attribution_ctx ctx;
	struct attribution a;
	struct order *o = &w.o;
	char ip_hash[33], num[24];
	size_t i;

	fx_order(o, "1001", "USD", 5000);
	if (!c->customer_id)
		fx_set(&o->customer_id, "cust-1");
	else if (strcmp(c->customer_id, "-") != 0)
		fx_set(&o->customer_id, c->customer_id);
	fx_set(&o->email, c->email ? c->email : "buyer@example.com");
	fx_set(&o->browser_ip, BUYER_IP);
	for (i = 0; i < COUNT(c->codes) && c->codes[i]; i++)
		order_add_code(o, c->codes[i]);
	if (c->ref_attr)
		order_add_attr(o, "ref", c->ref_attr);
	fx_set(&o->landing_url, c->landing);
	if (c->click != CLICK_NONE) {
		int64_t id;

		add_click(c->click_aff, c->click_days, c->click_network, &id);
		if (c->click == CLICK_ATTR) {
			snprintf(num, sizeof(num), "%lld", (long long)id);
			order_add_attr(o, "affiliated_click", num);
		}
	}
	if (c->bind_aff) {
		struct binding b = {aff_id(c->bind_aff), w.friends,
				    clock_now() - 40 * FX_DAY,
				    clock_now() + c->bind_days * FX_DAY};

		fx_fail_on(
			store_binding_put(w.fx.tx, w.fx.shop,
					  c->bind_key ? c->bind_key : "cust-1",
					  &b, &w.fx.err),
			&w.fx, "store_binding_put");
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.shop_id = w.fx.shop;
	seal_pseudonym(BUYER_IP, ip_hash);
	/* Only the CLICK_IP rows pass the address: the others must not
	   find a click through it by accident. */
	ctx.ip_hash = c->click == CLICK_IP || c->landing ? ip_hash : "";
	ctx.now = clock_now();
	ctx.only_program = program_id(c->only_program);
	if (c->precedence) {
		fx_fail_on(
			signal_precedence_parse(c->precedence, prec, &w.fx.err),
			&w.fx, "precedence");
		ctx.precedence = prec;
	}
	fx_fail_on(attribution_decide(w.fx.tx, &ctx, o, &a, &w.fx.err), &w.fx,
		   "attribution_decide");

	if (strcmp(a.decision, c->decision) != 0)
		fail_msg("decision '%s', want '%s' (reason: %s)", a.decision,
			 c->decision, a.reason);
	if (a.affiliate_id != aff_id(c->winner))
		fail_msg("credited affiliate %lld, want %lld (%s); reason: %s",
			 (long long)a.affiliate_id,
			 (long long)aff_id(c->winner),
			 c->winner ? c->winner : "nobody", a.reason);
	if (c->winner)
		assert_int_equal(a.program_id, strcmp(c->winner, "ivy") == 0
						       ? w.influencers
						       : w.friends);
	else
		assert_int_equal(a.program_id, 0);
	if (c->signal && strcmp(signal_str(a.signal), c->signal) != 0)
		fail_msg("signal '%s', want '%s'", signal_str(a.signal),
			 c->signal);
	for (i = 0; i < COUNT(c->say) && c->say[i]; i++)
		if (!strstr(a.reason, c->say[i]))
			fail_msg("reason '%s' does not say '%s'", a.reason,
				 c->say[i]);
	for (i = 0; i < COUNT(c->not_say) && c->not_say[i]; i++)
		if (strstr(a.reason, c->not_say[i]))
			fail_msg("reason '%s' says '%s'", a.reason,
				 c->not_say[i]);
	if (c->click == CLICK_NONE && c->landing == NULL &&
	    strcmp(c->decision, "credited") == 0)
		assert_string_equal(a.network, "");
}

/* Named affiliates in the reason: ids are the store's. */
static void test_reason_names_ids(void **state)
{
	struct attribution_ctx ctx;
	struct attribution a;
	struct order *o = &w.o;
	char want[96];

	(void)state;
	fx_order(o, "1002", "USD", 5000);
	order_add_code(o, "BOB10");
	fx_set(&o->landing_url, "https://shop.test/?ref=sally");
	memset(&ctx, 0, sizeof(ctx));
	ctx.shop_id = w.fx.shop;
	ctx.ip_hash = "";
	ctx.now = clock_now();
	fx_fail_on(attribution_decide(w.fx.tx, &ctx, o, &a, &w.fx.err), &w.fx,
		   "attribution_decide");
	snprintf(want, sizeof(want), "belongs to affiliate %lld (bob)",
		 (long long)w.bob);
	assert_non_null(strstr(a.reason, want));
	snprintf(want, sizeof(want), "belongs to affiliate %lld (sally)",
		 (long long)w.sally);
	assert_non_null(strstr(a.reason, want));
}

/* A code of another shop means nothing here. */
static void test_other_shop(void **state)
{
	struct attribution_ctx ctx;
	struct attribution a;
	struct order *o = &w.o;

	(void)state;
	fx_order(o, "1003", "USD", 5000);
	order_add_code(o, "SALLY20");
	memset(&ctx, 0, sizeof(ctx));
	ctx.shop_id = fx_shop_add(&w.fx, "other.myshopify.com", "USD");
	ctx.ip_hash = "";
	ctx.now = clock_now();
	fx_fail_on(attribution_decide(w.fx.tx, &ctx, o, &a, &w.fx.err), &w.fx,
		   "attribution_decide");
	assert_string_equal(a.decision, "none");
	assert_int_equal(a.affiliate_id, 0);
}

struct prec_case {
	const char *text;
	int rc;
	enum signal_kind first, last;
	const char *say;
};

static const struct prec_case prec_cases[] = {
	{"coupon,attribute,landing,click,binding", 0, SIGNAL_COUPON,
	 SIGNAL_BINDING, NULL},
	{"binding, click, landing, attribute, coupon", 0, SIGNAL_BINDING,
	 SIGNAL_COUPON, NULL},
	{"click landing coupon attribute binding", 0, SIGNAL_CLICK,
	 SIGNAL_BINDING, NULL},
	{"coupon,coupon,landing,click,binding", -1, 0, 0, "repeated"},
	{"coupon,attribute,landing,click,bogus", -1, 0, 0, "bogus"},
	{"coupon,attribute,landing,click", -1, 0, 0, "all five"},
	{"", -1, 0, 0, "all five"},
	{"coupon,attribute,landing,click,binding,coupon", -1, 0, 0, "coupon"},
	{"Coupon,attribute,landing,click,binding", -1, 0, 0, "Coupon"},
	{"coupon;attribute;landing;click;binding", -1, 0, 0, "not a signal"},
};

static void test_precedence(void **state)
{
	const struct prec_case *c = *state;
	enum signal_kind out[SIGNAL__COUNT];
	struct buf err;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = signal_precedence_parse(c->text, out, &err);
	if (rc != c->rc)
		fail_msg("rc %d, want %d (%s)", rc, c->rc, buf_str(&err));
	if (rc == 0) {
		assert_int_equal(out[0], c->first);
		assert_int_equal(out[SIGNAL__COUNT - 1], c->last);
	} else if (!strstr(buf_str(&err), c->say)) {
		fail_msg("error '%s' does not say '%s'", buf_str(&err), c->say);
	}
	buf_release(&err);
}

struct url_case {
	const char *url;
	const char *want;
};

static const struct url_case url_cases[] = {
	{"/x?ref=abc&y=1", "abc"},
	{"/x?a=1&ref=abc", "abc"},
	{"/x?a=1&ref=abc#frag", "abc"},
	{"/x?a=1", ""},
	{"/x?ref=", ""},
	{"/x?xref=abc&prefer=1", ""},
	{"/x#ref=abc", ""},
	{"/ref=abc", ""},
	{"", ""},
};

static void test_url(void **state)
{
	const struct url_case *c = *state;
	char out[64];

	url_ref_param(c->url, out, sizeof(out));
	assert_string_equal(out, c->want);
}

static void test_url_null(void **state)
{
	char out[8] = "junk";

	(void)state;
	url_ref_param(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

/* A case that runs against the fixture's store. */
static void add_db(CMUnitTestFunction fn, void *row, const char *name)
{
	add_case(fn, row, "%s", name);
	cases[ncases - 1].setup_func = case_setup;
	cases[ncases - 1].teardown_func = case_teardown;
}

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(attr_cases); i++)
		add_db(test_decide, (void *)(uintptr_t)&attr_cases[i],
		       attr_cases[i].name);
	add_db(test_reason_names_ids, NULL, "reason names the affiliate ids");
	add_db(test_other_shop, NULL, "a code of another shop: none");
	for (i = 0; i < COUNT(prec_cases); i++)
		add_case(test_precedence, (void *)(uintptr_t)&prec_cases[i],
			 "precedence \"%s\"", prec_cases[i].text);
	for (i = 0; i < COUNT(url_cases); i++)
		add_case(test_url, (void *)(uintptr_t)&url_cases[i],
			 "url_ref_param \"%s\"", url_cases[i].url);
	add_case(test_url_null, NULL, "url_ref_param NULL");
	return _cmocka_run_group_tests("attribution", cases, ncases, NULL,
				       NULL);
}
