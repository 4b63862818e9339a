#include "store/store_sessions.h"
#include "store/store_internal.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>

/* How long attempts are kept: longer than any rate-limit window. */
#define ATTEMPT_KEEP 3600

int store_session_add(struct store_tx *tx, const struct session_row *s,
		      struct buf *err)
{
	static const char sql[] =
		"INSERT INTO sessions (id_hash, kind, shop_id, affiliate_id,"
		" csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = tx_stmt(tx, sql, err);

	if (!st)
		return -1;
	bind_text(st, 1, s->id_hash);
	bind_text(st, 2,
		  s->kind == SESSION_MERCHANT ? "merchant" : "affiliate");
	bind_int(st, 3, s->shop_id);
	if (s->affiliate_id)
		bind_int(st, 4, s->affiliate_id);
	else
		bind_text(st, 4, NULL);
	bind_text(st, 5, s->csrf);
	bind_int(st, 6, s->created_at);
	bind_int(st, 7, s->expires_at);
	return step_done(tx->conn, st, "saving the session", err) < 0 ? -1 : 0;
}

static void copy_col(char *out, size_t n, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

int store_session_get(struct store_tx *tx, const char *id_hash, int64_t now,
		      struct session_row *out, struct buf *err)
{
	static const char sql[] =
		"SELECT id_hash, kind, shop_id, coalesce(affiliate_id, 0),"
		" csrf, created_at, expires_at FROM sessions"
		" WHERE id_hash = ? AND expires_at > ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, id_hash);
	bind_int(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		copy_col(out->id_hash, sizeof(out->id_hash), s, 0);
		out->kind = strcmp((const char *)sqlite3_column_text(s, 1),
				   "merchant") == 0
				    ? SESSION_MERCHANT
				    : SESSION_AFFILIATE;
		out->shop_id = sqlite3_column_int64(s, 2);
		out->affiliate_id = sqlite3_column_int64(s, 3);
		copy_col(out->csrf, sizeof(out->csrf), s, 4);
		out->created_at = sqlite3_column_int64(s, 5);
		out->expires_at = sqlite3_column_int64(s, 6);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading the session", err);
	}
	sqlite3_reset(s);
	return rc;
}

int store_session_delete(struct store_tx *tx, const char *id_hash,
			 struct buf *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, id_hash);
	return step_done(tx->conn, s, "ending the session", err) < 0 ? -1 : 0;
}

int store_session_prune(struct store_tx *tx, int64_t now, struct buf *err)
{
	static const char sessions[] =
		"DELETE FROM sessions WHERE expires_at <= ?";
	static const char links[] =
		"DELETE FROM signin_links WHERE expires_at <= ?";
	static const char attempts[] =
		"DELETE FROM signin_attempts WHERE at < ?";
	const char *const sqls[] = {sessions, links, attempts};
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		s = tx_stmt(tx, sqls[i], err);
		if (!s)
			return -1;
		bind_int(s, 1, i == 2 ? now - ATTEMPT_KEEP : now);
		if (step_done(tx->conn, s, "pruning sessions", err) < 0)
			return -1;
	}
	return 0;
}

int store_signin_link_add(struct store_tx *tx, const char *token_hash,
			  int64_t shop_id, int64_t expires_at, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO signin_links (token_hash, shop_id, created_at,"
		" expires_at) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, token_hash);
	bind_int(s, 2, shop_id);
	bind_int(s, 3, clock_now());
	bind_int(s, 4, expires_at);
	return step_done(tx->conn, s, "saving the sign-in link", err) < 0 ? -1
									  : 0;
}

int store_signin_link_check(struct store_tx *tx, const char *token_hash,
			    int64_t now, bool consume, int64_t *shop_id,
			    struct buf *err)
{
	static const char peek[] =
		"SELECT shop_id FROM signin_links WHERE token_hash = ?1"
		" AND used_at IS NULL AND expires_at > ?2";
	static const char use[] =
		"UPDATE signin_links SET used_at = ?2 WHERE token_hash = ?1"
		" AND used_at IS NULL AND expires_at > ?2 RETURNING shop_id";
	sqlite3_stmt *s = tx_stmt(tx, consume ? use : peek, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, token_hash);
	bind_int(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*shop_id = sqlite3_column_int64(s, 0);
		rc = 1;
	} else {
		rc = step_end(tx->conn, rc, "reading the link", err);
	}
	/* Reset steps an UPDATE ... RETURNING to completion. */
	sqlite3_reset(s);
	return rc;
}

int store_attempt_add(struct store_tx *tx, const char *key, int64_t now,
		      struct buf *err)
{
	static const char sql[] =
		"INSERT INTO signin_attempts (key, at) VALUES (?, ?)";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);

	if (!s)
		return -1;
	bind_text(s, 1, key);
	bind_int(s, 2, now);
	return step_done(tx->conn, s, "counting the attempt", err) < 0 ? -1 : 0;
}

int store_attempt_count(struct store_tx *tx, const char *key, int64_t since,
			int64_t *count, struct buf *err)
{
	static const char sql[] = "SELECT count(*) FROM signin_attempts"
				  " WHERE key = ? AND at >= ?";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	bind_text(s, 1, key);
	bind_int(s, 2, since);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = conn_error(tx->conn, "counting attempts", err);
	}
	sqlite3_reset(s);
	return rc;
}
