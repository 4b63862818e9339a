/*
 * Property test of the pipeline: random sequences of order events (new
 * orders, payments, exact duplicates, stale older states, partial and full
 * refunds as order states or as refund events, cancellations, approvals
 * at advancing dates, payouts) over two shops, four programs and five
 * affiliates, against an independent model kept here. After every event
 * the ledger's bucket sums per affiliate must equal the model's; after
 * every sequence each order's commission must be the model's, no
 * commission may have more than one accrual, and ledger_verify passes.
 *
 * Seeds: a master seed (printed; AFFILIATED_SEED=N replays it) gives
 * every sequence its own seed; AFFILIATED_SEQUENCES=N changes how many
 * sequences run (default 200, up to 30 events each). Each sequence runs in
 * one write transaction that is rolled back, so each starts empty.
 *
 * The world:
 *   shop U (USD): Tiered (10%, 15% from the 3rd commission of the
 *     affiliate, cap 30.00, credit on payment, no hold); Fixed (5.00 per
 *     order, credit on creation, hold 3 days)
 *   shop J (JPY): Yen (8%, credit on payment, hold 7 days); YenFixed
 *     (300 JPY per order, credit on creation, no hold)
 *   ann (Tiered; code ann, coupon ANN10), bob (Fixed; code bob, coupons
 *   BOB5 and BOBBY), cat (Tiered; code cat, links only), jun (Yen; code
 *   jun, coupon JUN5), kei (YenFixed; code kei, links only)
 * No clicks, no addresses, no bindings, at most 4 customers, no manual
 * approval: nothing is held for review, nobody refers themself.
 *
 * The model's rules (written from the issue and pipeline.h, not the code):
 *  - Attribution: the first code on the order that belongs to an
 *    affiliate of the shop (case-insensitive; referral codes count as
 *    coupons), else the "ref" attribute, else the landing URL's ref; else
 *    nobody.
 *  - Base: sum over lines that are not gift cards of price x quantity -
 *    discount. Percent: round(base x rate / 10000) half away from zero
 *    (the tier rate when the affiliate already has >= 3 commissions),
 *    then capped; fixed: the amount. 0 earns nothing.
 *  - An order state is stale when the order is known and its updated_at
 *    is older than the last state taken. A stale state changes nothing
 *    but records refunds not known yet. Any state records its refunds
 *    (by id, once); a refund event records its refund when the order is
 *    known, and is ignored otherwise.
 *  - A refund's part of the base: its base when sent, else
 *    round(amount x base / total).
 *  - A commission is created once per order, by a state that is not
 *    stale, when attributed and creditable: not voided, not cancelled
 *    before payment, and paid when the program credits on payment.
 *    +amount into pending; with no hold it is approved at once.
 *  - Target reversal: everything when the last taken state is cancelled,
 *    refunded or voided; else min(amount, round(amount x refunded base /
 *    base)) (all when refunded base >= base). Reversal entries bring the
 *    reversed total up to the target (never down), from approved when
 *    the commission is approved, else from pending.
 *  - Approval (pending -> approved) moves amount - reversed when positive,
 *    once; at approve_due(day d) for holds <= d days.
 *  - Payout moves a positive approved balance to paid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pipeline_fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY	 FX_DAY

enum {
	N_SHOPS = 2,
	N_PROGS = 4,
	N_AFFS = 5,
	MAX_ORDERS = 40,
	MAX_LINES = 3,
	MAX_REFUNDS = 6,
	MAX_SNAPS = 24,
	MAX_EVENTS = 30,
	N_CUSTOMERS = 4,
	LOG_LINE = 160,
};

struct prog_spec {
	const char *name;
	int shop;
	bool fixed;
	int64_t rate_bps, tier_threshold, tier_bps, fixed_amount, cap;
	int64_t hold_days;
	bool on_paid;
};

static const char *const shop_currency[N_SHOPS] = {"USD", "JPY"};

static const struct prog_spec progs[N_PROGS] = {
	{"Tiered", 0, false, 1000, 3, 1500, 0, 3000, 0, true},
	{"Fixed", 0, true, 0, 0, 0, 500, 0, 3, false},
	{"Yen", 1, false, 800, 0, 0, 0, 0, 7, true},
	{"YenFixed", 1, true, 0, 0, 0, 300, 0, 0, false},
};

struct aff_spec {
	const char *name;
	int prog;
	const char *code;
	const char *coupons[3];
};

static const struct aff_spec affs[N_AFFS] = {
	{"ann", 0, "ann", {"ANN10", NULL, NULL}},
	{"bob", 1, "bob", {"BOB5", "BOBBY", NULL}},
	{"cat", 0, "cat", {NULL, NULL, NULL}},
	{"jun", 2, "jun", {"JUN5", NULL, NULL}},
	{"kei", 3, "kei", {NULL, NULL, NULL}},
};

/* Codes typed at checkout and refs in links, per shop (some unknown). */
static const char *const shop_codes[N_SHOPS][8] = {
	{"ANN10", "ann", "BOB5", "BOBBY", "bob", "cat", "NOPE", "ghost"},
	{"JUN5", "jun", "kei", "NADA", "JUN5", "jun", "kei", "NADA"},
};
static const char *const shop_refs[N_SHOPS][4] = {
	{"ann", "bob", "cat", "ghost"},
	{"jun", "kei", "nobody", "jun"},
};

