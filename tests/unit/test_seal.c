/*
 * seal.h: the master key file and AES-256-GCM sealing, in a temporary
 * directory. The module keeps one global key, so every case closes it in
 * its teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/encode.h"
#include "util/seal.h"
#include "cases.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/affiliated-seal-XXXXXX";
static char key_path[64], other_path[64], bad_path[64];

static int case_teardown(void **state)
{
	(void)state;
	seal_close();
	unlink(key_path);
	unlink(other_path);
	unlink(bad_path);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(key_path, sizeof(key_path), "%s/master.key", dir);
	snprintf(other_path, sizeof(other_path), "%s/other.key", dir);
	snprintf(bad_path, sizeof(bad_path), "%s/bad.key", dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void open_key(const char *path, bool create)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	if (seal_open(path, create, &err) < 0)
		fail_msg("seal_open(%s): %s", path, buf_str(&err));
	assert_true(seal_ready());
	buf_release(&err);
}

/* Seals text under context into out (reset first). */
static void seal_text(struct buf *out, const char *context, const void *p,
		      size_t n)
{
	struct buf err;

	buf_init(&err, BUF_SMALL);
	buf_reset(out);
	if (seal_encrypt(out, context, p, n, &err) < 0)
		fail_msg("seal_encrypt: %s", buf_str(&err));
	buf_release(&err);
}

/* Returns seal_decrypt's result; on success out holds the plaintext. */
static int open_text(struct buf *out, const char *context, const char *s,
		     struct buf *err)
{
	buf_reset(out);
	buf_reset(err);
	return seal_decrypt(out, context, s, err);
}

static void test_creates_key_file(void **state)
{
	struct stat st;

	(void)state;
	assert_false(seal_ready());
	open_key(key_path, true);
	assert_int_equal(stat(key_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, SEAL_KEY_LEN);
}

static void test_missing_key_not_created(void **state)
{
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(seal_open(key_path, false, &err), -1);
	assert_non_null(strstr(buf_str(&err), key_path));
	assert_false(seal_ready());
	assert_int_equal(access(key_path, F_OK), -1);
	buf_release(&err);
}

static void test_create_in_missing_dir(void **state)
{
	char path[128];
	struct buf err;

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/master.key", dir);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(seal_open(path, true, &err), -1);
	assert_non_null(strstr(buf_str(&err), path));
	assert_false(seal_ready());
	buf_release(&err);
}

static struct plain_case {
	const char *name;
	const char *context;
	const char *text;
	size_t len;
} plain_cases[] = {
	{"short token", "token:shopify:sally.myshopify.com", "shpat_0123456789",
	 16},
	{"empty plaintext", "token:shopify:a.myshopify.com", "", 0},
	{"binary with NULs", "k", "\0\1\2\0\377", 5},
	{"empty context", "", "value", 5},
};

static void test_round_trip(void **state)
{
	const struct plain_case *c = *state;
	struct buf sealed, again, plain, err;

	buf_init(&sealed, BUF_SMALL);
	buf_init(&again, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, c->context, c->text, c->len);
	assert_memory_equal(buf_str(&sealed), "v1.", 3);
	/* A fresh nonce each time. */
	seal_text(&again, c->context, c->text, c->len);
	assert_string_not_equal(buf_str(&sealed), buf_str(&again));
	assert_int_equal(open_text(&plain, c->context, buf_str(&sealed), &err),
			 0);
	assert_int_equal(plain.len, c->len);
	if (c->len)
		assert_memory_equal(plain.data, c->text, c->len);
	assert_int_equal(open_text(&plain, c->context, buf_str(&again), &err),
			 0);
	assert_int_equal(plain.len, c->len);
	buf_release(&sealed);
	buf_release(&again);
	buf_release(&plain);
	buf_release(&err);
}

static void test_large_round_trip(void **state)
{
	static unsigned char big[100000];
	struct buf sealed, plain, err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7);
	buf_init(&sealed, BUF_MEDIUM);
	buf_init(&plain, BUF_MEDIUM);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, "big", big, sizeof(big));
	assert_int_equal(open_text(&plain, "big", buf_str(&sealed), &err), 0);
	assert_int_equal(plain.len, sizeof(big));
	assert_memory_equal(plain.data, big, sizeof(big));
	buf_release(&sealed);
	buf_release(&plain);
	buf_release(&err);
}

static void test_other_context_fails(void **state)
{
	struct buf sealed, plain, err;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, "token:shopify:a.myshopify.com", "secret", 6);
	assert_int_equal(open_text(&plain, "token:shopify:b.myshopify.com",
				   buf_str(&sealed), &err),
			 -1);
	assert_int_equal(plain.len, 0);
	assert_true(err.len > 0);
	assert_int_equal(open_text(&plain, "token:shopify:a.myshopify.co",
				   buf_str(&sealed), &err),
			 -1);
	assert_int_equal(open_text(&plain, "", buf_str(&sealed), &err), -1);
	buf_release(&sealed);
	buf_release(&plain);
	buf_release(&err);
}

