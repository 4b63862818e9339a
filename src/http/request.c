#include "http/request.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *request_header(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *request_query(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *request_cookie(const struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

bool request_in_frame(const struct request *req)
{
	const char *dest = request_header(req, "Sec-Fetch-Dest");

	return dest && strcmp(dest, "iframe") == 0;
}

struct query_walk {
	int (*fn)(void *ctx, const char *key, const char *value);
	void *ctx;
};

static enum MHD_Result query_visit(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct query_walk *w = cls;

	(void)kind;
	return w->fn(w->ctx, key, value) ? MHD_NO : MHD_YES;
}

void request_query_each(const struct request *req,
			int (*fn)(void *ctx, const char *key,
				  const char *value),
			void *ctx)
{
	struct query_walk w = {fn, ctx};

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_visit,
				  &w);
}

const char *request_param(const struct request *req, int i)
{
	if (i < 0 || i >= req->nparams)
		return "";
	return req->params[i];
}

void response_init(struct response *resp)
{
	resp->status = 200;
	resp->content_type = "text/plain; charset=utf-8";
	buf_init(&resp->body, BUF_LARGE);
	resp->nheaders = 0;
}

void response_release(struct response *resp)
{
	int i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->header_names[i]);
		free(resp->header_values[i]);
	}
	resp->nheaders = 0;
	buf_release(&resp->body);
}

void response_header(struct response *resp, const char *name, const char *value)
{
	if (resp->nheaders == RESPONSE_HEADERS_MAX)
		BUG("too many response headers");
	resp->header_names[resp->nheaders] = xstrdup(name);
	resp->header_values[resp->nheaders] = xstrdup(value);
	resp->nheaders++;
}

void response_text(struct response *resp, int status, const char *ctype,
		   const char *text)
{
	resp->status = status;
	resp->content_type = ctype;
	buf_reset(&resp->body);
	if (buf_puts(&resp->body, text) < 0)
		BUG("response text larger than the response cap");
}

void response_error(struct response *resp, int status, const char *fmt, ...)
{
	char msg[512];
	cJSON *obj = cJSON_CreateObject();
	char *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(obj, "error", msg);
	text = cJSON_PrintUnformatted(obj);
	if (!text)
		BUG("cJSON out of memory");
	response_text(resp, status, "application/json", text);
	cJSON_free(text);
	cJSON_Delete(obj);
}

void response_redirect(struct response *resp, int status, const char *location)
{
	resp->status = status;
	buf_reset(&resp->body);
	response_header(resp, "Location", location);
}
