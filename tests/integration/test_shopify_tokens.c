/*
 * Shopify as it is in 2027, against a simulator as strict: expiring
 * offline tokens that really expire and rotate, a refresh token revoked,
 * non-expiring tokens refused, order topics refused until the app is
 * approved for protected customer data, and a subscription deleted by
 * the platform. Each story checks what the daemon does about it, and that
 * no REST Admin call was ever made.
 */
#include "config.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "harness.h"
#include "util/http_client.h"
#include "platform.h"
#include "util/seal.h"
#include "shop_access.h"
#include "store/store.h"
#include "token_refresh.h"
#include "util/json.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECRET	"tokens-secret-7"
#define API_KEY "tokens-api-key"
#define SHOP	"sally-mugs.myshopify.com"

struct world {
	struct sim_proc sim;
	struct daemon_proc d;
	char cookie[300]; /* the merchant's session, from the install */
};

static void world_start(struct world *w, const char *policy,
			const char *extra_ini)
{
	const char *sim_args[] = {"--secret", SECRET, "--api-key", API_KEY,
				  NULL};
	char ini[1024];

	memset(w, 0, sizeof(*w));
	sim_start(&w->sim, "sim_shopify", sim_args);
	if (policy) {
		struct http_reply r;
		char url[128];

		reply_init(&r);
		snprintf(url, sizeof(url), "%s/_sim/policy", w->sim.base);
		assert_int_equal(
			http_post(url, NULL, policy, strlen(policy), &r), 0);
		assert_int_equal(r.status, 200);
		reply_release(&r);
	}
	snprintf(ini, sizeof(ini),
		 "[server]\npublic_url = http://127.0.0.1:9\n"
		 "reconcile_interval = 0\n%s"
		 "[shopify]\napi_key = %s\napi_secret = %s\n"
		 "base_url = %s/{shop}\n"
		 "[rewards]\nbackoff_ms = 50\n",
		 extra_ini ? extra_ini : "", API_KEY, SECRET, w->sim.base);
	daemon_start(&w->d, ini);
}

static cJSON *sim_state(const struct world *w)
{
	struct http_reply r;
	char url[128];
	cJSON *j;

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/_sim/state", w->sim.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	j = cJSON_Parse(buf_str(&r.body));
	reply_release(&r);
	assert_non_null(j);
	return j;
}

/* No REST Admin path was called: Shopify accepts none from this app. */
static void world_stop(struct world *w)
{
	cJSON *st = sim_state(w);
	const cJSON *rest = cJSON_GetObjectItem(st, "rest_calls");

	assert_true(cJSON_IsNumber(rest));
	assert_int_equal(rest->valueint, 0);
	cJSON_Delete(st);
	daemon_stop(&w->d);
	daemon_cleanup(&w->d);
	sim_stop(&w->sim);
}

/* POSTs a JSON body to a /_sim/ control path; expects 200. */
static void sim_post(const struct world *w, const char *path, const char *body)
{
	struct http_reply r;
	char url[160];

	reply_init(&r);
	snprintf(url, sizeof(url), "%s%s", w->sim.base, path);
	assert_int_equal(http_post(url, NULL, body, strlen(body), &r), 0);
	if (r.status != 200)
		fail_msg("%s answered %ld: %s", path, r.status,
			 buf_str(&r.body));
	reply_release(&r);
}

static int64_t refreshes(const struct world *w)
{
	cJSON *st = sim_state(w);
	const cJSON *n =
		cJSON_GetObjectItem(cJSON_GetObjectItem(st, "refreshes"), SHOP);
	int64_t v = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;

	cJSON_Delete(st);
	return v;
}

static void sign_query(const char *query, char hex_out[65])
{
	unsigned char mac[32];
	struct buf hex;

	crypto_hmac_sha256(SECRET, strlen(SECRET), query, strlen(query), mac);
	buf_init(&hex, 128);
	assert_int_equal(hex_encode(&hex, mac, 32), 0);
	snprintf(hex_out, 65, "%s", buf_str(&hex));
	buf_release(&hex);
}

