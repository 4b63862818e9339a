/*
 * libFuzzer target for the inputs that are not platform bodies: the
 * router (a method and a path), the config reader (a whole file), the
 * form parser with the validators behind it, and Ecwid's app payload
 * (both as the raw query value and as a plaintext we encrypt, so that
 * the JSON inside gets reached). The first byte picks the input; each
 * must keep its promises, or the target aborts naming the broken one.
 * Built by scripts/fuzz like fuzz_parsers.
 */
#include "config.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "http/form.h"
#include "http/i18n.h"
#include "http/router.h"
#include "util/log.h"
#include "providers/provider_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char config_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	snprintf(config_path, sizeof(config_path),
		 "/tmp/affiliated-fuzz-%ld.conf", (long)getpid());
	return 0;
}

/* A NUL-terminated copy (the parsers below take C strings); caller frees. */
static char *text_of(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static const char *check_router(const uint8_t *data, size_t len)
{
	static const char *const methods[] = {"GET",	"POST", "HEAD",
					      "DELETE", "PUT",	"OPTIONS"};
	const struct route *route = NULL;
	struct request req;
	struct buf allow;
	char scratch[1024], *path;
	enum route_result rc;
	const char *broken = NULL;
	int i;

	if (len == 0)
		return NULL;
	path = text_of(data + 1, len - 1);
	memset(&req, 0, sizeof(req));
	req.method = methods[data[0] % 6];
	req.path = path;
	buf_init(&allow, 256);
	rc = router_match_all(app_route_tables, &req, scratch, sizeof(scratch),
			      &route, &allow);
	if (rc == ROUTE_FOUND) {
		if (!route || !route->handler || !req.route)
			broken = "router: a match without a route";
		for (i = 0; !broken && i < req.nparams; i++)
			if (!req.params[i] || !req.params[i][0] ||
			    strchr(req.params[i], '/'))
				broken = "router: an empty parameter or one "
					 "with a slash";
		if (!broken && req.nparams > ROUTE_PARAMS_MAX)
			broken = "router: too many parameters";
	} else if (rc == ROUTE_BAD_METHOD && !allow.len) {
		broken = "router: 405 without Allow";
	} else if (rc != ROUTE_NOT_FOUND && rc != ROUTE_BAD_METHOD &&
		   rc != ROUTE_FOUND) {
		broken = "router: an unknown answer";
	}
	buf_release(&allow);
	free(path);
	return broken;
}

/* A file's worth of config: loaded or refused with a reason, never half. */
static const char *check_config(const uint8_t *data, size_t len)
{
	struct config cfg;
	struct buf err;
	const char *broken = NULL;
	FILE *f = fopen(config_path, "w");
	int rc, i;

	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
	buf_init(&err, BUF_SMALL);
	memset(&cfg, 0, sizeof(cfg));
	rc = config_load(&cfg, config_path, &err);
	if (rc < 0 && !buf_str(&err)[0])
		broken = "config: a refusal without a reason";
	for (i = 0; rc == 0 && !broken && (size_t)i < config_count(); i++)
		if (!cfg.values[i])
			broken = "config: a loaded key without a value";
	if (rc == 0)
		config_release(&cfg);
	buf_release(&err);
	return broken;
}

/* The signup and admin fields, through form_validate. */
static const struct form_def fuzz_defs[] = {
	{"name", form_text, 100, 0, 0, 0, FORM_REQUIRED},
	{"email", form_email, 254, 0, 0, 0, FORM_REQUIRED},
	{"password", NULL, 200, 0, 0, 0, FORM_RAW},
	{"percent", form_percent, 0, 0, 10000, 0, 0},
	{"amount", form_amount, 0, 0, INT64_C(100000000), 2, 0},
	{"count", form_int, 0, -5, 5000, 0, 0},
	{"landing", form_url, 2000, 0, 0, 0, 0},
	{"networks", form_text, 20, 0, 0, 0, FORM_MULTI},
};

static const char *check_form_fields(const uint8_t *data, size_t len)
{
	enum { N = sizeof(fuzz_defs) / sizeof(fuzz_defs[0]) };
	struct form_value v[N];
	struct form f;
	struct buf err;
	const char *broken = NULL;
	int bad, i, counted = 0;

	buf_init(&err, BUF_SMALL);
	form_init(&f);
	if (form_parse(&f, (const char *)data, len, &err) == 0) {
		bad = form_validate(&f, fuzz_defs, N, v);
		for (i = 0; i < N; i++) {
			counted += v[i].error != MSG_NONE;
			if (!v[i].text)
				broken = "form: a value without text";
			else if (v[i].error == MSG_NONE &&
				 fuzz_defs[i].check != form_url &&
				 !text_is_clean(v[i].text, false) &&
				 fuzz_defs[i].check)
				broken = "form: an accepted value that is not "
					 "clean text";
		}
		if (!broken && counted != bad)
			broken = "form: the error count is not the errors";
	}
	form_release(&f);
	buf_release(&err);
	return broken;
}

static const char *query_payload(const void *ctx, const char *name)
{
	return strcmp(name, "payload") == 0 ? ctx : NULL;
}

#define PAYLOAD_SECRET "0123456789abcdefSECRET"

/* Opens payload: refused with a reason, or a shop and a token. */
static const char *open_payload(const char *payload)
{
	struct platform_config cfg = {.name = "ecwid",
				      .client_id = "fuzz",
				      .client_secret = PAYLOAD_SECRET};
	struct provider_request req = {
		.body = "", .query = query_payload, .ctx = payload};
	struct install_result out;
	struct buf err;
	const char *broken = NULL;
	int rc;

	buf_init(&err, BUF_SMALL);
	rc = provider_open_app_payload(&ecwid_provider, &cfg, &req, &out, &err);
	if (rc < 0 && !buf_str(&err)[0])
		broken = "payload: a refusal without a reason";
	else if (rc == 0 &&
		 (!out.shop[0] || !out.token[0] ||
		  strnlen(out.shop, sizeof(out.shop)) == sizeof(out.shop) ||
		  strnlen(out.token, sizeof(out.token)) == sizeof(out.token)))
		broken = "payload: opened without a shop or a token";
	else if (rc != 0 && rc != -1)
		broken = "payload: an answer other than 0 or -1";
	buf_release(&err);
	return broken;
}

/* data as the plaintext of a payload sealed with our secret. */
static const char *check_payload_plain(const uint8_t *data, size_t len)
{
	unsigned char iv[16] = {0};
	struct buf sealed, text;
	const char *broken;

	buf_init(&sealed, 128 * 1024);
	buf_init(&text, 256 * 1024);
	if (buf_append(&sealed, iv, sizeof(iv)) < 0 ||
	    crypto_aes128_cbc_encrypt((const unsigned char *)PAYLOAD_SECRET, iv,
				      data, len, &sealed) < 0 ||
	    base64url_encode(&text, sealed.data, sealed.len) < 0) {
		buf_release(&sealed);
		buf_release(&text);
		return NULL;
	}
	broken = open_payload(buf_str(&text));
	buf_release(&sealed);
	buf_release(&text);
	return broken;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest = data + 1;
	size_t len = size ? size - 1 : 0;
	const char *broken = NULL;
	char *s;

	if (size == 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		broken = check_router(rest, len);
		break;
	case 1:
		broken = check_config(rest, len);
		break;
	case 2:
		broken = check_form_fields(rest, len);
		break;
	case 3:
		s = text_of(rest, len);
		broken = open_payload(s);
		free(s);
		break;
	default:
		broken = check_payload_plain(rest, len);
		break;
	}
	if (broken) {
		fprintf(stderr, "broken promise: %s\n", broken);
		abort();
	}
	return 0;
}
