/*
 * JSON input without floating point. json_parse() hands cJSON a copy of
 * the text in which every number token has been turned into a string
 * token, so 5678123456789012345 and 40.50 reach us as their exact text
 * and are converted with the bounded parsers (money_parse, parse_int).
 * The getters report the field path on error.
 */
#ifndef AFFILIATED_JSON_H
#define AFFILIATED_JSON_H

#include "util/buf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* NULL with err set ("not JSON at byte 17") on failure. */
cJSON *json_parse(const char *text, size_t len, struct buf *err);

/* The object member key, or NULL when absent or JSON null. */
const cJSON *json_get(const cJSON *obj, const char *key);
/*
 * A member that must be a string or number (numbers arrive as strings),
 * or absent/null (returns NULL). Any other type sets err and *bad.
 */
const char *json_text(const cJSON *obj, const char *key, bool *bad,
		      struct buf *err);
/* Whole number member (absent: *out = def). */
int json_int(const cJSON *obj, const char *key, int64_t def, int64_t *out,
	     struct buf *err);
/* Decimal money member, as minor units for exponent (absent: 0). */
int json_money(const cJSON *obj, const char *key, int exponent, int64_t *out,
	       struct buf *err);
/* true/false member (absent: def). */
int json_bool(const cJSON *obj, const char *key, bool def, bool *out,
	      struct buf *err);
/* An array member, or NULL when absent; err when of another type. */
const cJSON *json_array(const cJSON *obj, const char *key, bool *bad,
			struct buf *err);

/* Appends s as a JSON string literal, quotes included. */
int json_escape(struct buf *out, const char *s) WARN_UNUSED_RESULT;
/* Prints a tree built for output and frees the text into out. */
int json_print(struct buf *out, const cJSON *tree) WARN_UNUSED_RESULT;

/*
 * Adds a member holding an int64_t exactly: cJSON numbers are doubles,
 * so values beyond 2^53 would change. Output trees built with this are
 * printed by json_print(), which writes these as bare integers.
 */
void json_add_int(cJSON *obj, const char *key, int64_t v);
void json_add_str(cJSON *obj, const char *key, const char *v); /* NULL ok */

#endif
