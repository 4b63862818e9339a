#include "store/store_internal.h"
#include "store/store_orders.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_COLUMNS                                                        \
	"id, shop_id, platform_order_id, name, customer_id, email, ip_hash," \
	" currency, presentment_currency, total, presentment_total,"         \
	" commissionable, financial_status, cancelled, placed_at,"           \
	" platform_updated_at, coalesce(affiliate_id, 0),"                   \
	" coalesce(program_id, 0), decision, signal, network, reason,"       \
	" snapshot, first_seen_at, updated_at"

void order_row_release(struct order_row *r)
{
	free(r->platform_order_id);
	free(r->name);
	free(r->customer_id);
	free(r->email);
	free(r->ip_hash);
	free(r->currency);
	free(r->presentment_currency);
	free(r->decision);
	free(r->signal);
	free(r->network);
	free(r->reason);
	free(r->snapshot);
	memset(r, 0, sizeof(*r));
}

void commission_release(struct commission *c)
{
	free(c->explanation);
	free(c->review);
	memset(c, 0, sizeof(*c));
}

static void read_order(sqlite3_stmt *s, struct order_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->shop_id = sqlite3_column_int64(s, 1);
	r->platform_order_id = column_strdup(s, 2);
	r->name = column_strdup(s, 3);
	r->customer_id = column_strdup_null(s, 4);
	r->email = column_strdup_null(s, 5);
	r->ip_hash = column_strdup(s, 6);
	r->currency = column_strdup(s, 7);
	r->presentment_currency = column_strdup_null(s, 8);
	r->total = sqlite3_column_int64(s, 9);
	r->presentment_total = sqlite3_column_int64(s, 10);
	r->commissionable = sqlite3_column_int64(s, 11);
	order_financial_parse((const char *)sqlite3_column_text(s, 12),
			      &r->financial);
	r->cancelled = sqlite3_column_int(s, 13) != 0;
	r->placed_at = sqlite3_column_int64(s, 14);
	r->platform_updated_at = sqlite3_column_int64(s, 15);
	r->affiliate_id = sqlite3_column_int64(s, 16);
	r->program_id = sqlite3_column_int64(s, 17);
	r->decision = column_strdup(s, 18);
	r->signal = column_strdup(s, 19);
	r->network = column_strdup(s, 20);
	r->reason = column_strdup(s, 21);
	r->snapshot = column_strdup(s, 22);
	r->first_seen_at = sqlite3_column_int64(s, 23);
	r->updated_at = sqlite3_column_int64(s, 24);
}

static int one_order(struct store_tx *tx, sqlite3_stmt *s,
		     struct order_row *out, struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		read_order(s, out);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading orders", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_order_find(struct store_tx *tx, int64_t shop_id,
		     const char *platform_order_id, struct order_row *out,
		     struct buf *err)
{
	static const char sql[] =
		"SELECT " ORDER_COLUMNS " FROM orders"
		" WHERE shop_id = ? AND platform_order_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, platform_order_id);
	return one_order(tx, s, out, err);
}

int store_order_get(struct store_tx *tx, int64_t id, struct order_row *out,
		    struct buf *err)
{
	static const char sql[] =
		"SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	return one_order(tx, s, out, err);
}