static void test_other_key_fails(void **state)
{
	struct buf sealed, plain, err;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, "c", "secret", 6);
	seal_close();
	open_key(other_path, true);
	assert_int_equal(open_text(&plain, "c", buf_str(&sealed), &err), -1);
	assert_int_equal(plain.len, 0);
	buf_release(&sealed);
	buf_release(&plain);
	buf_release(&err);
}

/* Flipping one bit of any byte (nonce, ciphertext or tag) fails. */
static void test_tamper_each_byte(void **state)
{
	struct buf sealed, raw, text, plain, err;
	size_t i;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&raw, BUF_SMALL);
	buf_init(&text, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, "ctx", "attack at dawn", 14);
	assert_int_equal(
		base64url_decode(&raw, sealed.data + 3, sealed.len - 3), 0);
	assert_int_equal(raw.len, 12 + 14 + 16);
	for (i = 0; i < raw.len; i++) {
		raw.data[i] ^= 0x01;
		buf_reset(&text);
		assert_int_equal(buf_puts(&text, "v1."), 0);
		assert_int_equal(base64url_encode(&text, raw.data, raw.len), 0);
		if (open_text(&plain, "ctx", buf_str(&text), &err) == 0)
			fail_msg("byte %zu flipped still opens", i);
		raw.data[i] ^= 0x01;
	}
	buf_release(&sealed);
	buf_release(&raw);
	buf_release(&text);
	buf_release(&plain);
	buf_release(&err);
}

/* Replacing any character of the text, prefix included, fails. */
static void test_tamper_each_char(void **state)
{
	struct buf sealed, plain, err;
	size_t i;
	char saved;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_text(&sealed, "ctx", "attack at dawn", 14);
	for (i = 0; i < sealed.len; i++) {
		saved = sealed.data[i];
		sealed.data[i] = saved == 'A' ? 'B' : 'A';
		if (open_text(&plain, "ctx", sealed.data, &err) == 0)
			fail_msg("char %zu replaced still opens", i);
		sealed.data[i] = saved;
	}
	/* Truncated by one character. */
	sealed.data[sealed.len - 1] = '\0';
	assert_int_equal(open_text(&plain, "ctx", sealed.data, &err), -1);
	buf_release(&sealed);
	buf_release(&plain);
	buf_release(&err);
}

static struct bad_key_case {
	const char *name;
	size_t len;
	bool create;
} bad_key_cases[] = {
	{"empty", 0, false},
	{"31 bytes", 31, false},
	{"33 bytes", 33, false},
	{"64 bytes", 64, false},
	{"31 bytes, create set", 31, true},
};

static void test_bad_key_file(void **state)
{
	const struct bad_key_case *c = *state;
	unsigned char bytes[64];
	struct buf err;
	struct stat st;

	memset(bytes, 0x5a, sizeof(bytes));
	write_file(bad_path, bytes, c->len);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(seal_open(bad_path, c->create, &err), -1);
	assert_non_null(strstr(buf_str(&err), bad_path));
	assert_false(seal_ready());
	/* The file is left alone for the operator to restore. */
	assert_int_equal(stat(bad_path, &st), 0);
	assert_int_equal(st.st_size, (off_t)c->len);
	buf_release(&err);
}

/* A key others may read or write is refused, naming the chmod to run. */
static struct mode_case {
	const char *name;
	mode_t mode;
	int want;
} mode_cases[] = {
	{"0600", 0600, 0},
	{"0400", 0400, 0},
	{"0644", 0644, -1},
	{"0640", 0640, -1},
	{"0604", 0604, -1},
	{"0620 (group may write)", 0620, -1},
	{"0602 (others may write)", 0602, -1},
};

static void test_key_file_mode(void **state)
{
	const struct mode_case *c = *state;
	unsigned char bytes[32];
	struct buf err;
	char want[160];

	memset(bytes, 0x5a, sizeof(bytes));
	unlink(bad_path);
	write_file(bad_path, bytes, sizeof(bytes));
	assert_int_equal(chmod(bad_path, c->mode), 0);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(seal_open(bad_path, true, &err), c->want);
	assert_int_equal(seal_ready(), c->want == 0);
	if (c->want < 0) {
		snprintf(want, sizeof(want), "run 'chmod 600 %s'", bad_path);
		assert_non_null(strstr(buf_str(&err), want));
		assert_non_null(strstr(buf_str(&err), "group or others"));
	}
	seal_close();
	buf_release(&err);
}

/*
 * A failed seal_open must not leave a key "ready": read_key() has already
 * zeroed the old key, so sealing would silently use an all-zero key.
 */
static void test_failed_reopen_not_ready(void **state)
{
	unsigned char bytes[31] = {0};
	struct buf sealed, err;
	int open_rc, seal_rc;
	bool ready;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	write_file(bad_path, bytes, sizeof(bytes));
	open_rc = seal_open(bad_path, false, &err);
	ready = seal_ready();
	seal_rc = seal_encrypt(&sealed, "c", "x", 1, &err);
	buf_release(&sealed);
	buf_release(&err);
	assert_int_equal(open_rc, -1);
	assert_false(ready);
	assert_int_equal(seal_rc, -1);
}