/* ---- PRNG (splitmix64) ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rnd_in(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static bool chance(int percent)
{
	return rnd_in(1, 100) <= percent;
}

/* ---- The generator's orders and the model ---- */

struct gen_line {
	int64_t price, quantity, discount;
	bool gift_card;
};

struct gen_refund {
	char id[40];
	int64_t amount, base; /* base -1: not sent */
};

struct snap {
	enum order_financial fin;
	bool cancelled;
	int nref; /* refunds [0, nref) */
	int64_t updated_at;
};

struct gen_order {
	char id[16];
	int shop;
	struct gen_line lines[MAX_LINES];
	int nlines;
	int64_t subtotal, tax, shipping, total;
	int64_t base; /* model: commissionable */
	char codes[2][16];
	int ncodes;
	char ref_attr[16];
	char landing[80];
	int customer;
	struct gen_refund refunds[MAX_REFUNDS];
	int nref;
	int64_t refunded, refunded_base;
	struct snap now; /* the generator's current state */
	bool terminal;
	struct snap snaps[MAX_SNAPS]; /* states sent */
	int nsnaps;
	/* model */
	int winner; /* affiliate index, -1 nobody */
	bool seen;
	struct snap row; /* the last state taken */
	bool recorded[MAX_REFUNDS];
	int64_t rec_base[MAX_REFUNDS];
	bool has_c;
	int64_t amount, reversed;
	bool approved;
};

struct model_aff {
	int64_t pending, approved, paid;
	int64_t ncommissions;
};

static struct seq {
	struct fx *fx;
	int64_t shop_id[N_SHOPS];
	int64_t prog_id[N_PROGS];
	int64_t aff_id[N_AFFS];
	struct gen_order orders[MAX_ORDERS];
	int norders;
	struct model_aff m[N_AFFS];
	int64_t start; /* clock at the start of the sequence */
	int64_t day;   /* approvals run at start + day days + 12h */
	int64_t next_update;
	char log[MAX_EVENTS + 1][LOG_LINE];
	int nlog;
} s;

static struct fx fx;
static uint64_t master_seed;
static int nseq = 200;
static long long events_total, checks_total;
/* What the sequences exercised, for the summary line. */
static struct {
	long long orders, paid, partial, full, as_event, cancels, dups, stales,
		approvals, payouts, commissions, reversed, approved;
} st;

static void logf_(const char *fmt, ...) PRINTF_LIKE(1, 2);

static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (s.nlog >= (int)COUNT(s.log))
		return;
	va_start(ap, fmt);
	vsnprintf(s.log[s.nlog++], LOG_LINE, fmt, ap);
	va_end(ap);
}

static void dump_log(int seq_no, uint64_t seed)
{
	int i;

	fprintf(stderr,
		"property failure: AFFILIATED_SEED=%llu, sequence %d (seed "
		"%llu); events:\n",
		(unsigned long long)master_seed, seq_no,
		(unsigned long long)seed);
	for (i = 0; i < s.nlog; i++)
		fprintf(stderr, "  %2d. %s\n", i + 1, s.log[i]);
}

/* Half away from zero for non-negative a x b / d, d > 0. */
static int64_t round_div(int64_t a, int64_t b, int64_t d)
{
	return (2 * a * b + d) / (2 * d);
}

static bool was_paid(enum order_financial f)
{
	return f == ORDER_PAID || f == ORDER_PARTIALLY_REFUNDED ||
	       f == ORDER_REFUNDED;
}

