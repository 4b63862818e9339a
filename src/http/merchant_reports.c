/*
 * /admin (the overview) and /admin/reports: clicks, orders, conversion,
 * sales, average order and commissions for a period, with a line chart
 * per day drawn here as SVG and tables per day, affiliate, program and
 * social network, each exportable as CSV. Also the order and reward
 * lists, which are reports of what happened too.
 */
#include "runtime/app.h"
#include "http/merchant.h"
#include "http/figures.h"
#include "http/pages.h"
#include "http/session.h"
#include "util/log.h"
#include "store/store.h"
#include "store/store_orders.h"
#include "store/store_outbox.h"
#include "store/store_programs.h"
#include "store/store_reports.h"
#include "util/clock.h"
#include "util/money.h"
#include "util/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

enum {
	CHART_W = 640,
	CHART_H = 220,
	PAD_L = 64,
	PAD_R = 16,
	PAD_T = 16,
	PAD_B = 36
};

static const int periods[] = {7, 30, 90, 365};

static const struct {
	const char *name;
	enum msg title;
	enum msg first_col;
} dims[REPORT_DIM__COUNT] = {
	{"affiliates", MSG_REPORT_BY_AFFILIATE, MSG_COL_AFFILIATE},
	{"programs", MSG_REPORT_BY_PROGRAM, MSG_COL_PROGRAM},
	{"networks", MSG_REPORT_BY_NETWORK, MSG_NETWORK},
	{"days", MSG_REPORT_BY_DAY, MSG_COL_DATE},
};

static void day_text(char *out, size_t n, int64_t day)
{
	char iso[21];

	format_iso8601(day * DAY, iso);
	snprintf(out, n, "%.10s", iso);
}

static void report_table(struct table *t, const struct report *r,
			 enum report_dim dim, const char *currency,
			 const struct i18n_lang *lang)
{
	static const enum msg heads[REPORT_DIM__COUNT][7] = {
		{MSG_COL_AFFILIATE, MSG_CLICKS, MSG_ORDERS, MSG_CONVERSION,
		 MSG_SALES, MSG_AOV, MSG_COMMISSIONS},
		{MSG_COL_PROGRAM, MSG_CLICKS, MSG_ORDERS, MSG_CONVERSION,
		 MSG_SALES, MSG_AOV, MSG_COMMISSIONS},
		{MSG_NETWORK, MSG_CLICKS, MSG_ORDERS, MSG_CONVERSION, MSG_SALES,
		 MSG_AOV, MSG_COMMISSIONS},
		{MSG_COL_DATE, MSG_CLICKS, MSG_ORDERS, MSG_CONVERSION,
		 MSG_SALES, MSG_AOV, MSG_COMMISSIONS},
	};
	char text[64], href[128];
	size_t i;

	table_init(t, 7, heads[dim], 0x7e);
	for (i = 0; i < r->n; i++) {
		const struct report_row *row = &r->rows[i];

		if (dim == REPORT_DAY) {
			day_text(text, sizeof(text), row->day);
			table_cell(t, text, NULL, NULL);
		} else if (dim == REPORT_NETWORK) {
			table_cell(t, i18n_text(lang, network_label(row->key)),
				   row->key[0] ? row->key : "none", NULL);
		} else {
			snprintf(href, sizeof(href), "/admin/%s/%s",
				 dims[dim].name, row->key);
			table_cell(t, row->label, NULL, href);
		}
		table_int(t, row->clicks);
		table_int(t, row->orders);
		rate_text(text, sizeof(text), row->orders, row->clicks);
		table_cell(t, text, NULL, NULL);
		table_money(t, row->sales, currency);
		table_money(t, row->orders ? row->sales / row->orders : 0,
			    currency);
		table_money(t, row->commission, currency);
	}
}

/*
 * The top of an axis with four gridlines: four times a round step
 * (1, 2 or 5 times a power of ten), so every gridline is a whole number.
 */
static int64_t nice_top(int64_t v)
{
	int64_t want = v <= 0 ? 1 : (v + 3) / 4, step = 1;

	while (step * 10 <= want)
		step *= 10;
	if (want > step * 5)
		step *= 10;
	else if (want > step * 2)
		step *= 5;
	else if (want > step)
		step *= 2;
	return step * 4;
}

static void axis_label(struct buf *out, int64_t v, bool money,
		       const char *currency)
{
	if (money ? i18n_money(out, v, currency) < 0
		  : buf_printf(out, "%lld", (long long)v) < 0)
		buf_reset(out);
}

