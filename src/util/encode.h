/* RFC 4648 encodings: base64, base64url (no padding) and lowercase hex. */
#ifndef AFFILIATED_ENCODE_H
#define AFFILIATED_ENCODE_H

#include "util/buf.h"

#include <stddef.h>

/* Appends the encoding of len bytes to out. */
int base64_encode(struct buf *out, const void *data,
		  size_t len) WARN_UNUSED_RESULT;
int base64url_encode(struct buf *out, const void *data,
		     size_t len) WARN_UNUSED_RESULT;
int hex_encode(struct buf *out, const void *data,
	       size_t len) WARN_UNUSED_RESULT;

/*
 * Decoders append the bytes to out and refuse any character outside the
 * alphabet, bad padding, or non-zero trailing bits. base64url accepts
 * input with or without padding; hex accepts either case.
 */
int base64_decode(struct buf *out, const char *text, size_t len);
int base64url_decode(struct buf *out, const char *text, size_t len);
int hex_decode(struct buf *out, const char *text, size_t len);

#endif