static void test_reopen_same_key(void **state)
{
	unsigned char d1[SEAL_KEY_LEN], d2[SEAL_KEY_LEN];
	struct buf sealed, plain, err;
	struct stat st1, st2;

	(void)state;
	buf_init(&sealed, BUF_SMALL);
	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	assert_int_equal(stat(key_path, &st1), 0);
	seal_text(&sealed, "c", "kept across restarts", 20);
	seal_derive("cookie", d1);
	seal_close();
	assert_false(seal_ready());
	open_key(key_path, false);
	assert_int_equal(open_text(&plain, "c", buf_str(&sealed), &err), 0);
	assert_string_equal(buf_str(&plain), "kept across restarts");
	seal_derive("cookie", d2);
	assert_memory_equal(d1, d2, sizeof(d1));
	seal_close();
	/* create=true on an existing file reads it, never replaces it. */
	open_key(key_path, true);
	assert_int_equal(stat(key_path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(open_text(&plain, "c", buf_str(&sealed), &err), 0);
	buf_release(&sealed);
	buf_release(&plain);
	buf_release(&err);
}

static void test_closed_refuses(void **state)
{
	struct buf out, err;

	(void)state;
	buf_init(&out, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	seal_close();
	assert_false(seal_ready());
	assert_int_equal(seal_encrypt(&out, "c", "x", 1, &err), -1);
	assert_true(err.len > 0);
	assert_int_equal(out.len, 0);
	buf_reset(&err);
	assert_int_equal(seal_decrypt(&out, "c", "v1.AAAA", &err), -1);
	assert_true(err.len > 0);
	buf_release(&out);
	buf_release(&err);
}

static void test_derive(void **state)
{
	unsigned char a1[SEAL_KEY_LEN], a2[SEAL_KEY_LEN], b[SEAL_KEY_LEN];
	unsigned char empty[SEAL_KEY_LEN], other[SEAL_KEY_LEN];

	(void)state;
	open_key(key_path, true);
	seal_derive("cookie", a1);
	seal_derive("cookie", a2);
	seal_derive("csrf", b);
	seal_derive("", empty);
	assert_memory_equal(a1, a2, sizeof(a1));
	assert_memory_not_equal(a1, b, sizeof(a1));
	assert_memory_not_equal(a1, empty, sizeof(a1));
	seal_close();
	open_key(other_path, true);
	seal_derive("cookie", other);
	assert_memory_not_equal(a1, other, sizeof(a1));
}

static struct malformed_case {
	const char *name;
	const char *text;
} malformed_cases[] = {
	{"empty", ""},
	{"wrong version 'v2.xx'", "v2.xx"},
	{"not base64url 'v1.!!!'", "v1.!!!"},
	{"no payload 'v1.'", "v1."},
	{"shorter than nonce and tag",
	 "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	{"upper-case prefix 'V1.'",
	 "V1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	{"no prefix", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	{"length 1 mod 4", "v1.AAAAA"},
};

static void test_malformed(void **state)
{
	const struct malformed_case *c = *state;
	struct buf plain, err;

	buf_init(&plain, BUF_SMALL);
	buf_init(&err, BUF_SMALL);
	open_key(key_path, true);
	assert_int_equal(open_text(&plain, "c", c->text, &err), -1);
	assert_int_equal(plain.len, 0);
	assert_true(err.len > 0);
	buf_release(&plain);
	buf_release(&err);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	add_case(test_creates_key_file, NULL, "creates key file 0600");
	add_case(test_missing_key_not_created, NULL,
		 "missing key, create false");
	add_case(test_create_in_missing_dir, NULL, "create in missing dir");
	for (i = 0; i < COUNT(plain_cases); i++)
		add_case(test_round_trip, &plain_cases[i], "round trip %s",
			 plain_cases[i].name);
	add_case(test_large_round_trip, NULL, "round trip 100000 bytes");
	add_case(test_other_context_fails, NULL, "other context fails");
	add_case(test_other_key_fails, NULL, "other key fails");
	add_case(test_tamper_each_byte, NULL, "tamper each byte");
	add_case(test_tamper_each_char, NULL, "tamper each char");
	for (i = 0; i < COUNT(bad_key_cases); i++)
		add_case(test_bad_key_file, &bad_key_cases[i],
			 "refuses key file %s", bad_key_cases[i].name);
	for (i = 0; i < COUNT(mode_cases); i++)
		add_case(test_key_file_mode, &mode_cases[i], "key file mode %s",
			 mode_cases[i].name);
	add_case(test_failed_reopen_not_ready, NULL,
		 "failed reopen is not ready");
	add_case(test_reopen_same_key, NULL, "reopen reads the same key");
	add_case(test_closed_refuses, NULL, "closed refuses");
	add_case(test_derive, NULL, "derive per label");
	for (i = 0; i < COUNT(malformed_cases); i++)
		add_case(test_malformed, &malformed_cases[i],
			 "malformed sealed %s", malformed_cases[i].name);
	/* Every case cleans up after itself. */
	for (i = 0; i < ncases; i++)
		cases[i].teardown_func = case_teardown;
	return _cmocka_run_group_tests("seal", cases, ncases, group_setup,
				       group_teardown);
}
