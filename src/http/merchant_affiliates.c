/*
 * /admin/affiliates: the merchant's affiliates with their figures, the
 * ones waiting for approval, one affiliate with their orders and ledger
 * balance, and approve / disable / enable. Only the session's shop: an
 * affiliate of another shop answers 404.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "store/store.h"
#include "store/store_ledger.h"
#include "store/store_orders.h"
#include "store/store_programs.h"
#include "store/store_reports.h"

#include <stdio.h>
#include <string.h>

enum { ADMIN_LIST_LIMIT = 500 };

struct affiliate_list {
	struct store_tx *tx;
	struct table *all;
	struct page *pending; /* approve buttons, written as met */
	const struct merchant *m;
	const struct report *stats;
	struct buf *err;
	int failed;
};

static const struct report_row *stats_of(const struct report *r, int64_t id)
{
	char key[32];
	size_t i;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	for (i = 0; i < r->n; i++)
		if (strcmp(r->rows[i].key, key) == 0)
			return &r->rows[i];
	return NULL;
}

static enum msg status_msg(enum affiliate_status s)
{
	return s == AFFILIATE_ACTIVE	? MSG_STATUS_ACTIVE
	       : s == AFFILIATE_PENDING ? MSG_STATUS_PENDING
					: MSG_STATUS_DISABLED;
}

static void status_button(struct page *p, const struct merchant *m, int64_t id,
			  const char *action, enum msg label, bool primary)
{
	html(p,
	     "<form method=\"post\" action=\"/admin/affiliates/%D/status\" "
	     "class=\"inline\">",
	     id);
	html_csrf(p, m->s.csrf);
	html(p,
	     "<button type=\"submit\" name=\"action\" value=\"%s\" "
	     "class=\"%r\">%t</button></form>",
	     action, primary ? "primary" : "secondary", label);
}

static int affiliate_row(void *ctx, const struct affiliate *a)
{
	struct affiliate_list *l = ctx;
	const struct report_row *st = stats_of(l->stats, a->id);
	struct report_row zero;
	char href[64];

	memset(&zero, 0, sizeof(zero));
	if (!st)
		st = &zero;
	snprintf(href, sizeof(href), "/admin/affiliates/%lld",
		 (long long)a->id);
	table_cell(l->all, a->name, NULL, href);
	table_cell(l->all, a->email, NULL, NULL);
	table_cell(l->all, a->code, NULL, NULL);
	table_cell(l->all, i18n_text(i18n_english(), status_msg(a->status)),
		   affiliate_status_str(a->status), NULL);
	table_int(l->all, st->clicks);
	table_int(l->all, st->orders);
	table_money(l->all, st->sales, l->m->currency);
	table_money(l->all, st->commission, l->m->currency);
	if (a->status == AFFILIATE_PENDING) {
		html(l->pending, "<li><a href=\"%s\">%s</a> <span>%s</span> ",
		     href, a->name, a->email);
		status_button(l->pending, l->m, a->id, "approve", MSG_APPROVE,
			      true);
		html(l->pending, "</li>");
	}
	return 0;
}

static void affiliates_page(struct response *resp, const struct merchant *m,
			    struct page *pend, const struct table *t)
{
	struct page p;

	page_init(&p, i18n_english());
	merchant_frame(&p, m, i18n_text(p.lang, MSG_TAB_AFFILIATES),
		       TAB_AFFILIATES);
	html(&p,
	     "<div class=\"head\"><h1>%t</h1><a href=\"/admin/"
	     "affiliates?format=csv\">%t</a></div>",
	     MSG_TAB_AFFILIATES, MSG_DOWNLOAD_CSV);
	if (pend->out.len)
		html(&p,
		     "<section class=\"card\"><h2>%t</h2><ul "
		     "class=\"pending\">%r</ul></section>",
		     MSG_WAITING_APPROVAL, buf_str(&pend->out));
	html(&p, "<section class=\"card\">");
	table_html(&p, t, MSG_TAB_AFFILIATES);
	html(&p, "</section>");
	merchant_frame_end(&p);
	page_send(&p, resp, 200);
	page_release(&p);
}

