#include "store/store_reports.h"
#include "store/store_internal.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
/* A report of days covers at most this many (a bit over a year). */
#define MAX_DAYS 400

static void copy_col(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

int store_shop_by_domain(struct store_tx *tx, const char *domain,
			 struct shop *out, struct buf *err)
{
	static const char sql[] =
		"SELECT id, platform, domain, name, currency, status, scopes,"
		" installed_at FROM shops WHERE domain = ?"
		" ORDER BY status = 'active' DESC, id LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, domain);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		out->platform = column_strdup(s, 1);
		out->domain = column_strdup(s, 2);
		out->name = column_strdup(s, 3);
		out->currency = column_strdup(s, 4);
		out->status = column_strdup(s, 5);
		out->scopes = column_strdup(s, 6);
		out->installed_at = sqlite3_column_int64(s, 7);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "finding the shop", err);
	}
	sqlite3_reset(s);
	return rc;
}

#define TARGET_SQL                                                    \
	"SELECT a.id, a.shop_id, a.program_id,"                       \
	" a.status = 'active' AND p.status = 'active'"                \
	"  AND s.status = 'active',"                                  \
	" p.window_days, a.code, p.landing_url, s.platform, s.domain" \
	" FROM affiliates a JOIN programs p ON p.id = a.program_id"   \
	" JOIN shops s ON s.id = a.shop_id"

static void read_target(sqlite3_stmt *s, struct click_target *out)
{
	memset(out, 0, sizeof(*out));
	out->affiliate_id = sqlite3_column_int64(s, 0);
	out->shop_id = sqlite3_column_int64(s, 1);
	out->program_id = sqlite3_column_int64(s, 2);
	out->counted = sqlite3_column_int(s, 3) != 0;
	out->window_days = sqlite3_column_int64(s, 4);
	copy_col(out->code, sizeof(out->code), s, 5);
	copy_col(out->landing_url, sizeof(out->landing_url), s, 6);
	copy_col(out->platform, sizeof(out->platform), s, 7);
	copy_col(out->domain, sizeof(out->domain), s, 8);
}

int store_click_target(struct store_tx *tx, const char *code,
		       struct click_target *out, struct buf *err)
{
	static const char sql[] =
		TARGET_SQL " WHERE a.code = ? ORDER BY a.id LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, code);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_target(s, out);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "finding the code", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_click_targets_each(struct store_tx *tx,
			     int (*fn)(void *ctx, const struct click_target *t),
			     void *ctx, struct buf *err)
{
	static const char sql[] =
		TARGET_SQL " WHERE a.code != '' ORDER BY a.id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct click_target *t = xmalloc(sizeof(*t));
	int rc, stop = 0;

	if (!s) {
		free(t);
		return -1;
	}
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_target(s, t);
		stop = fn(ctx, t);
	}
	rc = stop || step_end(tx->conn, rc, "reading the codes", err);
	sqlite3_reset(s);
	free(t);
	return rc;
}

int store_code_taken_anywhere(struct store_tx *tx, const char *code,
			      struct buf *err)
{
	static const char sql[] = "SELECT 1 FROM affiliates WHERE code = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, code);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_ROW ? 1
			      : step_end(tx->conn, rc, "checking a code", err);
	sqlite3_reset(s);
	return rc;
}

#define CLICK_WHERE                                                 \
	" WHERE c.shop_id = ?1 AND (?2 = 0 OR c.affiliate_id = ?2)" \
	" AND c.created_at >= ?3 AND c.created_at < ?4"

static const char *const click_sql[REPORT_DIM__COUNT] = {
	/* REPORT_AFFILIATE */
	"SELECT c.affiliate_id, a.name, count(*) FROM clicks c"
	" JOIN affiliates a ON a.id = c.affiliate_id" CLICK_WHERE
	" GROUP BY c.affiliate_id",
	/* REPORT_PROGRAM */
	"SELECT c.program_id, p.name, count(*) FROM clicks c"
	" JOIN programs p ON p.id = c.program_id" CLICK_WHERE
	" GROUP BY c.program_id",
	/* REPORT_NETWORK */
	"SELECT c.network, c.network, count(*) FROM clicks c" CLICK_WHERE
	" GROUP BY c.network",
	/* REPORT_DAY */
	"SELECT c.created_at / 86400, '', count(*) FROM clicks c" CLICK_WHERE
	" GROUP BY c.created_at / 86400",
};

#define ORDER_TIME                                                          \
	"(CASE WHEN o.placed_at > 0 THEN o.placed_at ELSE o.first_seen_at " \
	"END)"
#define ORDER_FROM                                                    \
	" FROM orders o LEFT JOIN commissions m ON m.order_id = o.id" \
	" LEFT JOIN affiliates a ON a.id = o.affiliate_id"            \
	" LEFT JOIN programs p ON p.id = o.program_id"
#define ORDER_WHERE                                                \
	" WHERE o.shop_id = ?1 AND o.affiliate_id IS NOT NULL"     \
	" AND (?2 = 0 OR o.affiliate_id = ?2) AND o.cancelled = 0" \
	" AND " ORDER_TIME " >= ?3 AND " ORDER_TIME " < ?4"        \
	" AND (?5 = '' OR o.currency = ?5)"
