#include "store/store_internal.h"
#include "store/store_ledger.h"

#include <stdio.h>
#include <string.h>

#define ENTRY_COLUMNS                                               \
	"id, affiliate_id, currency, bucket, kind, amount,"         \
	" coalesce(commission_id, 0), coalesce(order_id, 0), memo," \
	" created_at, prev_hash, hash"

static void copy_col(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

static void read_entry(sqlite3_stmt *s, struct ledger_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(s, 0);
	e->affiliate_id = sqlite3_column_int64(s, 1);
	copy_col(e->currency, sizeof(e->currency), s, 2);
	copy_col(e->bucket, sizeof(e->bucket), s, 3);
	copy_col(e->kind, sizeof(e->kind), s, 4);
	e->amount = sqlite3_column_int64(s, 5);
	e->commission_id = sqlite3_column_int64(s, 6);
	e->order_id = sqlite3_column_int64(s, 7);
	copy_col(e->memo, sizeof(e->memo), s, 8);
	e->created_at = sqlite3_column_int64(s, 9);
	copy_col(e->prev_hash, sizeof(e->prev_hash), s, 10);
	copy_col(e->hash, sizeof(e->hash), s, 11);
}

int store_ledger_head(struct store_tx *tx, char out[65], struct buf *err)
{
	static const char sql[] =
		"SELECT hash FROM ledger_entries ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_col(out, 65, s, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		memset(out, '0', 64);
		out[64] = '\0';
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading the ledger head", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_ledger_next_id(struct store_tx *tx, int64_t *id, struct buf *err)
{
	/* AUTOINCREMENT keeps the highest id ever used in sqlite_sequence. */
	static const char sql[] =
		"SELECT coalesce((SELECT seq FROM sqlite_sequence"
		" WHERE name = 'ledger_entries'), 0) + 1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading the ledger sequence", err);
	}
	sqlite3_reset(s);
	return rc;
}

static void bind_nullable(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		bind_int(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int store_ledger_append(struct store_tx *tx, struct ledger_entry *e,
			struct buf *err)
{
	static const char sql[] =
		"INSERT INTO ledger_entries (id, affiliate_id, currency, "
		"bucket,"
		" kind, amount, commission_id, order_id, memo, created_at,"
		" prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, e->id);
	bind_int(s, 2, e->affiliate_id);
	bind_text(s, 3, e->currency);
	bind_text(s, 4, e->bucket);
	bind_text(s, 5, e->kind);
	bind_int(s, 6, e->amount);
	bind_nullable(s, 7, e->commission_id);
	bind_nullable(s, 8, e->order_id);
	bind_text(s, 9, e->memo);
	bind_int(s, 10, e->created_at);
	bind_text(s, 11, e->prev_hash);
	bind_text(s, 12, e->hash);
	return step_done(tx->conn, s, "appending to the ledger", err) == 0
		       ? 0
		       : errorf(err, "appending to the ledger failed");
}

int store_ledger_each(struct store_tx *tx, int64_t affiliate_id,
		      int (*fn)(void *ctx, const struct ledger_entry *e),
		      void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT " ENTRY_COLUMNS " FROM ledger_entries WHERE ?1 = 0"
		" OR affiliate_id = ?1 ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct ledger_entry e;
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_entry(s, &e);
		if (fn(ctx, &e)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "reading the ledger", err);
	sqlite3_reset(s);
	return rc;
}

int store_ledger_sums(struct store_tx *tx, int64_t affiliate_id,
		      int (*fn)(void *ctx, const char *currency,
				const char *bucket, int64_t sum),
		      void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT currency, bucket, sum(amount) FROM ledger_entries"
		" WHERE ?1 = 0 OR affiliate_id = ?1"
		" GROUP BY currency, bucket ORDER BY currency, bucket";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       sqlite3_column_int64(s, 2))) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "summing the ledger", err);
	sqlite3_reset(s);
	return rc;
}

int store_commission_state(struct store_tx *tx, int64_t commission_id,
			   struct commission_state *out, struct buf *err)
{
	static const char sql[] =
		"SELECT coalesce(max(CASE WHEN kind = 'approval' THEN id END), "
		"0),"
		" coalesce(-sum(CASE WHEN kind = 'reversal' THEN amount END), "
		"0)"
		" FROM ledger_entries WHERE commission_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, commission_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->approval_entry = sqlite3_column_int64(s, 0);
		out->approved = out->approval_entry != 0;
		out->reversed = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading a commission's entries",
				err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_ledger_last_payout(struct store_tx *tx, int64_t affiliate_id,
			     const char *currency, int64_t *id, struct buf *err)
{
	static const char sql[] =
		"SELECT coalesce(max(id), 0) FROM ledger_entries"
		" WHERE affiliate_id = ? AND currency = ? AND kind = 'payout'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, affiliate_id);
	bind_text(s, 2, currency);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading payouts", err);
	}
	sqlite3_reset(s);
	return rc;
}
