#include "store/store_internal.h"
#include "store/store_outbox.h"
#include "util/clock.h"

#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
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
		rc = step_end(tx->conn, rc, "reward", err);
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
	rc = step_end(tx->conn, rc, "rewards", err);
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

int store_reward_due(struct store_tx *tx, int64_t now, int max,
		     struct reward **items, size_t *n, struct buf *err)
{
	static const char sql[] =
		"SELECT " REWARD_COLUMNS " FROM rewards"
		" WHERE status = 'pending'"
		" AND next_attempt_at <= ? ORDER BY id LIMIT ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	*items = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_int(s, 1, now);
	bind_int(s, 2, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*items = xrealloc(*items, (*n + 1) * sizeof(**items));
		read_reward(s, &(*items)[(*n)++]);
	}
	rc = step_end(tx->conn, rc, "due rewards", err);
	sqlite3_reset(s);
	return rc;
}

/*
 * Runs an UPDATE whose parameters are ?1 id, ?2 text, ?3 number, ?4 now
 * (a statement may leave some unused); returns rows changed or -1.
 */
static int update_one(struct store_tx *tx, const char *sql, int64_t id,
		      const char *text, int64_t v, struct buf *err)
{
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	bind_text(s, 2, text ? text : "");
	bind_int(s, 3, v);
	bind_int(s, 4, clock_now());
	if (step_done(tx->conn, s, "updating the reward", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db);
}

int store_reward_claim(struct store_tx *tx, int64_t id, struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'sending', attempts = attempts + "
		"1,"
		" updated_at = ?4 WHERE id = ?1 AND status = 'pending'";

	return update_one(tx, sql, id, NULL, 0, err);
}

int store_reward_issued(struct store_tx *tx, int64_t id,
			const char *platform_id, const char *note,
			struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'issued', platform_id = ?2,"
		" last_error = '', note = CASE WHEN ?3 = 0 THEN note ELSE"
		" note || '; ' || ?5 END, updated_at = ?4 WHERE id = ?1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	bind_text(s, 2, platform_id ? platform_id : "");
	bind_int(s, 3, note && note[0]);
	bind_int(s, 4, clock_now());
	bind_text(s, 5, note ? note : "");
	return step_done(tx->conn, s, "recording the reward", err);
}

int store_reward_again(struct store_tx *tx, int64_t id, int64_t next_at,
		       const char *error, struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'pending', next_attempt_at = ?3,"
		" last_error = ?2, updated_at = ?4 WHERE id = ?1";

	return update_one(tx, sql, id, error, next_at, err) < 0 ? -1 : 0;
}

int store_reward_park(struct store_tx *tx, int64_t id, int64_t next_at,
		      const char *error, struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'pending', next_attempt_at = ?3,"
		" attempts = max(attempts - 1, 0), last_error = ?2,"
		" updated_at = ?4 WHERE id = ?1";

	return update_one(tx, sql, id, error, next_at, err) < 0 ? -1 : 0;
}

int store_reward_fail(struct store_tx *tx, int64_t id, const char *error,
		      struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'failed', last_error = ?2,"
		" updated_at = ?4 WHERE id = ?1";

	return update_one(tx, sql, id, error, 0, err) < 0 ? -1 : 0;
}

int store_reward_as_coupon(struct store_tx *tx, int64_t id, const char *note,
			   struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET kind = 'coupon', status = 'pending',"
		" next_attempt_at = 0, note = note || '; ' || ?2,"
		" updated_at = ?4 WHERE id = ?1";

	return update_one(tx, sql, id, note, 0, err) < 0 ? -1 : 0;
}

int store_reward_requeue_sending(struct store_tx *tx, int64_t *n,
				 struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET status = 'pending', next_attempt_at = 0,"
		" last_error = 'interrupted while sending; resent with the same"
		" code' WHERE status = 'sending'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s || step_done(tx->conn, s, "requeueing rewards", err) < 0)
		return -1;
	*n = sqlite3_changes(tx->conn->db);
	return 0;
}

int store_reward_backlog(struct store_tx *tx, int64_t *depth, int64_t *oldest,
			 struct buf *err)
{
	static const char sql[] =
		"SELECT count(*), coalesce(min(created_at), 0) FROM rewards"
		" WHERE status IN ('pending', 'sending')";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*depth = sqlite3_column_int64(s, 0);
		*oldest = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reward backlog", err);
	}
	sqlite3_reset(s);
	return rc;
}

void email_release(struct email *e)
{
	free(e->recipient);
	free(e->subject);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

int store_email_add(struct store_tx *tx, const struct email *e, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO emails (shop_id, reward_id, recipient, subject,"
		" body, created_at) VALUES (?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (reward_id) DO NOTHING";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, e->shop_id);
	bind_id(s, 2, e->reward_id);
	bind_text(s, 3, e->recipient);
	bind_text(s, 4, e->subject);
	bind_text(s, 5, e->body);
	bind_int(s, 6, clock_now());
	return step_done(tx->conn, s, "queueing the email", err);
}

int store_email_due(struct store_tx *tx, int64_t now, int max,
		    struct email **items, size_t *n, struct buf *err)
{
	static const char sql[] =
		"SELECT id, shop_id, coalesce(reward_id, 0), recipient, "
		"subject,"
		" body, attempts FROM emails WHERE status = 'pending'"
		" AND next_attempt_at <= ? ORDER BY id LIMIT ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	*items = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_int(s, 1, now);
	bind_int(s, 2, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct email *e;

		*items = xrealloc(*items, (*n + 1) * sizeof(**items));
		e = &(*items)[(*n)++];
		e->id = sqlite3_column_int64(s, 0);
		e->shop_id = sqlite3_column_int64(s, 1);
		e->reward_id = sqlite3_column_int64(s, 2);
		e->recipient = column_strdup(s, 3);
		e->subject = column_strdup(s, 4);
		e->body = column_strdup(s, 5);
		e->attempts = sqlite3_column_int64(s, 6);
	}
	rc = step_end(tx->conn, rc, "due emails", err);
	sqlite3_reset(s);
	return rc;
}

int store_email_result(struct store_tx *tx, int64_t id, const char *status,
		       int64_t next_at, const char *error, struct buf *err)
{
	static const char sql[] =
		"UPDATE emails SET status = ?2, attempts = attempts + 1,"
		" next_attempt_at = ?3, last_error = ?4 WHERE id = ?1";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	bind_text(s, 2, status);
	bind_int(s, 3, next_at);
	bind_text(s, 4, error ? error : "");
	return step_done(tx->conn, s, "recording the email", err);
}

int store_shop_no_gift_cards(struct store_tx *tx, int64_t shop_id,
			     const char *notice, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET no_gift_cards = 1, notice = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, notice);
	bind_int(s, 2, shop_id);
	return step_done(tx->conn, s, "saving the shop notice", err);
}

int store_rewards_wake_shop(struct store_tx *tx, int64_t shop_id,
			    struct buf *err)
{
	static const char sql[] =
		"UPDATE rewards SET next_attempt_at = 0 WHERE shop_id = ?"
		" AND status = 'pending'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	return step_done(tx->conn, s, "waking the shop's rewards", err);
}
