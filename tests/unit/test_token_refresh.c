/*
 * The token keeper (src/token_refresh.c) on a real SQLite store and a
 * real sealing key, with a scripted provider in place of a platform:
 * what a refresh stores, that a failure which may pass backs off without
 * calling again, that a refusal marks the shop reauth_needed and never
 * calls again, that a token another holder stored is taken without a
 * call, that a custom app's token is not refreshable, and that the
 * provider wrappers refresh before a call when due and once after a 401.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "platform.h"
#include "providers/provider_int.h"
#include "util/seal.h"
#include "shop_access.h"
#include "store/store.h"
#include "store/store_shops.h"
#include "token_refresh.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOMAIN "keeper.myshopify.com"

/* What the scripted platform answers, and what it saw. */
static struct {
	enum provider_status answers[8];
	int nanswers, calls;
	char last_refresh[128];
	int coupon_calls;
	char coupon_tokens[4][128];
} script;

static enum provider_status fake_refresh(const struct provider_env *env,
					 const char *refresh_token,
					 struct install_result *out,
					 struct buf *err)
{
	enum provider_status st = script.calls < script.nanswers
					  ? script.answers[script.calls]
					  : PROVIDER_OK;

	(void)env;
	snprintf(script.last_refresh, sizeof(script.last_refresh), "%s",
		 refresh_token);
	script.calls++;
	memset(out, 0, sizeof(*out));
	if (st != PROVIDER_OK) {
		errorf(err, "scripted %s", provider_status_str(st));
		return st;
	}
	snprintf(out->token, sizeof(out->token), "access-%d", script.calls);
	snprintf(out->refresh_token, sizeof(out->refresh_token), "refresh-%d",
		 script.calls);
	out->expires_in = 3600;
	out->refresh_expires_in = 86400;
	return PROVIDER_OK;
}

/* The first call is refused as if the token had expired; later ones pass. */
static enum provider_status fake_coupon(const struct provider_env *env,
					const struct reward_request *req,
					struct reward_result *out,
					struct buf *err)
{
	(void)req;
	(void)out;
	if (script.coupon_calls < 4)
		snprintf(script.coupon_tokens[script.coupon_calls], 128, "%s",
			 env->shop->token);
	if (script.coupon_calls++ == 0 ||
	    strcmp(env->shop->token, "old-access") == 0) {
		errorf(err, "refused the token (HTTP 401)");
		return PROVIDER_UNAUTHORIZED;
	}
	return PROVIDER_OK;
}

static const struct provider fake = {
	.name = "shopify",
	.caps = PROVIDER_CAN_REFRESH_TOKEN,
	.refresh_token = fake_refresh,
	.create_coupon = fake_coupon,
};

static struct fixture {
	char dir[64], db[96], key[96];
	struct store *st;
	struct platform_set set;
	int64_t shop;
} fx;

/* A shop whose sealed tokens are access/refresh, due at refresh_at. */
static void put_shop(const char *access, const char *refresh,
		     int64_t refresh_at)
{
	static char platform[] = "shopify", domain[] = DOMAIN, usd[] = "USD";
	struct shop sh = {0};
	struct shop_tokens t = {NULL, NULL, refresh_at + 300, refresh_at, 0};
	struct buf a, r, err;
	struct store_tx *tx;

	buf_init(&a, 1024);
	buf_init(&r, 1024);
	buf_init(&err, BUF_SMALL);
	sh.platform = platform;
	sh.domain = domain;
	sh.currency = usd;
	assert_int_equal(shop_seal_token("shopify", DOMAIN, access, &a, &err),
			 0);
	if (refresh)
		assert_int_equal(
			shop_seal_token("shopify", DOMAIN, refresh, &r, &err),
			0);
	t.access = a.data;
	t.refresh = refresh ? r.data : NULL;
	if (!refresh)
		t.expires_at = t.refresh_at = 0;
	assert_int_equal(store_tx_begin(fx.st, &tx, &err), 0);
	assert_int_equal(store_shop_put(tx, &sh, &t, &fx.shop, &err), 0);
	assert_int_equal(store_tx_commit(tx, &err), 0);
	buf_release(&a);
	buf_release(&r);
	buf_release(&err);
}

