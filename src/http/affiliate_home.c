/*
 * The affiliate's own page, /a/<shop>/: their link and coupon codes, share
 * buttons that tag the network, their clicks, orders, conversions and
 * earnings per network, their balance from the ledger, recent sales and
 * the rewards they received with their codes. Everything is read for the
 * session's affiliate only.
 */
#include "runtime/app.h"
#include "http/affiliate.h"
#include "http/figures.h"
#include "config.h"
#include "http/pages.h"
#include "http/session.h"
#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_reports.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

struct home {
	struct affiliate me;
	struct program prog;
	struct report nets;
	struct table balance;
	struct table rewards;
	struct table sales;
	const struct i18n_lang *lang;
};

static int home_balance(void *ctx, const char *currency, const char *bucket,
			int64_t sum)
{
	struct home *h = ctx;

	table_cell(&h->balance,
		   i18n_text(h->lang,
			     strcmp(bucket, "pending") == 0    ? MSG_PENDING
			     : strcmp(bucket, "approved") == 0 ? MSG_APPROVED
							       : MSG_PAID),
		   bucket, NULL);
	table_money(&h->balance, sum, currency);
	return 0;
}

static enum msg reward_status_msg(enum reward_status s)
{
	switch (s) {
	case REWARD_ISSUED:
		return MSG_REWARD_ISSUED;
	case REWARD_CANCELLED:
		return MSG_REWARD_CANCELLED;
	case REWARD_FAILED:
		return MSG_REWARD_DELAYED;
	default:
		return MSG_REWARD_PENDING;
	}
}

static int home_reward(void *ctx, const struct reward *r)
{
	struct home *h = ctx;
	char pct[32];

	table_date(&h->rewards, r->created_at);
	table_cell(&h->rewards,
		   i18n_text(h->lang, strcmp(r->kind, "gift_card") == 0
					      ? MSG_GIFT_CARD
					      : MSG_COUPON),
		   r->kind, NULL);
	if (strcmp(r->value_type, "percent") == 0) {
		rate_text(pct, sizeof(pct), r->value, 10000);
		table_cell(&h->rewards, pct, NULL, NULL);
	} else {
		table_money(&h->rewards, r->value, r->currency);
	}
	table_cell(&h->rewards, r->status == REWARD_ISSUED ? r->code : "", NULL,
		   NULL);
	table_cell(&h->rewards,
		   i18n_text(h->lang, reward_status_msg(r->status)),
		   reward_status_str(r->status), NULL);
	return 0;
}

struct home_orders {
	struct home *h;
	struct store_tx *tx;
	struct buf *err;
};

static int home_order(void *ctx, const struct order_row *r)
{
	struct home_orders *o = ctx;
	struct commission c;
	int rc = store_commission_by_order(o->tx, r->id, &c, o->err);

	if (rc < 0)
		return 1;
	table_date(&o->h->sales,
		   r->placed_at ? r->placed_at : r->first_seen_at);
	table_money(&o->h->sales, r->total, r->currency);
	table_money(&o->h->sales, rc == 1 ? c.amount : 0, r->currency);
	if (rc == 1)
		commission_release(&c);
	return 0;
}

static int home_load(struct app *app, const struct aff *a, struct home *h,
		     struct buf *err)
{
	struct report_filter f = {a->shop.id, a->s.affiliate_id, 0, INT64_MAX,
				  NULL};
	struct home_orders o = {h, NULL, err};
	int rc;

	if (store_read_begin(app->store, &o.tx, err) < 0)
		return -1;
	rc = store_affiliate_get(o.tx, a->s.affiliate_id, &h->me, err);
	if (rc == 1 && h->me.shop_id != a->shop.id) {
		affiliate_release(&h->me);
		rc = 0;
	}
	if (rc == 1 &&
	    (store_program_get(o.tx, h->me.program_id, &h->prog, err) != 1 ||
	     store_report(o.tx, &f, REPORT_NETWORK, &h->nets, err) < 0 ||
	     store_ledger_sums(o.tx, h->me.id, home_balance, h, err) < 0 ||
	     store_reward_each(o.tx, REWARD_STATUS__COUNT, h->me.id,
			       home_reward, h, err) < 0 ||
	     store_order_each(o.tx, a->shop.id, h->me.id, 50, home_order, &o,
			      err) < 0))
		rc = -1;
	store_tx_rollback(o.tx);
	return rc;
}

