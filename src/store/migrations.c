/*
 * Numbered schema steps. A step is never edited once released: changes
 * come as a new step. Version N is the number of steps applied.
 */
#include "store/store_internal.h"
#include "util/clock.h"
#include "log.h"

#include <stddef.h>

static const char *const steps[] = {
	/* 1: shops and the webhook inbox */
	"CREATE TABLE shops ("
	" id INTEGER PRIMARY KEY,"
	" platform TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '',"
	" currency TEXT NOT NULL DEFAULT '',"
	" token TEXT," /* sealed; NULL once uninstalled */
	" scopes TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL DEFAULT 'active'"
	"  CHECK (status IN ('active', 'uninstalled', 'redacted')),"
	" installed_at INTEGER NOT NULL,"
	" uninstalled_at INTEGER,"
	" UNIQUE (platform, domain));"
	"CREATE TABLE inbox ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" platform TEXT NOT NULL,"
	" delivery_id TEXT NOT NULL,"
	" topic TEXT NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" body BLOB NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (status IN ('pending', 'done', 'failed', 'ignored')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" processed_at INTEGER,"
	" UNIQUE (platform, delivery_id));"
	"CREATE INDEX inbox_due ON inbox (status, next_attempt_at)"
	" WHERE status = 'pending';",
};

int migrations_count(void)
{
	return (int)(sizeof(steps) / sizeof(steps[0]));
}

const char *migration_sql(int version)
{
	return steps[version - 1];
}

int store_schema_latest(void)
{
	return migrations_count();
}

int store_schema_version(struct store *st, int *version, struct buf *err)
{
	static const char sql[] =
		"SELECT coalesce(max(version), 0) FROM schema_version";
	static const char probe[] =
		"SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		" AND name = 'schema_version'";
	sqlite3_stmt *s;
	int rc = -1;

	pthread_mutex_lock(&st->writer.lock);
	s = conn_stmt(&st->writer, probe, err);
	if (!s || sqlite3_step(s) != SQLITE_ROW) {
		if (s)
			conn_error(&st->writer, "reading the schema", err);
		goto out;
	}
	if (sqlite3_column_int(s, 0) == 0) {
		*version = 0;
		rc = 0;
		goto out;
	}
	s = conn_stmt(&st->writer, sql, err);
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		rc = 0;
	} else if (s) {
		conn_error(&st->writer, "reading the schema version", err);
	}
out:
	if (s)
		sqlite3_reset(s);
	pthread_mutex_unlock(&st->writer.lock);
	return rc;
}

static int apply_step(struct store *st, int version, struct buf *err)
{
	static const char record[] = "INSERT INTO schema_version (version, "
				     "applied_at) VALUES (?, ?)";
	struct store_tx *tx;
	sqlite3_stmt *s;

	if (store_tx_begin(st, &tx, err) < 0)
		return -1;
	if (conn_exec(tx->conn,
		      "CREATE TABLE IF NOT EXISTS schema_version ("
		      " version INTEGER PRIMARY KEY,"
		      " applied_at INTEGER NOT NULL)",
		      err) < 0 ||
	    conn_exec(tx->conn, migration_sql(version), err) < 0)
		goto fail;
	s = conn_stmt(tx->conn, record, err);
	if (!s)
		goto fail;
	bind_int(s, 1, version);
	bind_int(s, 2, clock_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		conn_error(tx->conn, "recording the migration", err);
		goto fail;
	}
	return store_tx_commit(tx, err);
fail:
	error_prefix(err, "migration %d", version);
	store_tx_rollback(tx);
	return -1;
}

int store_migrate(struct store *st, int *applied, struct buf *err)
{
	int version, v;

	*applied = 0;
	if (store_schema_version(st, &version, err) < 0)
		return -1;
	if (version > store_schema_latest())
		return errorf(err,
			      "database '%s' has schema version %d, newer than "
			      "this binary (%d): upgrade affiliated",
			      st->path, version, store_schema_latest());
	for (v = version + 1; v <= store_schema_latest(); v++) {
		if (apply_step(st, v, err) < 0)
			return -1;
		log_info("store.migrated", "version=%d", v);
		(*applied)++;
	}
	return 0;
}
