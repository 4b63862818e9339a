#include "crypto.h"
#include "encode.h"
#include "util/xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
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

static int aes_cbc(int enc, const unsigned char key[16],
		   const unsigned char iv[16], const void *in, size_t len,
		   struct buf *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned char *tmp = xmalloc(len + 32);
	int n1 = 0, n2 = 0, ok;

	if (!ctx)
		BUG("cipher context");
	ok = len <= INT32_MAX &&
	     EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv, enc) ==
		     1 &&
	     EVP_CipherUpdate(ctx, tmp, &n1, in, (int)len) == 1 &&
	     EVP_CipherFinal_ex(ctx, tmp + n1, &n2) == 1 &&
	     buf_append(out, tmp, (size_t)(n1 + n2)) == 0;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(tmp, len + 32);
	free(tmp);
	return ok ? 0 : -1;
}

int crypto_aes128_cbc_decrypt(const unsigned char key[16],
			      const unsigned char iv[16], const void *in,
			      size_t len, struct buf *out)
{
	return aes_cbc(0, key, iv, in, len, out);
}

int crypto_aes128_cbc_encrypt(const unsigned char key[16],
			      const unsigned char iv[16], const void *in,
			      size_t len, struct buf *out)
{
	return aes_cbc(1, key, iv, in, len, out);
}