static int code_owner(int shop, const char *code)
{
	int a, i;

	for (a = 0; a < N_AFFS; a++) {
		if (progs[affs[a].prog].shop != shop)
			continue;
		if (strcasecmp(code, affs[a].code) == 0)
			return a;
		for (i = 0; affs[a].coupons[i]; i++)
			if (strcasecmp(code, affs[a].coupons[i]) == 0)
				return a;
	}
	return -1;
}

static int model_winner(const struct gen_order *o)
{
	const char *ref;
	int i, a;

	for (i = 0; i < o->ncodes; i++)
		if ((a = code_owner(o->shop, o->codes[i])) >= 0)
			return a;
	if (o->ref_attr[0] && (a = code_owner(o->shop, o->ref_attr)) >= 0)
		return a;
	ref = strstr(o->landing, "ref=");
	if (ref) {
		char v[16];
		size_t n = strcspn(ref + 4, "&#");

		snprintf(v, sizeof(v), "%.*s", (int)n, ref + 4);
		if ((a = code_owner(o->shop, v)) >= 0)
			return a;
	}
	return -1;
}

static int64_t model_amount(int aff, const struct gen_order *o)
{
	const struct prog_spec *p = &progs[affs[aff].prog];
	int64_t rate = p->rate_bps, v;

	if (p->fixed)
		return p->fixed_amount;
	if (p->tier_threshold && s.m[aff].ncommissions >= p->tier_threshold)
		rate = p->tier_bps;
	v = round_div(o->base, rate, 10000);
	if (p->cap && v > p->cap)
		v = p->cap;
	return v;
}

static void model_approve(struct gen_order *o)
{
	struct model_aff *m;
	int64_t net = o->amount - o->reversed;

	if (!o->has_c || o->approved || net <= 0)
		return;
	m = &s.m[o->winner];
	m->pending -= net;
	m->approved += net;
	o->approved = true;
}

static void model_reconcile(struct gen_order *o)
{
	struct model_aff *m;
	int64_t target, num = 0, delta;
	int i;

	if (!o->has_c)
		return;
	m = &s.m[o->winner];
	if (o->row.cancelled || o->row.fin == ORDER_REFUNDED ||
	    o->row.fin == ORDER_VOIDED) {
		target = o->amount;
	} else {
		for (i = 0; i < o->nref; i++)
			if (o->recorded[i])
				num += o->rec_base[i];
		if (num <= 0)
			target = 0;
		else if (num >= o->base)
			target = o->amount;
		else
			target = round_div(o->amount, num, o->base);
		if (target > o->amount)
			target = o->amount;
	}
	if (target <= o->reversed)
		return;
	delta = target - o->reversed;
	if (o->approved)
		m->approved -= delta;
	else
		m->pending -= delta;
	o->reversed = target;
}

static void model_record(struct gen_order *o, int i)
{
	const struct gen_refund *r = &o->refunds[i];

	if (o->recorded[i])
		return;
	o->recorded[i] = true;
	if (r->base >= 0)
		o->rec_base[i] = r->base;
	else if (o->total <= 0)
		o->rec_base[i] = o->base;
	else
		o->rec_base[i] = round_div(r->amount, o->base, o->total);
}

/* The model's view of pipeline_process_order with state sn. */
static void model_order(struct gen_order *o, const struct snap *sn)
{
	const struct prog_spec *p;
	bool stale =
		o->seen && sn->updated_at && o->row.updated_at > sn->updated_at;
	int i;

	if (!stale) {
		o->row = *sn;
		o->seen = true;
	}
	for (i = 0; i < sn->nref; i++)
		model_record(o, i);
	if (!stale && !o->has_c && o->winner >= 0) {
		p = &progs[affs[o->winner].prog];
		if (sn->fin != ORDER_VOIDED &&
		    !(sn->cancelled && !was_paid(sn->fin)) &&
		    (!p->on_paid || was_paid(sn->fin))) {
			int64_t a = model_amount(o->winner, o);

			if (a > 0) {
				o->has_c = true;
				o->amount = a;
				s.m[o->winner].ncommissions++;
				s.m[o->winner].pending += a;
				if (p->hold_days == 0)
					model_approve(o);
			}
		}
	}
	model_reconcile(o);
}

/* ---- Building neutral orders ---- */

static void build(const struct gen_order *g, const struct snap *sn,
		  struct order *o)
{
	char buf[48];
	int i;

