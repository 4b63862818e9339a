#include "store/store_internal.h"
#include "store/store_platform.h"
#include "util/clock.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

int store_state_put(struct store_tx *tx, const char *state,
		    const char *platform, const char *shop, int64_t expires_at,
		    struct buf *err)
{
	static const char sweep[] = "DELETE FROM oauth_states"
				    " WHERE expires_at < ?";
	static const char sql[] = "INSERT INTO oauth_states (state, platform,"
				  " shop, expires_at) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sweep, err);

	if (!s)
		return -1;
	bind_int(s, 1, clock_now());
	if (step_done(tx->conn, s, "sweeping states", err) < 0 ||
	    !(s = tx_stmt(tx, sql, err)))
		return -1;
	bind_text(s, 1, state);
	bind_text(s, 2, platform);
	bind_text(s, 3, shop ? shop : "");
	bind_int(s, 4, expires_at);
	return step_done(tx->conn, s, "saving the install state", err);
}

int store_state_take(struct store_tx *tx, const char *state,
		     const char *platform, int64_t now, char shop[256],
		     struct buf *err)
{
	static const char sql[] = "DELETE FROM oauth_states WHERE state = ?"
				  " RETURNING platform, shop, expires_at";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, state);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(s, 0);

		snprintf(shop, 256, "%s",
			 (const char *)sqlite3_column_text(s, 1));
		rc = strcmp(p, platform) == 0 &&
		     sqlite3_column_int64(s, 2) >= now;
		/* Finish the statement: the delete happens on completion. */
		while (sqlite3_step(s) == SQLITE_ROW)
			;
	} else {
		rc = step_end(tx->conn, rc, "state", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_privacy_add(struct store_tx *tx, int64_t shop_id, const char *kind,
		      const char *customer_id, const char *email,
		      const char *export_json, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO privacy_requests (shop_id, kind, customer_id, "
		"email,"
		" export, created_at) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, kind);
	bind_text(s, 3, customer_id ? customer_id : "");
	bind_text(s, 4, email ? email : "");
	bind_text(s, 5, export_json ? export_json : "");
	bind_int(s, 6, clock_now());
	return step_done(tx->conn, s, "recording the privacy request", err);
}

int store_privacy_redact_customer(struct store_tx *tx, int64_t shop_id,
				  const char *customer_id, const char *email,
				  int64_t *n, struct buf *err)
{
	static const char sql[] =
		"UPDATE orders SET customer_id = NULL, email = NULL,"
		" ip_hash = '', snapshot = '{\"redacted\":true}'"
		" WHERE shop_id = ?1 AND ((?2 != '' AND customer_id = ?2)"
		" OR (?3 != '' AND email = lower(?3)))";
	static const char bindings[] =
		"DELETE FROM customer_bindings WHERE shop_id = ?1"
		" AND customer_key IN (?2, lower(?3))";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, customer_id ? customer_id : "");
	bind_text(s, 3, email ? email : "");
	if (step_done(tx->conn, s, "redacting orders", err) < 0)
		return -1;
	*n = sqlite3_changes(tx->conn->db);
	if (!(s = tx_stmt(tx, bindings, err)))
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, customer_id ? customer_id : "");
	bind_text(s, 3, email ? email : "");
	return step_done(tx->conn, s, "redacting bindings", err);
}

int store_privacy_redact_shop(struct store_tx *tx, int64_t shop_id,
			      struct buf *err)
{
	static const char *const sql[] = {
		"UPDATE orders SET customer_id = NULL, email = NULL,"
		" ip_hash = '', snapshot = '{\"redacted\":true}'"
		" WHERE shop_id = ?",
		"UPDATE affiliates SET name = 'redacted', email = 'redacted-'"
		" || id, password_hash = NULL, customer_id = NULL,"
		" status = 'disabled' WHERE shop_id = ?",
		"UPDATE clicks SET ip_hash = '', user_agent = '', visitor = ''"
		" WHERE shop_id = ?",
		"DELETE FROM customer_bindings WHERE shop_id = ?",
		"UPDATE shops SET token = NULL, webhook_secret = NULL,"
		" status = 'redacted', name = '' WHERE id = ?",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *s = tx_stmt(tx, sql[i], err);

		if (!s)
			return -1;
		bind_int(s, 1, shop_id);
		if (step_done(tx->conn, s, "redacting the shop", err) < 0)
			return -1;
	}
	return 0;
}

int store_privacy_export(struct store_tx *tx, int64_t shop_id,
			 const char *customer_id, const char *email,
			 struct buf *out, struct buf *err)
{
	static const char sql[] =
		"SELECT platform_order_id, name, email, currency, total,"
		" decision, reason, first_seen_at FROM orders WHERE shop_id = "
		"?1"
		" AND ((?2 != '' AND customer_id = ?2)"
		" OR (?3 != '' AND email = lower(?3))) ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	cJSON *arr = cJSON_CreateArray();
	int rc;

	if (!s) {
		cJSON_Delete(arr);
		return -1;
	}
	bind_int(s, 1, shop_id);
	bind_text(s, 2, customer_id ? customer_id : "");
	bind_text(s, 3, email ? email : "");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		json_add_str(o, "order",
			     (const char *)sqlite3_column_text(s, 0));
		json_add_str(o, "name",
			     (const char *)sqlite3_column_text(s, 1));
		json_add_str(o, "email",
			     (const char *)sqlite3_column_text(s, 2));
		json_add_str(o, "currency",
			     (const char *)sqlite3_column_text(s, 3));
		json_add_int(o, "total", sqlite3_column_int64(s, 4));
		json_add_str(o, "decision",
			     (const char *)sqlite3_column_text(s, 5));
		json_add_str(o, "reason",
			     (const char *)sqlite3_column_text(s, 6));
		json_add_int(o, "seen_at", sqlite3_column_int64(s, 7));
		cJSON_AddItemToArray(arr, o);
	}
	rc = step_end(tx->conn, rc, "export", err);
	sqlite3_reset(s);
	if (rc == 0 && json_print(out, arr) < 0)
		rc = errorf(err, "export too large");
	cJSON_Delete(arr);
	return rc;
}