void page_affiliates(struct app *app, struct request *req,
		     struct response *resp)
{
	static const enum msg heads[] = {
		MSG_COL_NAME, MSG_COL_EMAIL, MSG_COL_CODE, MSG_COL_STATUS,
		MSG_CLICKS,   MSG_ORDERS,    MSG_SALES,	   MSG_COMMISSIONS};
	struct report_filter rf = {0};
	struct affiliate_list l;
	struct report stats = {0};
	struct merchant m;
	struct table t;
	struct page pend;
	struct buf err, csv;
	const char *format = request_query(req, "format");
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	buf_init(&csv, BUF_LARGE);
	page_init(&pend, i18n_english());
	table_init(&t, 8, heads, 0xf0);
	rf = (struct report_filter){m.shop.id, 0, 0, INT64_MAX, m.currency};
	l = (struct affiliate_list){NULL, &t, &pend, &m, &stats, &err, 0};
	rc = store_read_begin(app->store, &l.tx, &err);
	if (rc == 0) {
		rc = store_report(l.tx, &rf, REPORT_AFFILIATE, &stats, &err);
		if (rc == 0)
			rc = store_affiliate_each(l.tx, m.shop.id, 0,
						  affiliate_row, &l, &err);
		store_tx_rollback(l.tx);
	}
	if (rc < 0)
		page_fail(req, resp, "affiliates", &err);
	else if (format && strcmp(format, "csv") == 0 &&
		 table_csv(&csv, &t, i18n_english()) == 0)
		csv_send(&csv, resp, "affiliates.csv");
	else
		affiliates_page(resp, &m, &pend, &t);
	report_release(&stats);
	table_release(&t);
	page_release(&pend);
	buf_release(&csv);
	buf_release(&err);
	merchant_release(&m);
}

/* One affiliate: details, status buttons, balance and orders. */

struct one_affiliate {
	struct affiliate a;
	struct program prog;
	struct table balance;
	struct table orders;
	const struct merchant *m;
};

static int balance_row(void *ctx, const char *currency, const char *bucket,
		       int64_t sum)
{
	struct one_affiliate *o = ctx;

	table_cell(&o->balance, currency, NULL, NULL);
	table_cell(&o->balance,
		   i18n_text(i18n_english(),
			     strcmp(bucket, "pending") == 0    ? MSG_PENDING
			     : strcmp(bucket, "approved") == 0 ? MSG_APPROVED
							       : MSG_PAID),
		   bucket, NULL);
	table_money(&o->balance, sum, currency);
	return 0;
}

static int affiliate_order_row(void *ctx, const struct order_row *r)
{
	struct one_affiliate *o = ctx;

	table_date(&o->orders, r->placed_at ? r->placed_at : r->first_seen_at);
	table_cell(&o->orders, r->name[0] ? r->name : r->platform_order_id,
		   NULL, NULL);
	table_money(&o->orders, r->total, r->currency);
	table_cell(&o->orders, r->decision, NULL, NULL);
	table_cell(&o->orders, r->reason, NULL, NULL);
	return 0;
}

static int load_affiliate(struct app *app, struct request *req,
			  struct one_affiliate *o, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_affiliate_get(tx, param_id(req, 0), &o->a, err);
	if (rc == 1 && o->a.shop_id != o->m->shop.id) {
		affiliate_release(&o->a);
		rc = 0;
	}
	if (rc == 1 &&
	    (store_program_get(tx, o->a.program_id, &o->prog, err) < 0 ||
	     store_ledger_sums(tx, o->a.id, balance_row, o, err) < 0 ||
	     store_order_each(tx, o->m->shop.id, o->a.id, ADMIN_LIST_LIMIT,
			      affiliate_order_row, o, err) < 0)) {
		affiliate_release(&o->a);
		rc = -1;
	}
	store_tx_rollback(tx);
	return rc;
}

