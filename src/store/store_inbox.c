#include "store/store_inbox.h"
#include "store/store_internal.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void inbox_item_release(struct inbox_item *it)
{
	free(it->body);
	it->body = NULL;
}

int store_inbox_put(struct store_tx *tx, const struct inbox_put *it,
		    int64_t *id, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO inbox (shop_id, platform, delivery_id, topic, "
		"kind,"
		" received_at, body) VALUES (?, ?, ?, ?, ?, ?, x'')"
		" ON CONFLICT (platform, delivery_id) DO NOTHING";
	/* The body apart: status updates then rewrite small rows only. */
	static const char body_sql[] =
		"INSERT INTO inbox_bodies (inbox_id, body) VALUES (?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, it->shop_id);
	bind_text(s, 2, it->platform);
	bind_text(s, 3, it->delivery_id);
	bind_text(s, 4, it->topic);
	bind_int(s, 5, it->kind);
	bind_int(s, 6, clock_now());
	if (step_done(tx->conn, s, "storing the delivery", err) < 0)
		return -1;
	if (sqlite3_changes(tx->conn->db) == 0)
		return 0;
	*id = sqlite3_last_insert_rowid(tx->conn->db);
	if (!(s = tx_stmt(tx, body_sql, err)))
		return -1;
	bind_int(s, 1, *id);
	bind_blob(s, 2, it->body, it->len);
	if (step_done(tx->conn, s, "storing the delivery", err) < 0)
		return -1;
	return 1;
}

int store_inbox_due(struct store_tx *tx, int64_t now, int part, int nparts,
		    int max, struct inbox_item **items, size_t *n,
		    struct buf *err)
{
	static const char sql[] =
		"SELECT i.id, i.shop_id, i.platform, i.delivery_id, i.topic,"
		" i.kind, b.body, i.attempts FROM inbox i JOIN inbox_bodies b"
		" ON b.inbox_id = i.id WHERE i.status = 'pending'"
		" AND i.next_attempt_at <= ? AND i.shop_id % ? = ?"
		" ORDER BY i.next_attempt_at, i.id LIMIT ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	*items = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_int(s, 1, now);
	bind_int(s, 2, nparts);
	bind_int(s, 3, part);
	bind_int(s, 4, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inbox_item *it;
		const void *body = sqlite3_column_blob(s, 6);
		size_t len = (size_t)sqlite3_column_bytes(s, 6);

		*items = xrealloc(*items, (*n + 1) * sizeof(**items));
		it = &(*items)[(*n)++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(s, 0);
		it->shop_id = sqlite3_column_int64(s, 1);
		snprintf(it->platform, sizeof(it->platform), "%s",
			 (const char *)sqlite3_column_text(s, 2));
		snprintf(it->delivery_id, sizeof(it->delivery_id), "%s",
			 (const char *)sqlite3_column_text(s, 3));
		snprintf(it->topic, sizeof(it->topic), "%s",
			 (const char *)sqlite3_column_text(s, 4));
		it->kind = sqlite3_column_int(s, 5);
		it->body = xmalloc(len + 1);
		if (len)
			memcpy(it->body, body, len);
		it->body[len] = '\0';
		it->len = len;
		it->attempts = sqlite3_column_int64(s, 7);
	}
	rc = step_end(tx->conn, rc, "reading the inbox", err);
	sqlite3_reset(s);
	return rc;
}

int store_inbox_done(struct store_tx *tx, int64_t id, const char *status,
		     const char *note, struct buf *err)
{
	static const char sql[] =
		"UPDATE inbox SET status = ?, last_error = ?, processed_at = ?,"
		" attempts = attempts + 1 WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, status);
	bind_text(s, 2, note);
	bind_int(s, 3, clock_now());
	bind_int(s, 4, id);
	return step_done(tx->conn, s, "updating the inbox", err);
}

int store_inbox_retry(struct store_tx *tx, int64_t id, int64_t next_at,
		      const char *error, struct buf *err)
{
	static const char sql[] =
		"UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ?,"
		" last_error = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, next_at);
	bind_text(s, 2, error);
	bind_int(s, 3, id);
	return step_done(tx->conn, s, "updating the inbox", err);
}

int store_inbox_count(struct store_tx *tx, const char *status, int64_t *n,
		      struct buf *err)
{
	static const char sql[] = "SELECT count(*) FROM inbox WHERE status = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, status);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "counting the inbox", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_inbox_count_shop(struct store_tx *tx, int64_t shop_id,
			   const char *status, int64_t *n, struct buf *err)
{
	static const char sql[] =
		"SELECT count(*) FROM inbox WHERE shop_id = ? AND status = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, status);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "counting the inbox", err);
	}
	sqlite3_reset(s);
	return rc;
}

void inbox_row_release(struct inbox_row *r)
{
	free(r->shop);
	free(r->platform);
	free(r->topic);
	free(r->delivery_id);
	free(r->status);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

#define INBOX_ROW_COLUMNS                                                   \
	"i.id, i.shop_id, coalesce(sh.domain, ''), i.platform, i.topic,"    \
	" i.delivery_id, i.status, i.attempts, coalesce(i.last_error, '')," \
	" i.received_at FROM inbox i LEFT JOIN shops sh ON sh.id = i.shop_id"

static void inbox_row_read(sqlite3_stmt *s, struct inbox_row *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->shop_id = sqlite3_column_int64(s, 1);
	r->shop = column_strdup(s, 2);
	r->platform = column_strdup(s, 3);
	r->topic = column_strdup(s, 4);
	r->delivery_id = column_strdup(s, 5);
	r->status = column_strdup(s, 6);
	r->attempts = sqlite3_column_int64(s, 7);
	r->last_error = column_strdup(s, 8);
	r->received_at = sqlite3_column_int64(s, 9);
}

int store_inbox_each(struct store_tx *tx, const char *status, int64_t shop_id,
		     int (*fn)(void *ctx, const struct inbox_row *r), void *ctx,
		     struct buf *err)
{
	static const char sql[] =
		"SELECT " INBOX_ROW_COLUMNS
		" WHERE (?1 IS NULL OR i.status = ?1)"
		" AND (?2 = 0 OR i.shop_id = ?2) ORDER BY i.id DESC";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct inbox_row r;
	int rc, stop = 0;

	if (!s)
		return -1;
	bind_text(s, 1, status);
	bind_int(s, 2, shop_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		inbox_row_read(s, &r);
		stop = fn(ctx, &r);
		inbox_row_release(&r);
	}
	rc = stop || step_end(tx->conn, rc, "reading the inbox", err);
	sqlite3_reset(s);
	return rc;
}

int store_inbox_get(struct store_tx *tx, int64_t id, struct inbox_row *out,
		    struct buf *err)
{
	static const char sql[] = "SELECT " INBOX_ROW_COLUMNS " WHERE i.id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		inbox_row_read(s, out);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading the inbox", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_inbox_requeue(struct store_tx *tx, int64_t id, struct buf *err)
{
	static const char sql[] =
		"UPDATE inbox SET status = 'pending', next_attempt_at = 0,"
		" processed_at = NULL"
		" WHERE id = ? AND status <> 'done'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	if (step_done(tx->conn, s, "requeueing the delivery", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) > 0;
}

int store_inbox_shops(struct store_tx *tx,
		      int (*fn)(void *ctx, int64_t id, const char *platform,
				const char *domain, const char *status,
				const char *sealed),
		      void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT id, platform, domain, status, webhook_secret"
		" FROM shops ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2),
		       (const char *)sqlite3_column_text(s, 3),
		       (const char *)sqlite3_column_text(s, 4)) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	rc = step_end(tx->conn, rc, "reading the shops", err);
	sqlite3_reset(s);
	return rc;
}