	order_init(o);
	o->id = xstrdup(g->id);
	snprintf(buf, sizeof(buf), "#%s", g->id);
	o->name = xstrdup(buf);
	snprintf(buf, sizeof(buf), "cust-%d", g->customer);
	o->customer_id = xstrdup(buf);
	snprintf(buf, sizeof(buf), "buyer%d@example.com", g->customer);
	o->email = xstrdup(buf);
	o->currency = xstrdup(shop_currency[g->shop]);
	o->subtotal = g->subtotal;
	o->tax = g->tax;
	o->shipping = g->shipping;
	o->total = g->total;
	o->financial = sn->fin;
	o->cancelled = sn->cancelled;
	o->created_at = s.start - DAY;
	o->updated_at = sn->updated_at;
	for (i = 0; i < g->nlines; i++) {
		struct order_line *l = order_add_line(o);

		snprintf(buf, sizeof(buf), "P%d", i + 1);
		l->product_id = xstrdup(buf);
		l->price = g->lines[i].price;
		l->quantity = g->lines[i].quantity;
		l->discount = g->lines[i].discount;
		l->gift_card = g->lines[i].gift_card;
	}
	for (i = 0; i < g->ncodes; i++)
		order_add_code(o, g->codes[i]);
	if (g->ref_attr[0])
		order_add_attr(o, "ref", g->ref_attr);
	if (g->landing[0])
		o->landing_url = xstrdup(g->landing);
	for (i = 0; i < sn->nref; i++) {
		struct order_refund *r = order_add_refund(o);

		r->id = xstrdup(g->refunds[i].id);
		r->amount = g->refunds[i].amount;
		r->base = g->refunds[i].base;
		r->created_at = s.start;
	}
}

/* Random case, so that codes must match case-insensitively. */
static void typed(char *out, size_t n, const char *code)
{
	size_t i;
	int mode = (int)rnd_in(0, 2);

	snprintf(out, n, "%s", code);
	for (i = 0; out[i]; i++)
		if (mode == 1)
			out[i] = (char)toupper((unsigned char)out[i]);
		else if (mode == 2)
			out[i] = (char)tolower((unsigned char)out[i]);
}

static void new_order(struct gen_order *g)
{
	int i, k;

	memset(g, 0, sizeof(*g));
	snprintf(g->id, sizeof(g->id), "%d", 5000 + s.norders);
	g->shop = (int)rnd_in(0, N_SHOPS - 1);
	g->customer = (int)rnd_in(1, N_CUSTOMERS);
	g->nlines = (int)rnd_in(1, MAX_LINES);
	for (i = 0; i < g->nlines; i++) {
		struct gen_line *l = &g->lines[i];

		l->price = rnd_in(100, 20000);
		l->quantity = rnd_in(1, 3);
		l->discount = rnd_in(0, l->price * l->quantity / 4);
		l->gift_card = i > 0 && chance(15);
		g->subtotal += l->price * l->quantity - l->discount;
		if (!l->gift_card)
			g->base += l->price * l->quantity - l->discount;
	}
	g->tax = chance(50) ? rnd_in(0, g->subtotal / 5) : 0;
	g->shipping = chance(50) ? rnd_in(0, 1500) : 0;
	g->total = g->subtotal + g->tax + g->shipping;
	/* Signals: codes (0-2), attribute, landing ref. */
	k = (int)rnd_in(0, 2);
	for (i = 0; i < k; i++)
		typed(g->codes[g->ncodes++], sizeof(g->codes[0]),
		      shop_codes[g->shop][rnd_in(0, 7)]);
	if (chance(30))
		typed(g->ref_attr, sizeof(g->ref_attr),
		      shop_refs[g->shop][rnd_in(0, 3)]);
	if (chance(40))
		snprintf(g->landing, sizeof(g->landing),
			 "https://shop.test/p?utm=1&ref=%s&x=2",
			 shop_refs[g->shop][rnd_in(0, 3)]);
	g->winner = model_winner(g);
	g->now.fin = chance(60) ? ORDER_PENDING : ORDER_PAID;
}

/* ---- Events ---- */

static struct pipeline_outcome last_out;

static void send(struct gen_order *g, const struct snap *sn)
{
	struct order o;
	int rc;

	build(g, sn, &o);
	rc = pipeline_process_order(fx.tx, s.shop_id[g->shop], &o, NULL,
				    &last_out, &fx.err);
	order_release(&o);
	if (rc < 0)
		fail_msg("pipeline_process_order %s: %s", g->id,
			 buf_str(&fx.err));
	model_order(g, sn);
}