static void affiliate_page(struct page *p, const struct one_affiliate *o)
{
	const struct affiliate *a = &o->a;
	size_t i;

	html(p,
	     "<div class=\"head\"><h1>%s</h1><span class=\"badge\">%t</span>"
	     "</div><section class=\"card\"><dl class=\"facts\"><dt>%t</dt>"
	     "<dd>%s</dd><dt>%t</dt><dd>%s</dd><dt>%t</dt><dd><a "
	     "href=\"/admin/programs/%D\">%s</a></dd><dt>%t</dt><dd>",
	     a->name, status_msg(a->status), MSG_COL_EMAIL, a->email,
	     MSG_COL_CODE, a->code, MSG_COL_PROGRAM, o->prog.id,
	     o->prog.name ? o->prog.name : "", MSG_COUPON_CODES);
	for (i = 0; i < a->ncoupons; i++)
		html(p, "%r<code>%s</code>", i ? ", " : "", a->coupons[i]);
	html(p, "</dd></dl><div class=\"actions\">");
	if (a->status == AFFILIATE_PENDING)
		status_button(p, o->m, a->id, "approve", MSG_APPROVE, true);
	if (a->status != AFFILIATE_DISABLED)
		status_button(p, o->m, a->id, "disable", MSG_DISABLE, false);
	else
		status_button(p, o->m, a->id, "enable", MSG_ENABLE, false);
	html(p, "</div></section><section class=\"card\"><h2>%t</h2>",
	     MSG_BALANCE);
	table_html(p, &o->balance, MSG_BALANCE);
	html(p, "</section><section class=\"card\"><h2>%t</h2>",
	     MSG_TAB_ORDERS);
	table_html(p, &o->orders, MSG_TAB_ORDERS);
	html(p, "</section>");
}

void page_affiliate_get(struct app *app, struct request *req,
			struct response *resp)
{
	static const enum msg bheads[] = {MSG_COL_CURRENCY, MSG_COL_STATUS,
					  MSG_COL_AMOUNT};
	static const enum msg oheads[] = {MSG_COL_DATE, MSG_COL_ORDER,
					  MSG_COL_TOTAL, MSG_COL_DECISION,
					  MSG_COL_REASON};
	struct one_affiliate o;
	struct merchant m;
	struct buf err;
	struct page p;
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	memset(&o, 0, sizeof(o));
	o.m = &m;
	buf_init(&err, BUF_SMALL);
	table_init(&o.balance, 3, bheads, 1u << 2);
	table_init(&o.orders, 5, oheads, 1u << 2);
	rc = load_affiliate(app, req, &o, &err);
	if (rc < 0) {
		page_fail(req, resp, "affiliate", &err);
	} else if (rc == 0) {
		not_found(req, resp);
	} else {
		page_init(&p, i18n_english());
		merchant_frame(&p, &m, o.a.name, TAB_AFFILIATES);
		affiliate_page(&p, &o);
		merchant_frame_end(&p);
		page_send(&p, resp, 200);
		page_release(&p);
		affiliate_release(&o.a);
		program_release(&o.prog);
	}
	table_release(&o.balance);
	table_release(&o.orders);
	buf_release(&err);
	merchant_release(&m);
}

static int set_affiliate_status(struct app *app, const struct merchant *m,
				int64_t id, const char *action, struct buf *err)
{
	enum affiliate_status st;
	struct affiliate a;
	struct store_tx *tx;
	int rc;

	if (!action)
		return 0;
	if (strcmp(action, "approve") == 0 || strcmp(action, "enable") == 0)
		st = AFFILIATE_ACTIVE;
	else if (strcmp(action, "disable") == 0)
		st = AFFILIATE_DISABLED;
	else
		return 0;
	if (store_tx_begin(app->store, &tx, err) < 0)
		return -1;
	rc = store_affiliate_get(tx, id, &a, err);
	if (rc == 1) {
		if (a.shop_id != m->shop.id)
			rc = 0;
		else if (store_affiliate_set_status(tx, id, st, err) < 0)
			rc = -1;
		affiliate_release(&a);
	}
	if (rc != 1) {
		store_tx_rollback(tx);
		return rc;
	}
	log_info("affiliate.status", "shop=%lld affiliate=%lld status=%s",
		 (long long)m->shop.id, (long long)id,
		 affiliate_status_str(st));
	return store_tx_commit(tx, err) < 0 ? -1 : 1;
}

void page_affiliate_status(struct app *app, struct request *req,
			   struct response *resp)
{
	struct merchant m;
	struct form f;
	struct buf err;
	char where[64];
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (merchant_form(app, req, &m, &f, resp) == 0) {
		buf_init(&err, BUF_SMALL);
		rc = set_affiliate_status(app, &m, param_id(req, 0),
					  form_get(&f, "action"), &err);
		if (rc < 0) {
			page_fail(req, resp, "affiliate.status", &err);
		} else if (rc == 0) {
			not_found(req, resp);
		} else {
			snprintf(where, sizeof(where), "/admin/affiliates/%lld",
				 (long long)param_id(req, 0));
			response_redirect(resp, 303, where);
		}
		buf_release(&err);
		form_release(&f);
	}
	merchant_release(&m);
}