static int64_t series_value(const struct report_row *r, bool money)
{
	return money ? r->sales : r->clicks;
}

static void chart_axes(struct page *p, int64_t top, bool money,
		       const char *currency, const struct report *r)
{
	struct buf label;
	char day[16];
	int i, y;

	buf_init(&label, 128);
	for (i = 0; i <= 4; i++) {
		y = PAD_T + (CHART_H - PAD_T - PAD_B) * (4 - i) / 4;
		buf_reset(&label);
		axis_label(&label, top * i / 4, money, currency);
		html(p,
		     "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
		     "class=\"grid\"/><text x=\"%d\" y=\"%d\" "
		     "class=\"ylabel\" text-anchor=\"end\">%s</text>",
		     PAD_L, CHART_W - PAD_R, y, y, PAD_L - 6, y + 4,
		     buf_str(&label));
	}
	for (i = 0; r->n && i < 3; i++) {
		size_t k = i == 0 ? 0 : i == 1 ? (r->n - 1) / 2 : r->n - 1;
		int x = PAD_L + (int)((CHART_W - PAD_L - PAD_R) * (int64_t)k /
				      (int64_t)(r->n > 1 ? r->n - 1 : 1));

		day_text(day, sizeof(day), r->rows[k].day);
		html(p,
		     "<text x=\"%d\" y=\"%d\" class=\"xlabel\" "
		     "text-anchor=\"%r\">%s</text>",
		     x, CHART_H - 12,
		     i == 0   ? "start"
		     : i == 1 ? "middle"
			      : "end",
		     day);
	}
	buf_release(&label);
}

static void chart_points(struct page *p, const struct report *r, int64_t top,
			 bool money, const char *currency)
{
	struct buf label;
	char day[16];
	size_t k;
	int64_t x, y, w = CHART_W - PAD_L - PAD_R, h = CHART_H - PAD_T - PAD_B;

	buf_init(&label, 128);
	html(p, "<polyline class=\"line\" fill=\"none\" points=\"");
	for (k = 0; k < r->n; k++) {
		x = PAD_L + w * (int64_t)k / (int64_t)(r->n > 1 ? r->n - 1 : 1);
		y = PAD_T + h - h * series_value(&r->rows[k], money) / top;
		html(p, "%D,%D ", x, y);
	}
	html(p, "\"/>");
	for (k = 0; k < r->n; k++) {
		x = PAD_L + w * (int64_t)k / (int64_t)(r->n > 1 ? r->n - 1 : 1);
		y = PAD_T + h - h * series_value(&r->rows[k], money) / top;
		buf_reset(&label);
		axis_label(&label, series_value(&r->rows[k], money), money,
			   currency);
		day_text(day, sizeof(day), r->rows[k].day);
		html(p,
		     "<circle cx=\"%D\" cy=\"%D\" r=\"3\" class=\"dot\">"
		     "<title>%s: %s</title></circle>",
		     x, y, day, buf_str(&label));
	}
	buf_release(&label);
}

/* A line chart of one series per day, with its title and axis labels. */
static void svg_chart(struct page *p, const char *id, enum msg title,
		      const struct report *days, bool money,
		      const char *currency)
{
	int64_t max = 0;
	size_t k;

	for (k = 0; k < days->n; k++)
		if (series_value(&days->rows[k], money) > max)
			max = series_value(&days->rows[k], money);
	html(p,
	     "<figure class=\"chart\"><svg viewBox=\"0 0 %d %d\" "
	     "role=\"img\" aria-labelledby=\"%s-t\" "
	     "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"%s-t\">%t"
	     "</title>",
	     CHART_W, CHART_H, id, id, title);
	chart_axes(p, nice_top(max), money, currency, days);
	chart_points(p, days, nice_top(max), money, currency);
	html(p, "</svg><figcaption>%t</figcaption></figure>", title);
}

static int period_days(const struct request *req)
{
	const char *arg = request_query(req, "days");
	uint64_t v;
	size_t i;

	if (arg && parse_uint_str(arg, 365, &v) == 0)
		for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
			if ((uint64_t)periods[i] == v)
				return periods[i];
	return 30;
}

static void reports_page(struct page *p, const struct merchant *m,
			 struct report *r, int days)
{
	struct table t;
	size_t i;
	int d;