/* Takes the generator's current state as a new state and sends it. */
static void send_new_state(struct gen_order *g)
{
	g->now.updated_at = ++s.next_update;
	g->now.nref = g->nref;
	if (g->nsnaps < MAX_SNAPS)
		g->snaps[g->nsnaps++] = g->now;
	send(g, &g->now);
}

static void send_refund_event(struct gen_order *g, int i)
{
	int rc = pipeline_process_refund(
		fx.tx, s.shop_id[g->shop], g->id,
		&(struct order_refund){g->refunds[i].id, g->refunds[i].amount,
				       g->refunds[i].base, s.start},
		&last_out, &fx.err);

	if (rc < 0)
		fail_msg("pipeline_process_refund %s: %s", g->id,
			 buf_str(&fx.err));
	if (rc != (g->seen ? 1 : 0))
		fail_msg("pipeline_process_refund %s returned %d, order %s",
			 g->id, rc, g->seen ? "known" : "unknown");
	if (g->seen) {
		model_record(g, i);
		model_reconcile(g);
	}
}

static struct gen_order *pick(bool (*ok)(const struct gen_order *g))
{
	int i, start, n = s.norders;

	if (n == 0)
		return NULL;
	start = (int)rnd_in(0, n - 1);
	for (i = 0; i < n; i++) {
		struct gen_order *g = &s.orders[(start + i) % n];

		if (!ok || ok(g))
			return g;
	}
	return NULL;
}

static bool can_pay(const struct gen_order *g)
{
	return !g->terminal && g->now.fin == ORDER_PENDING;
}

static bool can_refund(const struct gen_order *g)
{
	return !g->terminal && was_paid(g->now.fin) &&
	       g->now.fin != ORDER_REFUNDED && g->total - g->refunded >= 2 &&
	       g->nref < MAX_REFUNDS;
}

static bool can_cancel(const struct gen_order *g)
{
	return !g->terminal;
}

static bool was_sent(const struct gen_order *g)
{
	return g->nsnaps > 0;
}

static bool has_old_state(const struct gen_order *g)
{
	return g->nsnaps > 1;
}

static void add_refund(struct gen_order *g, bool full)
{
	struct gen_refund *r = &g->refunds[g->nref];
	int64_t left = g->total - g->refunded;
	char id[sizeof(g->id)];

	memcpy(id, g->id, sizeof(id));
	snprintf(r->id, sizeof(r->id), "rf-%s-%d", id, g->nref + 1);
	r->amount = full ? left : rnd_in(1, left - 1);
	if (chance(50))
		r->base = -1;
	else if (full)
		r->base = g->base > g->refunded_base
				  ? g->base - g->refunded_base
				  : 0;
	else
		r->base = rnd_in(0, g->base / 2);
	g->refunded += r->amount;
	if (r->base > 0)
		g->refunded_base += r->base;
	g->nref++;
	g->now.fin = full ? ORDER_REFUNDED : ORDER_PARTIALLY_REFUNDED;
	if (full)
		g->terminal = true;
}

static void event_refund(struct gen_order *g, bool full)
{
	int i;

	add_refund(g, full);
	i = g->nref - 1;
	if (full)
		st.full++;
	else
		st.partial++;
	if (chance(50)) {
		st.as_event++;
		logf_("%s refund %s of order %s (%lld, base %lld) as an event",
		      full ? "full" : "partial", g->refunds[i].id, g->id,
		      (long long)g->refunds[i].amount,
		      (long long)g->refunds[i].base);
		send_refund_event(g, i);
	} else {
		logf_("%s refund %s of order %s (%lld, base %lld) in a state",
		      full ? "full" : "partial", g->refunds[i].id, g->id,
		      (long long)g->refunds[i].amount,
		      (long long)g->refunds[i].base);
		send_new_state(g);
	}
}

