#include "token_refresh.h"
#include "util/log.h"
#include "util/metrics.h"
#include "store/store_shops.h"
#include "util/clock.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/*
 * The lease outlives the refresh call (the HTTP client's own timeout) so
 * that a slow answer is never overtaken by a second refresh.
 */
#define LEASE_SECONDS 45
/* How long a caller waits for another holder's refresh. */
#define WAIT_MS 30000
#define POLL_MS 50
/* Backoff between refreshes that failed for a reason that may pass. */
#define BACKOFF_MAX 300

int64_t token_refresh_at(int64_t now, int64_t expires_in)
{
	int64_t margin = expires_in / 10;

	if (expires_in <= 0)
		return 0;
	/* Five minutes early for an hour's token; a tenth of a short one. */
	if (margin > 300)
		margin = 300;
	return now + expires_in - margin;
}

static void count(const char *result)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "result=\"%s\"", result);
	metrics_inc(metrics_counter("affiliated_token_refreshes_total",
				    "Refreshes of expiring API tokens",
				    labels));
}

/* The shop's row as it is now: the token another holder may have stored. */
struct row {
	struct buf access; /* sealed */
	struct buf refresh;
	struct shop_refresh_state state;
	int found; /* 1 a refresh token, 0 none */
};

static int read_row(struct shop_handle *h, struct row *r, struct buf *err)
{
	struct store_tx *tx;
	int rc;

	buf_reset(&r->access);
	buf_reset(&r->refresh);
	memset(&r->state, 0, sizeof(r->state));
	if (store_read_begin(h->store, &tx, err) < 0)
		return -1;
	rc = store_shop_token(tx, h->shop.id, &r->access, err);
	if (rc >= 0)
		r->found = rc = store_shop_refresh_token(
			tx, h->shop.id, &r->refresh, &r->state, err);
	store_tx_rollback(tx);
	return rc < 0 ? -1 : 0;
}

/* Takes the token in the row when it is not the one h was refused with. */
static int adopt(struct shop_handle *h, const struct row *r, bool *taken,
		 struct buf *err)
{
	struct shop_handle probe;
	int rc;

	*taken = false;
	memset(&probe, 0, sizeof(probe));
	probe.shop = h->shop;
	buf_init(&probe.token, 1024);
	rc = shop_handle_unseal(&probe, r->access.data, err);
	if (rc == 0 && h->ps.token &&
	    strcmp(buf_str(&probe.token), h->ps.token) != 0) {
		rc = shop_handle_unseal(h, r->access.data, err);
		if (rc == 0) {
			h->shop.token_refresh_at = r->state.refresh_at;
			*taken = true;
		}
	}
	OPENSSL_cleanse(probe.token.data, probe.token.cap);
	buf_release(&probe.token);
	return rc;
}

static int lease(struct shop_handle *h, struct buf *err)
{
	struct store_tx *tx;
	int64_t now = clock_now();
	int rc;

	if (store_tx_begin(h->store, &tx, err) < 0)
		return -1;
	rc = store_shop_lease_refresh(tx, h->shop.id, now, now + LEASE_SECONDS,
				      err);
	if (rc < 0 || store_tx_commit(tx, err) < 0)
		return -1;
	return rc;
}

/* Stores what the refresh gave, as one write, and puts it in h. */
static int keep(struct shop_handle *h, const struct install_result *res,
		struct buf *err)
{
	struct buf access, refresh;
	struct shop_tokens t;
	struct store_tx *tx;
	int64_t now = clock_now();
	int rc = -1;