	html(p,
	     "<div class=\"head\"><h1>%t</h1><nav class=\"periods\" "
	     "aria-label=\"%t\">",
	     MSG_TAB_OVERVIEW, MSG_PERIOD);
	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		html(p, "<a href=\"/admin/reports?days=%d\"%r>%d %t</a>",
		     periods[i],
		     periods[i] == days ? " aria-current=\"page\"" : "",
		     periods[i], MSG_DAYS);
	html(p, "</nav></div>");
	report_figures(p, &r[REPORT_DAY].total, m->currency, MSG_COMMISSIONS);
	html(p, "<section class=\"card charts\">");
	svg_chart(p, "sales", MSG_CHART_SALES, &r[REPORT_DAY], true,
		  m->currency);
	svg_chart(p, "clicks", MSG_CHART_CLICKS, &r[REPORT_DAY], false,
		  m->currency);
	html(p, "</section>");
	for (d = 0; d < REPORT_DIM__COUNT; d++) {
		report_table(&t, &r[d], (enum report_dim)d, m->currency,
			     p->lang);
		html(p,
		     "<section class=\"card\"><div class=\"head\"><h2>%t</h2>"
		     "<a href=\"/admin/reports?days=%d&amp;table=%s&amp;"
		     "format=csv\">%t</a></div>",
		     dims[d].title, days, dims[d].name, MSG_DOWNLOAD_CSV);
		table_html(p, &t, dims[d].title);
		html(p, "</section>");
		table_release(&t);
	}
}

static int load_reports(struct app *app, const struct merchant *m, int days,
			struct report r[REPORT_DIM__COUNT], struct buf *err)
{
	int64_t today = clock_now() / DAY + 1;
	struct report_filter f = {m->shop.id, 0, (today - days) * DAY,
				  today * DAY, m->currency};
	struct store_tx *tx;
	int d, rc = 0;

	if (store_read_begin(app->store, &tx, err) < 0)
		return -1;
	for (d = 0; rc == 0 && d < REPORT_DIM__COUNT; d++)
		rc = store_report(tx, &f, (enum report_dim)d, &r[d], err);
	store_tx_rollback(tx);
	return rc;
}

static bool csv_export(struct response *resp, const struct request *req,
		       const struct merchant *m,
		       struct report r[REPORT_DIM__COUNT])
{
	const char *table = request_query(req, "table");
	struct table t;
	struct buf csv;
	char name[64];
	int d;

	for (d = 0; d < REPORT_DIM__COUNT; d++)
		if (table && strcmp(table, dims[d].name) == 0)
			break;
	if (d == REPORT_DIM__COUNT)
		return false;
	buf_init(&csv, BUF_LARGE);
	report_table(&t, &r[d], (enum report_dim)d, m->currency,
		     i18n_english());
	snprintf(name, sizeof(name), "report-%s.csv", dims[d].name);
	if (table_csv(&csv, &t, i18n_english()) == 0)
		csv_send(&csv, resp, name);
	else
		response_text(resp, 500, "text/plain; charset=utf-8",
			      "export too large\n");
	table_release(&t);
	buf_release(&csv);
	return true;
}

void page_reports(struct app *app, struct request *req, struct response *resp)
{
	struct report r[REPORT_DIM__COUNT];
	const char *format = request_query(req, "format");
	struct merchant m;
	struct buf err;
	struct page p;
	int d, days = period_days(req);

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	memset(r, 0, sizeof(r));
	buf_init(&err, BUF_SMALL);
	if (load_reports(app, &m, days, r, &err) < 0) {
		page_fail(req, resp, "reports", &err);
	} else if (format && strcmp(format, "csv") == 0 &&
		   csv_export(resp, req, &m, r)) {
		log_info("report.exported", "shop=%lld", (long long)m.shop.id);
	} else {
		page_init(&p, i18n_english());
		merchant_frame(&p, &m, i18n_text(p.lang, MSG_TAB_OVERVIEW),
			       TAB_OVERVIEW);
		reports_page(&p, &m, r, days);
		merchant_frame_end(&p);
		page_send(&p, resp, 200);
		page_release(&p);
	}
	for (d = 0; d < REPORT_DIM__COUNT; d++)
		report_release(&r[d]);
	buf_release(&err);
	merchant_release(&m);
}

/* Orders. */

struct order_list {
	struct store_tx *tx;
	struct table *t;
	struct buf *err;
	int failed;
};