static void event(void)
{
	struct gen_order *g = NULL;
	int kind = (int)rnd_in(0, 99), count = -1;

	if (kind < 25 || s.norders == 0) {
		if (s.norders == MAX_ORDERS)
			return;
		g = &s.orders[s.norders++];
		new_order(g);
		st.orders++;
		if (g->now.fin == ORDER_PAID && chance(15))
			add_refund(g, false);
		logf_("new order %s shop %s %s total %lld base %lld codes "
		      "[%s %s] attr '%s' landing '%s' cust %d -> %s",
		      g->id, shop_currency[g->shop],
		      order_financial_str(g->now.fin), (long long)g->total,
		      (long long)g->base, g->codes[0], g->codes[1], g->ref_attr,
		      g->landing, g->customer,
		      g->winner >= 0 ? affs[g->winner].name : "nobody");
		send_new_state(g);
	} else if (kind < 40) {
		if (!(g = pick(can_pay)))
			return;
		g->now.fin = ORDER_PAID;
		st.paid++;
		logf_("order %s paid", g->id);
		send_new_state(g);
	} else if (kind < 55) {
		if (!(g = pick(can_refund)))
			return;
		event_refund(g, false);
	} else if (kind < 62) {
		if (!(g = pick(can_refund)))
			return;
		event_refund(g, true);
	} else if (kind < 69) {
		if (!(g = pick(can_cancel)))
			return;
		g->now.cancelled = true;
		if (!was_paid(g->now.fin))
			g->now.fin = ORDER_VOIDED;
		g->terminal = true;
		st.cancels++;
		logf_("order %s cancelled (%s)", g->id,
		      order_financial_str(g->now.fin));
		send_new_state(g);
	} else if (kind < 78) {
		if (!(g = pick(was_sent)))
			return;
		st.dups++;
		logf_("order %s: its last state again", g->id);
		send(g, &g->snaps[g->nsnaps - 1]);
	} else if (kind < 87) {
		int i;

		if (!(g = pick(has_old_state)))
			return;
		i = (int)rnd_in(0, g->nsnaps - 2);
		st.stales++;
		logf_("order %s: stale state %d of %d (%s%s, %d refunds)",
		      g->id, i + 1, g->nsnaps,
		      order_financial_str(g->snaps[i].fin),
		      g->snaps[i].cancelled ? ", cancelled" : "",
		      g->snaps[i].nref);
		send(g, &g->snaps[i]);
	} else if (kind < 94) {
		struct gen_order *o;

		s.day += rnd_in(1, 4);
		st.approvals++;
		logf_("approve_due at day %lld", (long long)s.day);
		if (pipeline_approve_due(fx.tx, s.start + s.day * DAY + DAY / 2,
					 &count, &fx.err) < 0)
			fail_msg("pipeline_approve_due: %s", buf_str(&fx.err));
		for (o = s.orders; o < s.orders + s.norders; o++)
			if (o->has_c &&
			    progs[affs[o->winner].prog].hold_days <= s.day)
				model_approve(o);
	} else if (kind < 98) {
		int a = (int)rnd_in(0, N_AFFS - 1);
		const char *cur = shop_currency[progs[affs[a].prog].shop];
		int64_t paid = -1, before = s.m[a].paid;

		st.payouts++;
		logf_("payout of %s", affs[a].name);
		if (pipeline_payout(fx.tx, s.aff_id[a], cur, &paid, &fx.err) <
		    0)
			fail_msg("pipeline_payout: %s", buf_str(&fx.err));
		if (s.m[a].approved > 0) {
			s.m[a].paid += s.m[a].approved;
			s.m[a].approved = 0;
		}
		if (paid != (s.m[a].paid - before))
			fail_msg("payout of %s paid %lld", affs[a].name,
				 (long long)paid);
	} else {
		struct pipeline_outcome out;
		char rid[] = "rf-ghost";
		struct order_refund r = {rid, 100, -1, 0};
		int rc;

		logf_("refund event for an unknown order");
		rc = pipeline_process_refund(fx.tx, s.shop_id[0],
					     "no-such-order", &r, &out,
					     &fx.err);
		if (rc != 0)
			fail_msg("refund for an unknown order returned %d", rc);
	}
	events_total++;
}

/* ---- Checks ---- */

struct sums {
	const char *currency;
	int64_t pending, approved, paid;
	int other; /* rows of another currency or bucket */
};

static int sum_cb(void *ctx, const char *currency, const char *bucket,
		  int64_t sum)
{
	struct sums *x = ctx;

	if (strcmp(currency, x->currency) != 0)
		x->other += sum != 0;
	else if (strcmp(bucket, "pending") == 0)
		x->pending = sum;
	else if (strcmp(bucket, "approved") == 0)
		x->approved = sum;
	else if (strcmp(bucket, "paid") == 0)
		x->paid = sum;
	else
		x->other++;
	return 0;
}

