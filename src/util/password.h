/*
 * Affiliate passwords: argon2id (libargon2) in the PHC string format,
 * with OWASP's parameters (19 MiB, 2 passes, 1 lane).
 */
#ifndef AFFILIATED_PASSWORD_H
#define AFFILIATED_PASSWORD_H

#include "util/buf.h"

#include <stdbool.h>

enum { PASSWORD_MIN = 10, PASSWORD_MAX = 256 };

/* Appends the encoded hash of password (fresh salt) to out. */
int password_hash(const char *password, struct buf *out, struct buf *err);
/* Whether password matches encoded; false for a malformed hash. */
bool password_verify(const char *encoded, const char *password);
/*
 * Spends the time of one verification, so that an unknown email answers
 * as slowly as a wrong password.
 */
void password_burn(const char *password);

#endif
