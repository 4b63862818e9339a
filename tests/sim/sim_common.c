/* sim_common.c: shared plumbing for the platform simulators. */
#include "sim_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* Memory */

static void oom(void)
{
	fputs("sim: out of memory\n", stderr);
	abort();
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *sim_grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 8;
	size_t bytes;

	if (need <= *cap)
		return v;
	while (c < need)
		if (__builtin_mul_overflow(c, 2, &c))
			oom();
	if (__builtin_mul_overflow(c, size, &bytes))
		oom();
	*cap = c;
	return xrealloc(v, bytes);
}

/* Buffers and string lists */

static void buf_reserve(struct sim_buf *b, size_t extra)
{
	size_t need;

	if (__builtin_add_overflow(b->len, extra, &need) ||
	    __builtin_add_overflow(need, 1, &need))
		oom();
	b->data = sim_grow(b->data, &b->cap, need, 1);
}

static void sim_buf_add(struct sim_buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sim_buf_adds(struct sim_buf *b, const char *s)
{
	sim_buf_add(b, s, strlen(s));
}

void sim_buf_printf(struct sim_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *sim_buf_str(const struct sim_buf *b)
{
	return b->data ? b->data : "";
}

char *sim_buf_take(struct sim_buf *b)
{
	char *p = b->data ? b->data : xstrdup("");

	*b = (struct sim_buf){0};
	return p;
}

void sim_buf_release(struct sim_buf *b)
{
	free(b->data);
	*b = (struct sim_buf){0};
}

void sim_strv_push(struct sim_strv *sv, const char *s)
{
	sv->v = sim_grow(sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = xstrdup(s);
}

void sim_strv_release(struct sim_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct sim_strv){0};
}

/* Parsing */

int sim_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Reads exactly n digits at *p into *out and advances. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int parse_zone(const char *p, int *offset)
{
	int h, m = 0, sign;

	*offset = 0;
	while (*p == ' ')
		p++;
	if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &h) < 0)
		return -1;
	if (*p == ':')
		p++;
	if (*p && digits(&p, 2, &m) < 0)
		return -1;
	if (*p || h > 23 || m > 59)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

static int parse_clock(const char **pp, int *secs)
{
	const char *p = *pp;
	int h, mi, s = 0;

	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
		return -1;
	if (*p == ':' && (p++, digits(&p, 2, &s) < 0))
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (h > 23 || mi > 59 || s > 60)
		return -1;
	*secs = h * 3600 + mi * 60 + s;
	*pp = p;
	return 0;
}

int sim_parse_time(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, secs = 0, offset = 0;

	if (!s || digits(&p, 4, &y) < 0 || *p++ != '-' ||
	    digits(&p, 2, &mo) < 0 || *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if ((*p == 'T' || *p == 't' || *p == ' ') && p[1] >= '0' &&
	    p[1] <= '9') {
		p++;
		if (parse_clock(&p, &secs) < 0)
			return -1;
	}
	if (parse_zone(p, &offset) < 0)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + secs - offset;
	return 0;
}

void sim_format_time(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

bool sim_is_positive_decimal(const char *s)
{
	bool nonzero = false, dot = false;
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++) {
		if (*s == '.' && !dot && n > 0) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return false;
		nonzero |= *s != '0';
	}
	return nonzero && s[-1] != '.';
}

bool sim_eq_nocase(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int sim_id_cmp(const char *a, const char *b)
{
	if (all_digits(a) && all_digits(b)) {
		while (*a == '0' && a[1])
			a++;
		while (*b == '0' && b[1])
			b++;
		size_t la = strlen(a), lb = strlen(b);

		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

/* Crypto and encodings */

void sim_hmac_sha256(const char *key, const void *msg, size_t len,
		     unsigned char out[32])
{
	unsigned int olen = 32;

	if (!HMAC(EVP_sha256(), key, (int)strlen(key), msg, len, out, &olen)) {
		fputs("sim: HMAC failed\n", stderr);
		abort();
	}
}

void sim_base64(struct sim_buf *out, const unsigned char *p, size_t n)
{
	size_t olen = 4 * ((n + 2) / 3);

	buf_reserve(out, olen);
	EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)n);
	out->len += olen;
	out->data[out->len] = '\0';
}

static int b64val(char c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int sim_unbase64(const char *s, struct sim_buf *out)
{
	size_t n = strlen(s), pad = 0;

	if (n == 0 || n % 4)
		return -1;
	pad = (s[n - 1] == '=') + (n > 1 && s[n - 2] == '=');
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		unsigned char b[3];
		size_t keep = i + 4 == n ? 3 - pad : 3;

		for (size_t k = 0; k < 4; k++) {
			bool padded = i + 4 == n && k >= 4 - pad;

			v[k] = padded ? 0 : b64val(s[i + k]);
			if (v[k] < 0)
				return -1;
		}
		b[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		b[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		b[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		sim_buf_add(out, b, keep);
	}
	sim_buf_add(out, "", 0);
	return 0;
}

void sim_hex(struct sim_buf *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	buf_reserve(out, 2 * n);
	for (size_t i = 0; i < n; i++) {
		out->data[out->len++] = hex[p[i] >> 4];
		out->data[out->len++] = hex[p[i] & 15];
	}
	out->data[out->len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sim_unhex(const char *s, struct sim_buf *out)
{
	size_t n = strlen(s);

	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		char c;

		if (hi < 0 || lo < 0)
			return -1;
		c = (char)(hi << 4 | lo);
		sim_buf_add(out, &c, 1);
	}
	return 0;
}

static void random_bytes(unsigned char *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1) {
		fputs("sim: RAND_bytes failed\n", stderr);
		abort();
	}
}

void sim_random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	struct sim_buf b = {0};

	if (nbytes > sizeof(raw))
		abort();
	random_bytes(raw, nbytes);
	sim_hex(&b, raw, nbytes);
	memcpy(out, b.data, 2 * nbytes + 1);
	sim_buf_release(&b);
}

void sim_uuid(char out[37])
{
	unsigned char r[16];

	random_bytes(r, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
		 r[10], r[11], r[12], r[13], r[14], r[15]);
}

void sim_url_encode(struct sim_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '*' || c == '-' ||
		    c == '.' || c == '_')
			sim_buf_add(out, s, 1);
		else
			sim_buf_printf(out, "%%%02X", c);
	}
}

static char *form_decode(const char *s, size_t n)
{
	struct sim_buf b = {0};

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			 hexval(s[i + 2]) >= 0) {
			c = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		}
		sim_buf_add(&b, &c, 1);
	}
	return sim_buf_take(&b);
}

/* Decodes an application/x-www-form-urlencoded string into an object of
 * strings (the last of repeated keys wins). Caller owns the result. */
static cJSON *sim_form_parse(const char *s, size_t len)
{
	cJSON *obj = cJSON_CreateObject();
	const char *end = s + len;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(pe - s));
		const char *ke = eq ? eq : pe;
		char *k = form_decode(s, (size_t)(ke - s));
		char *v = eq ? form_decode(eq + 1, (size_t)(pe - eq - 1))
			     : xstrdup("");

		if (*k) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
			cJSON_AddStringToObject(obj, k, v);
		}
		free(k);
		free(v);
		s = amp ? amp + 1 : end;
	}
	return obj;
}