/* The first cookie of a reply, "name=value", into out. */
static void first_cookie(const struct http_reply *r, char *out, size_t n)
{
	char *semi;

	assert_non_null(reply_header(r, "Set-Cookie", out, n));
	if ((semi = strchr(out, ';')))
		*semi = '\0';
}

/* The OAuth install through the simulator; keeps the merchant's session. */
static void install(struct world *w)
{
	struct http_reply r;
	char query[256], hmac[65], url[2048], loc[2048], cookie[256];
	char header[300];
	const char *headers[] = {header, NULL};
	const char *q;

	reply_init(&r);
	snprintf(query, sizeof(query), "shop=%s&timestamp=%lld", SHOP,
		 (long long)time(NULL));
	sign_query(query, hmac);
	snprintf(url, sizeof(url), "%s/install/shopify?%s&hmac=%s", w->d.base,
		 query, hmac);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	first_cookie(&r, cookie, sizeof(cookie));
	snprintf(header, sizeof(header), "Cookie: %s", cookie);
	assert_int_equal(http_get(loc, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	q = strchr(loc, '?');
	snprintf(url, sizeof(url), "%s/auth/shopify/callback?%s", w->d.base,
		 q ? q + 1 : "");
	assert_int_equal(http_get(url, headers, &r), 0);
	if (r.status != 302)
		fail_msg("callback answered %ld: %s", r.status,
			 buf_str(&r.body));
	first_cookie(&r, cookie, sizeof(cookie));
	snprintf(w->cookie, sizeof(w->cookie), "Cookie: %s", cookie);
	reply_release(&r);
}

/* The merchant's overview page, as text. */
static void admin_page(const struct world *w, struct buf *out)
{
	const char *headers[] = {w->cookie, NULL};
	struct http_reply r;
	char url[160];

	reply_init(&r);
	snprintf(url, sizeof(url), "%s/admin/programs", w->d.base);
	assert_int_equal(http_get(url, headers, &r), 0);
	assert_int_equal(r.status, 200);
	buf_reset(out);
	assert_int_equal(buf_puts(out, buf_str(&r.body)), 0);
	reply_release(&r);
}

static long send_order(const struct world *w, const char *file,
		       const char *webhook_id)
{
	char url[160], path[512];
	struct buf out;
	const char *args[] = {"send",	     "--url",  url,  "--secret",
			      SECRET,	     "--shop", SHOP, "--topic",
			      "orders/paid", "--file", path, "--webhook-id",
			      webhook_id,    NULL};
	long status;

	snprintf(url, sizeof(url), "%s/webhooks/shopify", w->d.base);
	snprintf(path, sizeof(path), "%s/tests/fixtures/shopify/%s",
		 source_dir(), file);
	buf_init(&out, BUF_SMALL);
	assert_int_equal(sim_run("sim_shopify", args, &out), 0);
	status = strtol(buf_str(&out), NULL, 10);
	buf_release(&out);
	return status;
}

/* Runs a command into out (emptied first); its exit status. */
static int cli_status(const struct world *w, struct buf *out,
		      const char *const *args)
{
	buf_reset(out);
	return run_cli(&w->d, out, NULL, args);
}

static void add_program(const struct world *w)
{
	const char *prog[] = {"programs", "add",	 "--shop",    SHOP,
			      "--name",	  "Influencers", "--percent", "15",
			      "--reward", "coupon",	 NULL};
	const char *aff[] = {
		"affiliates", "add",	 "--program", "1",
		"--name",     "Sally",	 "--email",   "sally@example.net",
		"--coupon",   "SALLY20", NULL};
	struct buf out;

	buf_init(&out, BUF_LARGE);
	assert_non_null(cli_out(&w->d, prog, &out));
	assert_non_null(cli_out(&w->d, aff, &out));
	buf_release(&out);
}

/* Waits until `rewards list --json` shows n rewards with status. */
static void wait_rewards(const struct world *w, const char *status, int n)
{
	const char *list[] = {"rewards", "list", "--json", NULL};
	char want[64];
	struct buf out;
	int i, seen = 0;

	snprintf(want, sizeof(want), "\"status\":\"%s\"", status);
	buf_init(&out, BUF_LARGE);
	for (i = 0; i < 100; i++) {
		const char *p;

		assert_non_null(cli_out(&w->d, list, &out));
		for (seen = 0, p = buf_str(&out); (p = strstr(p, want)); p++)
			seen++;
		if (seen == n)
			break;
		usleep(100 * 1000);
	}
	if (seen != n)
		fail_msg("%d rewards %s, wanted %d: %s", seen, status, n,
			 buf_str(&out));
	buf_release(&out);
}

/*
 * 2027: the simulator refuses non-expiring tokens, so a story that works
 * shows the install asked for an expiring one. The token expires before
 * the order comes: the reward is issued after exactly one refresh. Then
 * Shopify expires the new token early: a 401, one refresh, and the next
 * reward is issued too.
 */
static void test_expiring_token_story(void **state)
{
	const char *shops[] = {"shops", "list", "--json", NULL};
	struct world w;
	struct buf out;

	(void)state;
	world_start(&w, "{\"year\":2027,\"token_ttl\":2}", NULL);
	buf_init(&out, BUF_LARGE);
	install(&w);
	assert_non_null(cli_out(&w.d, shops, &out));
	assert_non_null(strstr(buf_str(&out), "\"status\":\"active\""));
	assert_non_null(strstr(buf_str(&out), "\"token_expires_at\""));
	add_program(&w);
	/* New tokens last an hour again; the one held expires in 2 s. */
	sim_post(&w, "/_sim/policy", "{\"token_ttl\":3600}");
	sleep(3);
	assert_int_equal(send_order(&w, "order_coupon.json", "wh-1"), 200);
	wait_rewards(&w, "issued", 1);
	assert_int_equal(refreshes(&w), 1);

	/* Expired early, behind the daemon's back: refused, then renewed. */
	sim_post(&w, "/_sim/tokens/expire", "{\"shop\":\"" SHOP "\"}");
	assert_int_equal(send_order(&w, "order_several_codes.json", "wh-2"),
			 200);
	wait_rewards(&w, "issued", 2);
	assert_int_equal(refreshes(&w), 2);
	assert_true(daemon_log_contains(&w.d, "event=token.refreshed"));
	/* Further back than Shopify shows: said so, not "no orders". */
	{
		const char *reconcile[] = {"reconcile",
					   "--shop",
					   SHOP,
					   "--since",
					   "2026-01-01T00:00:00Z",
					   NULL};

		assert_non_null(cli_out(&w.d, reconcile, &out));
		assert_non_null(strstr(buf_str(&out), "60 days"));
	}
	buf_release(&out);
	world_stop(&w);
}

/*
 * The refresh token revoked: the refresh is refused for good. The shop
 * is reauth_needed everywhere (shops list, the merchant's pages, a
 * metric), the reward waits instead of failing, and no refresh loop
 * follows. Opening the app again (a new install) issues the reward.
 */
static void test_revoked_refresh_token(void **state)
{
	const char *shops[] = {"shops", "list", "--json", NULL};
	const char *check[] = {"shops", "check", "--json", NULL};
	struct http_reply r;
	struct world w;
	struct buf out;
	char url[160];
	int64_t after;

	(void)state;
	world_start(&w, NULL, NULL);
	buf_init(&out, BUF_LARGE);
	install(&w);
	add_program(&w);
	sim_post(&w, "/_sim/tokens/revoke", "{\"shop\":\"" SHOP "\"}");
	assert_int_equal(send_order(&w, "order_coupon.json", "wh-1"), 200);
	wait_cli(&w.d, shops, "\"status\":\"reauth_needed\"");
	assert_non_null(cli_out(&w.d, shops, &out));
	assert_non_null(strstr(buf_str(&out), "\"reauth_reason\""));
	/* Waiting, not failed, and not retried in a loop. */
	wait_rewards(&w, "pending", 1);
	after = refreshes(&w);
	sleep(2);
	assert_int_equal(refreshes(&w), after);
	wait_rewards(&w, "pending", 1);
	assert_true(daemon_log_contains(&w.d, "event=token.reauth_needed"));
	/* shops check says so and exits 1. */
	assert_int_equal(cli_status(&w, &out, check), 1);
	assert_non_null(strstr(buf_str(&out), "\"token\":\"reauth_needed\""));
	admin_page(&w, &out);
	assert_non_null(strstr(buf_str(&out), "Open the app again"));
	reply_init(&r);
	snprintf(url, sizeof(url), "%s/metrics", w.d.base);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_non_null(strstr(buf_str(&r.body),
			       "affiliated_shops_reauth_needed_total"));
	reply_release(&r);

	/* The merchant opens the app again: a new install, a new token. */
	install(&w);
	wait_cli(&w.d, shops, "\"status\":\"active\"");
	/* The reward that waited goes out now, not at its next look. */
	wait_rewards(&w, "issued", 1);
	admin_page(&w, &out);
	assert_null(strstr(buf_str(&out), "Open the app again"));
	buf_release(&out);
	world_stop(&w);
}

/*
 * Until the app is approved for protected customer data, Shopify refuses
 * the order topics: the install still subscribes the uninstall topic,
 * records the refusals with Shopify's words, the merchant's pages say
 * so, and `shops check --fix` subscribes once approved.
 */
static void test_protected_data_refused(void **state)
{
	const char *check[] = {"shops", "check", NULL};
	const char *check_json[] = {"shops", "check", "--json", NULL};
	const char *fix[] = {"shops", "check", "--fix", NULL};
	struct world w;
	struct buf out;
	cJSON *st;

	(void)state;
	world_start(&w, "{\"protected_data\":false}", NULL);
	buf_init(&out, BUF_LARGE);
	install(&w);
	st = sim_state(&w);
	assert_int_equal(
		cJSON_GetArraySize(cJSON_GetObjectItem(st, "webhooks")), 1);
	assert_string_equal(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(st, "webhooks"),
					   0),
			"topic")
			->valuestring,
		"APP_UNINSTALLED");
	cJSON_Delete(st);
	assert_int_equal(cli_status(&w, &out, check), 1);
	assert_non_null(strstr(buf_str(&out), "APP_UNINSTALLED      ok"));
	if (!strstr(buf_str(&out), "ORDERS_PAID          refused: This app "
				   "is not approved to subscribe to webhook "
				   "topics containing protected customer "
				   "data."))
		fail_msg("shops check said: %s", buf_str(&out));
	assert_int_equal(cli_status(&w, &out, check_json), 1);
	assert_non_null(strstr(buf_str(&out), "\"state\":\"refused: "));
	admin_page(&w, &out);
	assert_non_null(strstr(buf_str(&out), "protected customer data"));

	sim_post(&w, "/_sim/policy", "{\"protected_data\":true}");
	assert_int_equal(cli_status(&w, &out, fix), 0);
	if (strstr(buf_str(&out), "refused"))
		fail_msg("after the fix: %s", buf_str(&out));
	st = sim_state(&w);
	assert_int_equal(
		cJSON_GetArraySize(cJSON_GetObjectItem(st, "webhooks")), 6);
	cJSON_Delete(st);
	assert_int_equal(cli_status(&w, &out, check), 0);
	admin_page(&w, &out);
	assert_null(strstr(buf_str(&out), "protected customer data"));
	buf_release(&out);
	world_stop(&w);
}

