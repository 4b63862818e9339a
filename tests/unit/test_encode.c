/*
 * encode.h: RFC 4648 section 10 vectors for base64, base64url and base16,
 * both directions, and one case per rejected input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/encode.h"
#include "cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int encode_fn(struct buf *out, const void *data, size_t len);
typedef int decode_fn(struct buf *out, const char *text, size_t len);

/* RFC 4648 section 10: the same seven inputs for every encoding. */
static struct vector {
	const char *plain;
	const char *b64;    /* base64, padded */
	const char *b64url; /* base64url as we emit it: no padding */
	const char *hex;    /* base16, lower case as we emit it */
	const char *hexuc;  /* base16 as RFC 4648 prints it */
} vectors[] = {
	{"", "", "", "", ""},
	{"f", "Zg==", "Zg", "66", "66"},
	{"fo", "Zm8=", "Zm8", "666f", "666F"},
	{"foo", "Zm9v", "Zm9v", "666f6f", "666F6F"},
	{"foob", "Zm9vYg==", "Zm9vYg", "666f6f62", "666F6F62"},
	{"fooba", "Zm9vYmE=", "Zm9vYmE", "666f6f6261", "666F6F6261"},
	{"foobar", "Zm9vYmFy", "Zm9vYmFy", "666f6f626172", "666F6F626172"},
};

static void check_encode(encode_fn *enc, const char *plain, const char *want)
{
	struct buf out;

	buf_init(&out, BUF_SMALL);
	assert_int_equal(enc(&out, plain, strlen(plain)), 0);
	assert_string_equal(buf_str(&out), want);
	assert_int_equal(out.len, strlen(want));
	buf_release(&out);
}

static void check_decode(decode_fn *dec, const char *text, const char *want)
{
	struct buf out;

	buf_init(&out, BUF_SMALL);
	assert_int_equal(dec(&out, text, strlen(text)), 0);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(buf_str(&out), want, out.len);
	buf_release(&out);
}

static void test_base64_vector(void **state)
{
	const struct vector *v = *state;

	check_encode(base64_encode, v->plain, v->b64);
	check_decode(base64_decode, v->b64, v->plain);
}

static void test_base64url_vector(void **state)
{
	const struct vector *v = *state;

	check_encode(base64url_encode, v->plain, v->b64url);
	check_decode(base64url_decode, v->b64url, v->plain);
	/* The padded form (same text for these, as no + or / occurs). */
	check_decode(base64url_decode, v->b64, v->plain);
}

static void test_hex_vector(void **state)
{
	const struct vector *v = *state;

	check_encode(hex_encode, v->plain, v->hex);
	check_decode(hex_decode, v->hex, v->plain);
	check_decode(hex_decode, v->hexuc, v->plain);
}

/* The two alphabets differ only in the last two symbols. */
static void test_alphabets_differ(void **state)
{
	static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
	struct buf out;

	(void)state;
	buf_init(&out, BUF_SMALL);
	assert_int_equal(base64_encode(&out, bytes, sizeof(bytes)), 0);
	assert_string_equal(buf_str(&out), "+/+/");
	buf_reset(&out);
	assert_int_equal(base64url_encode(&out, bytes, sizeof(bytes)), 0);
	assert_string_equal(buf_str(&out), "-_-_");
	buf_reset(&out);
	assert_int_equal(base64_decode(&out, "+/+/", 4), 0);
	assert_memory_equal(out.data, bytes, sizeof(bytes));
	buf_reset(&out);
	assert_int_equal(base64url_decode(&out, "-_-_", 4), 0);
	assert_memory_equal(out.data, bytes, sizeof(bytes));
	buf_release(&out);
}

/* Every byte value, at every length modulo 3, survives each encoding. */
static void test_all_bytes_round_trip(void **state)
{
	static const struct {
		encode_fn *enc;
		decode_fn *dec;
	} codecs[] = {
		{base64_encode, base64_decode},
		{base64url_encode, base64url_decode},
		{hex_encode, hex_decode},
	};
	unsigned char bytes[258];
	struct buf text, back;
	size_t i, c, len;

	(void)state;
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(255 - i % 256);
	buf_init(&text, BUF_SMALL);
	buf_init(&back, BUF_SMALL);
	for (c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
		for (len = 255; len <= 258; len++) {
			buf_reset(&text);
			buf_reset(&back);
			assert_int_equal(codecs[c].enc(&text, bytes, len), 0);
			assert_int_equal(
				codecs[c].dec(&back, text.data, text.len), 0);
			assert_int_equal(back.len, len);
			assert_memory_equal(back.data, bytes, len);
		}
	}
	buf_release(&text);
	buf_release(&back);
}

/* Decoding appends: existing contents stay in front. */
static void test_decode_appends(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, BUF_SMALL);
	assert_int_equal(buf_puts(&out, "x:"), 0);
	assert_int_equal(base64_decode(&out, "Zm9v", 4), 0);
	assert_int_equal(hex_decode(&out, "21", 2), 0);
	assert_string_equal(buf_str(&out), "x:foo!");
	buf_release(&out);
}

