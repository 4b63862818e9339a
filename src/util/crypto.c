#include "util/crypto.h"
#include "util/encode.h"
#include "util/xalloc.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * An HMAC-SHA256 context with its digest chosen, copied for every MAC.
 * OpenSSL 3 looks the algorithms up by name, under a lock, each time
 * HMAC() is called; every webhook and click computes one, from many
 * threads at once.
 */
static EVP_MAC_CTX *hmac_template;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_template_make(void)
{
	static char digest[] = "SHA256"; /* OpenSSL's API is not const */
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
				       OSSL_MAC_PARAM_DIGEST, digest, 0),
			       OSSL_PARAM_construct_end()};

	if (!mac)
		BUG("HMAC is not available from OpenSSL");
	hmac_template = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (!hmac_template || !EVP_MAC_CTX_set_params(hmac_template, params))
		BUG("HMAC-SHA256 context setup failed");
}

void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
			size_t msglen, unsigned char out[CRYPTO_SHA256_LEN])
{
	static const unsigned char empty;
	EVP_MAC_CTX *ctx;
	size_t n = 0;

	pthread_once(&hmac_once, hmac_template_make);
	ctx = EVP_MAC_CTX_dup(hmac_template);
	if (!ctx || !EVP_MAC_init(ctx, keylen ? key : &empty, keylen, NULL) ||
	    !EVP_MAC_update(ctx, msglen ? msg : &empty, msglen) ||
	    !EVP_MAC_final(ctx, out, &n, CRYPTO_SHA256_LEN) ||
	    n != CRYPTO_SHA256_LEN)
		BUG("HMAC-SHA256 failed");
	EVP_MAC_CTX_free(ctx);
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
