#include "attribution.h"
#include "model/model.h"
#include "store/store_orders.h"
#include "store/store_programs.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY	       86400
#define MAX_CANDIDATES 16
/* Clicks older than this never count, whatever a program's window. */
#define CLICK_LOOKBACK_DAYS 365

static const char *const signal_names[SIGNAL__COUNT] = {
	"coupon",    /* SIGNAL_COUPON */
	"attribute", /* SIGNAL_ATTRIBUTE */
	"landing",   /* SIGNAL_LANDING */
	"click",     /* SIGNAL_CLICK */
	"binding",   /* SIGNAL_BINDING */
};

static const enum signal_kind default_precedence[SIGNAL__COUNT] = {
	SIGNAL_COUPON, SIGNAL_ATTRIBUTE, SIGNAL_LANDING, SIGNAL_CLICK,
	SIGNAL_BINDING};

struct candidate {
	enum signal_kind signal;
	struct affiliate aff;
	struct program prog;
	char detail[256];
	char network[32];
};

struct gather {
	struct store_tx *tx;
	const struct attribution_ctx *ctx;
	const struct order *o;
	struct candidate c[MAX_CANDIDATES];
	int n;
	char unknown[160]; /* codes and refs that matched nobody */
	struct buf *err;
};

const char *signal_str(enum signal_kind s)
{
	return s < SIGNAL__COUNT ? signal_names[s] : "unknown";
}

int signal_precedence_parse(const char *text, enum signal_kind *out,
			    struct buf *err)
{
	bool seen[SIGNAL__COUNT] = {false};
	const char *p = text;
	int n = 0, i;