static int order_row(void *ctx, const struct order_row *r)
{
	struct order_list *l = ctx;
	struct commission c;
	struct affiliate a;
	char href[64];
	int rc;

	table_date(l->t, r->placed_at ? r->placed_at : r->first_seen_at);
	table_cell(l->t, r->name[0] ? r->name : r->platform_order_id,
		   r->platform_order_id, NULL);
	table_money(l->t, r->total, r->currency);
	if (r->affiliate_id && (rc = store_affiliate_get(l->tx, r->affiliate_id,
							 &a, l->err)) == 1) {
		snprintf(href, sizeof(href), "/admin/affiliates/%lld",
			 (long long)a.id);
		table_cell(l->t, a.name, NULL, href);
		affiliate_release(&a);
	} else {
		table_cell(l->t, "", NULL, NULL);
	}
	table_cell(l->t, r->decision, NULL, NULL);
	table_cell(l->t, r->reason, NULL, NULL);
	rc = store_commission_by_order(l->tx, r->id, &c, l->err);
	if (rc < 0)
		return l->failed = 1;
	table_money(l->t, rc == 1 ? c.amount : 0, r->currency);
	if (rc == 1)
		commission_release(&c);
	return 0;
}

static void list_page(struct response *resp, const struct merchant *m,
		      enum admin_tab tab, enum msg title, const char *csv_href,
		      const struct table *t, const struct page *extra)
{
	struct page p;

	page_init(&p, i18n_english());
	merchant_frame(&p, m, i18n_text(p.lang, title), tab);
	html(&p, "<div class=\"head\"><h1>%t</h1><a href=\"%s\">%t</a></div>",
	     title, csv_href, MSG_DOWNLOAD_CSV);
	if (extra && extra->out.len)
		html(&p, "%r", buf_str(&extra->out));
	html(&p, "<section class=\"card\">");
	table_html(&p, t, title);
	html(&p, "</section>");
	merchant_frame_end(&p);
	page_send(&p, resp, 200);
	page_release(&p);
}

static void list_send(struct response *resp, const struct request *req,
		      const struct merchant *m, enum admin_tab tab,
		      enum msg title, const char *name, const struct table *t,
		      const struct page *extra)
{
	const char *format = request_query(req, "format");
	char href[64], file[64];
	struct buf csv;

	snprintf(href, sizeof(href), "/admin/%s?format=csv", name);
	if (!format || strcmp(format, "csv") != 0) {
		list_page(resp, m, tab, title, href, t, extra);
		return;
	}
	buf_init(&csv, BUF_LARGE);
	snprintf(file, sizeof(file), "%s.csv", name);
	if (table_csv(&csv, t, i18n_english()) == 0)
		csv_send(&csv, resp, file);
	else
		response_text(resp, 500, "text/plain; charset=utf-8",
			      "export too large\n");
	buf_release(&csv);
}

void page_orders(struct app *app, struct request *req, struct response *resp)
{
	static const enum msg heads[] = {MSG_COL_DATE,	    MSG_COL_ORDER,
					 MSG_COL_TOTAL,	    MSG_COL_AFFILIATE,
					 MSG_COL_DECISION,  MSG_COL_REASON,
					 MSG_COL_COMMISSION};
	struct order_list l;
	struct merchant m;
	struct table t;
	struct buf err;
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	table_init(&t, 7, heads, 1u << 2 | 1u << 6);
	l = (struct order_list){NULL, &t, &err, 0};
	rc = store_read_begin(app->store, &l.tx, &err);
	if (rc == 0) {
		rc = store_order_each(l.tx, m.shop.id, 0, 1000, order_row, &l,
				      &err);
		store_tx_rollback(l.tx);
	}
	if (rc < 0 || l.failed)
		page_fail(req, resp, "orders", &err);
	else
		list_send(resp, req, &m, TAB_ORDERS, MSG_TAB_ORDERS, "orders",
			  &t, NULL);
	table_release(&t);
	buf_release(&err);
	merchant_release(&m);
}

/* Rewards. */

struct reward_list {
	const struct merchant *m;
	struct store_tx *tx;
	struct table *t;
	struct page *failed; /* retry buttons */
	struct buf *err;
};

static void affiliate_cell(struct reward_list *l, int64_t id)
{
	struct affiliate a;
	char href[64];

	if (!id || store_affiliate_get(l->tx, id, &a, l->err) != 1) {
		table_cell(l->t, "", NULL, NULL);
		return;
	}
	snprintf(href, sizeof(href), "/admin/affiliates/%lld", (long long)id);
	table_cell(l->t, a.name, NULL, href);
	affiliate_release(&a);
}

