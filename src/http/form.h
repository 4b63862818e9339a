/*
 * application/x-www-form-urlencoded bodies (and query strings) decoded
 * into a bounded list of name/value pairs, then checked against a table
 * of field definitions, in the manner of kcgi's kvalid: each field names
 * its checker, its bounds and flags, and validation yields a typed value
 * or an error message next to the field.
 */
#ifndef AFFILIATED_FORM_H
#define AFFILIATED_FORM_H

#include "http/i18n.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	FORM_MAX_FIELDS = 64,	/* more pairs than this: the body is refused */
	FORM_MAX_NAME = 64,	/* bytes of a decoded name */
	FORM_MAX_VALUE = 16384, /* bytes of a decoded value */
};

struct form_pair {
	char *name;  /* decoded, owned */
	char *value; /* decoded, owned; "" for "name" or "name=" */
};

struct form {
	struct form_pair pairs[FORM_MAX_FIELDS];
	size_t n;
};

void form_init(struct form *f);
void form_release(struct form *f);
/*
 * Decodes len bytes of body ('+' is a space, %XX a byte). Refuses bad
 * percent-encoding, NUL bytes, empty names, names or values over their
 * limits and more than FORM_MAX_FIELDS pairs; err says which. On failure
 * f holds nothing.
 */
int form_parse(struct form *f, const char *body, size_t len, struct buf *err);
/* The first value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);
/* How many pairs are named name. */
size_t form_count(const struct form *f, const char *name);

enum form_flags {
	FORM_REQUIRED = 1 << 0, /* absent or blank is an error */
	FORM_MULTI = 1 << 1,	/* may repeat (checkboxes); else once only */
	FORM_RAW = 1 << 2,	/* keep surrounding spaces (passwords) */
};

struct form_def;

/*
 * A checker: MSG_NONE when text is acceptable, else the message to show.
 * It may set *num (numbers, basis points, minor units).
 */
typedef enum msg form_check(const struct form_def *def, const char *text,
			    int64_t *num);

struct form_def {
	const char *name;
	form_check *check; /* NULL: form_text */
	size_t max;	   /* longest text in bytes; 0: 200 */
	int64_t min, top;  /* bounds of numbers */
	int exponent;	   /* form_amount: the currency's minor unit */
	unsigned flags;	   /* enum form_flags */
};

struct form_value {
	const char *text; /* trimmed value, borrowed from the form; "" absent */
	int64_t num;
	bool present;
	enum msg error; /* MSG_NONE: valid */
	char error_arg[24];
};

/*
 * Checks every field of defs[0..n) and fills vals (same order). A field
 * that is absent and not required gets "" and no error. Returns the
 * number of fields in error.
 */
int form_validate(struct form *f, const struct form_def *defs, size_t n,
		  struct form_value *vals);

/* One line of text: valid UTF-8, no control characters. */
form_check form_text;
/* An address with one '@', a dot in the domain, no spaces. */
form_check form_email;
/* A whole number in [min, top]. */
form_check form_int;
/* A percentage ("10", "12.5") as basis points in [min, top]. */
form_check form_percent;
/* An amount ("5", "12.50") as minor units of def->exponent, in [min, top]. */
form_check form_amount;
/* An absolute http(s) URL without credentials or spaces. */
form_check form_url;

/* Whether text is valid UTF-8 without control characters (tab allowed
 * when multiline). */
bool text_is_clean(const char *text, bool multiline);

#endif
