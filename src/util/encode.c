#include "util/encode.h"

#include <stdbool.h>
#include <stdint.h>

static const char b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_encode(struct buf *out, const unsigned char *p, size_t len,
		      const char *alphabet, bool pad)
{
	char q[4];
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = alphabet[(v >> 6) & 63];
		q[3] = alphabet[v & 63];
		if (buf_append(out, q, 4) < 0)
			return -1;
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t n = 2;

		if (i + 1 < len) {
			v |= (uint32_t)p[i + 1] << 8;
			n = 3;
		}
		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = n == 3 ? alphabet[(v >> 6) & 63] : '=';
		q[3] = '=';
		if (buf_append(out, q, pad ? 4 : n) < 0)
			return -1;
	}
	return 0;
}

int base64_encode(struct buf *out, const void *data, size_t len)
{
	return b64_encode(out, data, len, b64_std, true);
}

int base64url_encode(struct buf *out, const void *data, size_t len)
{
	return b64_encode(out, data, len, b64_url, false);
}

static int b64_value(char c, const char *alphabet)
{
	int i;

	for (i = 0; i < 64; i++)
		if (alphabet[i] == c)
			return i;
	return -1;
}

/* Decodes one group of 2..4 symbols (n) into n-1 bytes. */
static int b64_group(struct buf *out, const char *s, size_t n,
		     const char *alphabet)
{
	uint32_t v = 0;
	unsigned char bytes[3];
	size_t i;

	for (i = 0; i < 4; i++) {
		int d = i < n ? b64_value(s[i], alphabet) : 0;

		if (d < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
	}
	bytes[0] = (unsigned char)(v >> 16);
	bytes[1] = (unsigned char)(v >> 8);
	bytes[2] = (unsigned char)v;
	/* Unused low bits must be zero: one encoding per byte string. */
	if ((n == 2 && (v & 0xffff)) || (n == 3 && (v & 0xff)))
		return -1;
	return buf_append(out, bytes, n - 1);
}

static int b64_decode(struct buf *out, const char *text, size_t len,
		      const char *alphabet, bool pad_required)
{
	size_t i, pad = 0;

	while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
		pad++;
	if (pad_required && len % 4 != 0)
		return -1;
	if (pad && len % 4 != 0)
		return -1;
	len -= pad;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i + 4 <= len; i += 4)
		if (b64_group(out, text + i, 4, alphabet) < 0)
			return -1;
	if (i < len && b64_group(out, text + i, len - i, alphabet) < 0)
		return -1;
	return 0;
}

int base64_decode(struct buf *out, const char *text, size_t len)
{
	return b64_decode(out, text, len, b64_std, true);
}

int base64url_decode(struct buf *out, const char *text, size_t len)
{
	return b64_decode(out, text, len, b64_url, false);
}

int hex_encode(struct buf *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		char pair[2] = {digits[p[i] >> 4], digits[p[i] & 15]};

		if (buf_append(out, pair, 2) < 0)
			return -1;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(struct buf *out, const char *text, size_t len)
{
	size_t i;

	if (len % 2)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
		unsigned char c;

		if (hi < 0 || lo < 0)
			return -1;
		c = (unsigned char)(hi << 4 | lo);
		if (buf_append(out, &c, 1) < 0)
			return -1;
	}
	return 0;
}