static void open_handle(struct shop_handle *h, struct provider_env *env)
{
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(store_read_begin(fx.st, &tx, &err), 0);
	assert_int_equal(shop_handle_open(tx, &fx.set, fx.shop, h, &err), 0);
	store_tx_rollback(tx);
	shop_handle_env(h, fx.st, NULL, env);
	buf_release(&err);
}

static int setup(void **state)
{
	struct buf err;

	(void)state;
	memset(&script, 0, sizeof(script));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/affiliated-keeper-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/k.db", fx.dir);
	snprintf(fx.key, sizeof(fx.key), "%s/master.key", fx.dir);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(seal_open(fx.key, true, &err), 0);
	fx.st = store_open(fx.db, STORE_CREATE | STORE_MIGRATE, &err);
	assert_non_null(fx.st);
	memset(&fx.set, 0, sizeof(fx.set));
	fx.set.items[0].provider = &fake;
	fx.set.items[0].cfg.name = "shopify";
	fx.set.n = 1;
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	store_close(fx.st);
	seal_close();
	snprintf(path, sizeof(path), "%s-wal", fx.db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", fx.db);
	unlink(path);
	unlink(fx.db);
	unlink(fx.key);
	rmdir(fx.dir);
	return 0;
}

static struct shop reread(void)
{
	struct store_tx *tx;
	struct shop sh;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(store_read_begin(fx.st, &tx, &err), 0);
	assert_int_equal(store_shop_get(tx, fx.shop, &sh, &err), 1);
	store_tx_rollback(tx);
	buf_release(&err);
	return sh;
}

static void test_refresh_stores_the_pair(void **state)
{
	struct shop_handle h, again;
	struct provider_env env;
	struct buf err;
	struct shop sh;

	(void)state;
	buf_init(&err, BUF_SMALL);
	put_shop("old-access", "old-refresh", clock_now() - 1);
	open_handle(&h, &env);
	assert_true(env.tokens->due(env.tokens, clock_now()));
	assert_int_equal(token_refresh(&h, false, &err), PROVIDER_OK);
	assert_string_equal(h.ps.token, "access-1");
	assert_string_equal(script.last_refresh, "old-refresh");
	assert_false(env.tokens->due(env.tokens, clock_now()));
	/* Stored: a new handle opens with the new token, not due. */
	open_handle(&again, &env);
	assert_string_equal(again.ps.token, "access-1");
	sh = reread();
	assert_true(sh.token_refresh_at > clock_now() + 3000);
	assert_true(sh.token_expires_at >= clock_now() + 3599);
	shop_release(&sh);
	/* Not forced and not due: nothing to do, no call. */
	assert_int_equal(token_refresh(&again, false, &err), PROVIDER_OK);
	assert_int_equal(script.calls, 1);
	/* The next refresh sends the rotated refresh token. */
	assert_int_equal(token_refresh(&again, true, &err), PROVIDER_OK);
	assert_string_equal(script.last_refresh, "refresh-1");
	assert_string_equal(again.ps.token, "access-2");
	/* h still holds access-1: forced, it takes access-2 without a call. */
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_OK);
	assert_string_equal(h.ps.token, "access-2");
	assert_int_equal(script.calls, 2);
	shop_handle_release(&h);
	shop_handle_release(&again);
	buf_release(&err);
}

static void test_failure_backs_off(void **state)
{
	struct shop_handle h;
	struct provider_env env;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	script.answers[0] = PROVIDER_RETRY;
	script.nanswers = 1;
	put_shop("old-access", "old-refresh", clock_now() - 1);
	open_handle(&h, &env);
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_RETRY);
	assert_non_null(strstr(buf_str(&err), "will try again"));
	/* Within the backoff: answered at once, the platform not called. */
	buf_reset(&err);
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_RETRY);
	assert_int_equal(script.calls, 1);
	assert_non_null(strstr(buf_str(&err), "waits to be tried again"));
	assert_string_equal(h.ps.token, "old-access");
	shop_handle_release(&h);
	buf_release(&err);
}

