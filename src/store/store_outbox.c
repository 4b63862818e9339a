#include "store/store_internal.h"
#include "store/store_outbox.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[REWARD_STATUS__COUNT] = {
	"pending",   /* REWARD_PENDING */
	"sending",   /* REWARD_SENDING */
	"issued",    /* REWARD_ISSUED */
	"failed",    /* REWARD_FAILED */
	"cancelled", /* REWARD_CANCELLED */
};

#define REWARD_COLUMNS                                                    \
	"id, shop_id, coalesce(affiliate_id, 0), coalesce(order_id, 0),"  \
	" coalesce(commission_id, 0), purpose, kind, value_type, value,"  \
	" currency, code, status, attempts, next_attempt_at, last_error," \
	" platform_id, note, created_at, updated_at"

const char *reward_status_str(enum reward_status s)
{
	return s < REWARD_STATUS__COUNT ? status_names[s] : "unknown";
}

int reward_status_parse(const char *s, enum reward_status *out)
{
	int i;

	for (i = 0; s && i < REWARD_STATUS__COUNT; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum reward_status)i;
			return 0;
		}
	return -1;
}

static void col(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

static void read_reward(sqlite3_stmt *s, struct reward *r)
{
	char status[16];

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->shop_id = sqlite3_column_int64(s, 1);
	r->affiliate_id = sqlite3_column_int64(s, 2);
	r->order_id = sqlite3_column_int64(s, 3);
	r->commission_id = sqlite3_column_int64(s, 4);
	col(r->purpose, sizeof(r->purpose), s, 5);
	col(r->kind, sizeof(r->kind), s, 6);
	col(r->value_type, sizeof(r->value_type), s, 7);
	r->value = sqlite3_column_int64(s, 8);
	col(r->currency, sizeof(r->currency), s, 9);
	col(r->code, sizeof(r->code), s, 10);
	col(status, sizeof(status), s, 11);
	reward_status_parse(status, &r->status);
	r->attempts = sqlite3_column_int64(s, 12);
	r->next_attempt_at = sqlite3_column_int64(s, 13);
	col(r->last_error, sizeof(r->last_error), s, 14);
	col(r->platform_id, sizeof(r->platform_id), s, 15);
	col(r->note, sizeof(r->note), s, 16);
	r->created_at = sqlite3_column_int64(s, 17);
	r->updated_at = sqlite3_column_int64(s, 18);
}

static void bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		bind_int(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int store_reward_add(struct store_tx *tx, struct reward *r, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO rewards (shop_id, affiliate_id, order_id,"
		" commission_id, purpose, kind, value_type, value, currency,"
		" code, note, next_attempt_at, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?12, ?12)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int64_t now = clock_now();

	if (!s)
		return -1;
	bind_int(s, 1, r->shop_id);
	bind_id(s, 2, r->affiliate_id);
	bind_id(s, 3, r->order_id);
	bind_id(s, 4, r->commission_id);
	bind_text(s, 5, r->purpose);
	bind_text(s, 6, r->kind);
	bind_text(s, 7, r->value_type);
	bind_int(s, 8, r->value);
	bind_text(s, 9, r->currency);
	bind_text(s, 10, r->code);
	bind_text(s, 11, r->note);
	bind_int(s, 12, now);
	if (step_done(tx->conn, s, "queueing the reward", err) < 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(tx->conn->db);
	r->status = REWARD_PENDING;
	r->created_at = r->updated_at = now;
	return 0;
}

int store_reward_get(struct store_tx *tx, int64_t id, struct reward *out,
		     struct buf *err)
{
	static const char sql[] =
		"SELECT " REWARD_COLUMNS " FROM rewards WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_reward(s, out);
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0
				       : conn_error(tx->conn, "reward", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_reward_set_code(struct store_tx *tx, int64_t id, const char *code,
			  struct buf *err)
{
	static const char sql[] = "UPDATE rewards SET code = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, code);
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "saving the reward code", err);
}

int store_reward_cancel_for(struct store_tx *tx, int64_t commission_id,
			    const char *why, struct buf *err)
{
	/* A reward in flight (sending) is left to the sender to settle. */
	static const char sql[] =
		"UPDATE rewards SET status = 'cancelled', last_error = ?,"
		" updated_at = ? WHERE commission_id = ?"
		" AND status IN ('pending', 'failed')";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, why);
	bind_int(s, 2, clock_now());
	bind_int(s, 3, commission_id);
	if (step_done(tx->conn, s, "cancelling the reward", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) > 0 ? 1 : 0;
}

int store_reward_each(struct store_tx *tx, enum reward_status status,
		      int64_t affiliate_id,
		      int (*fn)(void *ctx, const struct reward *r), void *ctx,
		      struct buf *err)
{
	static const char sql[] = "SELECT " REWARD_COLUMNS " FROM rewards"
				  " WHERE (?1 = '' OR status = ?1)"
				  " AND (?2 = 0 OR affiliate_id = ?2)"
				  " ORDER BY id DESC";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct reward r;
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1,
		  status < REWARD_STATUS__COUNT ? status_names[status] : "");
	bind_int(s, 2, affiliate_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_reward(s, &r);
		if (fn(ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : conn_error(tx->conn, "rewards", err);
	sqlite3_reset(s);
	return rc;
}

int store_reward_retry(struct store_tx *tx, int64_t id, struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'pending', attempts = 0,"
		" next_attempt_at = 0, updated_at = ? WHERE id = ?"
		" AND status = 'failed'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, clock_now());
	bind_int(s, 2, id);
	if (step_done(tx->conn, s, "retrying the reward", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) > 0 ? 1 : 0;
}

int store_reward_cancel(struct store_tx *tx, int64_t id, const char *why,
			struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'cancelled', last_error = ?,"
		" updated_at = ? WHERE id = ? AND status IN ('pending', "
		"'failed')";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, why);
	bind_int(s, 2, clock_now());
	bind_int(s, 3, id);
	if (step_done(tx->conn, s, "cancelling the reward", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) > 0 ? 1 : 0;
}
