#include "http/form.h"
#include "util/money.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void form_init(struct form *f)
{
	f->n = 0;
}

void form_release(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->pairs[i].name);
		free(f->pairs[i].value);
	}
	f->n = 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into a new string; NULL on bad input. */
static char *decode(const char *s, size_t len, size_t max, const char **why)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len || (hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0) {
				*why = "bad percent-encoding";
				goto fail;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0') {
			*why = "NUL byte";
			goto fail;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	if (o > max) {
		*why = "too long";
		goto fail;
	}
	return out;
fail:
	free(out);
	return NULL;
}

static int parse_pair(struct form *f, const char *p, size_t len,
		      struct buf *err)
{
	const char *eq = memchr(p, '=', len), *why = "";
	size_t nlen = eq ? (size_t)(eq - p) : len;
	char *name, *value;

	if (nlen == 0)
		return errorf(err, "a field has no name");
	if (f->n == FORM_MAX_FIELDS)
		return errorf(err, "more than %d fields", FORM_MAX_FIELDS);
	name = decode(p, nlen, FORM_MAX_NAME, &why);
	if (!name)
		return errorf(err, "field name: %s", why);
	value = eq ? decode(eq + 1, len - nlen - 1, FORM_MAX_VALUE, &why)
		   : xstrdup("");
	if (!value) {
		errorf(err, "field '%s': %s", name, why);
		free(name);
		return -1;
	}
	f->pairs[f->n].name = name;
	f->pairs[f->n].value = value;
	f->n++;
	return 0;
}

int form_parse(struct form *f, const char *body, size_t len, struct buf *err)
{
	const char *p = body, *end = body + len, *amp;

	form_init(f);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		if (amp > p && parse_pair(f, p, (size_t)(amp - p), err) < 0) {
			form_release(f);
			return -1;
		}
		p = amp + 1;
	}
	return 0;
}

const char *form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

size_t form_count(const struct form *f, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += strcmp(f->pairs[i].name, name) == 0;
	return n;
}

/* Length of the UTF-8 sequence starting at s, or 0 when it is invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool text_is_clean(const char *text, bool multiline)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n;

	while (*s) {
		if (*s < 0x20 || *s == 0x7f) {
			if (!multiline ||
			    (*s != '\t' && *s != '\n' && *s != '\r'))
				return false;
		}
		n = utf8_len(s);
		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

enum msg form_text(const struct form_def *def, const char *text, int64_t *num)
{
	(void)def;
	(void)num;
	return text_is_clean(text, false) ? MSG_NONE : MSG_ERR_TEXT;
}

enum msg form_email(const struct form_def *def, const char *text, int64_t *num)
{
	const char *at = strchr(text, '@'), *dot;

	(void)def;
	(void)num;
	if (!text_is_clean(text, false) || !at || at == text ||
	    strchr(at + 1, '@') || strpbrk(text, " \t<>()[],;:\\\""))
		return MSG_ERR_EMAIL;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return MSG_ERR_EMAIL;
	return MSG_NONE;
}

enum msg form_int(const struct form_def *def, const char *text, int64_t *num)
{
	int64_t v;

	if (parse_int_str(text, INT64_MAX, &v) < 0 || v < def->min ||
	    v > def->top)
		return MSG_ERR_NUMBER;
	*num = v;
	return MSG_NONE;
}

enum msg form_percent(const struct form_def *def, const char *text,
		      int64_t *num)
{
	int64_t bps;

	if (percent_parse_bps(text, &bps, NULL) < 0 || bps < def->min ||
	    bps > def->top)
		return MSG_ERR_PERCENT;
	*num = bps;
	return MSG_NONE;
}

enum msg form_amount(const struct form_def *def, const char *text, int64_t *num)
{
	int64_t v;
	char copy[64];
	size_t i;

	/* People write 12,50 as often as 12.50. */
	if (strlen(text) >= sizeof(copy))
		return MSG_ERR_AMOUNT;
	snprintf(copy, sizeof(copy), "%s", text);
	for (i = 0; copy[i]; i++)
		if (copy[i] == ',')
			copy[i] = '.';
	if (money_parse(copy, def->exponent, &v, NULL) < 0 || v < def->min ||
	    v > def->top)
		return MSG_ERR_AMOUNT;
	*num = v;
	return MSG_NONE;
}

enum msg form_url(const struct form_def *def, const char *text, int64_t *num)
{
	const char *host;
	size_t hlen;

	(void)def;
	(void)num;
	if (str_has_prefix(text, "https://"))
		host = text + 8;
	else if (str_has_prefix(text, "http://"))
		host = text + 7;
	else
		return MSG_ERR_URL;
	hlen = strcspn(host, "/?#");
	if (hlen == 0 || memchr(host, '@', hlen) ||
	    strpbrk(text, " \"<>\\^`{|}") || !text_is_clean(text, false))
		return MSG_ERR_URL;
	return MSG_NONE;
}

/* Trims spaces in place (the pair's value is owned by the form). */
static char *trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

static char *find_value(struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

static void check_one(struct form *f, const struct form_def *d,
		      struct form_value *v)
{
	char *raw = find_value(f, d->name);
	size_t max = d->max ? d->max : 200;

	memset(v, 0, sizeof(*v));
	v->present = raw != NULL;
	v->text = raw ? (d->flags & FORM_RAW ? raw : trim(raw)) : "";
	if (!(d->flags & FORM_MULTI) && form_count(f, d->name) > 1) {
		v->error = MSG_ERR_TWICE;
	} else if (v->text[0] == '\0') {
		if (d->flags & FORM_REQUIRED)
			v->error = MSG_ERR_REQUIRED;
	} else if (strlen(v->text) > max) {
		v->error = MSG_ERR_TOO_LONG;
		snprintf(v->error_arg, sizeof(v->error_arg), "%zu", max);
	} else {
		v->error =
			(d->check ? d->check : form_text)(d, v->text, &v->num);
		if (v->error == MSG_ERR_NUMBER)
			snprintf(v->error_arg, sizeof(v->error_arg),
				 "%lld\u2013%lld", (long long)d->min,
				 (long long)d->top);
	}
}

int form_validate(struct form *f, const struct form_def *defs, size_t n,
		  struct form_value *vals)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < n; i++) {
		check_one(f, &defs[i], &vals[i]);
		errors += vals[i].error != MSG_NONE;
	}
	return errors;
}