static void share_link(struct app *app, const struct affiliate *me,
		       const char *via, struct buf *out)
{
	const char *base = config_get(app->cfg, CFG_SERVER_PUBLIC_URL);
	size_t len = strlen(base);

	while (len && base[len - 1] == '/')
		len--;
	if (buf_printf(out, "%.*s/r/", (int)len, base) < 0 ||
	    url_encode(out, me->code) < 0 ||
	    (via && buf_printf(out, "?via=%s", via) < 0))
		BUG("link does not fit");
}

static void share_buttons(struct app *app, struct page *p, const struct aff *a,
			  const struct home *h)
{
	static const struct {
		const char *net;
		const char *url; /* the tagged link is appended, encoded */
		enum msg label;
	} nets[] = {
		{"facebook", "https://www.facebook.com/sharer/sharer.php?u=",
		 MSG_NET_FACEBOOK},
		{"x", "https://x.com/intent/tweet?url=", MSG_NET_X},
		{"linkedin",
		 "https://www.linkedin.com/sharing/share-offsite/?url=",
		 MSG_NET_LINKEDIN},
		{"email", "mailto:?body=", MSG_NET_EMAIL},
	};
	struct buf link, text;
	size_t i;

	buf_init(&link, BUF_SMALL);
	buf_init(&text, BUF_SMALL);
	html(p, "<h2>%t</h2><ul class=\"share\">", MSG_AFF_SHARE);
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		if (!h->prog.networks || !strstr(h->prog.networks, nets[i].net))
			continue;
		buf_reset(&link);
		buf_reset(&text);
		share_link(app, &h->me, nets[i].net, &link);
		if (msg_format(&text, a->lang, MSG_AFF_SHARE_TEXT,
			       shop_title(&a->shop), buf_str(&link), NULL) < 0)
			buf_reset(&text);
		html(p,
		     "<li><a class=\"button share-%s\" href=\"%r%u\" "
		     "target=\"_blank\" rel=\"noopener noreferrer\">%t</a>"
		     "</li>",
		     nets[i].net, nets[i].url,
		     strcmp(nets[i].net, "email") == 0 ? buf_str(&text)
						       : buf_str(&link),
		     nets[i].label);
	}
	html(p, "</ul>");
	buf_release(&link);
	buf_release(&text);
}

static void link_card(struct app *app, struct page *p, const struct aff *a,
		      const struct home *h)
{
	struct buf link;
	size_t i;

	buf_init(&link, BUF_SMALL);
	share_link(app, &h->me, NULL, &link);
	html(p, "<section class=\"card\"><h1>");
	html_msg(p, MSG_AFF_HELLO, h->me.name, NULL, NULL);
	html(p, "</h1>");
	if (h->me.status == AFFILIATE_PENDING)
		html(p, "<p class=\"banner\">%t</p>", MSG_AFF_PENDING);
	else if (h->me.status == AFFILIATE_DISABLED)
		html(p, "<p class=\"banner error\">%t</p>", MSG_AFF_DISABLED);
	html(p,
	     "<label for=\"my-link\">%t</label><p class=\"hint\">%t</p>"
	     "<div class=\"copy\"><input id=\"my-link\" readonly "
	     "value=\"%s\"><button type=\"button\" class=\"primary\" "
	     "data-copy=\"my-link\" data-copied=\"%t\">%t</button></div>",
	     MSG_AFF_YOUR_LINK, MSG_AFF_LINK_HELP, buf_str(&link), MSG_COPIED,
	     MSG_COPY);
	html(p, "<h2>%t</h2><p class=\"codes\">", MSG_AFF_YOUR_CODES);
	if (h->me.ncoupons == 0)
		html(p, "%t", MSG_AFF_NO_CODES);
	for (i = 0; i < h->me.ncoupons; i++)
		html(p, "<code>%s</code> ", h->me.coupons[i]);
	html(p, "</p>");
	share_buttons(app, p, a, h);
	html(p, "</section>");
	buf_release(&link);
}