static void test_refusal_marks_reauth(void **state)
{
	struct shop_handle h, again;
	struct provider_env env;
	struct buf err;
	struct shop sh;

	(void)state;
	buf_init(&err, BUF_SMALL);
	script.answers[0] = PROVIDER_REJECTED;
	script.nanswers = 1;
	put_shop("old-access", "old-refresh", clock_now() - 1);
	open_handle(&h, &env);
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_UNAUTHORIZED);
	assert_non_null(strstr(buf_str(&err), "open the app again"));
	sh = reread();
	assert_true(sh.reauth_needed);
	assert_string_equal(shop_status(&sh), "reauth_needed");
	assert_non_null(strstr(sh.reauth_reason, "scripted rejected"));
	shop_release(&sh);
	/* Never a loop: neither this handle nor a new one calls again. */
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_UNAUTHORIZED);
	open_handle(&again, &env);
	assert_int_equal(token_refresh(&again, true, &err),
			 PROVIDER_UNAUTHORIZED);
	assert_int_equal(script.calls, 1);
	/* A new install clears it. */
	put_shop("new-access", "new-refresh", clock_now() + 3000);
	sh = reread();
	assert_false(sh.reauth_needed);
	assert_string_equal(shop_status(&sh), "active");
	shop_release(&sh);
	shop_handle_release(&h);
	shop_handle_release(&again);
	buf_release(&err);
}

static void test_custom_app_token(void **state)
{
	struct shop_handle h;
	struct provider_env env;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	put_shop("shpat_custom", NULL, 0);
	open_handle(&h, &env);
	assert_false(env.tokens->due(env.tokens, clock_now() + 86400 * 365));
	assert_int_equal(token_refresh(&h, true, &err), PROVIDER_UNAUTHORIZED);
	assert_int_equal(script.calls, 0);
	assert_string_equal(h.ps.token, "shpat_custom");
	shop_handle_release(&h);
	buf_release(&err);
}

/* The wrappers: refused once, refreshed once, called again with it. */
static void test_wrapper_refreshes_once_on_401(void **state)
{
	struct reward_request req = {0};
	struct reward_result res;
	struct shop_handle h;
	struct provider_env env;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	put_shop("old-access", "old-refresh", clock_now() + 3000);
	open_handle(&h, &env);
	memset(&res, 0, sizeof(res));
	assert_int_equal(provider_create_coupon(&fake, &env, &req, &res, &err),
			 PROVIDER_OK);
	assert_int_equal(script.calls, 1);
	assert_int_equal(script.coupon_calls, 2);
	assert_string_equal(script.coupon_tokens[0], "old-access");
	assert_string_equal(script.coupon_tokens[1], "access-1");
	assert_string_equal(buf_str(&err), "");
	shop_handle_release(&h);

	/* Refused, and the refresh refused too: one try, the reason kept. */
	script.answers[1] = PROVIDER_REJECTED;
	script.nanswers = 2;
	put_shop("old-access", "old-refresh", clock_now() + 3000);
	open_handle(&h, &env);
	buf_reset(&err);
	assert_int_equal(provider_create_coupon(&fake, &env, &req, &res, &err),
			 PROVIDER_UNAUTHORIZED);
	assert_int_equal(script.calls, 2);
	assert_int_equal(script.coupon_calls, 3);
	assert_non_null(strstr(buf_str(&err), "refused the token"));
	assert_non_null(strstr(buf_str(&err), "open the app again"));
	shop_handle_release(&h);
	buf_release(&err);
}

/* Due before the call: refreshed first, the call made with the new one. */
static void test_wrapper_refreshes_when_due(void **state)
{
	struct reward_request req = {0};
	struct reward_result res;
	struct shop_handle h;
	struct provider_env env;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	script.coupon_calls = 1; /* no scripted 401 */
	put_shop("old-access", "old-refresh", clock_now() - 1);
	open_handle(&h, &env);
	memset(&res, 0, sizeof(res));
	assert_int_equal(provider_create_coupon(&fake, &env, &req, &res, &err),
			 PROVIDER_OK);
	assert_int_equal(script.calls, 1);
	assert_string_equal(script.coupon_tokens[1], "access-1");
	shop_handle_release(&h);
	buf_release(&err);
}

static void test_refresh_at(void **state)
{
	(void)state;
	assert_int_equal(token_refresh_at(1000, 0), 0);
	assert_int_equal(token_refresh_at(1000, 3600), 1000 + 3600 - 300);
	assert_int_equal(token_refresh_at(1000, 600), 1000 + 600 - 60);
	assert_int_equal(token_refresh_at(1000, 5), 1000 + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refresh_stores_the_pair,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_backs_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusal_marks_reauth,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_app_token, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_wrapper_refreshes_once_on_401, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrapper_refreshes_when_due,
						setup, teardown),
		cmocka_unit_test(test_refresh_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
