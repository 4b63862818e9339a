#include "crypto.h"
#include "encode.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
			size_t msglen, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int n = CRYPTO_SHA256_LEN;
	static const unsigned char empty;

	if (!HMAC(EVP_sha256(), keylen ? key : &empty, (int)keylen,
		  msglen ? msg : &empty, msglen, out, &n))
		BUG("HMAC-SHA256 failed");
}

void crypto_sha256(const void *msg, size_t len,
		   unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int n = CRYPTO_SHA256_LEN;

	if (!EVP_Digest(msg, len, out, &n, EVP_sha256(), NULL))
		BUG("SHA-256 failed");
}

bool crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return false;
	return alen == 0 || CRYPTO_memcmp(a, b, alen) == 0;
}

void crypto_random(void *p, size_t n)
{
	if (n && RAND_bytes(p, (int)n) != 1)
		BUG("the OS random generator failed");
}

int crypto_token_hex(struct buf *out, size_t nbytes)
{
	unsigned char raw[64];
	int rc;

	if (nbytes > sizeof(raw))
		BUG("token too long");
	crypto_random(raw, nbytes);
	rc = hex_encode(out, raw, nbytes);
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int crypto_token_url(struct buf *out, size_t nbytes)
{
	unsigned char raw[64];
	int rc;

	if (nbytes > sizeof(raw))
		BUG("token too long");
	crypto_random(raw, nbytes);
	rc = base64url_encode(out, raw, nbytes);
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

unsigned long crypto_random_below(unsigned long bound)
{
	unsigned long v,
		limit = (unsigned long)-1 - ((unsigned long)-1 % bound);

	do
		crypto_random(&v, sizeof(v));
	while (v >= limit);
	return v % bound;
}
