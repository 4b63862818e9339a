#include "util/http_client.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http_client {
	CURL *curl;
	long timeout_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct http_client *http_client_new(long timeout_ms)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	pthread_once(&curl_once, curl_start);
	c->curl = curl_easy_init();
	if (!c->curl)
		BUG("curl_easy_init failed");
	c->timeout_ms = timeout_ms;
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void http_result_init(struct http_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 16 * 1024 * 1024);
	r->retry_after_ms = -1;
}

void http_result_release(struct http_result *r)
{
	buf_release(&r->body);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct http_result *r = ctx;

	return buf_append(&r->body, p, size * n) < 0 ? 0 : size * n;
}

/* Retry-After: seconds, possibly fractional (Shopify sends "1.0"). */
static void parse_retry_after(const char *v, struct http_result *r)
{
	uint64_t secs = 0, frac = 0, scale = 1000;

	if (parse_uint(&v, 86400, &secs) < 0)
		return;
	if (parse_char(&v, '.'))
		for (; *v >= '0' && *v <= '9' && scale > 1; v++) {
			scale /= 10;
			frac += (uint64_t)(*v - '0') * scale;
		}
	r->retry_after_ms = (int64_t)(secs * 1000 + frac);
}

static void parse_link(const char *v, struct http_result *r)
{
	const char *rel = strstr(v, "rel=\"next\"");
	const char *open, *close;

	if (!rel)
		return;
	/* The <url> that precedes rel="next". */
	for (close = rel; close > v && *close != '>'; close--)
		;
	for (open = close; open > v && *open != '<'; open--)
		;
	if (*open == '<' && close > open)
		snprintf(r->next_url, sizeof(r->next_url), "%.*s",
			 (int)(close - open - 1), open + 1);
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct http_result *r = ctx;
	size_t len = size * n, name_len;
	char line[2048], *value;

	if (len >= sizeof(line))
		return len;
	memcpy(line, p, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	value = strchr(line, ':');
	if (!value)
		return len;
	name_len = (size_t)(value - line);
	for (value++; *value == ' '; value++)
		;
	if (name_len == 11 && strncasecmp(line, "Retry-After", 11) == 0)
		parse_retry_after(value, r);
	else if (name_len == 4 && strncasecmp(line, "Link", 4) == 0)
		parse_link(value, r);
	return len;
}

int http_client_do(struct http_client *c, const struct http_call *call,
		   struct http_result *r)
{
	struct curl_slist *list = NULL;
	uint64_t start = clock_usec();
	CURLcode rc;
	int i;

	buf_reset(&r->body);
	r->status = 0;
	r->retry_after_ms = -1;
	r->next_url[0] = r->error[0] = '\0';
	for (i = 0; call->headers && call->headers[i]; i++)
		list = curl_slist_append(list, call->headers[i]);
	list = curl_slist_append(list, "Expect:");
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, call->url);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, call->method);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "affiliated");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, r);
	if (call->body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, call->body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)call->len);
	}
	rc = curl_easy_perform(c->curl);
	r->usec = clock_usec() - start;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	else
		snprintf(r->error, sizeof(r->error), "%s",
			 curl_easy_strerror(rc));
	curl_slist_free_all(list);
	return rc == CURLE_OK ? 0 : -1;
}

int url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			if (buf_putc(out, (char)ch) < 0)
				return -1;
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

			if (buf_append(out, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}