/* A subscription Shopify deleted is back within one check interval. */
static void test_deleted_subscription_returns(void **state)
{
	struct world w;
	cJSON *st;
	const cJSON *it;
	int i, paid = 0;

	(void)state;
	world_start(&w, NULL, "subscriptions_interval = 1\n");
	install(&w);
	sim_post(&w, "/_sim/webhooks/delete",
		 "{\"shop\":\"" SHOP "\",\"topic\":\"ORDERS_PAID\"}");
	for (i = 0; i < 40 && !paid; i++) {
		usleep(100 * 1000);
		st = sim_state(&w);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(st, "webhooks"))
			paid +=
			strcmp(cJSON_GetObjectItem(it, "topic")->valuestring,
			       "ORDERS_PAID") == 0;
		cJSON_Delete(st);
	}
	assert_int_equal(paid, 1);
	world_stop(&w);
}

/*
 * A token that does not expire, as the app's installs got before: the
 * code exchanged without "expiring", straight on the simulator.
 */
static void legacy_token(const struct world *w, const char *shop, char *out,
			 size_t n)
{
	struct http_reply r;
	const char *json[] = {"Content-Type: application/json", NULL};
	char url[512], loc[1024], body[512];
	const char *code;
	cJSON *j;

	reply_init(&r);
	snprintf(url, sizeof(url),
		 "%s/%s/admin/oauth/authorize?client_id=%s&scope=read_orders,"
		 "write_discounts&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9"
		 "%%2Fcb&state=s1",
		 w->sim.base, shop, API_KEY);
	assert_int_equal(http_get(url, NULL, &r), 0);
	assert_int_equal(r.status, 302);
	assert_non_null(reply_header(&r, "Location", loc, sizeof(loc)));
	code = strstr(loc, "code=");
	assert_non_null(code);
	snprintf(body, sizeof(body),
		 "{\"client_id\":\"%s\",\"client_secret\":\"%s\","
		 "\"code\":\"%.32s\"}",
		 API_KEY, SECRET, code + 5);
	snprintf(url, sizeof(url), "%s/%s/admin/oauth/access_token",
		 w->sim.base, shop);
	assert_int_equal(http_post(url, json, body, strlen(body), &r), 0);
	assert_int_equal(r.status, 200);
	j = cJSON_Parse(buf_str(&r.body));
	assert_null(cJSON_GetObjectItem(j, "refresh_token"));
	snprintf(out, n, "%s",
		 cJSON_GetObjectItem(j, "access_token")->valuestring);
	cJSON_Delete(j);
	reply_release(&r);
}