static int reward_row(void *ctx, const struct reward *r)
{
	struct reward_list *l = ctx;
	char pct[32];

	if (r->shop_id != l->m->shop.id)
		return 0;
	table_int(l->t, r->id);
	table_date(l->t, r->created_at);
	affiliate_cell(l, r->affiliate_id);
	table_cell(l->t, r->kind, NULL, NULL);
	if (strcmp(r->value_type, "percent") == 0) {
		rate_text(pct, sizeof(pct), r->value, 10000);
		table_cell(l->t, pct, NULL, NULL);
	} else {
		table_money(l->t, r->value, r->currency);
	}
	table_cell(l->t, reward_status_str(r->status), NULL, NULL);
	table_cell(l->t, r->code, NULL, NULL);
	table_int(l->t, r->attempts);
	table_cell(l->t, r->last_error, NULL, NULL);
	if (r->status == REWARD_FAILED) {
		html(l->failed,
		     "<li><span>#%D %s</span> <span class=\"error\">%s</span> "
		     "<form method=\"post\" action=\"/admin/rewards/%D/retry\" "
		     "class=\"inline\">",
		     r->id, r->kind, r->last_error, r->id);
		html_csrf(l->failed, l->m->s.csrf);
		html(l->failed,
		     "<button type=\"submit\" class=\"primary\">%t</button>"
		     "</form></li>",
		     MSG_RETRY);
	}
	return 0;
}

void page_rewards(struct app *app, struct request *req, struct response *resp)
{
	static const enum msg heads[] = {
		MSG_COL_ID,   MSG_COL_DATE,	MSG_COL_AFFILIATE,
		MSG_COL_KIND, MSG_COL_VALUE,	MSG_COL_STATUS,
		MSG_COL_CODE, MSG_COL_ATTEMPTS, MSG_COL_LAST_ERROR};
	struct reward_list l;
	struct merchant m;
	struct store_tx *tx;
	struct table t;
	struct page failed, extra;
	struct buf err;
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	buf_init(&err, BUF_SMALL);
	page_init(&failed, i18n_english());
	page_init(&extra, i18n_english());
	table_init(&t, 9, heads, 1u << 4 | 1u << 7);
	rc = store_read_begin(app->store, &tx, &err);
	l = (struct reward_list){&m, tx, &t, &failed, &err};
	if (rc == 0) {
		rc = store_reward_each(tx, REWARD_STATUS__COUNT, 0, reward_row,
				       &l, &err);
		store_tx_rollback(tx);
	}
	if (failed.out.len)
		html(&extra,
		     "<section class=\"card\"><h2>%t</h2><ul "
		     "class=\"pending\">%r</ul></section>",
		     MSG_FAILED_REWARDS, buf_str(&failed.out));
	if (rc < 0)
		page_fail(req, resp, "rewards", &err);
	else
		list_send(resp, req, &m, TAB_REWARDS, MSG_TAB_REWARDS,
			  "rewards", &t, &extra);
	table_release(&t);
	page_release(&failed);
	page_release(&extra);
	buf_release(&err);
	merchant_release(&m);
}

void page_reward_retry(struct app *app, struct request *req,
		       struct response *resp)
{
	struct merchant m;
	struct reward r;
	struct store_tx *tx;
	struct form f;
	struct buf err;
	int rc;

	if (merchant_begin(app, req, resp, &m) < 0)
		return;
	if (merchant_form(app, req, &m, &f, resp) < 0) {
		merchant_release(&m);
		return;
	}
	buf_init(&err, BUF_SMALL);
	rc = store_tx_begin(app->store, &tx, &err);
	if (rc == 0) {
		rc = store_reward_get(tx, param_id(req, 0), &r, &err);
		if (rc == 1 && r.shop_id != m.shop.id)
			rc = 0;
		if (rc == 1 && store_reward_retry(tx, r.id, &err) < 0)
			rc = -1;
		if (rc == 1)
			rc = store_tx_commit(tx, &err) < 0 ? -1 : 1;
		else
			store_tx_rollback(tx);
	}
	if (rc < 0) {
		page_fail(req, resp, "reward.retry", &err);
	} else if (rc == 0) {
		page_error(req, resp, 404, MSG_NOT_FOUND_TITLE,
			   MSG_NOT_FOUND_TEXT);
	} else {
		log_info("reward.retry", "shop=%lld reward=%lld",
			 (long long)m.shop.id, (long long)r.id);
		response_redirect(resp, 303, "/admin/rewards");
	}
	form_release(&f);
	buf_release(&err);
	merchant_release(&m);
}