/* An encoding that would pass the buffer's maximum fails. */
static void test_encode_over_max(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 7);
	assert_int_equal(base64_encode(&out, "foobar", 6), -1);
	assert_true(out.toobig);
	buf_init(&out, 8);
	assert_int_equal(base64_encode(&out, "foobar", 6), 0);
	assert_string_equal(buf_str(&out), "Zm9vYmFy");
	buf_release(&out);
	buf_init(&out, 11);
	assert_int_equal(hex_encode(&out, "foobar", 6), -1);
	buf_release(&out);
}

static struct reject {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen(text) */
} base64_rejects[] = {
	{"bad character '!'", "Zm9v!A==", 0},
	{"bad character '-' (url alphabet)", "Zm9-", 0},
	{"bad character '_' (url alphabet)", "Zm9_", 0},
	{"bad character space", "Zm 9v", 0},
	{"bad character newline", "Zm9v\nZm9v", 0},
	{"embedded NUL", "Zg\0\0", 4},
	{"missing padding 'Zg'", "Zg", 0},
	{"short padding 'Zg='", "Zg=", 0},
	{"extra padding 'Zg==='", "Zg===", 0},
	{"three pads 'Z==='", "Z===", 0},
	{"padding in the middle", "Zg==Zg==", 0},
	{"padding first", "=Zm9", 0},
	{"padding after full group", "Zm9v=", 0},
	{"length 1 mod 4 'Zm9vY'", "Zm9vY", 0},
	{"length 1 'A'", "A", 0},
	{"only padding '=='", "==", 0},
	{"only padding '===='", "====", 0},
	{"trailing bits 'Zh=='", "Zh==", 0},
	{"trailing bits 'Zm9='", "Zm9=", 0},
	{"trailing bits 'Zm9vYh=='", "Zm9vYh==", 0},
};

static struct reject base64url_rejects[] = {
	{"bad character '+' (std alphabet)", "Zm9+", 0},
	{"bad character '/' (std alphabet)", "Zm9/", 0},
	{"bad character '.'", "Zm9.", 0},
	{"embedded NUL", "Zm\0v", 4},
	{"short padding 'Zg='", "Zg=", 0},
	{"extra padding 'Zg==='", "Zg===", 0},
	{"padding in the middle", "Zg==Zg", 0},
	{"padding after full group", "Zm9v=", 0},
	{"too much padding 'Zm9vY==='", "Zm9vY===", 0},
	{"length 1 mod 4 'Zm9vY'", "Zm9vY", 0},
	{"length 1 'A'", "A", 0},
	{"trailing bits 'Zh'", "Zh", 0},
	{"trailing bits 'Zh=='", "Zh==", 0},
	{"trailing bits 'Zm9'", "Zm9", 0},
	{"trailing bits 'Zm9='", "Zm9=", 0},
};

static struct reject hex_rejects[] = {
	{"odd length 1", "6", 0},     {"odd length 3", "666", 0},
	{"non-hex 'g'", "6g", 0},     {"non-hex 'zz'", "zz", 0},
	{"0x prefix", "0x66", 0},     {"leading space", " 66", 0},
	{"trailing space", "66 ", 0}, {"embedded NUL", "6\0", 2},
};

static void check_reject(decode_fn *dec, const struct reject *r)
{
	struct buf out;
	size_t len = r->len ? r->len : strlen(r->text);

	buf_init(&out, BUF_SMALL);
	assert_int_equal(dec(&out, r->text, len), -1);
	buf_release(&out);
}

static void test_base64_reject(void **state)
{
	check_reject(base64_decode, *state);
}

static void test_base64url_reject(void **state)
{
	check_reject(base64url_decode, *state);
}

static void test_hex_reject(void **state)
{
	check_reject(hex_decode, *state);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	for (i = 0; i < COUNT(vectors); i++)
		add_case(test_base64_vector, &vectors[i], "base64 \"%s\"",
			 vectors[i].plain);
	for (i = 0; i < COUNT(vectors); i++)
		add_case(test_base64url_vector, &vectors[i], "base64url \"%s\"",
			 vectors[i].plain);
	for (i = 0; i < COUNT(vectors); i++)
		add_case(test_hex_vector, &vectors[i], "hex \"%s\"",
			 vectors[i].plain);
	add_case(test_alphabets_differ, NULL, "alphabets differ");
	add_case(test_all_bytes_round_trip, NULL, "all bytes round trip");
	add_case(test_decode_appends, NULL, "decode appends");
	add_case(test_encode_over_max, NULL, "encode over max");
	for (i = 0; i < COUNT(base64_rejects); i++)
		add_case(test_base64_reject, &base64_rejects[i],
			 "base64 rejects %s", base64_rejects[i].what);
	for (i = 0; i < COUNT(base64url_rejects); i++)
		add_case(test_base64url_reject, &base64url_rejects[i],
			 "base64url rejects %s", base64url_rejects[i].what);
	for (i = 0; i < COUNT(hex_rejects); i++)
		add_case(test_hex_reject, &hex_rejects[i], "hex rejects %s",
			 hex_rejects[i].what);
	return _cmocka_run_group_tests("encode", cases, ncases, NULL, NULL);
}
