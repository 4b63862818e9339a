#include "store/store_internal.h"
#include "store/store_shops.h"
#include "util/clock.h"

#define SHOP_COLUMNS                                                          \
	"id, platform, domain, name, currency, status, scopes, installed_at," \
	" webhook_secret IS NOT NULL, token_expires_at, reauth_needed,"       \
	" reauth_reason, token_refresh_at"

static void read_shop(sqlite3_stmt *s, struct shop *out)
{
	out->id = sqlite3_column_int64(s, 0);
	out->platform = column_strdup(s, 1);
	out->domain = column_strdup(s, 2);
	out->name = column_strdup(s, 3);
	out->currency = column_strdup(s, 4);
	out->status = column_strdup(s, 5);
	out->scopes = column_strdup(s, 6);
	out->installed_at = sqlite3_column_int64(s, 7);
	out->own_webhook_secret = sqlite3_column_int(s, 8) != 0;
	out->token_expires_at = sqlite3_column_int64(s, 9);
	out->reauth_needed = sqlite3_column_int(s, 10) != 0;
	out->reauth_reason = column_strdup(s, 11);
	out->token_refresh_at = sqlite3_column_int64(s, 12);
}

/* Steps a one-row query: 1 row read, 0 none, -1 error. */
static int one_shop(struct store_tx *tx, sqlite3_stmt *s, struct shop *out,
		    struct buf *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		read_shop(s, out);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading shops", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_shop_put(struct store_tx *tx, const struct shop *sh,
		   const struct shop_tokens *tokens, int64_t *id,
		   struct buf *err)
{
	static const char sql[] =
		"INSERT INTO shops (platform, domain, name, currency, token,"
		" refresh_token, token_expires_at, refresh_expires_at,"
		" scopes, status, installed_at, token_refresh_at) VALUES (?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
		" ON CONFLICT (platform, domain) DO UPDATE SET"
		" name = CASE WHEN excluded.name = '' THEN name"
		"  ELSE excluded.name END,"
		" currency = CASE WHEN excluded.currency = '' THEN currency"
		"  ELSE excluded.currency END,"
		" token = excluded.token, refresh_token = "
		"excluded.refresh_token,"
		" token_expires_at = excluded.token_expires_at,"
		" refresh_expires_at = excluded.refresh_expires_at,"
		" token_refresh_at = excluded.token_refresh_at,"
		" refresh_lease_until = 0, refresh_failures = 0,"
		" reauth_needed = 0, reauth_reason = '',"
		" scopes = excluded.scopes,"
		" status = 'active', installed_at = excluded.installed_at,"
		" uninstalled_at = NULL RETURNING id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, sh->platform);
	bind_text(s, 2, sh->domain);
	bind_text(s, 3, sh->name ? sh->name : "");
	bind_text(s, 4, sh->currency ? sh->currency : "");
	bind_text(s, 5, tokens->access);
	bind_text(s, 6, tokens->refresh);
	bind_int(s, 7, tokens->expires_at);
	bind_int(s, 8, tokens->refresh_expires_at);
	bind_text(s, 9, sh->scopes ? sh->scopes : "");
	bind_int(s, 10, clock_now());
	bind_int(s, 11, tokens->refresh_at);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		conn_error(tx->conn, "saving the shop", err);
		sqlite3_reset(s);
		return -1;
	}
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_shop_set_tokens(struct store_tx *tx, int64_t id,
			  const struct shop_tokens *tokens, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET token = ?, refresh_token = ?,"
		" token_expires_at = ?, refresh_expires_at = ?,"
		" token_refresh_at = ?,"
		" refresh_lease_until = 0, refresh_failures = 0,"
		" reauth_needed = 0, reauth_reason = ''"
		" WHERE id = ? AND status = 'active'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, tokens->access);
	bind_text(s, 2, tokens->refresh);
	bind_int(s, 3, tokens->expires_at);
	bind_int(s, 4, tokens->refresh_expires_at);
	bind_int(s, 5, tokens->refresh_at);
	bind_int(s, 6, id);
	return step_done(tx->conn, s, "saving the refreshed tokens", err);
}

int store_shop_refresh_token(struct store_tx *tx, int64_t id, struct buf *out,
			     struct shop_refresh_state *state, struct buf *err)
{
	static const char sql[] =
		"SELECT refresh_token, token_refresh_at, refresh_lease_until,"
		" refresh_failures, reauth_needed FROM shops WHERE id = ?"
		" AND status = 'active'";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		state->refresh_at = sqlite3_column_int64(s, 1);
		state->lease_until = sqlite3_column_int64(s, 2);
		state->failures = sqlite3_column_int64(s, 3);
		state->reauth_needed = sqlite3_column_int(s, 4) != 0;
		if (sqlite3_column_type(s, 0) == SQLITE_NULL)
			rc = 0;
		else
			rc = buf_puts(out, (const char *)sqlite3_column_text(
						   s, 0)) < 0
				     ? errorf(err, "refresh token too long")
				     : 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading the refresh token", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_shop_lease_refresh(struct store_tx *tx, int64_t id, int64_t now,
			     int64_t until, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET refresh_lease_until = ? WHERE id = ?"
		" AND refresh_lease_until <= ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, until);
	bind_int(s, 2, id);
	bind_int(s, 3, now);
	if (step_done(tx->conn, s, "taking the refresh lease", err) < 0)
		return -1;
	return sqlite3_changes(tx->conn->db) == 1 ? 1 : 0;
}