	while (*p) {
		size_t len = strcspn(p, ", ");

		for (i = 0; i < SIGNAL__COUNT; i++)
			if (strlen(signal_names[i]) == len &&
			    strncmp(p, signal_names[i], len) == 0)
				break;
		if (i == SIGNAL__COUNT || seen[i] || n == SIGNAL__COUNT)
			return errorf(err,
				      "'%.*s' is not a signal or is repeated "
				      "(coupon, attribute, landing, click, "
				      "binding)",
				      (int)len, p);
		seen[i] = true;
		out[n++] = (enum signal_kind)i;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (n != SIGNAL__COUNT)
		return errorf(err, "the precedence must name all five signals");
	return 0;
}

void url_ref_param(const char *url, char *out, size_t n)
{
	const char *q = url ? strchr(url, '?') : NULL;

	out[0] = '\0';
	while (q && *q) {
		q++;
		if (strncmp(q, "ref=", 4) == 0) {
			size_t len = strcspn(q + 4, "&#");

			snprintf(out, n, "%.*s", (int)len, q + 4);
			return;
		}
		q = strchr(q, '&');
	}
}

static void age_text(int64_t now, int64_t then, char *out, size_t n)
{
	int64_t days = (now - then) / DAY;

	if (days < 1)
		snprintf(out, n, "less than a day old");
	else
		snprintf(out, n, "%lld day%s old", (long long)days,
			 days == 1 ? "" : "s");
}

static void note_unknown(struct gather *g, const char *what)
{
	size_t len = strlen(g->unknown);

	snprintf(g->unknown + len, sizeof(g->unknown) - len, "%s%s",
		 len ? ", " : "", what);
}

/* Adds the affiliate owning code as a candidate: 1 added, 0 none, -1. */
static int add_code(struct gather *g, enum signal_kind signal, const char *code,
		    const char *fmt)
{
	struct candidate *c = &g->c[g->n];
	bool is_coupon = false;
	int rc;

	if (g->n == MAX_CANDIDATES || !code || !code[0])
		return 0;
	rc = store_affiliate_by_code(g->tx, g->ctx->shop_id, code, &c->aff,
				     &is_coupon, g->err);
	if (rc <= 0) {
		if (rc == 0)
			note_unknown(g, code);
		return rc;
	}
	rc = store_program_get(g->tx, c->aff.program_id, &c->prog, g->err);
	if (rc <= 0) {
		affiliate_release(&c->aff);
		return rc < 0 ? -1
			      : errorf(g->err, "affiliate without program");
	}
	c->signal = signal;
	c->network[0] = '\0';
	snprintf(c->detail, sizeof(c->detail), fmt, code);
	g->n++;
	return 1;
}

static void describe_owner(struct candidate *c)
{
	size_t len = strlen(c->detail);

	snprintf(c->detail + len, sizeof(c->detail) - len,
		 " belongs to affiliate %lld (%s)", (long long)c->aff.id,
		 c->aff.name);
}

static int gather_coupons(struct gather *g)
{
	size_t i;
	int rc;

	for (i = 0; i < g->o->ncodes; i++) {
		rc = add_code(g, SIGNAL_COUPON, g->o->codes[i], "coupon %s");
		if (rc < 0)
			return -1;
		if (rc == 1)
			describe_owner(&g->c[g->n - 1]);
	}
	return 0;
}

/*
 * The click behind a ref, for its network and age: the click id the cart
 * carried, when it is this affiliate's, else the newest click of this
 * affiliate from the buyer's address within the window.
 */
static int attach_click(struct gather *g, struct candidate *c)
{
	const char *attr = order_attr(g->o, "affiliated_click");
	struct click click;
	char age[48];
	size_t len;
	uint64_t id;
	int rc = 0;

	if (attr && parse_uint_str(attr, INT64_MAX, &id) == 0) {
		rc = store_click_get(g->tx, (int64_t)id, &click, g->err);
		if (rc == 1 && click.affiliate_id != c->aff.id)
			rc = 0;
	}
	if (rc == 0 && g->ctx->ip_hash && g->ctx->ip_hash[0])
		rc = store_click_latest_for(g->tx, c->aff.id, g->ctx->ip_hash,
					    g->ctx->now -
						    c->prog.window_days * DAY,
					    &click, g->err);
	if (rc <= 0)
		return rc;
	age_text(g->ctx->now, click.created_at, age, sizeof(age));
	len = strlen(c->detail);
	snprintf(c->detail + len, sizeof(c->detail) - len, "; click from %s %s",
		 click.network, age);
	snprintf(c->network, sizeof(c->network), "%s", click.network);
	return 0;
}

static int gather_attribute(struct gather *g)
{
	const char *ref = order_attr(g->o, "ref");
	int rc = add_code(g, SIGNAL_ATTRIBUTE, ref,
			  "ref=%s in the order's attributes");

	if (rc <= 0)
		return rc;
	describe_owner(&g->c[g->n - 1]);
	return attach_click(g, &g->c[g->n - 1]);
}

static int gather_landing(struct gather *g)
{
	char ref[128];
	int rc;

	url_ref_param(g->o->landing_url, ref, sizeof(ref));
	rc = add_code(g, SIGNAL_LANDING, ref, "ref=%s on the landing URL");
	if (rc <= 0)
		return rc;
	describe_owner(&g->c[g->n - 1]);
	return attach_click(g, &g->c[g->n - 1]);
}

static int click_candidate(struct gather *g, const struct click *click,
			   const char *how)
{
	struct candidate *c = &g->c[g->n];
	char age[48];
	int rc;

	if (g->n == MAX_CANDIDATES)
		return 0;
	rc = store_affiliate_get(g->tx, click->affiliate_id, &c->aff, g->err);
	if (rc <= 0)
		return rc;
	rc = store_program_get(g->tx, c->aff.program_id, &c->prog, g->err);
	if (rc <= 0) {
		affiliate_release(&c->aff);
		return rc;
	}
	if (click->created_at < g->ctx->now - c->prog.window_days * DAY) {
		affiliate_release(&c->aff);
		program_release(&c->prog);
		return 0;
	}
	age_text(g->ctx->now, click->created_at, age, sizeof(age));
	c->signal = SIGNAL_CLICK;
	snprintf(c->network, sizeof(c->network), "%s", click->network);
	snprintf(c->detail, sizeof(c->detail),
		 "click %lld (%s) %s, %s, for affiliate %lld (%s)",
		 (long long)click->id, click->network, how, age,
		 (long long)c->aff.id, c->aff.name);
	g->n++;
	return 1;
}

static int gather_click(struct gather *g)
{
	const char *attr = order_attr(g->o, "affiliated_click");
	struct click click;
	uint64_t id;
	int rc = 0;

	if (attr && parse_uint_str(attr, INT64_MAX, &id) == 0) {
		rc = store_click_get(g->tx, (int64_t)id, &click, g->err);
		if (rc < 0)
			return -1;
		/* Another shop's click id is no signal: look by address. */
		if (rc == 1 && click.shop_id == g->ctx->shop_id &&
		    (rc = click_candidate(g, &click, "carried by the cart")) !=
			    0)
			return rc < 0 ? -1 : 0;
	}
	if (!g->ctx->ip_hash || !g->ctx->ip_hash[0])
		return 0;
	rc = store_click_latest_by_ip(g->tx, g->ctx->shop_id, g->ctx->ip_hash,
				      g->ctx->now - CLICK_LOOKBACK_DAYS * DAY,
				      &click, g->err);
	if (rc == 1)
		rc = click_candidate(g, &click, "from the buyer's address");
	return rc < 0 ? -1 : 0;
}

static int gather_binding(struct gather *g)
{
	struct candidate *c = &g->c[g->n];
	struct binding b;
	char since[21], *key;
	int rc;

	if ((!g->o->customer_id && !g->o->email) || g->n == MAX_CANDIDATES)
		return 0;
	/* Bindings are keyed as orders store people: id, or normalised email.
	 */
	key = g->o->customer_id ? xstrdup(g->o->customer_id)
				: email_normalize(g->o->email);
	rc = store_binding_get(g->tx, g->ctx->shop_id, key, &b, g->err);
	free(key);
	if (rc <= 0 || b.expires_at < g->ctx->now)
		return rc < 0 ? -1 : 0;
	if (store_affiliate_get(g->tx, b.affiliate_id, &c->aff, g->err) != 1)
		return -1;
	if (store_program_get(g->tx, c->aff.program_id, &c->prog, g->err) !=
	    1) {
		affiliate_release(&c->aff);
		return -1;
	}
	format_iso8601(b.bound_at, since);
	c->signal = SIGNAL_BINDING;
	c->network[0] = '\0';
	snprintf(c->detail, sizeof(c->detail),
		 "customer referred by affiliate %lld (%s) on %.10s; lifetime "
		 "binding",
		 (long long)c->aff.id, c->aff.name, since);
	g->n++;
	return 0;
}

static int gather_all(struct gather *g)
{
	const enum signal_kind *order =
		g->ctx->precedence ? g->ctx->precedence : default_precedence;
	int i, rc = 0;

	for (i = 0; i < SIGNAL__COUNT && rc == 0; i++) {
		switch (order[i]) {
		case SIGNAL_COUPON:
			rc = gather_coupons(g);
			break;
		case SIGNAL_ATTRIBUTE:
			rc = gather_attribute(g);
			break;
		case SIGNAL_LANDING:
			rc = gather_landing(g);
			break;
		case SIGNAL_CLICK:
			rc = gather_click(g);
			break;
		case SIGNAL_BINDING:
			rc = gather_binding(g);
			break;
		case SIGNAL__COUNT:
			break;
		}
	}
	return rc;
}

static bool usable(const struct gather *g, const struct candidate *c)
{
	if (g->ctx->only_program)
		return c->aff.program_id == g->ctx->only_program &&
		       c->aff.status == AFFILIATE_ACTIVE;
	return c->aff.status == AFFILIATE_ACTIVE && c->prog.active;
}

static bool same_person(const struct order *o, const struct affiliate *a)
{
	char *x, *y;
	bool same;

	if (o->customer_id && a->customer_id &&
	    strcmp(o->customer_id, a->customer_id) == 0)
		return true;
	if (!o->email || !a->email)
		return false;
	x = email_normalize(o->email);
	y = email_normalize(a->email);
	same = strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

static void append(char *out, size_t n, const char *fmt, const char *a)
{
	size_t len = strlen(out);

	snprintf(out + len, n - len, fmt, a);
}

static void decide(struct gather *g, struct attribution *out)
{
	const struct candidate *win = NULL;
	int i;

	for (i = 0; i < g->n && !win; i++)
		if (usable(g, &g->c[i]))
			win = &g->c[i];
	if (!win) {
		snprintf(out->decision, sizeof(out->decision),
			 g->n ? "inactive" : "none");
		snprintf(out->reason, sizeof(out->reason), "%s",
			 g->n ? "" : "no affiliate signal on the order");
		for (i = 0; i < g->n; i++)
			append(out->reason, sizeof(out->reason),
			       i ? "; %s" : "%s", g->c[i].detail);
		if (g->n)
			append(out->reason, sizeof(out->reason), "%s",
			       ", but the affiliate or program is not active");
		if (g->unknown[0])
			append(out->reason, sizeof(out->reason),
			       " (codes that belong to nobody: %s)",
			       g->unknown);
		return;
	}
	out->signal = win->signal;
	snprintf(out->network, sizeof(out->network), "%s", win->network);
	snprintf(out->reason, sizeof(out->reason), "%s", win->detail);
	if (same_person(g->o, &win->aff)) {
		snprintf(out->decision, sizeof(out->decision), "self_referral");
		append(out->reason, sizeof(out->reason), "%s",
		       "; the buyer is that affiliate: self-referral refused");
		return;
	}
	snprintf(out->decision, sizeof(out->decision), "credited");
	out->affiliate_id = win->aff.id;
	out->program_id = win->aff.program_id;
	for (i = 0; i < g->n; i++) {
		if (g->c[i].aff.id == win->aff.id)
			continue;
		append(out->reason, sizeof(out->reason),
		       &g->c[i] < win ? "; skipped: %s (not active)"
				      : "; not credited: %s (lower precedence)",
		       g->c[i].detail);
	}
}

int attribution_decide(struct store_tx *tx, const struct attribution_ctx *ctx,
		       const struct order *o, struct attribution *out,
		       struct buf *err)
{
	struct gather g;
	int i, rc;

	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	g.tx = tx;
	g.ctx = ctx;
	g.o = o;
	g.err = err;
	rc = gather_all(&g);
	if (rc == 0)
		decide(&g, out);
	for (i = 0; i < g.n; i++) {
		affiliate_release(&g.c[i].aff);
		program_release(&g.c[i].prog);
	}
	return rc;
}