int store_privacy_each(struct store_tx *tx,
		       int (*fn)(void *ctx, int64_t id, int64_t shop_id,
				 const char *kind, const char *customer_id,
				 const char *email, const char *export_json,
				 int64_t created_at),
		       void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT id, shop_id, kind, customer_id, email, export,"
		" created_at FROM privacy_requests ORDER BY id DESC";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0),
		       sqlite3_column_int64(s, 1),
		       (const char *)sqlite3_column_text(s, 2),
		       (const char *)sqlite3_column_text(s, 3),
		       (const char *)sqlite3_column_text(s, 4),
		       (const char *)sqlite3_column_text(s, 5),
		       sqlite3_column_int64(s, 6))) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "privacy", err);
	sqlite3_reset(s);
	return rc;
}

int store_sync_get(struct store_tx *tx, int64_t shop_id, int64_t *last_order,
		   int64_t *last_run, struct buf *err)
{
	static const char sql[] = "SELECT last_order_at, last_run_at FROM"
				  " sync_state WHERE shop_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	*last_order = *last_run = 0;
	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*last_order = sqlite3_column_int64(s, 0);
		*last_run = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = step_end(tx->conn, rc, "sync", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_sync_put(struct store_tx *tx, int64_t shop_id, int64_t last_order,
		   int64_t last_run, const char *error, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO sync_state (shop_id, last_order_at, last_run_at,"
		" last_error) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (shop_id) DO"
		" UPDATE SET last_order_at = max(last_order_at, ?2),"
		" last_run_at = ?3, last_error = ?4";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_int(s, 2, last_order);
	bind_int(s, 3, last_run);
	bind_text(s, 4, error ? error : "");
	return step_done(tx->conn, s, "saving the sync state", err);
}
