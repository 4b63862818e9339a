#include "store/store_clicks.h"
#include "store/store_internal.h"

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
