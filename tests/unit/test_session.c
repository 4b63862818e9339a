/*
 * http/session.h and store/store_sessions.h: CSRF comparison and form
 * tokens, token hashes, cookies, and sessions, sign-in links and attempts
 * in a real (temporary) store: expiry, single use, kinds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/session.h"
#include "model/model.h"
#include "store/store.h"
#include "store/store_sessions.h"
#include "store/store_shops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_csrf_equal(void **state)
{
	(void)state;
	assert_true(csrf_equal("abc123", "abc123"));
	assert_false(csrf_equal("abc123", "abc124"));
	assert_false(csrf_equal("abc123", "abc12"));
	assert_false(csrf_equal("abc123", "abc1234"));
	assert_false(csrf_equal("", ""));
	assert_false(csrf_equal("abc", ""));
	assert_false(csrf_equal(NULL, "abc"));
	assert_false(csrf_equal("abc", NULL));
}

static void test_form_token(void **state)
{
	unsigned char k1[32], k2[32];
	char a[CSRF_HEX_LEN + 1], b[CSRF_HEX_LEN + 1], c[CSRF_HEX_LEN + 1];

	(void)state;
	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	csrf_for_cookie(k1, "cookie-value", a);
	csrf_for_cookie(k1, "cookie-value", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), CSRF_HEX_LEN);
	csrf_for_cookie(k2, "cookie-value", c);
	assert_string_not_equal(a, c);
	csrf_for_cookie(k1, "cookie-valuf", c);
	assert_string_not_equal(a, c);
}

static void test_token_hash(void **state)
{
	char h[65];

	(void)state;
	/* FIPS 180-2 test vector. */
	token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
}

static void test_cookie(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_SMALL);
	assert_int_equal(
		cookie_format(&b, "affiliated_a", "v1", 3600, COOKIE_SITE), 0);
	assert_string_equal(buf_str(&b), "affiliated_a=v1; Path=/; "
					 "Max-Age=3600; HttpOnly; "
					 "SameSite=Lax");
	buf_reset(&b);
	assert_int_equal(
		cookie_format(&b, "affiliated_m", "", 0, COOKIE_SITE_SECURE),
		0);
	assert_string_equal(buf_str(&b), "affiliated_m=; Path=/; Max-Age=0; "
					 "HttpOnly; SameSite=Lax; Secure");
	buf_reset(&b);
	assert_int_equal(
		cookie_format(&b, "affiliated_m", "v2", 60, COOKIE_IN_FRAME),
		0);
	assert_string_equal(buf_str(&b),
			    "affiliated_m=v2; Path=/; Max-Age=60; HttpOnly; "
			    "SameSite=None; Secure; Partitioned");
	buf_release(&b);
}

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	int64_t shop;
};

static int open_store(void **state)
{
	static struct fixture f;
	static char platform[] = "shopify", domain[] = "s.myshopify.com";
	struct shop sh = {0};
	struct store_tx *tx;
	struct buf err;

	snprintf(f.dir, sizeof(f.dir), "/tmp/affiliated-session-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/s.db", f.dir);
	buf_init(&err, BUF_SMALL);
	f.st = store_open(f.path, STORE_CREATE | STORE_MIGRATE, &err);
	assert_non_null(f.st);
	sh.platform = platform;
	sh.domain = domain;
	assert_int_equal(store_tx_begin(f.st, &tx, &err), 0);
	assert_int_equal(
		store_shop_put(tx, &sh,
			       &(struct shop_tokens){"sealed", NULL, 0, 0, 0},
			       &f.shop, &err),
		0);
	assert_int_equal(store_tx_commit(tx, &err), 0);
	buf_release(&err);
	*state = &f;
	return 0;
}