static void bind_nullable_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id)
		bind_int(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

int store_order_put(struct store_tx *tx, struct order_row *r, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO orders (shop_id, platform_order_id, name,"
		" customer_id, email, ip_hash, currency, presentment_currency,"
		" total, presentment_total, commissionable, financial_status,"
		" cancelled, placed_at, platform_updated_at, affiliate_id,"
		" program_id, decision, signal, network, reason, snapshot,"
		" first_seen_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		"?7,"
		" ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
		"?20,"
		" ?21, ?22, ?23, ?23) ON CONFLICT (shop_id, platform_order_id)"
		" DO UPDATE SET name = ?3, customer_id = ?4, email = ?5,"
		" ip_hash = ?6, currency = ?7, presentment_currency = ?8,"
		" total = ?9, presentment_total = ?10, commissionable = ?11,"
		" financial_status = ?12, cancelled = ?13, placed_at = ?14,"
		" platform_updated_at = ?15, affiliate_id = ?16,"
		" program_id = ?17, decision = ?18, signal = ?19, network = "
		"?20,"
		" reason = ?21, snapshot = ?22, updated_at = ?23 RETURNING id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, r->shop_id);
	bind_text(s, 2, r->platform_order_id);
	bind_text(s, 3, r->name ? r->name : "");
	bind_text(s, 4, r->customer_id);
	bind_text(s, 5, r->email);
	bind_text(s, 6, r->ip_hash ? r->ip_hash : "");
	bind_text(s, 7, r->currency);
	bind_text(s, 8, r->presentment_currency);
	bind_int(s, 9, r->total);
	bind_int(s, 10, r->presentment_total);
	bind_int(s, 11, r->commissionable);
	bind_text(s, 12, order_financial_str(r->financial));
	bind_int(s, 13, r->cancelled);
	bind_int(s, 14, r->placed_at);
	bind_int(s, 15, r->platform_updated_at);
	bind_nullable_id(s, 16, r->affiliate_id);
	bind_nullable_id(s, 17, r->program_id);
	bind_text(s, 18, r->decision);
	bind_text(s, 19, r->signal ? r->signal : "");
	bind_text(s, 20, r->network ? r->network : "");
	bind_text(s, 21, r->reason);
	bind_text(s, 22, r->snapshot);
	bind_int(s, 23, clock_now());
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		conn_error(tx->conn, "saving the order", err);
		sqlite3_reset(s);
		return -1;
	}
	r->id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_order_each(struct store_tx *tx, int64_t shop_id, int64_t affiliate_id,
		     int limit, int (*fn)(void *ctx, const struct order_row *r),
		     void *ctx, struct buf *err)
{
	static const char sql[] = "SELECT " ORDER_COLUMNS " FROM orders"
				  " WHERE (?1 = 0 OR shop_id = ?1)"
				  " AND (?2 = 0 OR affiliate_id = ?2)"
				  " ORDER BY id DESC LIMIT ?3";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct order_row r;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_int(s, 2, affiliate_id);
	bind_int(s, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		read_order(s, &r);
		stop = fn(ctx, &r);
		order_row_release(&r);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "listing orders", err);
	sqlite3_reset(s);
	return rc;
}

int store_refund_add(struct store_tx *tx, int64_t order_id,
		     const struct order_refund *r, int64_t base,
		     struct buf *err)
{
	static const char sql[] =
		"INSERT INTO order_refunds (order_id, refund_id, amount, base,"
		" created_at) VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT (order_id, refund_id) DO NOTHING";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, order_id);
	bind_text(s, 2, r->id);
	bind_int(s, 3, r->amount);
	bind_int(s, 4, base);
	bind_int(s, 5, r->created_at ? r->created_at : clock_now());
	if (step_done(tx->conn, s, "saving a refund", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) > 0 ? 1 : 0;
}

/* Runs a query whose single row holds integers into out[0..n-1]. */
static int query_ints(struct store_tx *tx, sqlite3_stmt *s, int64_t *out, int n,
		      struct buf *err)
{
	int rc = sqlite3_step(s), i;

	if (rc == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			out[i] = sqlite3_column_int64(s, i);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "summing", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_refund_sums(struct store_tx *tx, int64_t order_id, int64_t *amount,
		      int64_t *base, struct buf *err)
{
	static const char sql[] =
		"SELECT coalesce(sum(amount), 0), coalesce(sum(base), 0)"
		" FROM order_refunds WHERE order_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int64_t v[2] = {0, 0};

	if (!s)
		return -1;
	bind_int(s, 1, order_id);
	if (query_ints(tx, s, v, 2, err) < 0)
		return -1;
	*amount = v[0];
	*base = v[1];
	return 0;
}

#define COMMISSION_COLUMNS                                                \
	"id, order_id, affiliate_id, program_id, currency, base, amount," \
	" explanation, review, approve_after, created_at"

static void read_commission(sqlite3_stmt *s, struct commission *c)
{
	const unsigned char *cur = sqlite3_column_text(s, 4);

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	c->order_id = sqlite3_column_int64(s, 1);
	c->affiliate_id = sqlite3_column_int64(s, 2);
	c->program_id = sqlite3_column_int64(s, 3);
	snprintf(c->currency, sizeof(c->currency), "%s",
		 cur ? (const char *)cur : "");
	c->base = sqlite3_column_int64(s, 5);
	c->amount = sqlite3_column_int64(s, 6);
	c->explanation = column_strdup(s, 7);
	c->review = column_strdup(s, 8);
	c->approve_after = sqlite3_column_int64(s, 9);
	c->created_at = sqlite3_column_int64(s, 10);
}

static int one_commission(struct store_tx *tx, sqlite3_stmt *s,
			  struct commission *out, struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		read_commission(s, out);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading commission", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_commission_add(struct store_tx *tx, struct commission *c,
			 struct buf *err)
{
	static const char sql[] =
		"INSERT INTO commissions (order_id, affiliate_id, program_id,"
		" currency, base, amount, explanation, review, approve_after,"
		" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	if (!c->created_at)
		c->created_at = clock_now();
	bind_int(s, 1, c->order_id);
	bind_int(s, 2, c->affiliate_id);
	bind_int(s, 3, c->program_id);
	bind_text(s, 4, c->currency);
	bind_int(s, 5, c->base);
	bind_int(s, 6, c->amount);
	bind_text(s, 7, c->explanation ? c->explanation : "");
	bind_text(s, 8, c->review ? c->review : "");
	bind_int(s, 9, c->approve_after);
	bind_int(s, 10, c->created_at);
	if (step_done(tx->conn, s, "saving the commission", err) < 0)
		return -1;
	c->id = sqlite3_last_insert_rowid(tx->conn->db);
	return 0;
}

int store_commission_get(struct store_tx *tx, int64_t id,
			 struct commission *out, struct buf *err)
{
	static const char sql[] =
		"SELECT " COMMISSION_COLUMNS " FROM commissions WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	return one_commission(tx, s, out, err);
}

int store_commission_by_order(struct store_tx *tx, int64_t order_id,
			      struct commission *out, struct buf *err)
{
	static const char sql[] = "SELECT " COMMISSION_COLUMNS
				  " FROM commissions WHERE order_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, order_id);
	return one_commission(tx, s, out, err);
}

int store_commission_count_since(struct store_tx *tx, int64_t affiliate_id,
				 int64_t since, int64_t *count, struct buf *err)
{
	static const char sql[] = "SELECT count(*) FROM commissions"
				  " WHERE affiliate_id = ? AND created_at >= ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	bind_int(s, 2, since);
	return query_ints(tx, s, count, 1, err);
}

int store_commission_due(struct store_tx *tx, int64_t now, int64_t **ids,
			 size_t *n, struct buf *err)
{
	static const char sql[] =
		"SELECT commission_id FROM approval_queue WHERE approve_after "
		"<= ?"
		" ORDER BY approve_after, commission_id LIMIT 1000";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	*ids = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_int(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	rc = step_end(tx->conn, rc, "due commissions", err);
	sqlite3_reset(s);
	return rc;
}

int store_commission_queue(struct store_tx *tx, int64_t commission_id,
			   int64_t approve_after, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO approval_queue (commission_id, approve_after)"
		" VALUES (?, ?) ON CONFLICT DO NOTHING";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, commission_id);
	bind_int(s, 2, approve_after);
	return step_done(tx->conn, s, "queueing the approval", err);
}

int store_commission_unqueue(struct store_tx *tx, int64_t commission_id,
			     struct buf *err)
{
	static const char sql[] =
		"DELETE FROM approval_queue WHERE commission_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, commission_id);
	return step_done(tx->conn, s, "unqueueing the approval", err);
}

int store_commission_each(struct store_tx *tx, int64_t affiliate_id,
			  int (*fn)(void *ctx, const struct commission *c),
			  void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT " COMMISSION_COLUMNS " FROM commissions WHERE ?1 = 0"
		" OR affiliate_id = ?1 ORDER BY id DESC";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct commission c;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		read_commission(s, &c);
		stop = fn(ctx, &c);
		commission_release(&c);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "commissions", err);
	sqlite3_reset(s);
	return rc;
}

int store_count_orders_from_ip(struct store_tx *tx, int64_t affiliate_id,
			       const char *ip_hash, int64_t since,
			       int64_t *count, struct buf *err)
{
	static const char sql[] =
		"SELECT count(*) FROM orders WHERE affiliate_id = ?"
		" AND ip_hash = ? AND ip_hash != '' AND first_seen_at >= ?"
		" AND decision = 'credited'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	bind_text(s, 2, ip_hash);
	bind_int(s, 3, since);
	return query_ints(tx, s, count, 1, err);
}

int store_count_coupon_customers(struct store_tx *tx, int64_t affiliate_id,
				 int64_t since, int64_t *count, struct buf *err)
{
	static const char sql[] =
		"SELECT count(DISTINCT coalesce(customer_id, email, id))"
		" FROM orders WHERE affiliate_id = ? AND signal = 'coupon'"
		" AND first_seen_at >= ? AND decision = 'credited'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	bind_int(s, 2, since);
	return query_ints(tx, s, count, 1, err);
}

int store_binding_get(struct store_tx *tx, int64_t shop_id, const char *key,
		      struct binding *out, struct buf *err)
{
	static const char sql[] =
		"SELECT affiliate_id, program_id, bound_at, expires_at FROM"
		" customer_bindings WHERE shop_id = ? AND customer_key = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->affiliate_id = sqlite3_column_int64(s, 0);
		out->program_id = sqlite3_column_int64(s, 1);
		out->bound_at = sqlite3_column_int64(s, 2);
		out->expires_at = sqlite3_column_int64(s, 3);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "binding", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_binding_put(struct store_tx *tx, int64_t shop_id, const char *key,
		      const struct binding *b, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO customer_bindings (shop_id, customer_key,"
		" affiliate_id, program_id, bound_at, expires_at)"
		" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, key);
	bind_int(s, 3, b->affiliate_id);
	bind_int(s, 4, b->program_id);
	bind_int(s, 5, b->bound_at);
	bind_int(s, 6, b->expires_at);
	return step_done(tx->conn, s, "saving a binding", err);
}
