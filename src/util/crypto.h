/* HMAC-SHA256, SHA-256, constant-time comparison and OS randomness. */
#ifndef AFFILIATED_CRYPTO_H
#define AFFILIATED_CRYPTO_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum { CRYPTO_SHA256_LEN = 32 };

void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
			size_t msglen, unsigned char out[CRYPTO_SHA256_LEN]);
void crypto_sha256(const void *msg, size_t len,
		   unsigned char out[CRYPTO_SHA256_LEN]);

/* True when both byte strings are equal; time depends only on the lengths. */
bool crypto_equal(const void *a, size_t alen, const void *b, size_t blen);

/*
 * AES-128-CBC with PKCS#7 padding, for platforms that encrypt what they
 * pass us (Ecwid's app payload). Appends the plaintext to out; -1 when
 * the key does not open it or the padding is wrong.
 */
int crypto_aes128_cbc_decrypt(const unsigned char key[16],
			      const unsigned char iv[16], const void *in,
			      size_t len, struct buf *out);
/* The inverse, for tests and simulators. */
int crypto_aes128_cbc_encrypt(const unsigned char key[16],
			      const unsigned char iv[16], const void *in,
			      size_t len, struct buf *out);

/* Fills p with n bytes from the OS generator; aborts if it cannot. */
void crypto_random(void *p, size_t n);
/* Appends nbytes of randomness as lowercase hex (2 * nbytes characters). */
int crypto_token_hex(struct buf *out, size_t nbytes) WARN_UNUSED_RESULT;
/* Appends nbytes of randomness as base64url. */
int crypto_token_url(struct buf *out, size_t nbytes) WARN_UNUSED_RESULT;
/* A uniformly random integer in [0, bound). bound > 0. */
unsigned long crypto_random_below(unsigned long bound);

#endif