static void stats_card(struct page *p, const struct home *h)
{
	static const enum msg heads[] = {MSG_NETWORK, MSG_CLICKS, MSG_ORDERS,
					 MSG_CONVERSION, MSG_EARNINGS};
	struct table t;
	char conv[32];
	size_t i;

	table_init(&t, 5, heads, 0x1e);
	for (i = 0; i < h->nets.n; i++) {
		const struct report_row *r = &h->nets.rows[i];

		table_cell(&t, i18n_text(p->lang, network_label(r->key)),
			   r->key, NULL);
		table_int(&t, r->clicks);
		table_int(&t, r->orders);
		rate_text(conv, sizeof(conv), r->orders, r->clicks);
		table_cell(&t, conv, NULL, NULL);
		table_money(&t, r->commission, h->prog.currency);
	}
	html(p, "<section class=\"card\"><h2>%t</h2>", MSG_AFF_STATS);
	report_figures(p, &h->nets.total, h->prog.currency, MSG_EARNINGS);
	table_html(p, &t, MSG_AFF_PER_NETWORK);
	html(p,
	     "</section><section class=\"card\"><h2>%t</h2><p "
	     "class=\"hint\">%t</p>",
	     MSG_BALANCE, MSG_AFF_BALANCE_HELP);
	table_html(p, &h->balance, MSG_BALANCE);
	html(p, "</section><section class=\"card\"><h2>%t</h2>",
	     MSG_AFF_RECENT);
	table_html(p, &h->sales, MSG_AFF_RECENT);
	html(p, "</section><section class=\"card\"><h2>%t</h2>",
	     MSG_AFF_REWARDS);
	table_html(p, &h->rewards, MSG_AFF_REWARDS);
	html(p, "</section>");
	table_release(&t);
}

static void home_init(struct home *h, const struct i18n_lang *lang)
{
	static const enum msg bheads[] = {MSG_COL_STATUS, MSG_COL_AMOUNT};
	static const enum msg rheads[] = {MSG_COL_DATE, MSG_COL_KIND,
					  MSG_COL_VALUE, MSG_COL_CODE,
					  MSG_COL_STATUS};
	static const enum msg sheads[] = {MSG_COL_DATE, MSG_COL_ORDER_VALUE,
					  MSG_EARNINGS};

	memset(h, 0, sizeof(*h));
	h->lang = lang;
	table_init(&h->balance, 2, bheads, 1u << 1);
	table_init(&h->rewards, 5, rheads, 1u << 2);
	table_init(&h->sales, 3, sheads, 0x6);
}

static void home_release(struct home *h)
{
	if (h->me.name)
		affiliate_release(&h->me);
	program_release(&h->prog);
	report_release(&h->nets);
	table_release(&h->balance);
	table_release(&h->rewards);
	table_release(&h->sales);
}

void page_aff_home(struct app *app, struct request *req, struct response *resp)
{
	struct home h;
	struct aff a;
	struct buf err, where;
	struct page p;
	int rc;

	if (aff_begin(app, req, resp, &a) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	buf_init(&where, BUF_SMALL);
	home_init(&h, a.lang);
	rc = a.signed_in ? home_load(app, &a, &h, &err) : 0;
	if (rc < 0) {
		page_fail(req, resp, "affiliate.home", &err);
	} else if (rc == 0) {
		if (buf_puts(&where, "/a/") < 0 ||
		    url_encode(&where, a.shop.domain) < 0 ||
		    buf_puts(&where, "/login") < 0)
			BUG("redirect does not fit");
		response_redirect(resp, 303, buf_str(&where));
	} else {
		page_init(&p, a.lang);
		aff_frame(&p, &a, i18n_text(a.lang, MSG_AFF_DASH_TITLE));
		link_card(app, &p, &a, &h);
		stats_card(&p, &h);
		aff_frame_end(&p);
		page_send(&p, resp, 200);
		page_release(&p);
	}
	home_release(&h);
	buf_release(&where);
	buf_release(&err);
	aff_release(&a);
}