static int close_store(void **state)
{
	struct fixture *f = *state;
	char wal[128];

	store_close(f->st);
	unlink(f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
	rmdir(f->dir);
	return 0;
}

static void test_sessions(void **state)
{
	struct fixture *f = *state;
	struct session_row s = {0}, got;
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	token_hash("session-one", s.id_hash);
	s.kind = SESSION_MERCHANT;
	s.shop_id = f->shop;
	snprintf(s.csrf, sizeof(s.csrf), "c5rf");
	s.created_at = 1000;
	s.expires_at = 2000;
	assert_int_equal(store_tx_begin(f->st, &tx, &err), 0);
	assert_int_equal(store_session_add(tx, &s, &err), 0);
	assert_int_equal(store_tx_commit(tx, &err), 0);

	assert_int_equal(store_read_begin(f->st, &tx, &err), 0);
	assert_int_equal(store_session_get(tx, s.id_hash, 1999, &got, &err), 1);
	assert_int_equal(got.kind, SESSION_MERCHANT);
	assert_int_equal(got.shop_id, f->shop);
	assert_int_equal(got.affiliate_id, 0);
	assert_string_equal(got.csrf, "c5rf");
	/* Expired at its expiry second and after. */
	assert_int_equal(store_session_get(tx, s.id_hash, 2000, &got, &err), 0);
	assert_int_equal(store_session_get(tx, s.id_hash, 5000, &got, &err), 0);
	token_hash("session-two", got.id_hash);
	assert_int_equal(store_session_get(tx, got.id_hash, 1500, &got, &err),
			 0);
	store_tx_rollback(tx);

	assert_int_equal(store_tx_begin(f->st, &tx, &err), 0);
	assert_int_equal(store_session_prune(tx, 2500, &err), 0);
	assert_int_equal(store_session_get(tx, s.id_hash, 1500, &got, &err), 0);
	assert_int_equal(store_session_add(tx, &s, &err), 0);
	assert_int_equal(store_session_delete(tx, s.id_hash, &err), 0);
	assert_int_equal(store_session_get(tx, s.id_hash, 1500, &got, &err), 0);
	store_tx_rollback(tx);
	buf_release(&err);
}

static void test_signin_links(void **state)
{
	struct fixture *f = *state;
	struct store_tx *tx;
	struct buf err;
	char hash[65];
	int64_t shop = 0;

	buf_init(&err, BUF_SMALL);
	token_hash("link", hash);
	assert_int_equal(store_tx_begin(f->st, &tx, &err), 0);
	assert_int_equal(store_signin_link_add(tx, hash, f->shop, 4000, &err),
			 0);
	assert_int_equal(
		store_signin_link_check(tx, hash, 4000, false, &shop, &err), 0);
	assert_int_equal(
		store_signin_link_check(tx, hash, 3000, false, &shop, &err), 1);
	assert_int_equal(shop, f->shop);
	assert_int_equal(
		store_signin_link_check(tx, hash, 3000, true, &shop, &err), 1);
	/* Single use. */
	assert_int_equal(
		store_signin_link_check(tx, hash, 3000, true, &shop, &err), 0);
	assert_int_equal(
		store_signin_link_check(tx, hash, 3000, false, &shop, &err), 0);
	assert_int_equal(store_tx_commit(tx, &err), 0);
	buf_release(&err);
}

static void test_attempts(void **state)
{
	struct fixture *f = *state;
	struct store_tx *tx;
	struct buf err;
	int64_t n = -1;
	int i;

	buf_init(&err, BUF_SMALL);
	assert_int_equal(store_tx_begin(f->st, &tx, &err), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(store_attempt_add(tx, "ip:x", 100 + i, &err),
				 0);
	assert_int_equal(store_attempt_add(tx, "ip:y", 100, &err), 0);
	assert_int_equal(store_attempt_count(tx, "ip:x", 102, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_attempt_count(tx, "ip:z", 0, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_session_prune(tx, 100 + 3600 + 2, &err), 0);
	assert_int_equal(store_attempt_count(tx, "ip:x", 0, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_tx_commit(tx, &err), 0);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest plain[] = {
		cmocka_unit_test(test_csrf_equal),
		cmocka_unit_test(test_form_token),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_cookie),
	};
	const struct CMUnitTest stored[] = {
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_signin_links),
		cmocka_unit_test(test_attempts),
	};
	int failed = cmocka_run_group_tests(plain, NULL, NULL);

	return failed + cmocka_run_group_tests(stored, open_store, close_store);
}