static int check_sums(char *why, size_t n)
{
	int a;

	for (a = 0; a < N_AFFS; a++) {
		struct sums x = {shop_currency[progs[affs[a].prog].shop], 0, 0,
				 0, 0};

		if (store_ledger_sums(fx.tx, s.aff_id[a], sum_cb, &x, &fx.err) <
		    0) {
			snprintf(why, n, "sums: %s", buf_str(&fx.err));
			return -1;
		}
		checks_total++;
		if (x.pending != s.m[a].pending ||
		    x.approved != s.m[a].approved || x.paid != s.m[a].paid ||
		    x.other) {
			snprintf(why, n,
				 "%s %s: ledger pending %lld approved %lld "
				 "paid %lld (other %d), model %lld %lld %lld",
				 affs[a].name, x.currency, (long long)x.pending,
				 (long long)x.approved, (long long)x.paid,
				 x.other, (long long)s.m[a].pending,
				 (long long)s.m[a].approved,
				 (long long)s.m[a].paid);
			return -1;
		}
	}
	return 0;
}

struct accruals {
	int64_t n[4096];
	int64_t bad;
};

static int count_accrual(void *ctx, const struct ledger_entry *e)
{
	struct accruals *x = ctx;

	if (strcmp(e->kind, "accrual") != 0)
		return 0;
	if (e->commission_id <= 0 || e->commission_id >= (int64_t)COUNT(x->n))
		x->bad++;
	else
		x->n[e->commission_id]++;
	return 0;
}

static int check_end(char *why, size_t n)
{
	static struct accruals acc;
	int64_t count, ncomm = 0;
	size_t k;
	int i;

	memset(&acc, 0, sizeof(acc));
	if (store_ledger_each(fx.tx, 0, count_accrual, &acc, &fx.err) < 0) {
		snprintf(why, n, "ledger_each: %s", buf_str(&fx.err));
		return -1;
	}
	if (acc.bad) {
		snprintf(why, n, "%lld accruals without a commission",
			 (long long)acc.bad);
		return -1;
	}
	for (k = 0; k < COUNT(acc.n); k++) {
		if (acc.n[k] > 1) {
			snprintf(why, n, "commission %zu has %lld accruals", k,
				 (long long)acc.n[k]);
			return -1;
		}
		ncomm += acc.n[k];
	}
	for (i = 0; i < s.norders; i++) {
		struct gen_order *g = &s.orders[i];
		struct order_row row;
		struct commission c;
		int rc;

		ncomm -= g->has_c;
		rc = store_order_find(fx.tx, s.shop_id[g->shop], g->id, &row,
				      &fx.err);
		if (rc != 1) {
			snprintf(why, n, "order %s not stored", g->id);
			return -1;
		}
		rc = store_commission_by_order(fx.tx, row.id, &c, &fx.err);
		if (rc < 0 || rc != g->has_c ||
		    (rc == 1 && (c.amount != g->amount ||
				 c.affiliate_id != s.aff_id[g->winner]))) {
			snprintf(why, n,
				 "order %s: commission %s %lld (affiliate "
				 "%lld), model %s %lld (%s); decision %s: %s",
				 g->id, rc == 1 ? "yes" : "no",
				 rc == 1 ? (long long)c.amount : 0LL,
				 rc == 1 ? (long long)c.affiliate_id : 0LL,
				 g->has_c ? "yes" : "no", (long long)g->amount,
				 g->winner >= 0 ? affs[g->winner].name
						: "nobody",
				 row.decision, row.reason);
			if (rc == 1)
				commission_release(&c);
			order_row_release(&row);
			return -1;
		}
		if (rc == 1)
			commission_release(&c);
		order_row_release(&row);
	}
	if (ncomm != 0) {
		snprintf(why, n, "%lld accruals more than the model's",
			 (long long)ncomm);
		return -1;
	}
	if (ledger_verify(fx.tx, &count, &fx.err) < 0) {
		snprintf(why, n, "ledger_verify: %s", buf_str(&fx.err));
		return -1;
	}
	return 0;
}

/* ---- The world of one sequence ---- */