cJSON *sim_jobj(const char *key, ...)
{
	cJSON *obj = cJSON_CreateObject();
	va_list ap;

	va_start(ap, key);
	for (; key; key = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);

		cJSON_AddItemToObject(obj, key,
				      v ? cJSON_CreateString(v)
					: cJSON_CreateNull());
	}
	va_end(ap);
	return obj;
}

static bool jmatch(const cJSON *o, bool nocase, const char *k, const char *v)
{
	const char *s = sim_jstr(o, k);

	return s && v && (nocase ? strcasecmp(s, v) : strcmp(s, v)) == 0;
}

cJSON *sim_jfind(const cJSON *arr, bool nocase, const char *k1, const char *v1,
		 const char *k2, const char *v2)
{
	cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (jmatch(it, nocase, k1, v1) &&
		    (!k2 || jmatch(it, nocase, k2, v2)))
			return it;
	}
	return NULL;
}

cJSON *sim_db_new(cJSON *tokens, const char *const *tables)
{
	cJSON *db = cJSON_CreateObject();

	cJSON_AddItemToObject(db, "tokens",
			      tokens ? tokens : cJSON_CreateArray());
	for (size_t i = 0; tables[i]; i++)
		cJSON_AddArrayToObject(db, tables[i]);
	return db;
}

void sim_jinc(cJSON *obj, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(n))
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(obj, key, 1);
}

const char *sim_jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