int store_shop_refresh_failed(struct store_tx *tx, int64_t id, int64_t retry_at,
			      struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET refresh_lease_until = ?,"
		" refresh_failures = refresh_failures + 1 WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, retry_at);
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "recording the refresh failure", err);
}

int store_shop_mark_reauth(struct store_tx *tx, int64_t id, const char *reason,
			   struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET reauth_needed = 1, reauth_reason = ?,"
		" refresh_lease_until = 0 WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, reason);
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "marking the shop for a new sign-in",
			 err);
}

int store_shop_find(struct store_tx *tx, const char *platform,
		    const char *domain, struct shop *out, struct buf *err)
{
	static const char sql[] = "SELECT " SHOP_COLUMNS " FROM shops"
				  " WHERE platform = ? AND domain = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, platform);
	bind_text(s, 2, domain);
	return one_shop(tx, s, out, err);
}

int store_shop_get(struct store_tx *tx, int64_t id, struct shop *out,
		   struct buf *err)
{
	static const char sql[] =
		"SELECT " SHOP_COLUMNS " FROM shops WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, id);
	return one_shop(tx, s, out, err);
}

int store_shop_token(struct store_tx *tx, int64_t id, struct buf *out,
		     struct buf *err)
{
	static const char sql[] =
		"SELECT token FROM shops WHERE id = ?"
		" AND status = 'active' AND token IS NOT NULL";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = buf_puts(out, (const char *)sqlite3_column_text(s, 0)) < 0
			     ? errorf(err, "token too long")
			     : 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "reading the token", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_shop_set_webhook_secret(struct store_tx *tx, int64_t id,
				  const char *sealed, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET webhook_secret = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, sealed);
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "saving the webhook secret", err);
}

int store_shop_uninstall(struct store_tx *tx, int64_t id, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET token = NULL, refresh_token = NULL,"
		" token_expires_at = 0, token_refresh_at = 0,"
		" status = 'uninstalled',"
		" uninstalled_at = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, clock_now());
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "uninstalling the shop", err);
}

int store_shop_set_currency(struct store_tx *tx, int64_t id,
			    const char *currency, struct buf *err)
{
	static const char sql[] = "UPDATE shops SET currency = ? WHERE id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, currency);
	bind_int(s, 2, id);
	return step_done(tx->conn, s, "saving the shop currency", err);
}

int store_shop_each(struct store_tx *tx,
		    int (*fn)(void *ctx, const struct shop *s), void *ctx,
		    struct buf *err)
{
	static const char sql[] =
		"SELECT " SHOP_COLUMNS " FROM shops ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	struct shop sh;
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		read_shop(s, &sh);
		stop = fn(ctx, &sh);
		shop_release(&sh);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = step_end(tx->conn, rc, "listing shops", err);
	sqlite3_reset(s);
	return rc;
}

int store_shop_topics_clear(struct store_tx *tx, int64_t shop_id,
			    struct buf *err)
{
	static const char sql[] =
		"DELETE FROM webhook_topics WHERE shop_id = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	return step_done(tx->conn, s, "clearing the webhook topics", err);
}

int store_shop_topic_put(struct store_tx *tx, int64_t shop_id,
			 const char *topic, const char *state,
			 const char *message, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO webhook_topics (shop_id, topic, state, message,"
		" checked_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id,"
		" topic) DO UPDATE SET state = excluded.state,"
		" message = excluded.message, checked_at = excluded.checked_at";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	bind_text(s, 2, topic);
	bind_text(s, 3, state);
	bind_text(s, 4, message ? message : "");
	bind_int(s, 5, clock_now());
	return step_done(tx->conn, s, "saving a webhook topic", err);
}

int store_shop_topics_each(struct store_tx *tx, int64_t shop_id,
			   int (*fn)(void *ctx, const char *topic,
				     const char *state, const char *message,
				     int64_t checked_at),
			   void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT topic, state, message, checked_at FROM webhook_topics"
		" WHERE shop_id = ? ORDER BY topic";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_int(s, 1, shop_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2),
		       sqlite3_column_int64(s, 3)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	rc = step_end(tx->conn, rc, "reading the webhook topics", err);
	sqlite3_reset(s);
	return rc;
}