static void world(void)
{
	struct program p;
	int i, j;

	for (i = 0; i < N_SHOPS; i++) {
		char domain[32];

		snprintf(domain, sizeof(domain), "shop%d.myshopify.com", i);
		s.shop_id[i] = fx_shop_add(&fx, domain, shop_currency[i]);
	}
	for (i = 0; i < N_PROGS; i++) {
		const struct prog_spec *ps = &progs[i];

		fx_program_init(&p, s.shop_id[ps->shop],
				shop_currency[ps->shop]);
		fx_set(&p.name, ps->name);
		p.commission =
			ps->fixed ? COMMISSION_FIXED : COMMISSION_PERCENT;
		p.rate_bps = ps->rate_bps;
		p.fixed_amount = ps->fixed_amount;
		p.cap = ps->cap;
		p.hold_days = ps->hold_days;
		p.credit_on_paid = ps->on_paid;
		if (ps->tier_threshold)
			program_add_rule(&p, RULE_TIER, "", ps->tier_threshold,
					 ps->tier_bps);
		s.prog_id[i] = fx_program_add(&fx, &p);
	}
	for (i = 0; i < N_AFFS; i++) {
		const char *coupons[4] = {NULL, NULL, NULL, NULL};
		char email[64];

		for (j = 0; affs[i].coupons[j]; j++)
			coupons[j] = affs[i].coupons[j];
		snprintf(email, sizeof(email), "%s@aff.test", affs[i].name);
		s.aff_id[i] = fx_affiliate_full(&fx, s.prog_id[affs[i].prog],
						affs[i].name, email,
						affs[i].code, coupons, NULL);
	}
}

static void run_sequence(int seq_no, uint64_t seed)
{
	char why[1024];
	int i, nevents;

	memset(&s, 0, sizeof(s));
	rng = seed;
	s.start = clock_now();
	s.next_update = s.start - 1000000;
	fx_fail_on(store_tx_begin(fx.st, &fx.tx, &fx.err), &fx, "begin");
	world();
	nevents = (int)rnd_in(1, MAX_EVENTS);
	for (i = 0; i < nevents; i++) {
		event();
		if (check_sums(why, sizeof(why)) < 0) {
			dump_log(seq_no, seed);
			store_tx_abandon(&fx.tx);
			fail_msg("after event %d: %s", s.nlog, why);
		}
	}
	for (i = 0; i < s.norders; i++) {
		st.commissions += s.orders[i].has_c;
		st.reversed += s.orders[i].reversed > 0;
		st.approved += s.orders[i].approved;
	}
	if (check_end(why, sizeof(why)) < 0) {
		dump_log(seq_no, seed);
		store_tx_abandon(&fx.tx);
		fail_msg("at the end: %s", why);
	}
	store_tx_abandon(&fx.tx);
}

static void test_property(void **state)
{
	uint64_t seeds = master_seed;
	clock_t t0 = clock();
	int i;

	(void)state;
	for (i = 0; i < nseq; i++) {
		uint64_t seed;

		rng = seeds;
		seed = rnd();
		seeds = rng;
		run_sequence(i, seed);
	}
	printf("property: %d sequences, %lld events, %lld balance checks, "
	       "seed %llu, %.1f s cpu\n",
	       nseq, events_total, checks_total,
	       (unsigned long long)master_seed,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	printf("property: %lld orders, %lld paid, %lld partial and %lld full "
	       "refunds (%lld as refund events), %lld cancellations, %lld "
	       "duplicates, %lld stale states, %lld approval runs, %lld "
	       "payouts; %lld commissions, %lld approved, %lld with "
	       "reversals\n",
	       st.orders, st.paid, st.partial, st.full, st.as_event, st.cancels,
	       st.dups, st.stales, st.approvals, st.payouts, st.commissions,
	       st.approved, st.reversed);
	fflush(stdout);
}

/* The model's arithmetic on known values, so that it is right. */
static void test_model_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(round_div(1999, 1500, 10000), 300);
	assert_int_equal(round_div(1, 1250, 10000), 0);
	assert_int_equal(round_div(1, 5000, 10000), 1);
	assert_int_equal(round_div(1000, 3734, 10000), 373);
	assert_int_equal(round_div(3300, 10000, 11000), 3000);
	assert_int_equal(round_div(5, 1, 2), 3);
	assert_int_equal(round_div(7, 1, 2), 4);
	assert_int_equal(round_div(6, 1, 4), 2);
}

static int group_setup(void **state)
{
	(void)state;
	fx_open(&fx);
	/* Sequences run in their own transactions. */
	store_tx_abandon(&fx.tx);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fx_close(&fx);
	return 0;
}

int main(void)
{
	const char *env = getenv("AFFILIATED_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_arithmetic),
		cmocka_unit_test(test_property),
	};

	if (env && *env)
		master_seed = strtoull(env, NULL, 10);
	else
		master_seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	env = getenv("AFFILIATED_SEQUENCES");
	if (env && atoi(env) > 0)
		nseq = atoi(env);
	printf("property: AFFILIATED_SEED=%llu AFFILIATED_SEQUENCES=%d\n",
	       (unsigned long long)master_seed, nseq);
	return cmocka_run_group_tests_name("pipeline property", tests,
					   group_setup, group_teardown);
}