bool sim_jtrue(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* Raw JSON scanning */

static const char *json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p is at an opening quote; returns just past the closing one. */
static const char *json_skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Returns the end of the value that starts at p (after blanks), or NULL. */
static const char *sim_json_skip(const char *p, const char *end)
{
	int depth = 0;

	p = json_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[' && *p != '"') {
		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = json_skip_string(p, end);
			if (!p || depth == 0)
				return p;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/* Finds member key of the object text obj: 0 with val and vlen set. */
static int sim_json_member(const char *obj, size_t len, const char *key,
			   const char **val, size_t *vlen)
{
	const char *end = obj + len, *p = json_ws(obj, end);
	size_t klen = strlen(key);

	if (p >= end || *p != '{')
		return -1;
	for (p = json_ws(p + 1, end); p < end && *p == '"';) {
		const char *kend = json_skip_string(p, end), *v, *vend;
		bool match;

		if (!kend)
			return -1;
		match = (size_t)(kend - p) == klen + 2 &&
			memcmp(p + 1, key, klen) == 0;
		p = json_ws(kend, end);
		if (p >= end || *p != ':')
			return -1;
		v = json_ws(p + 1, end);
		vend = sim_json_skip(v, end);
		if (!vend)
			return -1;
		if (match) {
			*val = v;
			*vlen = (size_t)(vend - v);
			return 0;
		}
		p = json_ws(vend, end);
		if (p < end && *p == ',')
			p = json_ws(p + 1, end);
	}
	return -1;
}

/* A scalar's text (string contents without quotes, or the number or
 * boolean as written); NULL for null, objects and arrays. Caller frees. */
static char *sim_json_scalar(const char *val, size_t vlen)
{
	if (vlen == 0 || *val == '{' || *val == '[' ||
	    (vlen == 4 && memcmp(val, "null", 4) == 0))
		return NULL;
	if (*val == '"')
		return vlen >= 2 ? xstrndup(val + 1, vlen - 2) : NULL;
	return xstrndup(val, vlen);
}

char *sim_json_member_scalar(const char *obj, const char *key)
{
	const char *v;
	size_t n;

	if (sim_json_member(obj, strlen(obj), key, &v, &n) < 0)
		return NULL;
	return sim_json_scalar(v, n);
}

char *sim_json_quote_numbers(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len;
	struct sim_buf b = {0};

	while (p < end) {
		const char *q;

		if (*p == '"') {
			q = json_skip_string(p, end);
			q = q ? q : end;
			sim_buf_add(&b, p, (size_t)(q - p));
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			q = p + strspn(p, "-+.eE0123456789");
			q = q > end ? end : q;
			sim_buf_add(&b, "\"", 1);
			sim_buf_add(&b, p, (size_t)(q - p));
			sim_buf_add(&b, "\"", 1);
		} else {
			q = p + 1;
			sim_buf_add(&b, p, 1);
		}
		p = q;
	}
	sim_buf_add(&b, "", 0);
	return sim_buf_take(&b);
}

/* Command line */

static const struct sim_opt *opt_find(const struct sim_opt *opts,
				      const char *arg, size_t n)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == n && strncmp(opts->name, arg, n) == 0)
			return opts;
	return NULL;
}

static int opt_store(const struct sim_opt *o, const char *val)
{
	switch (o->kind) {
	case SIM_OPT_STR:
		*(const char **)o->dst = val;
		return 0;
	case SIM_OPT_UINT:
		if (sim_parse_uint(val, o->max, o->dst) == 0)
			return 0;
		fprintf(stderr,
			"sim: option '%s': '%s' is not a number "
			"from 0 to %llu\n",
			o->name, val, (unsigned long long)o->max);
		return -1;
	case SIM_OPT_LIST:
		sim_strv_push(o->dst, val);
		return 0;
	case SIM_OPT_FLAG:
		break;
	}
	return -1;
}

int sim_opts_parse(const struct sim_opt *opts, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct sim_opt *o = opt_find(opts, arg, n);

		if (!o) {
			fprintf(stderr, "sim: unknown option '%s'\n", arg);
			return -1;
		}
		if (o->kind == SIM_OPT_FLAG && !eq) {
			*(bool *)o->dst = true;
			continue;
		}
		if (o->kind == SIM_OPT_FLAG || (!eq && i + 1 >= argc)) {
			fprintf(stderr, "sim: option '%s' %s\n", o->name,
				eq ? "takes no value" : "needs a value");
			return -1;
		}
		if (opt_store(o, eq ? eq + 1 : argv[++i]) < 0)
			return -1;
	}
	return 0;
}

static void print_usage(FILE *f, const char *prog, const struct sim_cmd *cmds)
{
	for (; cmds->name; cmds++)
		fprintf(f, "usage: %s %s %s\n", prog, cmds->name, cmds->usage);
}

int sim_dispatch(const char *prog, const struct sim_cmd *cmds, int argc,
		 char **argv)
{
	if (argc < 2) {
		print_usage(stderr, prog, cmds);
		return 2;
	}
	for (const struct sim_cmd *c = cmds; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 2, argv + 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		print_usage(stdout, prog, cmds);
		return 0;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return 2;
}

/* Requests and responses */

const char *sim_req_header(const struct sim_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sim_req_arg(const struct sim_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	cJSON *obj = cls;

	(void)kind;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value ? value : "");
	return MHD_YES;
}

cJSON *sim_req_args(const struct sim_req *req)
{
	cJSON *obj = cJSON_CreateObject();

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_arg,
				  obj);
	return obj;
}