	buf_init(&access, 2048);
	buf_init(&refresh, 2048);
	t.expires_at = now + res->expires_in;
	t.refresh_at = token_refresh_at(now, res->expires_in);
	t.refresh_expires_at =
		res->refresh_expires_in > 0 ? now + res->refresh_expires_in : 0;
	if (shop_seal_token(h->shop.platform, h->shop.domain, res->token,
			    &access, err) < 0 ||
	    shop_seal_token(h->shop.platform, h->shop.domain,
			    res->refresh_token, &refresh, err) < 0 ||
	    store_tx_begin(h->store, &tx, err) < 0)
		goto out;
	t.access = access.data;
	t.refresh = refresh.data;
	if (store_shop_set_tokens(tx, h->shop.id, &t, err) < 0) {
		store_tx_rollback(tx);
		goto out;
	}
	if (store_tx_commit(tx, err) < 0 ||
	    shop_handle_unseal(h, access.data, err) < 0)
		goto out;
	h->shop.token_refresh_at = t.refresh_at;
	rc = 0;
out:
	buf_release(&access);
	buf_release(&refresh);
	return rc;
}

/*
 * A refresh that may work later: the lease, ours, is kept over a wait
 * that doubles with each failure in a row, so no one calls again before.
 */
static void backoff(struct shop_handle *h, int64_t failures, const char *why)
{
	struct store_tx *tx;
	struct buf err;
	int64_t wait = 1;

	buf_init(&err, BUF_SMALL);
	while (failures-- > 0 && wait < BACKOFF_MAX)
		wait *= 2;
	if (wait > BACKOFF_MAX)
		wait = BACKOFF_MAX;
	if (store_tx_begin(h->store, &tx, &err) == 0) {
		if (store_shop_refresh_failed(tx, h->shop.id,
					      clock_now() + wait, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	log_warn("token.refresh_failed",
		 "shop=%s retry_in=%lld error=\"%s\" store_error=\"%s\"",
		 h->shop.domain, (long long)wait, why, buf_str(&err));
	buf_release(&err);
}

static void mark_reauth(struct shop_handle *h, const char *why)
{
	struct store_tx *tx;
	struct buf err;
	char reason[512];

	snprintf(reason, sizeof(reason), "%s", why);
	buf_init(&err, BUF_SMALL);
	if (store_tx_begin(h->store, &tx, &err) == 0) {
		if (store_shop_mark_reauth(tx, h->shop.id, reason, &err) == 0)
			store_tx_commit(tx, &err);
		else
			store_tx_rollback(tx);
	}
	h->shop.reauth_needed = true;
	metrics_inc(metrics_counter("affiliated_shops_reauth_needed_total",
				    "Shops whose token could not be refreshed "
				    "(the merchant must open the app again)",
				    ""));
	log_error("token.reauth_needed",
		  "shop=%s error=\"%s\" "
		  "store_error=\"%s\"",
		  h->shop.domain, why, buf_str(&err));
	buf_release(&err);
}

/* The refresh call itself, with the lease held. */
static enum provider_status refresh_now(struct shop_handle *h,
					const struct row *r, struct buf *err)
{
	struct install_result res;
	struct shop_handle plain;
	struct provider_env env;
	struct buf why;
	enum provider_status st;

	memset(&plain, 0, sizeof(plain));
	plain.shop = h->shop;
	buf_init(&plain.token, 1024);
	buf_init(&why, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	if (shop_handle_unseal(&plain, r->refresh.data, err) < 0) {
		st = PROVIDER_RETRY;
		backoff(h, r->state.failures, buf_str(err));
		goto out;
	}
	memset(&env, 0, sizeof(env));
	env.cfg = &h->platform->cfg;
	env.shop = &h->ps;
	env.http = h->http;
	env.now = clock_now();
	st = provider_refresh_token(h->platform->provider, &env,
				    buf_str(&plain.token), &res, &why);
	if (st == PROVIDER_OK && keep(h, &res, &why) < 0)
		st = PROVIDER_RETRY;
	if (st == PROVIDER_OK) {
		count("ok");
		log_info("token.refreshed", "shop=%s expires_in=%lld",
			 h->shop.domain, (long long)res.expires_in);
	} else if (st == PROVIDER_RETRY) {
		count("retry");
		backoff(h, r->state.failures, buf_str(&why));
		errorf(err,
		       "the token could not be refreshed, will try again: "
		       "%s",
		       buf_str(&why));
	} else {
		count("refused");
		mark_reauth(h, buf_str(&why));
		errorf(err,
		       "%s refused to refresh the token (%s): the merchant "
		       "must open the app again",
		       provider_name(h->platform->provider), buf_str(&why));
		st = PROVIDER_UNAUTHORIZED;
	}
out:
	OPENSSL_cleanse(&res, sizeof(res));
	OPENSSL_cleanse(plain.token.data, plain.token.cap);
	buf_release(&plain.token);
	buf_release(&why);
	return st;
}

/*
 * A shop installed through the app before expiring tokens holds one that
 * does not expire (and no refresh token): the platform can exchange it.
 * Shops added by hand (custom apps, which keep such tokens) have no
 * scopes recorded, installs always do.
 */
static bool migratable(const struct shop_handle *h)
{
	return h->platform && h->platform->has_app &&
	       provider_has(h->platform->provider,
			    PROVIDER_CAN_MIGRATE_TOKEN) &&
	       h->ps.token && h->shop.scopes && h->shop.scopes[0];
}

/*
 * The exchange of a token that does not expire, with the lease held.
 * Refused while the old token still works (not forced): logged and
 * tried again later, the shop keeps working. Refused once the platform
 * refuses the old token too (forced): the merchant must open the app.
 */
static enum provider_status migrate_now(struct shop_handle *h,
					const struct row *r, bool forced,
					struct buf *err)
{
	struct install_result res;
	struct provider_env env;
	struct buf why;
	enum provider_status st;

	buf_init(&why, BUF_SMALL);
	memset(&res, 0, sizeof(res));
	memset(&env, 0, sizeof(env));
	env.cfg = &h->platform->cfg;
	env.shop = &h->ps;
	env.http = h->http;
	env.now = clock_now();
	st = provider_migrate_token(h->platform->provider, &env, &res, &why);
	if (st == PROVIDER_OK && keep(h, &res, &why) < 0)
		st = PROVIDER_RETRY;
	if (st == PROVIDER_OK) {
		count("migrated");
		log_info("token.migrated", "shop=%s expires_in=%lld",
			 h->shop.domain, (long long)res.expires_in);
	} else if (st == PROVIDER_RETRY || !forced) {
		count(st == PROVIDER_RETRY ? "retry" : "migrate_refused");
		backoff(h, r->state.failures, buf_str(&why));
		errorf(err,
		       "the token that does not expire could not be "
		       "exchanged for an expiring one yet: %s",
		       buf_str(&why));
		st = PROVIDER_RETRY;
	} else {
		count("refused");
		mark_reauth(h, buf_str(&why));
		errorf(err,
		       "%s refused the token and its exchange (%s): the "
		       "merchant must open the app again",
		       provider_name(h->platform->provider), buf_str(&why));
		st = PROVIDER_UNAUTHORIZED;
	}
	OPENSSL_cleanse(&res, sizeof(res));
	buf_release(&why);
	return st;
}

enum provider_status token_refresh(struct shop_handle *h, bool forced,
				   struct buf *err)
{
	bool migrate = false;
	struct row r;
	uint64_t waited = 0;
	enum provider_status st = PROVIDER_RETRY;
	bool taken;
	int rc;

	if (!h->store || !h->platform ||
	    (!provider_has(h->platform->provider, PROVIDER_CAN_REFRESH_TOKEN) &&
	     !migratable(h)) ||
	    h->shop.reauth_needed) {
		errorf(err, h->shop.reauth_needed
				    ? "the shop must open the app again"
				    : "the token cannot be refreshed");
		return PROVIDER_UNAUTHORIZED;
	}
	buf_init(&r.access, 2048);
	buf_init(&r.refresh, 2048);
	for (;;) {
		if (read_row(h, &r, err) < 0)
			goto out;
		migrate = !r.found && migratable(h) && !h->shop.reauth_needed;
		if ((!r.found && !migrate) || r.state.reauth_needed) {
			h->shop.reauth_needed = r.state.reauth_needed;
			errorf(err, r.state.reauth_needed
					    ? "the shop must open the app again"
					    : "the shop has no refresh token");
			st = PROVIDER_UNAUTHORIZED;
			goto out;
		}
		/* Another holder stored a new token: that one will do. */
		if (adopt(h, &r, &taken, err) < 0)
			goto out;
		if (taken ||
		    (!migrate && !forced && r.state.refresh_at > clock_now())) {
			st = PROVIDER_OK;
			goto out;
		}
		rc = lease(h, err);
		if (rc < 0)
			goto out;
		if (rc == 1)
			break;
		/* Held by a refresh that failed and backs off: do not wait. */
		if (r.state.failures > 0 || waited >= WAIT_MS) {
			errorf(err, r.state.failures > 0
					    ? "the token refresh failed and "
					      "waits to be tried again"
					    : "another refresh of the token "
					      "is still in flight");
			goto out;
		}
		clock_sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	/* The row may have changed between the read and the lease. */
	if (read_row(h, &r, err) < 0 || adopt(h, &r, &taken, err) < 0)
		goto out;
	if (taken) {
		struct store_tx *tx;

		/*
		 * Give the lease back (0 from any holder's time): the new
		 * token is already stored.
		 */
		if (store_tx_begin(h->store, &tx, err) == 0) {
			if (store_shop_lease_refresh(tx, h->shop.id, INT64_MAX,
						     0, err) >= 0)
				store_tx_commit(tx, err);
			else
				store_tx_rollback(tx);
		}
		buf_reset(err);
		st = PROVIDER_OK;
		goto out;
	}
	st = migrate ? migrate_now(h, &r, forced, err)
		     : refresh_now(h, &r, err);
out:
	OPENSSL_cleanse(r.refresh.data, r.refresh.cap);
	buf_release(&r.access);
	buf_release(&r.refresh);
	return st;
}

void token_migrate_all(struct store *st, const struct platform_set *set,
		       struct http_client *http)
{
	struct provider_env env;
	struct shop_handle h;
	struct buf err;
	int64_t *ids = NULL;
	size_t n = 0, i;

	buf_init(&err, BUF_SMALL);
	if (shop_active_ids(st, &ids, &n, &err) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		if (shop_handle_load(st, set, ids[i], &h, &err) < 0)
			break;
		shop_handle_env(&h, st, http, &env);
		/* A token that does not expire, of an install through the app.
		 */
		if (h.shop.token_expires_at == 0 && !h.shop.reauth_needed &&
		    migratable(&h))
			token_refresh(&h, false, &err);
		shop_handle_release(&h);
		buf_reset(&err);
	}
	if (err.len)
		log_error("token.migrate_all_failed", "error=\"%s\"",
			  buf_str(&err));
	free(ids);
	buf_release(&err);
}

/* The keeper an env carries: the provider wrappers ask it. */
static bool keeper_due(const struct token_keeper *k, int64_t now)
{
	const struct shop_handle *h = k->ctx;

	return h->shop.token_refresh_at > 0 && now >= h->shop.token_refresh_at;
}

static enum provider_status keeper_refresh(const struct token_keeper *k,
					   bool forced, struct buf *err)
{
	return token_refresh(k->ctx, forced, err);
}

void shop_handle_env(struct shop_handle *h, struct store *st,
		     struct http_client *http, struct provider_env *env)
{
	h->store = st;
	h->http = http;
	h->keeper.due = keeper_due;
	h->keeper.refresh = keeper_refresh;
	h->keeper.ctx = h;
	memset(env, 0, sizeof(*env));
	env->cfg = h->platform ? &h->platform->cfg : NULL;
	env->shop = &h->ps;
	env->http = http;
	env->now = clock_now();
	env->tokens = &h->keeper;
}
