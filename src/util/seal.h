/*
 * Secrets at rest. The master key is read, used and zeroed only in seal.c:
 * no other file sees its bytes. Sealed text is "v1." followed by base64url
 * of nonce(12) || ciphertext || tag(16), AES-256-GCM. The context string
 * (e.g. "token:shopify:sally.myshopify.com") is authenticated, so a sealed
 * value copied to another row does not open there.
 */
#ifndef AFFILIATED_SEAL_H
#define AFFILIATED_SEAL_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum { SEAL_KEY_LEN = 32 };

/*
 * Loads the key file; when it is absent and create is true, makes one
 * (0600, 32 random bytes) first. Fails with a message naming the file.
 */
int seal_open(const char *key_file, bool create, struct buf *err);
/* Zeroes the key. */
void seal_close(void);
bool seal_ready(void);

int seal_encrypt(struct buf *out, const char *context, const void *plain,
		 size_t len, struct buf *err);
/* Appends the plaintext to out; fails on a wrong key, context or tamper. */
int seal_decrypt(struct buf *out, const char *context, const char *sealed,
		 struct buf *err);

/* A subkey for one purpose: HMAC-SHA256(master, "affiliated:" label). */
void seal_derive(const char *label, unsigned char out[SEAL_KEY_LEN]);

/*
 * A keyed, irreversible tag of personal data (an IP address) into out
 * (32 hex characters): equal inputs give equal tags, so clicks and orders
 * from one address can be matched without storing the address. "" for an
 * empty input.
 */
void seal_pseudonym(const char *value, char out[33]);

#endif