cJSON *sim_req_json(const struct sim_req *req)
{
	cJSON *j =
		cJSON_ParseWithLength(sim_buf_str(&req->body), req->body.len);

	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Tells JSON from a form body by the type, else by the first byte. */
static bool body_is_json(const struct sim_req *req)
{
	const char *ct = sim_req_header(req, "Content-Type");
	const char *p = sim_buf_str(&req->body);

	if (ct)
		return strncasecmp(ct, "application/json", 16) == 0;
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return *p == '{';
}

cJSON *sim_req_params(const struct sim_req *req)
{
	cJSON *args = sim_req_args(req), *body, *it;

	if (req->body.len == 0)
		return args;
	body = body_is_json(req)
		       ? sim_req_json(req)
		       : sim_form_parse(req->body.data, req->body.len);
	if (!body) {
		cJSON_Delete(args);
		return NULL;
	}
	while ((it = body->child)) {
		cJSON_DetachItemViaPointer(body, it);
		cJSON_DeleteItemFromObjectCaseSensitive(args, it->string);
		cJSON_AddItemToObject(args, it->string, it);
	}
	cJSON_Delete(body);
	return args;
}

void sim_resp_json(struct sim_resp *resp, unsigned status, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	if (!s)
		oom();
	sim_resp_text(resp, status, "application/json; charset=utf-8", s);
	cJSON_free(s);
	cJSON_Delete(j);
}

void sim_resp_text(struct sim_resp *resp, unsigned status, const char *ctype,
		   const char *text)
{
	resp->status = status;
	resp->content_type = ctype;
	resp->body.len = 0;
	sim_buf_adds(&resp->body, text);
}

void sim_resp_error(struct sim_resp *resp, unsigned status, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", msg);
	sim_resp_json(resp, status, j);
}

void sim_resp_header(struct sim_resp *resp, const char *name, const char *value)
{
	resp->headers = sim_grow(resp->headers, &resp->cap_headers,
				 resp->n_headers + 1, sizeof(*resp->headers));
	resp->headers[resp->n_headers].name = xstrdup(name);
	resp->headers[resp->n_headers].value = xstrdup(value);
	resp->n_headers++;
}

static void resp_release(struct sim_resp *resp)
{
	for (size_t i = 0; i < resp->n_headers; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	sim_buf_release(&resp->body);
}

/* The HTTP server */

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

void sim_sleep_ms(uint64_t ms)
{
	struct timespec until;

	if (ms == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&stop_lock);
	while (!stopping &&
	       pthread_cond_timedwait(&stop_cond, &stop_lock, &until) == 0)
		;
	pthread_mutex_unlock(&stop_lock);
}

/* Monotonic seconds. */
static double sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result queue(struct sim_req *req, struct sim_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	sim_buf_add(&resp->body, "", 0);
	r = MHD_create_response_from_buffer(resp->body.len, resp->body.data,
					    MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (resp->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					resp->content_type);
	for (size_t i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(r, resp->headers[i].name,
					resp->headers[i].value);
	ret = MHD_queue_response(req->conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond(struct sim_server *srv, struct sim_req *req)
{
	struct sim_resp resp = {.status = 500};
	enum MHD_Result ret;

	if (req->too_big)
		sim_resp_error(&resp, 413, "request body too large");
	else
		srv->handle(srv->ctx, req, &resp);
	/* MHD_NO makes MHD close the socket without writing anything: the
	 * "platform did it, the client never heard" case. */
	ret = resp.drop ? MHD_NO : queue(req, &resp);
	resp_release(&resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct sim_req *req = *con_cls;

	(void)version;
	if (!req) {
		req = xcalloc(1, sizeof(*req));
		req->conn = conn;
		req->method = xstrdup(method);
		req->path = xstrdup(url);
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size) {
		if (req->body.len + *upload_size > SIM_MAX_BODY)
			req->too_big = true;
		else
			sim_buf_add(&req->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return respond(cls, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct sim_req *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!req)
		return;
	free(req->method);
	free(req->path);
	sim_buf_release(&req->body);
	free(req);
	*con_cls = NULL;
}

/* MHD's error log, minus the line it writes for every connection a fault
 * drops on purpose. */
__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strncmp(msg, "Application reported internal error", 35) != 0)
		fprintf(stderr, "sim: mhd: %s", msg);
}

/* Binds and listens here rather than in MHD, so the port is known before
 * any MHD thread exists (handlers read it to build absolute URLs). */
static int listen_loopback(unsigned port, unsigned *bound)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

static int start_daemon(struct sim_server *srv, unsigned port)
{
	int fd = listen_loopback(port, &srv->port);

	if (fd < 0)
		return -1;
	/* MHD closes the listening socket when it stops. */
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD |
			MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
		mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_END);
	if (!srv->daemon) {
		close(fd);
		return -1;
	}
	return 0;
}

int sim_serve(struct sim_server *srv, unsigned port)
{
	sigset_t set;
	int sig = 0;

	/* Blocked before MHD starts its threads, so only sigwait() below
	 * ever sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (start_daemon(srv, port) < 0) {
		fprintf(stderr, "sim: cannot listen on 127.0.0.1:%u\n", port);
		return -1;
	}
	printf("listening port=%u\n", srv->port);
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	pthread_mutex_lock(&stop_lock);
	stopping = true;
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
	MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	return 0;
}

/* Faults */

static const struct {
	const char *name;
	size_t off;
} fault_keys[] = {
	{"fail_500_every", offsetof(struct sim_faults, fail_500_every)},
	{"throttle_every", offsetof(struct sim_faults, throttle_every)},
	{"delay_ms", offsetof(struct sim_faults, delay_ms)},
	{"commit_then_drop_every",
	 offsetof(struct sim_faults, commit_then_drop_every)},
	{"commit_then_delay_ms",
	 offsetof(struct sim_faults, commit_then_delay_ms)},
	{"drop_every", offsetof(struct sim_faults, drop_every)},
	{"throttle_percent", offsetof(struct sim_faults, throttle_percent)},
	{"fail_500_percent", offsetof(struct sim_faults, fail_500_percent)},
};

#define N_FAULT_KEYS (sizeof(fault_keys) / sizeof(fault_keys[0]))

static int fault_key_set(struct sim_faults *f, const cJSON *it,
			 struct sim_buf *err)
{
	for (size_t i = 0; i < N_FAULT_KEYS; i++) {
		uint64_t *dst;

		if (strcmp(it->string, fault_keys[i].name) != 0)
			continue;
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
		    it->valuedouble > 1e9 ||
		    it->valuedouble != (double)(uint64_t)it->valuedouble) {
			sim_buf_printf(err, "'%s' must be a whole number >= 0",
				       it->string);
			return -1;
		}
		dst = (uint64_t *)(void *)((char *)f + fault_keys[i].off);
		*dst = (uint64_t)it->valuedouble;
		return 0;
	}
	sim_buf_printf(err, "unknown fault '%s'", it->string);
	return -1;
}

/* Replaces the settings with the JSON object j ({} clears) and restarts
 * the every-Nth counting; on a bad key or value, -1 with err set. */
static int sim_faults_set(struct sim_faults *f, const cJSON *j,
			  struct sim_buf *err)
{
	struct sim_faults n = *f;
	const cJSON *it;

	if (!cJSON_IsObject(j)) {
		sim_buf_adds(err, "faults must be a JSON object");
		return -1;
	}
	for (size_t i = 0; i < N_FAULT_KEYS; i++)
		*(uint64_t *)(void *)((char *)&n + fault_keys[i].off) = 0;
	n.fail_401 = false;
	cJSON_ArrayForEach(it, j)
	{
		if (strcmp(it->string, "fail_401") == 0) {
			if (!cJSON_IsBool(it)) {
				sim_buf_adds(err,
					     "'fail_401' must be a boolean");
				return -1;
			}
			n.fail_401 = cJSON_IsTrue(it);
		} else if (fault_key_set(&n, it, err) < 0) {
			return -1;
		}
	}
	if (n.throttle_percent > 100 || n.fail_500_percent > 100 ||
	    n.throttle_percent + n.fail_500_percent > 100) {
		sim_buf_adds(err, "the percentages must add up to at most 100");
		return -1;
	}
	n.calls = n.mutations = 0;
	if (!n.rng)
		n.rng = 0x9e3779b97f4a7c15ull;
	*f = n;
	return 0;
}

/* 0..99, from the faults' own generator (callers hold the lock). */
static uint64_t percent_roll(struct sim_faults *f)
{
	uint64_t x = f->rng ? f->rng : 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	f->rng = x;
	return x % 100;
}

static bool every(uint64_t n, uint64_t count)
{
	return n && count % n == 0;
}

/* Counts one API call and says which fault (if any) hits it; *delay_ms
 * is how long to sleep (outside the lock) before answering. */
static enum sim_fault sim_faults_on_call(struct sim_faults *f,
					 uint64_t *delay_ms)
{
	uint64_t n = ++f->calls;

	*delay_ms = f->delay_ms;
	f->n_delay += f->delay_ms > 0;
	if (every(f->drop_every, n)) {
		f->n_drop++;
		return SIM_FAULT_DROP;
	}
	if (every(f->fail_500_every, n)) {
		f->n_fail_500++;
		return SIM_FAULT_500;
	}
	if (every(f->throttle_every, n)) {
		f->n_throttle++;
		return SIM_FAULT_THROTTLE;
	}
	if (f->throttle_percent || f->fail_500_percent) {
		uint64_t roll = percent_roll(f);

		if (roll < f->throttle_percent) {
			f->n_throttle++;
			return roll % 2 ? SIM_FAULT_429 : SIM_FAULT_THROTTLE;
		}
		if (roll < f->throttle_percent + f->fail_500_percent) {
			f->n_fail_500++;
			return SIM_FAULT_500;
		}
	}
	if (f->fail_401) {
		f->n_fail_401++;
		return SIM_FAULT_401;
	}
	return SIM_FAULT_NONE;
}

/* Counts one mutating call; true when it must commit then drop, after
 * sleeping *delay_ms. */
static bool sim_faults_on_mutation(struct sim_faults *f, uint64_t *delay_ms)
{
	*delay_ms = 0;
	if (!every(f->commit_then_drop_every, ++f->mutations))
		return false;
	f->n_commit_drop++;
	*delay_ms = f->commit_then_delay_ms;
	return true;
}

cJSON *sim_faults_json(const struct sim_faults *f)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *set = cJSON_AddObjectToObject(j, "settings");
	cJSON *applied = cJSON_AddObjectToObject(j, "applied");

	for (size_t i = 0; i < N_FAULT_KEYS; i++)
		cJSON_AddNumberToObject(
			set, fault_keys[i].name,
			(double)*(const uint64_t
					  *)(const void *)((const char *)f +
							   fault_keys[i].off));
	cJSON_AddBoolToObject(set, "fail_401", f->fail_401);
	cJSON_AddNumberToObject(j, "calls_since_set", (double)f->calls);
	cJSON_AddNumberToObject(j, "mutations_since_set", (double)f->mutations);
	cJSON_AddNumberToObject(applied, "fail_500", (double)f->n_fail_500);
	cJSON_AddNumberToObject(applied, "throttle", (double)f->n_throttle);
	cJSON_AddNumberToObject(applied, "delay", (double)f->n_delay);
	cJSON_AddNumberToObject(applied, "commit_then_drop",
				(double)f->n_commit_drop);
	cJSON_AddNumberToObject(applied, "drop", (double)f->n_drop);
	cJSON_AddNumberToObject(applied, "fail_401", (double)f->n_fail_401);
	return j;
}

/* Leaky buckets */

double sim_bucket_level(struct sim_bucket *b)
{
	double now = sim_now();

	b->level -= (now - b->last) * b->rate;
	if (b->level < 0)
		b->level = 0;
	b->last = now;
	return b->level;
}

bool sim_bucket_take(struct sim_bucket *b, double cost)
{
	if (sim_bucket_level(b) + cost > b->max)
		return false;
	b->level += cost;
	return true;
}

double sim_bucket_wait(struct sim_bucket *b, double cost)
{
	double over = sim_bucket_level(b) + cost - b->max;

	return over <= 0 || b->rate <= 0 ? 0 : over / b->rate;
}

struct sim_bucket *sim_buckets_get(struct sim_buckets *bs, const char *key)
{
	size_t kcap = bs->cap; /* both arrays grow in step */

	for (size_t i = 0; i < bs->n; i++)
		if (strcmp(bs->keys[i], key) == 0)
			return &bs->v[i];
	bs->keys = sim_grow(bs->keys, &kcap, bs->n + 1, sizeof(*bs->keys));
	bs->v = sim_grow(bs->v, &bs->cap, bs->n + 1, sizeof(*bs->v));
	bs->keys[bs->n] = xstrdup(key);
	bs->v[bs->n] = (struct sim_bucket){
		.max = bs->max, .rate = bs->rate, .last = sim_now()};
	return &bs->v[bs->n++];
}

void sim_buckets_clear(struct sim_buckets *bs)
{
	for (size_t i = 0; i < bs->n; i++)
		free(bs->keys[i]);
	free(bs->keys);
	free(bs->v);
	bs->keys = NULL;
	bs->v = NULL;
	bs->n = bs->cap = 0;
}

cJSON *sim_counter_json(const struct sim_counter *c)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "calls", (double)c->calls);
	cJSON_AddNumberToObject(j, "ok", (double)c->ok);
	cJSON_AddNumberToObject(j, "rejected", (double)c->rejected);
	cJSON_AddNumberToObject(j, "rate_limited", (double)c->limited);
	cJSON_AddNumberToObject(j, "faulted", (double)c->faulted);
	return j;
}

/* Orders */

void sim_orders_put(struct sim_orders *os, char *id, char *alt_id,
		    int64_t updated, unsigned flags, const char *raw,
		    size_t len)
{
	struct sim_order *o = NULL;

	for (size_t i = 0; i < os->n && !o; i++)
		if (strcmp(os->v[i].id, id) == 0)
			o = &os->v[i];
	if (o) {
		free(o->id);
		free(o->alt_id);
		free(o->raw);
	} else {
		os->v = sim_grow(os->v, &os->cap, os->n + 1, sizeof(*os->v));
		o = &os->v[os->n++];
	}
	*o = (struct sim_order){.id = id,
				.alt_id = alt_id,
				.updated = updated,
				.flags = flags,
				.raw = xstrndup(raw, len)};
}

const struct sim_order *sim_orders_find(const struct sim_orders *os,
					const char *id)
{
	for (size_t i = 0; i < os->n; i++)
		if (strcmp(os->v[i].id, id) == 0 ||
		    (os->v[i].alt_id && strcmp(os->v[i].alt_id, id) == 0))
			return &os->v[i];
	return NULL;
}

static int order_cmp(const void *a, const void *b)
{
	const struct sim_order *x = a, *y = b;

	if (x->updated != y->updated)
		return x->updated < y->updated ? -1 : 1;
	return sim_id_cmp(x->id, y->id);
}

void sim_orders_sort(struct sim_orders *os)
{
	if (os->n > 1)
		qsort(os->v, os->n, sizeof(*os->v), order_cmp);
}

void sim_orders_clear(struct sim_orders *os)
{
	for (size_t i = 0; i < os->n; i++) {
		free(os->v[i].id);
		free(os->v[i].alt_id);
		free(os->v[i].raw);
	}
	free(os->v);
	*os = (struct sim_orders){0};
}

cJSON *sim_orders_json(const struct sim_orders *os)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < os->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateRaw(os->v[i].raw));
	return a;
}

/* Walks the elements of the array text arr, each of which must be an
 * object. */
static int split_array(const char *arr, size_t len,
		       int (*each)(void *, const char *, size_t,
				   struct sim_buf *),
		       void *ctx, struct sim_buf *err)
{
	const char *end = arr + len, *p = json_ws(arr, end);

	for (p = json_ws(p + 1, end); p < end && *p != ']';) {
		const char *e = sim_json_skip(p, end);

		if (!e || *p != '{') {
			sim_buf_adds(err, "every order must be a JSON object");
			return -1;
		}
		if (each(ctx, p, (size_t)(e - p), err) < 0)
			return -1;
		p = json_ws(e, end);
		if (p < end && *p == ',')
			p = json_ws(p + 1, end);
	}
	return 0;
}

/* Calls each() with the raw text of every order in a /_sim/orders body:
 * one object, an array, or {"orders":[...]}; -1 with err set on bad
 * input or when each() fails. */
static int sim_orders_split(const char *body, size_t len,
			    int (*each)(void *ctx, const char *raw, size_t n,
					struct sim_buf *err),
			    void *ctx, struct sim_buf *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *list =
		cJSON_IsObject(root)
			? cJSON_GetObjectItemCaseSensitive(root, "orders")
			: NULL;
	const char *v, *p;
	size_t vlen;
	int ret = -1;

	if (!root) {
		sim_buf_adds(err, "body is not valid JSON");
	} else if (cJSON_IsArray(root)) {
		ret = split_array(body, len, each, ctx, err);
	} else if (cJSON_IsArray(list) &&
		   sim_json_member(body, len, "orders", &v, &vlen) == 0) {
		ret = split_array(v, vlen, each, ctx, err);
	} else if (cJSON_IsObject(root)) {
		p = json_ws(body, body + len);
		ret = each(ctx, p, (size_t)(sim_json_skip(p, body + len) - p),
			   err);
	} else {
		sim_buf_adds(err, "body must be an order or a list of orders");
	}
	cJSON_Delete(root);
	return ret;
}

/* The API pipeline and the control API */

enum sim_fault sim_api_enter(pthread_mutex_t *lock, struct sim_faults *f,
			     struct sim_counter *op, struct sim_resp *resp)
{
	enum sim_fault fault;
	uint64_t delay;

	pthread_mutex_lock(lock);
	op->calls++;
	fault = sim_faults_on_call(f, &delay);
	op->faulted += fault != SIM_FAULT_NONE;
	resp->drop = fault == SIM_FAULT_DROP;
	pthread_mutex_unlock(lock);
	/* Sleeping before the work means a client that gives up still has
	 * its change made, as with a slow platform. */
	sim_sleep_ms(delay);
	pthread_mutex_lock(lock);
	return fault;
}

void sim_api_mutated(struct sim_faults *f, struct sim_counter *op,
		     struct sim_resp *resp, uint64_t *delay_ms)
{
	if (sim_faults_on_mutation(f, delay_ms)) {
		op->faulted++;
		resp->drop = true;
	}
}

static void control_faults(const struct sim_control *c, cJSON *body,
			   struct sim_resp *resp)
{
	struct sim_buf err = {0};

	if (sim_faults_set(c->faults, body, &err) < 0)
		sim_resp_error(resp, 400, err.data);
	else
		sim_resp_json(resp, 200, sim_faults_json(c->faults));
	sim_buf_release(&err);
}

struct orders_ctx {
	const struct sim_control *c;
	unsigned n;
};

static int control_order(void *ctx, const char *raw, size_t n,
			 struct sim_buf *err)
{
	struct orders_ctx *oc = ctx;

	oc->n++;
	return oc->c->order_add(oc->c->ctx, raw, n, err);
}

static void control_orders(const struct sim_control *c,
			   const struct sim_req *req, struct sim_resp *resp)
{
	struct orders_ctx oc = {c, 0};
	struct sim_buf err = {0};
	cJSON *j;

	if (sim_orders_split(sim_buf_str(&req->body), req->body.len,
			     control_order, &oc, &err) < 0) {
		sim_resp_error(resp, 400, err.data);
	} else {
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "stored", oc.n);
		sim_resp_json(resp, 200, j);
	}
	sim_buf_release(&err);
}