/* Registers shop as an install from before expiring tokens. */
static void add_legacy_shop(const struct world *w, const char *shop)
{
	char token[128], path[256], sql[256];
	const char *add[] = {"shops",	   "add", "--platform", "shopify",
			     "--shop",	   shop,  "--token",	token,
			     "--currency", "USD", NULL};
	struct buf out;
	sqlite3 *db;

	legacy_token(w, shop, token, sizeof(token));
	buf_init(&out, BUF_SMALL);
	assert_non_null(cli_out(&w->d, add, &out));
	buf_release(&out);
	/* What the install recorded then: the scopes it was granted. */
	snprintf(path, sizeof(path), "%s/affiliated.db", w->d.dir);
	snprintf(sql, sizeof(sql),
		 "UPDATE shops SET scopes = 'read_orders,write_discounts'"
		 " WHERE domain = '%s'",
		 shop);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t migrations(const struct world *w, const char *shop)
{
	cJSON *st = sim_state(w);
	const cJSON *n = cJSON_GetObjectItem(
		cJSON_GetObjectItem(st, "migrations"), shop);
	int64_t v = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;

	cJSON_Delete(st);
	return v;
}

/*
 * Installs from before this version hold tokens that Shopify stops
 * accepting on 2027-01-01. The daemon exchanges each for an expiring
 * pair on its own, before then, and the shop goes on working; once the
 * old kind is gone, a shop that missed it is told to open the app.
 */
static void test_legacy_token_migrated(void **state)
{
	const char *shops[] = {"shops", "list", "--json", NULL};
	const char *check[] = {"shops",	 "check",
			       "--shop", "zed-zines.myshopify.com",
			       "--json", NULL};
	struct world w;
	struct buf out;
	int i;

	(void)state;
	world_start(&w, NULL, "subscriptions_interval = 1\n");
	buf_init(&out, BUF_LARGE);
	add_legacy_shop(&w, SHOP);
	for (i = 0; i < 50 && migrations(&w, SHOP) < 1; i++)
		usleep(100 * 1000);
	assert_int_equal(migrations(&w, SHOP), 1);
	wait_cli(&w.d, shops, "\"token_expires_at\"");
	assert_true(daemon_wait_log(&w.d, "event=token.migrated", 2000));
	/* The shop works on with its new token; the old one is dead. */
	add_program(&w);
	assert_int_equal(send_order(&w, "order_coupon.json", "wh-1"), 200);
	wait_rewards(&w, "issued", 1);
	assert_int_equal(migrations(&w, SHOP), 1);

	/* 2027: a shop that was not exchanged in time must sign in again. */
	sim_post(&w, "/_sim/policy", "{\"year\":2027}");
	add_legacy_shop(&w, "zed-zines.myshopify.com");
	assert_int_equal(cli_status(&w, &out, check), 1);
	assert_non_null(strstr(buf_str(&out), "\"token\":\"reauth_needed\""));
	assert_int_equal(migrations(&w, "zed-zines.myshopify.com"), 0);
	buf_release(&out);
	world_stop(&w);
}

/* Several threads refused the same token at once. */
struct racer {
	struct store *st;
	const struct platform_set *set;
	pthread_barrier_t *go;
	enum provider_status status;
	char token[128];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct http_client *http = http_client_new(10000);
	struct provider_env env;
	struct shop_handle h;
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(store_read_begin(r->st, &tx, &err), 0);
	assert_int_equal(shop_handle_open(tx, r->set, 1, &h, &err), 0);
	store_tx_rollback(tx);
	shop_handle_env(&h, r->st, http, &env);
	pthread_barrier_wait(r->go);
	r->status = token_refresh(&h, true, &err);
	snprintf(r->token, sizeof(r->token), "%s",
		 h.ps.token ? h.ps.token : "");
	shop_handle_release(&h);
	http_client_free(http);
	buf_release(&err);
	return NULL;
}

/*
 * Four threads whose calls were all refused refresh once: one takes the
 * lease and calls Shopify, the others wait and take the token it stored.
 * A second refresh with the rotated-away token would have been refused.
 */
static void test_one_refresh_for_many(void **state)
{
	struct racer racers[4];
	pthread_t threads[4];
	pthread_barrier_t go;
	struct platform_set set;
	struct config cfg;
	struct store *st;
	struct world w;
	struct buf err;
	char path[256];
	size_t i;

	(void)state;
	world_start(&w, NULL, NULL);
	install(&w);
	daemon_stop(&w.d);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(config_load(&cfg, w.d.conf, &err), 0);
	platforms_load(&set, &cfg);
	snprintf(path, sizeof(path), "%s",
		 config_get(&cfg, CFG_SECURITY_KEY_FILE));
	assert_int_equal(seal_open(path, false, &err), 0);
	st = store_open(config_get(&cfg, CFG_STORE_PATH), 0, &err);
	if (!st)
		fail_msg("%s", buf_str(&err));
	pthread_barrier_init(&go, NULL, 4);
	for (i = 0; i < 4; i++) {
		racers[i] =
			(struct racer){st, &set, &go, PROVIDER_REJECTED, ""};
		assert_int_equal(
			pthread_create(&threads[i], NULL, race, &racers[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < 4; i++) {
		assert_int_equal(racers[i].status, PROVIDER_OK);
		assert_string_equal(racers[i].token, racers[0].token);
	}
	assert_int_equal(refreshes(&w), 1);
	store_close(st);
	seal_close();
	config_release(&cfg);
	buf_release(&err);
	world_stop(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiring_token_story),
		cmocka_unit_test(test_revoked_refresh_token),
		cmocka_unit_test(test_protected_data_refused),
		cmocka_unit_test(test_deleted_subscription_returns),
		cmocka_unit_test(test_one_refresh_for_many),
		cmocka_unit_test(test_legacy_token_migrated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