#define ORDER_SUMS ", count(*), sum(o.total), sum(coalesce(m.amount, 0))"

static const char *const order_sql[REPORT_DIM__COUNT] = {
	/* REPORT_AFFILIATE */
	"SELECT o.affiliate_id, coalesce(a.name, '')" ORDER_SUMS ORDER_FROM
		ORDER_WHERE " GROUP BY o.affiliate_id",
	/* REPORT_PROGRAM */
	"SELECT o.program_id, coalesce(p.name, '')" ORDER_SUMS ORDER_FROM
		ORDER_WHERE " GROUP BY o.program_id",
	/* REPORT_NETWORK */
	"SELECT o.network, o.network" ORDER_SUMS ORDER_FROM ORDER_WHERE
	" GROUP BY o.network",
	/* REPORT_DAY */
	"SELECT " ORDER_TIME " / 86400, ''" ORDER_SUMS ORDER_FROM ORDER_WHERE
	" GROUP BY " ORDER_TIME " / 86400",
};

void report_release(struct report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

static struct report_row *row_for(struct report *r, sqlite3_stmt *s)
{
	const unsigned char *key = sqlite3_column_text(s, 0);
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->rows[i].key, key ? (const char *)key : "") == 0)
			return &r->rows[i];
	r->rows = xrealloc(r->rows, (r->n + 1) * sizeof(*r->rows));
	memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
	copy_col(r->rows[r->n].key, sizeof(r->rows[0].key), s, 0);
	copy_col(r->rows[r->n].label, sizeof(r->rows[0].label), s, 1);
	r->rows[r->n].day = sqlite3_column_int64(s, 0);
	return &r->rows[r->n++];
}

static void bind_filter(sqlite3_stmt *s, const struct report_filter *f,
			bool orders)
{
	bind_int(s, 1, f->shop_id);
	bind_int(s, 2, f->affiliate_id);
	bind_int(s, 3, f->since);
	bind_int(s, 4, f->until);
	if (orders)
		bind_text(s, 5, f->currency ? f->currency : "");
}

/* Runs the clicks or the orders query of a dimension into r. */
static int gather(struct store_tx *tx, const struct report_filter *f,
		  enum report_dim dim, bool orders, struct report *r,
		  struct buf *err)
{
	sqlite3_stmt *s =
		tx_stmt(tx, orders ? order_sql[dim] : click_sql[dim], err);
	struct report_row *row;
	int rc;

	if (!s)
		return -1;
	bind_filter(s, f, orders);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = row_for(r, s);
		if (!orders) {
			row->clicks += sqlite3_column_int64(s, 2);
			continue;
		}
		row->orders += sqlite3_column_int64(s, 2);
		row->sales += sqlite3_column_int64(s, 3);
		row->commission += sqlite3_column_int64(s, 4);
	}
	rc = step_end(tx->conn, rc, "reporting", err);
	sqlite3_reset(s);
	return rc;
}

static int by_day(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static int by_weight(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->sales != y->sales)
		return x->sales < y->sales ? 1 : -1;
	if (x->orders != y->orders)
		return x->orders < y->orders ? 1 : -1;
	if (x->clicks != y->clicks)
		return x->clicks < y->clicks ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Adds a zero row for every day of the period that had no activity. */
static void fill_days(struct report *r, const struct report_filter *f)
{
	int64_t first = f->since / DAY, last = (f->until - 1) / DAY, d;
	size_t i;

	if (last - first >= MAX_DAYS)
		first = last - MAX_DAYS + 1;
	for (d = first; d <= last; d++) {
		for (i = 0; i < r->n && r->rows[i].day != d; i++)
			;
		if (i < r->n)
			continue;
		r->rows = xrealloc(r->rows, (r->n + 1) * sizeof(*r->rows));
		memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
		r->rows[r->n].day = d;
		snprintf(r->rows[r->n].key, sizeof(r->rows[0].key), "%lld",
			 (long long)d);
		r->n++;
	}
}

int store_report(struct store_tx *tx, const struct report_filter *f,
		 enum report_dim dim, struct report *out, struct buf *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (gather(tx, f, dim, false, out, err) < 0 ||
	    gather(tx, f, dim, true, out, err) < 0) {
		report_release(out);
		return -1;
	}
	if (dim == REPORT_DAY)
		fill_days(out, f);
	if (out->n)
		qsort(out->rows, out->n, sizeof(*out->rows),
		      dim == REPORT_DAY ? by_day : by_weight);
	for (i = 0; i < out->n; i++) {
		out->total.clicks += out->rows[i].clicks;
		out->total.orders += out->rows[i].orders;
		out->total.sales += out->rows[i].sales;
		out->total.commission += out->rows[i].commission;
	}
	return 0;
}

int store_report_currency(struct store_tx *tx, int64_t shop_id, char out[4],
			  struct buf *err)
{
	static const char sql[] =
		"SELECT currency FROM orders WHERE shop_id = ?"
		" GROUP BY currency ORDER BY count(*) DESC LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	out[0] = '\0';
	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(out, 4, s, 0);
	rc = rc == SQLITE_ROW ||
	     step_end(tx->conn, rc, "reading currencies", err);
	sqlite3_reset(s);
	return rc;
}
