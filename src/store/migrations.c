/*
 * Numbered schema steps. A step is never edited once released: changes
 * come as a new step. Version N is the number of steps applied.
 */
#include "store/store_internal.h"
#include "util/clock.h"
#include "util/log.h"

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

	/* 2: programs, affiliates, clicks, orders, commissions, the ledger */
	"CREATE TABLE programs ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" name TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('referral', 'affiliate')),"
	" landing_url TEXT NOT NULL DEFAULT '',"
	" commission TEXT NOT NULL CHECK (commission IN ('percent', 'fixed')),"
	" rate_bps INTEGER NOT NULL DEFAULT 0"
	"  CHECK (rate_bps BETWEEN 0 AND 10000),"
	" fixed_amount INTEGER NOT NULL DEFAULT 0 CHECK (fixed_amount >= 0),"
	" reward TEXT NOT NULL DEFAULT 'cash'"
	"  CHECK (reward IN ('cash', 'coupon', 'gift_card')),"
	" reward_value INTEGER NOT NULL DEFAULT 0 CHECK (reward_value >= 0),"
	" currency TEXT NOT NULL,"
	" base TEXT NOT NULL DEFAULT 'subtotal'"
	"  CHECK (base IN ('subtotal', 'before_discounts', 'total')),"
	" window_days INTEGER NOT NULL DEFAULT 30,"
	" credit_on TEXT NOT NULL DEFAULT 'paid'"
	"  CHECK (credit_on IN ('paid', 'created')),"
	" friend_discount_bps INTEGER NOT NULL DEFAULT 0"
	"  CHECK (friend_discount_bps BETWEEN 0 AND 10000),"
	" hold_days INTEGER NOT NULL DEFAULT 0,"
	" manual_approval INTEGER NOT NULL DEFAULT 0,"
	" approve_affiliates INTEGER NOT NULL DEFAULT 0,"
	" min_order INTEGER NOT NULL DEFAULT 0,"
	" cap INTEGER NOT NULL DEFAULT 0,"
	" lifetime_days INTEGER NOT NULL DEFAULT 0,"
	" networks TEXT NOT NULL DEFAULT 'facebook,x,linkedin,email',"
	" status TEXT NOT NULL DEFAULT 'active'"
	"  CHECK (status IN ('active', 'paused')),"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE program_rules ("
	" id INTEGER PRIMARY KEY,"
	" program_id INTEGER NOT NULL REFERENCES programs(id),"
	" kind TEXT NOT NULL"
	"  CHECK (kind IN ('tier', 'product', 'network', 'country')),"
	" match TEXT NOT NULL DEFAULT '',"
	" threshold INTEGER NOT NULL DEFAULT 0,"
	" rate_bps INTEGER NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000));"
	"CREATE TABLE affiliates ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" program_id INTEGER NOT NULL REFERENCES programs(id),"
	" name TEXT NOT NULL,"
	" email TEXT NOT NULL,"
	" password_hash TEXT,"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('pending', 'active', 'disabled')),"
	" code TEXT NOT NULL COLLATE NOCASE,"
	" customer_id TEXT,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (shop_id, email),"
	" UNIQUE (shop_id, code));"
	"CREATE TABLE affiliate_codes ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" affiliate_id INTEGER NOT NULL REFERENCES affiliates(id),"
	" code TEXT NOT NULL COLLATE NOCASE,"
	" UNIQUE (shop_id, code));"
	"CREATE TABLE clicks ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" affiliate_id INTEGER NOT NULL REFERENCES affiliates(id),"
	" program_id INTEGER NOT NULL REFERENCES programs(id),"
	" network TEXT NOT NULL,"
	" ip_hash TEXT NOT NULL DEFAULT '',"
	" user_agent TEXT NOT NULL DEFAULT '',"
	" visitor TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX clicks_affiliate ON clicks (affiliate_id, created_at);"
	"CREATE INDEX clicks_ip ON clicks (shop_id, ip_hash, created_at);"
	"CREATE TABLE orders ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" platform_order_id TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '',"
	" customer_id TEXT,"
	" email TEXT,"
	" ip_hash TEXT NOT NULL DEFAULT '',"
	" currency TEXT NOT NULL,"
	" presentment_currency TEXT,"
	" total INTEGER NOT NULL,"
	" presentment_total INTEGER NOT NULL DEFAULT 0,"
	" commissionable INTEGER NOT NULL,"
	" financial_status TEXT NOT NULL,"
	" cancelled INTEGER NOT NULL DEFAULT 0,"
	" placed_at INTEGER NOT NULL DEFAULT 0,"
	" platform_updated_at INTEGER NOT NULL DEFAULT 0,"
	" affiliate_id INTEGER REFERENCES affiliates(id),"
	" program_id INTEGER REFERENCES programs(id),"
	" decision TEXT NOT NULL,"
	" signal TEXT NOT NULL DEFAULT '',"
	" network TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL,"
	" snapshot TEXT NOT NULL,"
	" first_seen_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" UNIQUE (shop_id, platform_order_id));"
	"CREATE INDEX orders_affiliate ON orders (affiliate_id, placed_at);"
	"CREATE TABLE order_refunds ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES orders(id),"
	" refund_id TEXT NOT NULL,"
	" amount INTEGER NOT NULL,"
	" base INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (order_id, refund_id));"
	"CREATE TABLE commissions ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),"
	" affiliate_id INTEGER NOT NULL REFERENCES affiliates(id),"
	" program_id INTEGER NOT NULL REFERENCES programs(id),"
	" currency TEXT NOT NULL,"
	" base INTEGER NOT NULL,"
	" amount INTEGER NOT NULL CHECK (amount >= 0),"
	" explanation TEXT NOT NULL,"
	" review TEXT NOT NULL DEFAULT '',"
	" approve_after INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX commissions_affiliate ON commissions"
	" (affiliate_id, created_at);"
	"CREATE TABLE ledger_entries ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" affiliate_id INTEGER NOT NULL REFERENCES affiliates(id),"
	" currency TEXT NOT NULL,"
	" bucket TEXT NOT NULL"
	"  CHECK (bucket IN ('pending', 'approved', 'paid')),"
	" kind TEXT NOT NULL CHECK (kind IN ('accrual', 'approval',"
	"  'reversal', 'adjustment', 'payout')),"
	" amount INTEGER NOT NULL,"
	" commission_id INTEGER REFERENCES commissions(id),"
	" order_id INTEGER REFERENCES orders(id),"
	" memo TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX ledger_affiliate ON ledger_entries (affiliate_id, "
	"currency);"
	"CREATE INDEX ledger_commission ON ledger_entries (commission_id);"
	"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries"
	" BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries"
	" BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
	"CREATE TABLE customer_bindings ("
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" customer_key TEXT NOT NULL,"
	" affiliate_id INTEGER NOT NULL REFERENCES affiliates(id),"
	" program_id INTEGER NOT NULL REFERENCES programs(id),"
	" bound_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" PRIMARY KEY (shop_id, customer_key));"
	"CREATE TABLE rewards ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" affiliate_id INTEGER REFERENCES affiliates(id),"
	" order_id INTEGER REFERENCES orders(id),"
	" commission_id INTEGER UNIQUE REFERENCES commissions(id),"
	" purpose TEXT NOT NULL CHECK (purpose IN ('commission', "
	"'friend_code')),"
	" kind TEXT NOT NULL CHECK (kind IN ('coupon', 'gift_card')),"
	" value_type TEXT NOT NULL CHECK (value_type IN ('amount', 'percent')),"
	" value INTEGER NOT NULL CHECK (value > 0),"
	" currency TEXT NOT NULL,"
	" code TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN"
	"  ('pending', 'sending', 'issued', 'failed', 'cancelled')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" platform_id TEXT NOT NULL DEFAULT '',"
	" note TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX rewards_due ON rewards (status, next_attempt_at);",

	/* 3: install states, privacy requests, reconciliation, emails */
	"CREATE TABLE oauth_states ("
	" state TEXT PRIMARY KEY,"
	" platform TEXT NOT NULL,"
	" shop TEXT NOT NULL DEFAULT '',"
	" expires_at INTEGER NOT NULL);"
	"CREATE TABLE privacy_requests ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('data_request',"
	"  'customer_redact', 'shop_redact')),"
	" customer_id TEXT NOT NULL DEFAULT '',"
	" email TEXT NOT NULL DEFAULT '',"
	" export TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE sync_state ("
	" shop_id INTEGER PRIMARY KEY REFERENCES shops(id),"
	" last_order_at INTEGER NOT NULL DEFAULT 0,"
	" last_run_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '');"
	"ALTER TABLE inbox ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX inbox_shop ON inbox (shop_id, status);"
	"ALTER TABLE shops ADD COLUMN no_gift_cards INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN notice TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE emails ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" reward_id INTEGER UNIQUE REFERENCES rewards(id),"
	" recipient TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (status IN ('pending', 'sent', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX emails_due ON emails (status, next_attempt_at);",

	/* 4: sessions, sign-in links, sign-in attempts, click lookups */
	"CREATE TABLE sessions ("
	" id_hash TEXT PRIMARY KEY," /* SHA-256 of the cookie value */
	" kind TEXT NOT NULL CHECK (kind IN ('merchant', 'affiliate')),"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" affiliate_id INTEGER REFERENCES affiliates(id),"
	" csrf TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_expiry ON sessions (expires_at);"
	"CREATE TABLE signin_links ("
	" token_hash TEXT PRIMARY KEY,"
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" used_at INTEGER);"
	"CREATE TABLE signin_attempts ("
	" key TEXT NOT NULL," /* pseudonymised ip or shop + email */
	" at INTEGER NOT NULL);"
	"CREATE INDEX signin_attempts_key ON signin_attempts (key, at);"
	"CREATE INDEX affiliates_code ON affiliates (code);"
	"CREATE INDEX clicks_shop_time ON clicks (shop_id, created_at);"
	"CREATE INDEX orders_shop_time ON orders (shop_id, placed_at);",

	/* 5: lookups the pipeline makes per order; the approval queue */
	"CREATE INDEX affiliate_codes_affiliate ON affiliate_codes"
	" (affiliate_id);"
	"CREATE INDEX program_rules_program ON program_rules (program_id);"
	/* Commissions waiting for their holding period: a queue, not money;
	 * a row leaves once the commission is approved or reversed. */
	"CREATE TABLE approval_queue ("
	" commission_id INTEGER PRIMARY KEY REFERENCES commissions(id),"
	" approve_after INTEGER NOT NULL);"
	"CREATE INDEX approval_queue_due ON approval_queue (approve_after);"
	"INSERT INTO approval_queue (commission_id, approve_after)"
	" SELECT c.id, c.approve_after FROM commissions c WHERE c.review = ''"
	" AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE"
	" e.commission_id = c.id AND e.kind = 'approval');",

	/* 6: delivery bodies apart, so status updates rewrite small rows */
	"CREATE TABLE inbox_bodies ("
	" inbox_id INTEGER PRIMARY KEY REFERENCES inbox(id),"
	" body BLOB NOT NULL);"
	"INSERT INTO inbox_bodies (inbox_id, body) SELECT id, body FROM inbox;"
	"UPDATE inbox SET body = x'';",

	/*
	 * 7: the workers take the due deliveries in (next_attempt_at, id)
	 * order straight from an index; ordered by id alone, every poll
	 * sorted the whole backlog or walked the rows already done.
	 */
	"DROP INDEX inbox_due;"
	"CREATE INDEX inbox_due ON inbox (next_attempt_at, id)"
	" WHERE status = 'pending';",

	/*
	 * 8: a shop's own webhook signing secret, sealed: a custom app's
	 * client secret, which Shopify signs that shop's deliveries with.
	 * NULL: the deliveries are signed with the app's secret.
	 */
	"ALTER TABLE shops ADD COLUMN webhook_secret TEXT;",

	/*
	 * 9: expiring tokens. The refresh token is sealed like the access
	 * token; token_expires_at 0 means a token that does not expire (a
	 * custom app's). refresh_lease_until is the one refresh in flight
	 * for the shop, across threads and processes: a refresh rotates the
	 * refresh token, so two at once leave one holder with a dead one.
	 * reauth_needed: the platform refused the refresh for good; the
	 * merchant must open the app again. webhook_topics: what the last
	 * check of the platform's subscriptions found, per topic.
	 */
	"ALTER TABLE shops ADD COLUMN refresh_token TEXT;"
	"ALTER TABLE shops ADD COLUMN token_expires_at INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN token_refresh_at INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN refresh_expires_at INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN refresh_lease_until INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN refresh_failures INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN reauth_needed INTEGER NOT NULL"
	" DEFAULT 0;"
	"ALTER TABLE shops ADD COLUMN reauth_reason TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE webhook_topics ("
	" shop_id INTEGER NOT NULL REFERENCES shops(id),"
	" topic TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('ok', 'missing', 'refused')),"
	" message TEXT NOT NULL DEFAULT '',"
	" checked_at INTEGER NOT NULL,"
	" PRIMARY KEY (shop_id, topic));",

	/*
	 * 10: the row /healthz writes while writes are failing, to see when
	 * they work again (store_health.c); clicks by time, for pruning the
	 * old ones (store_clicks.c).
	 */
	"CREATE TABLE health ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" probed_at INTEGER NOT NULL);"
	"CREATE INDEX clicks_time ON clicks (created_at);",
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
	/* A statement left stepped keeps its read snapshot: reset it. */
	sqlite3_reset(s);
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
