/*
 * crypto.h: RFC 4231 HMAC-SHA256 test cases 1-7, FIPS 180-2 SHA-256,
 * Shopify's published HMAC examples, constant-time comparison and the
 * random helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/crypto.h"
#include "util/encode.h"
#include "cases.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hex of a digest, for readable assertion failures. */
static void digest_hex(const unsigned char *d, size_t n, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(hex_encode(out, d, n), 0);
}

/*
 * A byte string given either as text, as hex, or as n copies of a byte:
 * RFC 4231 uses all three.
 */
struct bytes {
	const char *text;
	const char *hex;
	unsigned char fill;
	size_t fill_len;
};

static void bytes_get(const struct bytes *b, struct buf *out)
{
	size_t i;

	buf_reset(out);
	if (b->text) {
		assert_int_equal(buf_puts(out, b->text), 0);
	} else if (b->hex) {
		assert_int_equal(hex_decode(out, b->hex, strlen(b->hex)), 0);
	} else {
		for (i = 0; i < b->fill_len; i++)
			assert_int_equal(buf_putc(out, (char)b->fill), 0);
	}
}

static struct hmac_vector {
	const char *name;
	struct bytes key, msg;
	const char *mac_hex; /* expected, possibly truncated */
} hmac_vectors[] = {
	{"RFC 4231 case 1",
	 {NULL, NULL, 0x0b, 20},
	 {"Hi There", NULL, 0, 0},
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	{"RFC 4231 case 2",
	 {"Jefe", NULL, 0, 0},
	 {"what do ya want for nothing?", NULL, 0, 0},
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	{"RFC 4231 case 3",
	 {NULL, NULL, 0xaa, 20},
	 {NULL, NULL, 0xdd, 50},
	 "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
	{"RFC 4231 case 4",
	 {NULL, "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0},
	 {NULL, NULL, 0xcd, 50},
	 "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
	/* Case 5 is truncated to 128 bits. */
	{"RFC 4231 case 5",
	 {NULL, NULL, 0x0c, 20},
	 {"Test With Truncation", NULL, 0, 0},
	 "a3b6167473100ee06e0c796c2955552b"},
	{"RFC 4231 case 6",
	 {NULL, NULL, 0xaa, 131},
	 {"Test Using Larger Than Block-Size Key - Hash Key First", NULL, 0, 0},
	 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	{"RFC 4231 case 7",
	 {NULL, NULL, 0xaa, 131},
	 {"This is a test using a larger than block-size key and a larger "
	  "than block-size data. The key needs to be hashed before being "
	  "used by the HMAC algorithm.",
	  NULL, 0, 0},
	 "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	/* Shopify's OAuth example (shopify.dev, "Verify a request"). */
	{"Shopify OAuth query",
	 {"hush", NULL, 0, 0},
	 {"code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com"
	  "&state=0.6784241404160823&timestamp=1337178173",
	  NULL, 0, 0},
	 "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"},
	{"empty key and message",
	 {"", NULL, 0, 0},
	 {"", NULL, 0, 0},
	 "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
};

static void test_hmac_vector(void **state)
{
	const struct hmac_vector *v = *state;
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf key, msg, hex;
	size_t n = strlen(v->mac_hex) / 2;

	buf_init(&key, BUF_SMALL);
	buf_init(&msg, BUF_SMALL);
	buf_init(&hex, BUF_SMALL);
	bytes_get(&v->key, &key);
	bytes_get(&v->msg, &msg);
	crypto_hmac_sha256(key.data, key.len, msg.data, msg.len, mac);
	digest_hex(mac, n, &hex);
	assert_string_equal(buf_str(&hex), v->mac_hex);
	buf_release(&key);
	buf_release(&msg);
	buf_release(&hex);
}

/* Shopify webhook example: the header carries base64 of the HMAC. */
static void test_hmac_shopify_webhook(void **state)
{
	static const char body[] = "{\"foo\": \"bar\"}";
	static const char key[] = "test_secret_key";
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf b64;

	(void)state;
	crypto_hmac_sha256(key, strlen(key), body, strlen(body), mac);
	buf_init(&b64, BUF_SMALL);
	assert_int_equal(base64_encode(&b64, mac, sizeof(mac)), 0);
	assert_string_equal(buf_str(&b64),
			    "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");
	buf_release(&b64);
}

static struct sha_vector {
	const char *name;
	const char *msg;
	const char *digest_hex;
} sha_vectors[] = {
	{"FIPS 180-2 'abc'", "abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"FIPS 180-2 two blocks",
	 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{"empty message", "",
	 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
};

static void test_sha256_vector(void **state)
{
	const struct sha_vector *v = *state;
	unsigned char d[CRYPTO_SHA256_LEN];
	struct buf hex;

	buf_init(&hex, BUF_SMALL);
	crypto_sha256(v->msg, strlen(v->msg), d);
	digest_hex(d, sizeof(d), &hex);
	assert_string_equal(buf_str(&hex), v->digest_hex);
	buf_release(&hex);
}

static struct equal_case {
	const char *name;
	const char *a, *b;
	size_t alen, blen;
	bool want;
} equal_cases[] = {
	{"equal", "secret-value", "secret-value", 12, 12, true},
	{"differ in last byte", "secret-value", "secret-valuf", 12, 12, false},
	{"differ in first byte", "secret-value", "Secret-value", 12, 12, false},
	{"different lengths (prefix)", "secret-value", "secret-valu", 12, 11,
	 false},
	{"different lengths (longer)", "abc", "abcd", 3, 4, false},
	{"zero lengths", "", "", 0, 0, true},
	{"zero and non-zero length", "", "a", 0, 1, false},
	{"embedded NUL compared", "a\0b", "a\0c", 3, 3, false},
};

static void test_equal(void **state)
{
	const struct equal_case *c = *state;

	assert_int_equal(crypto_equal(c->a, c->alen, c->b, c->blen), c->want);
	assert_int_equal(crypto_equal(c->b, c->blen, c->a, c->alen), c->want);
}

static bool all_in(const char *s, const char *alphabet)
{
	return strspn(s, alphabet) == strlen(s);
}

static struct token_case {
	const char *name;
	bool url;
	size_t nbytes;
	size_t want_len;
} token_cases[] = {
	{"hex 16 bytes", false, 16, 32},  {"hex 32 bytes", false, 32, 64},
	{"hex 64 bytes", false, 64, 128}, {"hex 0 bytes", false, 0, 0},
	{"url 16 bytes", true, 16, 22},	  {"url 32 bytes", true, 32, 43},
	{"url 33 bytes", true, 33, 44},	  {"url 0 bytes", true, 0, 0},
};

static int token(struct buf *out, bool url, size_t nbytes)
{
	return url ? crypto_token_url(out, nbytes)
		   : crypto_token_hex(out, nbytes);
}

static void test_token(void **state)
{
	static const char hexdigits[] = "0123456789abcdef";
	static const char urlchars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const struct token_case *c = *state;
	struct buf a, b;

	buf_init(&a, BUF_SMALL);
	buf_init(&b, BUF_SMALL);
	assert_int_equal(token(&a, c->url, c->nbytes), 0);
	assert_int_equal(token(&b, c->url, c->nbytes), 0);
	assert_int_equal(a.len, c->want_len);
	assert_int_equal(strlen(buf_str(&a)), c->want_len);
	assert_true(all_in(buf_str(&a), c->url ? urlchars : hexdigits));
	assert_true(all_in(buf_str(&b), c->url ? urlchars : hexdigits));
	if (c->nbytes >= 16)
		assert_string_not_equal(buf_str(&a), buf_str(&b));
	buf_release(&a);
	buf_release(&b);
}

/* Tokens append to what the buffer holds. */
static void test_token_appends(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, BUF_SMALL);
	assert_int_equal(buf_puts(&out, "tok_"), 0);
	assert_int_equal(crypto_token_hex(&out, 4), 0);
	assert_int_equal(out.len, 12);
	assert_memory_equal(out.data, "tok_", 4);
	buf_release(&out);
}

/* A token over the buffer's maximum fails instead of being cut. */
static void test_token_over_max(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 31);
	assert_int_equal(crypto_token_hex(&out, 16), -1);
	assert_true(out.toobig);
	buf_release(&out);
}

static void test_random_fills(void **state)
{
	unsigned char a[32], b[32];

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	crypto_random(a, 0);
}

static struct below_case {
	const char *name;
	unsigned long bound;
	int draws;
	bool all_seen; /* every value in [0, bound) must turn up */
} below_cases[] = {
	{"bound 1 is always 0", 1, 200, true},
	{"bound 2", 2, 400, true},
	{"bound 7", 7, 2000, true},
	{"bound 1000", 1000, 2000, false},
	{"bound ULONG_MAX", ULONG_MAX, 2000, false},
	{"bound 2^63 + 1", (1UL << 63) + 1, 2000, false},
};

static void test_random_below(void **state)
{
	const struct below_case *c = *state;
	bool seen[8] = {false};
	unsigned long v;
	int i;

	for (i = 0; i < c->draws; i++) {
		v = crypto_random_below(c->bound);
		assert_true(v < c->bound);
		if (c->bound <= 8)
			seen[v] = true;
	}
	if (c->all_seen)
		for (v = 0; v < c->bound; v++)
			assert_true(seen[v]);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(hmac_vectors); i++)
		add_case(test_hmac_vector, &hmac_vectors[i], "HMAC %s",
			 hmac_vectors[i].name);
	add_case(test_hmac_shopify_webhook, NULL, "HMAC Shopify webhook");
	for (i = 0; i < COUNT(sha_vectors); i++)
		add_case(test_sha256_vector, &sha_vectors[i], "SHA-256 %s",
			 sha_vectors[i].name);
	for (i = 0; i < COUNT(equal_cases); i++)
		add_case(test_equal, &equal_cases[i], "crypto_equal %s",
			 equal_cases[i].name);
	for (i = 0; i < COUNT(token_cases); i++)
		add_case(test_token, &token_cases[i], "token %s",
			 token_cases[i].name);
	add_case(test_token_appends, NULL, "token appends");
	add_case(test_token_over_max, NULL, "token over max");
	add_case(test_random_fills, NULL, "random fills");
	for (i = 0; i < COUNT(below_cases); i++)
		add_case(test_random_below, &below_cases[i], "random_below %s",
			 below_cases[i].name);
	return _cmocka_run_group_tests("crypto", cases, ncases, NULL, NULL);
}
