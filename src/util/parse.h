/*
 * Bounded parsers that advance a cursor. They replace atoi/strtol/sscanf:
 * each refuses overflow, reports what it consumed, and leaves *p untouched
 * on failure.
 */
#ifndef AFFILIATED_PARSE_H
#define AFFILIATED_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal digits into *out, at most max. Returns 0, or -1 (no digit/over). */
int parse_uint(const char **p, uint64_t max, uint64_t *out);
/* An optional '-' then digits; |value| bounded by max. */
int parse_int(const char **p, int64_t max, int64_t *out);
/* Consumes c when it is next. */
bool parse_char(const char **p, char c);

/* Whole-string helpers: the string must be exactly a number. */
int parse_uint_str(const char *s, uint64_t max, uint64_t *out);
int parse_int_str(const char *s, int64_t max, int64_t *out);

/* "2026-01-31T12:00:00Z" (also "+02:00" offsets, a space for T, or a plain
 * date) into seconds since the epoch, UTC. */
int parse_iso8601(const char *s, int64_t *out);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void format_iso8601(int64_t t, char out[21]);

/* ASCII case-insensitive equality. */
bool str_ieq(const char *a, const char *b);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);

#endif
