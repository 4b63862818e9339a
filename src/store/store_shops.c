#include "store/store_internal.h"
#include "store/store_shops.h"
#include "util/clock.h"

#define SHOP_COLUMNS                                                          \
	"id, platform, domain, name, currency, status, scopes, installed_at," \
	" webhook_secret IS NOT NULL"

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
		   const char *sealed_token, int64_t *id, struct buf *err)
{
	static const char sql[] =
		"INSERT INTO shops (platform, domain, name, currency, token,"
		" scopes, status, installed_at) VALUES (?, ?, ?, ?, ?, ?,"
		" 'active', ?) ON CONFLICT (platform, domain) DO UPDATE SET"
		" name = CASE WHEN excluded.name = '' THEN name"
		"  ELSE excluded.name END,"
		" currency = CASE WHEN excluded.currency = '' THEN currency"
		"  ELSE excluded.currency END,"
		" token = excluded.token, scopes = excluded.scopes,"
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
	bind_text(s, 5, sealed_token);
	bind_text(s, 6, sh->scopes ? sh->scopes : "");
	bind_int(s, 7, clock_now());
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

int store_shop_webhook_secrets(struct store_tx *tx,
			       int (*fn)(void *ctx, const char *platform,
					 const char *domain,
					 const char *sealed),
			       void *ctx, struct buf *err)
{
	static const char sql[] =
		"SELECT platform, domain, webhook_secret FROM shops"
		" WHERE webhook_secret IS NOT NULL ORDER BY id";
	sqlite3_stmt *s = tx_stmt(tx, sql, err);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
		       (const char *)sqlite3_column_text(s, 1),
		       (const char *)sqlite3_column_text(s, 2)) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	rc = rc == SQLITE_DONE
		     ? 0
		     : conn_error(tx->conn, "reading webhook secrets", err);
	sqlite3_reset(s);
	return rc;
}

int store_shop_uninstall(struct store_tx *tx, int64_t id, struct buf *err)
{
	static const char sql[] =
		"UPDATE shops SET token = NULL, status = 'uninstalled',"
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
	rc = rc == SQLITE_DONE ? 0 : conn_error(tx->conn, "listing shops", err);
	sqlite3_reset(s);
	return rc;
}
