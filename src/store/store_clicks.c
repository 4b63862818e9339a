#include "store/store_clicks.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

int store_clicks_prune(struct store_tx *tx, int64_t now, int64_t keep_days,
		       int64_t limit, int64_t *deleted, struct buf *err)
{
	static const char sql[] =
		"DELETE FROM clicks WHERE id IN (SELECT id FROM clicks"
		" WHERE created_at < ?1 - 86400 * max(?2,"
		" (SELECT coalesce(max(window_days), 0) FROM programs))"
		" LIMIT ?3)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, now);
	bind_int(s, 2, keep_days);
	bind_int(s, 3, limit);
	if (step_done(tx->conn, s, "pruning clicks", err) < 0)
		return -1;
	*deleted = sqlite3_changes(tx->conn->db);
	return 0;
}

int store_click_put(struct store_tx *tx, const struct click *c, struct buf *err)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO clicks (id, shop_id, affiliate_id,"
		" program_id, network, ip_hash, user_agent, visitor,"
		" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, c->id);
	bind_int(s, 2, c->shop_id);
	bind_int(s, 3, c->affiliate_id);
	bind_int(s, 4, c->program_id);
	bind_text(s, 5, c->network);
	bind_text(s, 6, c->ip_hash);
	bind_text(s, 7, c->user_agent ? c->user_agent : "");
	bind_text(s, 8, c->visitor);
	bind_int(s, 9, c->created_at);
	return step_done(tx->conn, s, "saving the click", err);
}

int store_click_max_id(struct store_tx *tx, int64_t *max, struct buf *err)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) FROM clicks";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*max = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? 0
			      : conn_error(tx->conn, "reading click ids", err);
	sqlite3_reset(s);
	return rc;
}

static void copy_text(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

int store_clicks_since(struct store_tx *tx, int64_t since, int64_t limit,
		       int (*fn)(void *ctx, const struct click *c), void *ctx,
		       struct buf *err)
{
	static const char sql[] =
		"SELECT id, shop_id, affiliate_id, program_id, network,"
		" ip_hash, visitor, created_at FROM clicks"
		" WHERE created_at >= ? ORDER BY created_at DESC, id DESC"
		" LIMIT ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct click c;
	int rc, stop = 0;

	if (!s)
		return -1;
	bind_int(s, 1, since);
	bind_int(s, 2, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.id = sqlite3_column_int64(s, 0);
		c.shop_id = sqlite3_column_int64(s, 1);
		c.affiliate_id = sqlite3_column_int64(s, 2);
		c.program_id = sqlite3_column_int64(s, 3);
		copy_text(c.network, sizeof(c.network), s, 4);
		copy_text(c.ip_hash, sizeof(c.ip_hash), s, 5);
		copy_text(c.visitor, sizeof(c.visitor), s, 6);
		c.created_at = sqlite3_column_int64(s, 7);
		stop = fn(ctx, &c);
	}
	rc = stop || step_end(tx->conn, rc, "reading recent clicks", err);
	sqlite3_reset(s);
	return rc;
}
