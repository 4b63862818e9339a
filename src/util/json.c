#include "util/json.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prefix marking strings that json_add_int() made, stripped on output. */
#define INT_MARK "\x01int:"

static bool number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	       c == 'e' || c == 'E';
}

/* Where the string that starts after an opening quote ends (its quote). */
static size_t string_end(const char *in, size_t len, size_t i)
{
	for (; i < len; i++) {
		if (in[i] == '\\')
			i++;
		else if (in[i] == '"')
			return i;
	}
	return len;
}

/*
 * Copies text, quoting every bare number token outside strings. Runs of
 * other bytes are copied whole: this sits on every webhook's path.
 */
static int quote_numbers(const char *in, size_t len, struct buf *out)
{
	size_t i = 0, run = 0, j;

	while (i < len) {
		char c = in[i];

		if (c == '"') {
			i = string_end(in, len, i + 1) + 1;
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			i++;
			continue;
		}
		for (j = i; j < len && number_char(in[j]); j++)
			;
		if (buf_append(out, in + run, i - run) < 0 ||
		    buf_putc(out, '"') < 0 ||
		    buf_append(out, in + i, j - i) < 0 ||
		    buf_putc(out, '"') < 0)
			return -1;
		run = i = j;
	}
	if (i > len)
		i = len;
	return buf_append(out, in + run, i - run);
}

cJSON *json_parse(const char *text, size_t len, struct buf *err)
{
	struct buf quoted;
	const char *end = NULL;
	cJSON *tree;

	buf_init(&quoted, len * 2 + 64);
	if (len == 0) {
		errorf(err, "empty body, expected JSON");
		buf_release(&quoted);
		return NULL;
	}
	/* Quotes add a few hundred bytes to an order: room up front. */
	if (buf_reserve(&quoted, len + len / 8 + 64) < 0 ||
	    quote_numbers(text, len, &quoted) < 0) {
		errorf(err, "JSON too large");
		buf_release(&quoted);
		return NULL;
	}
	/* The length counts the NUL: cJSON wants it in range to require it. */
	tree = cJSON_ParseWithLengthOpts(quoted.data, quoted.len + 1, &end,
					 true);
	if (!tree)
		errorf(err, "not valid JSON (near byte %zu)",
		       end ? (size_t)(end - quoted.data) : (size_t)0);
	buf_release(&quoted);
	return tree;
}

const cJSON *json_get(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNull(v) ? NULL : v;
}

const char *json_text(const cJSON *obj, const char *key, bool *bad,
		      struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (!v)
		return NULL;
	if (cJSON_IsString(v))
		return v->valuestring;
	errorf(err, "field '%s' should be a string or a number", key);
	*bad = true;
	return NULL;
}

int json_int(const cJSON *obj, const char *key, int64_t def, int64_t *out,
	     struct buf *err)
{
	bool bad = false;
	const char *t = json_text(obj, key, &bad, err);

	if (bad)
		return -1;
	if (!t) {
		*out = def;
		return 0;
	}
	if (parse_int_str(t, INT64_MAX, out) < 0)
		return errorf(err, "field '%s': '%s' is not a whole number",
			      key, t);
	return 0;
}

int json_money(const cJSON *obj, const char *key, int exponent, int64_t *out,
	       struct buf *err)
{
	bool bad = false;
	const char *t = json_text(obj, key, &bad, err);

	if (bad)
		return -1;
	*out = 0;
	if (!t)
		return 0;
	if (money_parse(t, exponent, out, err) < 0)
		return error_prefix(err, "field '%s'", key);
	return 0;
}

int json_bool(const cJSON *obj, const char *key, bool def, bool *out,
	      struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsBool(v))
		return errorf(err, "field '%s' should be true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

const cJSON *json_array(const cJSON *obj, const char *key, bool *bad,
			struct buf *err)
{
	const cJSON *v = json_get(obj, key);

	if (v && !cJSON_IsArray(v)) {
		errorf(err, "field '%s' should be an array", key);
		*bad = true;
		return NULL;
	}
	return v;
}

int json_escape(struct buf *out, const char *s)
{
	cJSON *str = cJSON_CreateString(s);
	char *text = cJSON_PrintUnformatted(str);
	int rc = buf_puts(out, text);

	cJSON_free(text);
	cJSON_Delete(str);
	return rc;
}

void json_add_int(cJSON *obj, const char *key, int64_t v)
{
	char text[40];

	snprintf(text, sizeof(text), INT_MARK "%lld", (long long)v);
	cJSON_AddItemToObject(obj, key, cJSON_CreateString(text));
}

void json_add_str(cJSON *obj, const char *key, const char *v)
{
	if (v)
		cJSON_AddItemToObject(obj, key, cJSON_CreateString(v));
	else
		cJSON_AddItemToObject(obj, key, cJSON_CreateNull());
}

/*
 * cJSON prints the marked strings as "\u0001int:123"; strip the quotes
 * and the mark so they come out as bare integers.
 */
int json_print(struct buf *out, const cJSON *tree)
{
	static const char mark[] = "\"\\u0001int:";
	char *text = cJSON_PrintUnformatted(tree);
	const char *p = text, *hit;
	int rc = 0;

	while (rc == 0 && (hit = strstr(p, mark))) {
		const char *num = hit + sizeof(mark) - 1;
		size_t n = strcspn(num, "\"");

		rc = buf_append(out, p, (size_t)(hit - p)) < 0 ||
				     buf_append(out, num, n) < 0
			     ? -1
			     : 0;
		p = num + n + 1;
	}
	if (rc == 0)
		rc = buf_puts(out, p);
	cJSON_free(text);
	return rc;
}