/* The locked operations; the rest of sim_control() runs unlocked. */
static void control_locked(const struct sim_control *c,
			   const struct sim_req *req, const char *what,
			   cJSON *body, struct sim_resp *resp)
{
	pthread_mutex_lock(c->lock);
	if (strcmp(what, "state") == 0) {
		sim_resp_json(resp, 200, c->state(c->ctx));
	} else if (strcmp(what, "faults") == 0) {
		control_faults(c, body, resp);
	} else if (strcmp(what, "orders") == 0) {
		control_orders(c, req, resp);
	} else {
		c->reset(c->ctx);
		sim_resp_text(resp, 200, "application/json; charset=utf-8",
			      "{\"reset\":true}");
	}
	pthread_mutex_unlock(c->lock);
}

void sim_control(const struct sim_control *c, struct sim_req *req,
		 struct sim_resp *resp)
{
	const char *what = req->path + strlen("/_sim/");
	bool get = strcmp(req->method, "GET") == 0;
	cJSON *body = NULL;

	if (strcmp(what, "state") != 0 && strcmp(what, "faults") != 0 &&
	    strcmp(what, "orders") != 0 && strcmp(what, "reset") != 0 &&
	    strcmp(what, "send") != 0) {
		if (!c->extra || !c->extra(c->ctx, req, what, resp))
			sim_resp_error(resp, 404, "unknown control path");
		return;
	}
	if (get != (strcmp(what, "state") == 0)) {
		sim_resp_error(resp, 405, "method not allowed");
		return;
	}
	if (!get && strcmp(what, "orders") != 0 && strcmp(what, "reset") != 0 &&
	    !(body = sim_req_json(req))) {
		sim_resp_error(resp, 400, "body must be a JSON object");
		return;
	}
	if (strcmp(what, "send") == 0)
		c->send(c->ctx, body, resp);
	else
		control_locked(c, req, what, body, resp);
	cJSON_Delete(body);
}

/* The webhook sender */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int sim_http_post(const char *url, const char *const *headers, const char *body,
		  size_t len, long *status, struct sim_buf *err)
{
	struct curl_slist *h = NULL, *t;
	CURL *c = curl_easy_init();
	CURLcode rc = CURLE_OUT_OF_MEMORY;

	/* "Expect:" stops curl waiting for 100-continue on large bodies. */
	for (h = curl_slist_append(NULL, "Expect:"); h && *headers; headers++)
		if ((t = curl_slist_append(h, *headers)))
			h = t;
	if (c && h) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		rc = curl_easy_perform(c);
	}
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		sim_buf_printf(err, "POST '%s' failed: %s", url,
			       curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int sim_read_file(const char *path, struct sim_buf *out, struct sim_buf *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int ret = 0;

	if (!f) {
		sim_buf_printf(err, "cannot open '%s': %s", path,
			       strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sim_buf_add(out, chunk, n);
	if (ferror(f)) {
		sim_buf_printf(err, "cannot read '%s'", path);
		ret = -1;
	}
	fclose(f);
	sim_buf_add(out, "", 0);
	return ret;
}
