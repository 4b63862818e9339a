/*
 * config.h: temporary INI files checked against the key table. Every
 * rejected file is its own case and names the file and line. The last
 * case checks that config/affiliated.conf.example documents every key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"
#include "cases.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/affiliated-config-XXXXXX";
static char conf_path[64];

static int case_teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	unsetenv("AFFILIATED_SERVER_MAX_BODY");
	unsetenv("AFFILIATED_SERVER_LISTEN");
	unsetenv("AFFILIATED_SHOPIFY_API_SECRET");
	return 0;
}

static void env_name(const struct config_def *d, char *out, size_t n)
{
	size_t i;

	snprintf(out, n, "AFFILIATED_%s_%s", d->section, d->name);
	for (i = 0; out[i]; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

/* The caller's environment must not leak into the expectations. */
static int group_setup(void **state)
{
	char name[128];
	size_t i;

	(void)state;
	for (i = 0; i < config_count(); i++) {
		env_name(config_def(i), name, sizeof(name));
		unsetenv(name);
	}
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/test.conf", dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void write_conf(const char *text)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void load_ok(struct config *cfg, const char *text)
{
	struct buf err;

	write_conf(text);
	buf_init(&err, BUF_SMALL);
	if (config_load(cfg, conf_path, &err) < 0)
		fail_msg("config_load: %s", buf_str(&err));
	buf_release(&err);
}

static void test_defaults(void **state)
{
	struct config cfg;
	struct buf err;
	size_t i;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(config_load_defaults(&cfg, &err), 0);
	for (i = 0; i < config_count(); i++) {
		const struct config_def *d = config_def(i);

		assert_string_equal(cfg.values[i], d->def);
		assert_int_equal(cfg.source[i], CONFIG_FROM_DEFAULT);
		if (d->type == CONFIG_INT) {
			char num[32];

			snprintf(num, sizeof(num), "%lld",
				 (long long)cfg.numbers[i]);
			assert_string_equal(num, d->def);
			assert_true(cfg.numbers[i] >= d->min);
			assert_true(cfg.numbers[i] <= d->max);
		}
	}
	assert_int_equal(config_int(&cfg, CFG_SERVER_MAX_BODY), 1048576);
	assert_string_equal(config_get(&cfg, CFG_SERVER_LISTEN),
			    "127.0.0.1:8080");
	config_release(&cfg);
	buf_release(&err);
}

static void test_good_file(void **state)
{
	struct config cfg;

	(void)state;
	load_ok(&cfg, "; a comment\n"
		      "# another\n"
		      "[server]\n"
		      "listen = 0.0.0.0:9000\n"
		      "max_body = 2048 ; two KiB\n"
		      "workers=8\n"
		      "log_level = debug\n"
		      "public_url = https://affiliates.example.com\n"
		      "\n"
		      "[security]\n"
		      "key_file = /var/lib/affiliated/master.key\n"
		      "[shopify]\n"
		      "api_secret = s3cret\n"
		      "[ecwid]\n"
		      "api_base =\n"
		      "admin_origins = https://*.example.com  "
		      "http://127.0.0.1:8081 https://cp.example.org\n");
	assert_string_equal(cfg.path, conf_path);
	assert_string_equal(config_get(&cfg, CFG_SERVER_LISTEN),
			    "0.0.0.0:9000");
	assert_int_equal(config_int(&cfg, CFG_SERVER_MAX_BODY), 2048);
	assert_string_equal(config_get(&cfg, CFG_SERVER_MAX_BODY), "2048");
	assert_int_equal(config_int(&cfg, CFG_SERVER_WORKERS), 8);
	assert_string_equal(config_get(&cfg, CFG_SERVER_LOG_LEVEL), "debug");
	assert_string_equal(config_get(&cfg, CFG_SERVER_PUBLIC_URL),
			    "https://affiliates.example.com");
	assert_string_equal(config_get(&cfg, CFG_SECURITY_KEY_FILE),
			    "/var/lib/affiliated/master.key");
	assert_string_equal(config_lookup(&cfg, "shopify", "api_secret"),
			    "s3cret");
	assert_string_equal(config_lookup(&cfg, "ecwid", "api_base"), "");
	assert_string_equal(config_lookup(&cfg, "ecwid", "admin_origins"),
			    "https://*.example.com  http://127.0.0.1:8081 "
			    "https://cp.example.org");
	assert_int_equal(cfg.source[CFG_SERVER_LISTEN], CONFIG_FROM_FILE);
	assert_int_equal(cfg.source[config_find("ecwid", "api_base")],
			 CONFIG_FROM_FILE);
	/* Untouched keys keep their defaults. */
	assert_int_equal(cfg.source[CFG_SERVER_TIMEOUT], CONFIG_FROM_DEFAULT);
	assert_int_equal(config_int(&cfg, CFG_SERVER_TIMEOUT), 30);
	assert_string_equal(config_get(&cfg, CFG_STORE_PATH),
			    "data/affiliated.db");
	config_release(&cfg);
}

static void test_empty_file(void **state)
{
	struct config cfg;

	(void)state;
	load_ok(&cfg, "");
	assert_int_equal(config_int(&cfg, CFG_SERVER_MAX_BODY), 1048576);
	config_release(&cfg);
}

/*
 * A rejected file: err must begin "<file>:<line>: <want>"; with exact set
 * it must be exactly that.
 */
static struct bad_file {
	const char *name;
	const char *text;
	int line;
	const char *want;
	bool exact;
} bad_files[] = {
	{"unknown section", "[server]\nlisten = 127.0.0.1:1\n\n[x]\nk = v\n", 4,
	 "unknown section 'x'", true},
	{"unknown empty section", "[server]\nlisten = 127.0.0.1:1\n[x]\n", 3,
	 "unknown section 'x'", true},
	{"overlong line",
	 "[server]\npublic_url = http://"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "a"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "a"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "a"
	 "\n",
	 2, "line longer than", false},
	{"key before any section", "max_body = 2048\n", 1, "unknown section ''",
	 true},
	{"unknown key", "; c\n[server]\nk = v\n", 3,
	 "unknown key 'k' in section [server]", true},
	{"key in the wrong section", "[store]\n\nlisten = 1.2.3.4:1\n", 3,
	 "unknown key 'listen' in section [store]", true},
	{"bad int", "; comment\n[server]\nmax_body = abc\n", 3,
	 "key 'max_body': 'abc' is not a whole number", true},
	{"int with a unit", "[server]\nmax_body = 2048k\n", 2, "key 'max_body'",
	 false},
	{"int with a decimal point", "[server]\ntimeout = 1.5\n", 2,
	 "key 'timeout'", false},
	{"empty int", "[server]\ntimeout =\n", 2, "key 'timeout'", false},
	{"int below min", "[server]\nmax_body = 1023\n", 2,
	 "key 'max_body': 1023 is not between 1024 and 67108864", true},
	{"int above max", "[server]\nmax_body = 67108865\n", 2,
	 "key 'max_body': 67108865 is not between 1024 and 67108864", true},
	{"workers 0", "[server]\nworkers = 0\n", 2, "key 'workers'", false},
	{"workers 65", "[server]\nworkers = 65\n", 2, "key 'workers'", false},
	{"negative timeout", "[server]\ntimeout = -5\n", 2, "key 'timeout'",
	 false},
	{"int overflow", "[server]\nmax_body = 99999999999999999999\n", 2,
	 "key 'max_body'", false},
	{"listen 'localhost'", "[server]\nlisten = localhost\n", 2,
	 "key 'listen'", false},
	{"listen '1.2.3.4'", "[server]\nlisten = 1.2.3.4\n", 2, "key 'listen'",
	 false},
	{"listen '1.2.3.4:99999'", "[server]\nlisten = 1.2.3.4:99999\n", 2,
	 "key 'listen'", false},
	{"listen '[::1]8080'", "[server]\nlisten = [::1]8080\n", 2,
	 "key 'listen'", false},
	{"listen '1.2.3.4:'", "[server]\nlisten = 1.2.3.4:\n", 2,
	 "key 'listen'", false},
	{"listen ':8080'", "[server]\nlisten = :8080\n", 2, "key 'listen'",
	 false},
	{"listen '[::1'", "[server]\nlisten = [::1\n", 2, "key 'listen'",
	 false},
	{"listen '[]:80'", "[server]\nlisten = []:80\n", 2, "key 'listen'",
	 false},
	{"listen '1.2.3.4:80x'", "[server]\nlisten = 1.2.3.4:80x\n", 2,
	 "key 'listen'", false},
	/* The type promises an IP literal; serve refuses a name later. */
	{"listen 'localhost:8080'", "[server]\nlisten = localhost:8080\n", 2,
	 "key 'listen'", false},
	{"url ftp", "[server]\npublic_url = ftp://example.com\n", 2,
	 "key 'public_url'", false},
	{"url without scheme", "[server]\npublic_url = example.com\n", 2,
	 "key 'public_url'", false},
	{"url scheme-relative", "[ecwid]\napi_base = //app.ecwid.com\n", 2,
	 "key 'api_base'", false},
	{"origin with a path", "[ecwid]\nadmin_origins = https://a.com/x\n", 2,
	 "key 'admin_origins': 'https://a.com/x' is not scheme://host[:port]",
	 false},
	{"origin as a CSP keyword",
	 "[shopify]\nadmin_origins = https://a.com 'unsafe-inline'\n", 2,
	 "key 'admin_origins': ''unsafe-inline'' is not an http(s) origin",
	 false},
	{"origin adding a directive",
	 "[shopify]\nadmin_origins = https://a.com;script-src\n", 2,
	 "key 'admin_origins'", false},
	{"origin without a host", "[ecwid]\nadmin_origins = https://\n", 2,
	 "key 'admin_origins'", false},
	{"origin with a bare port", "[ecwid]\nadmin_origins = http://a.com:\n",
	 2, "key 'admin_origins'", false},
	{"origin with a lone wildcard", "[ecwid]\nadmin_origins = https://*\n",
	 2, "key 'admin_origins'", false},
	{"sdk_url with a space",
	 "[ecwid]\nsdk_url = https://cdn.example.com/a b.js\n", 2,
	 "key 'sdk_url': 'https://cdn.example.com/a b.js' holds a space, "
	 "comma, semicolon or quote",
	 false},
	{"sdk_url adding a directive",
	 "[ecwid]\nsdk_url = https://cdn.example.com/x.js;script-src\n", 2,
	 "key 'sdk_url'", false},
	{"sdk_url not http", "[ecwid]\nsdk_url = data:text/js,1\n", 2,
	 "key 'sdk_url': 'data:text/js,1' is not an http(s) URL", false},
	{"log_level 'verbose'", "[server]\nlog_level = verbose\n", 2,
	 "key 'log_level'", false},
	{"log_level 'INFO'", "[server]\nlog_level = INFO\n", 2,
	 "key 'log_level'", false},
	{"log_level empty", "[server]\nlog_level =\n", 2, "key 'log_level'",
	 false},
	{"line without '='",
	 "[server]\nlisten = 127.0.0.1:1\nthis line has no equals\n", 3,
	 "not a 'key = value' line or [section]", true},
	{"unterminated section", "; c\n[server\nlisten = 127.0.0.1:1\n", 2,
	 "not a 'key = value' line or [section]", true},
};

static void test_bad_file(void **state)
{
	const struct bad_file *c = *state;
	char got[512], want[512];
	struct config cfg;
	struct buf err;
	int rc;

	write_conf(c->text);
	snprintf(want, sizeof(want), "%s:%d: %s", conf_path, c->line, c->want);
	buf_init(&err, BUF_SMALL);
	rc = config_load(&cfg, conf_path, &err);
	snprintf(got, sizeof(got), "%s", buf_str(&err));
	buf_release(&err);
	if (rc == 0)
		config_release(&cfg);
	/* On failure nothing is left to release; releasing is harmless. */
	config_release(&cfg);
	assert_int_equal(rc, -1);
	if (c->exact)
		assert_string_equal(got, want);
	else if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("error '%s' does not begin '%s'", got, want);
}

static void test_missing_file(void **state)
{
	char path[128];
	struct config cfg;
	struct buf err;

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	buf_init(&err, BUF_SMALL);
	assert_int_equal(config_load(&cfg, path, &err), -1);
	assert_non_null(strstr(buf_str(&err), path));
	assert_non_null(strstr(buf_str(&err), "cannot read"));
	buf_release(&err);
}

static void test_env_wins(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(setenv("AFFILIATED_SERVER_MAX_BODY", "2048", 1), 0);
	load_ok(&cfg, "[server]\nmax_body = 4096\n");
	assert_int_equal(config_int(&cfg, CFG_SERVER_MAX_BODY), 2048);
	assert_string_equal(config_get(&cfg, CFG_SERVER_MAX_BODY), "2048");
	assert_int_equal(cfg.source[CFG_SERVER_MAX_BODY], CONFIG_FROM_ENV);
	config_release(&cfg);
	/* The environment is not trimmed as a file's value is. */
	assert_int_equal(
		setenv("AFFILIATED_ECWID_ADMIN_ORIGINS",
		       " https://a.example.com  https://b.example.com ", 1),
		0);
	load_ok(&cfg, "");
	unsetenv("AFFILIATED_ECWID_ADMIN_ORIGINS");
	assert_int_equal(cfg.source[config_find("ecwid", "admin_origins")],
			 CONFIG_FROM_ENV);
	config_release(&cfg);
}

static void test_env_with_defaults(void **state)
{
	struct config cfg;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(setenv("AFFILIATED_SERVER_LISTEN", "[::1]:0", 1), 0);
	assert_int_equal(config_load_defaults(&cfg, &err), 0);
	assert_string_equal(config_get(&cfg, CFG_SERVER_LISTEN), "[::1]:0");
	assert_int_equal(cfg.source[CFG_SERVER_LISTEN], CONFIG_FROM_ENV);
	config_release(&cfg);
	buf_release(&err);
}

static struct bad_env {
	const char *var;
	const char *value;
} bad_envs[] = {
	{"AFFILIATED_SERVER_MAX_BODY", "abc"},
	{"AFFILIATED_SERVER_MAX_BODY", "10"},
	{"AFFILIATED_SERVER_LISTEN", "localhost"},
};

static void test_bad_env(void **state)
{
	const struct bad_env *c = *state;
	struct config cfg;
	struct buf err;

	assert_int_equal(setenv(c->var, c->value, 1), 0);
	write_conf("[server]\nmax_body = 4096\n");
	buf_init(&err, BUF_SMALL);
	assert_int_equal(config_load(&cfg, conf_path, &err), -1);
	assert_non_null(strstr(buf_str(&err), c->var));
	buf_reset(&err);
	assert_int_equal(config_load_defaults(&cfg, &err), -1);
	assert_non_null(strstr(buf_str(&err), c->var));
	buf_release(&err);
}

/* config_print output as a string (caller frees). */
static char *print_config(const struct config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	config_print(cfg, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_print_masks_secrets(void **state)
{
	struct config cfg;
	char *text;

	(void)state;
	assert_int_equal(
		setenv("AFFILIATED_SHOPIFY_API_SECRET", "env-secret-value", 1),
		0);
	load_ok(&cfg, "[shopify]\napi_key = visible-key\n"
		      "[ecwid]\nclient_secret = file-secret-value\n");
	assert_string_equal(config_lookup(&cfg, "shopify", "api_secret"),
			    "env-secret-value");
	text = print_config(&cfg);
	config_release(&cfg);
	if (strstr(text, "secret-value"))
		fail_msg("a secret was printed:\n%s", text);
	assert_non_null(strstr(text, "api_secret = ********"));
	assert_non_null(strstr(text, "client_secret = ********"));
	assert_non_null(strstr(text, "api_key = visible-key"));
	assert_non_null(strstr(text, "[shopify]"));
	free(text);
}

static void test_split_address(void **state)
{
	char host[64], tiny[4];
	uint16_t port = 1;
	struct buf err;

	(void)state;
	buf_init(&err, BUF_SMALL);
	assert_int_equal(config_split_address("[::1]:8080", host, sizeof(host),
					      &port, &err),
			 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8080);
	assert_int_equal(config_split_address("127.0.0.1:0", host, sizeof(host),
					      &port, &err),
			 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 0);
	assert_int_equal(config_split_address("1.2.3.4:65535", host,
					      sizeof(host), &port, &err),
			 0);
	assert_int_equal(port, 65535);
	assert_int_equal(config_split_address("127.0.0.1:80", tiny,
					      sizeof(tiny), &port, &err),
			 -1);
	assert_non_null(strstr(buf_str(&err), "127.0.0.1:80"));
	buf_release(&err);
}

/* The example file must load, and document every key of the table. */
static void test_example_documents_every_key(void **state)
{
	const char *src = getenv("AFFILIATED_SOURCE_DIR");
	char path[1024], line[1024], prev[1024], section[64];
	size_t i, count = config_count();
	bool *found = calloc(count, sizeof(*found));
	struct config cfg;
	struct buf err;
	FILE *f;

	(void)state;
	assert_non_null(found);
	snprintf(path, sizeof(path), "%s/config/affiliated.conf.example",
		 src && src[0] ? src : ".");
	buf_init(&err, BUF_SMALL);
	if (config_load(&cfg, path, &err) < 0)
		fail_msg("%s", buf_str(&err));
	config_release(&cfg);
	buf_release(&err);

	f = fopen(path, "r");
	assert_non_null(f);
	prev[0] = section[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.*s",
				 (int)strcspn(line + 1, "]"), line + 1);
		}
		for (i = 0; i < count; i++) {
			const struct config_def *d = config_def(i);
			size_t n = strlen(d->name);

			if (strcmp(section, d->section) != 0 ||
			    strncmp(line, d->name, n) != 0 ||
			    strncmp(line + n, " =", 2) != 0 ||
			    (line[n + 2] != ' ' && line[n + 2] != '\0'))
				continue;
			if (prev[0] != ';' || !strstr(prev, d->help))
				fail_msg("[%s] %s: the line before is not "
					 "'; %s'",
					 d->section, d->name, d->help);
			if (strcmp(line + n + 2 + (line[n + 2] == ' '),
				   d->def) != 0)
				fail_msg("[%s] %s: example value is not the "
					 "default '%s'",
					 d->section, d->name, d->def);
			found[i] = true;
		}
		snprintf(prev, sizeof(prev), "%s", line);
	}
	fclose(f);
	for (i = 0; i < count; i++)
		if (!found[i])
			fail_msg("%s does not document [%s] %s", path,
				 config_def(i)->section, config_def(i)->name);
	free(found);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The warning names the key; a current version and "unstable" say nothing. */
static void test_old_api_version(void **state)
{
	/* 2026-12-02, the date these lines were written */
	const int64_t now = 1796212800;
	struct config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_ok(&cfg, "[shopify]\napi_version = 2025-10\n");
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(config_warnings(&cfg, now, out), 1);
	fclose(out);
	assert_non_null(strstr(text, "[shopify] api_version = 2025-10"));
	assert_non_null(strstr(text, "14 months old"));
	assert_non_null(strstr(text, "2026-10"));
	free(text);
	config_release(&cfg);

	load_ok(&cfg, "[shopify]\napi_version = 2025-12\n");
	out = open_memstream(&text, &len);
	assert_int_equal(config_warnings(&cfg, now, out), 0);
	fclose(out);
	free(text);
	config_release(&cfg);

	load_ok(&cfg, "[shopify]\napi_version = unstable\n");
	out = open_memstream(&text, &len);
	assert_int_equal(config_warnings(&cfg, now, out), 0);
	fclose(out);
	free(text);
	config_release(&cfg);

	load_ok(&cfg, "[shopify]\napi_version = 26-10\n");
	out = open_memstream(&text, &len);
	assert_int_equal(config_warnings(&cfg, now, out), 1);
	fclose(out);
	assert_non_null(strstr(text, "not a YYYY-MM version"));
	free(text);
	config_release(&cfg);

	/* The default is current. */
	load_ok(&cfg, "");
	assert_string_equal(config_lookup(&cfg, "shopify", "api_version"),
			    "2026-10");
	out = open_memstream(&text, &len);
	assert_int_equal(config_warnings(&cfg, now, out), 0);
	fclose(out);
	free(text);
	config_release(&cfg);
}

int main(void)
{
	size_t i;

	add_case(test_defaults, NULL, "defaults");
	add_case(test_good_file, NULL, "good file");
	add_case(test_empty_file, NULL, "empty file");
	for (i = 0; i < COUNT(bad_files); i++)
		add_case(test_bad_file, &bad_files[i], "rejects %s",
			 bad_files[i].name);
	add_case(test_missing_file, NULL, "missing file");
	add_case(test_env_wins, NULL, "environment wins over file");
	add_case(test_env_with_defaults, NULL, "environment over defaults");
	for (i = 0; i < COUNT(bad_envs); i++)
		add_case(test_bad_env, &bad_envs[i], "bad env %s=%s",
			 bad_envs[i].var, bad_envs[i].value);
	add_case(test_print_masks_secrets, NULL, "print masks secrets");
	add_case(test_split_address, NULL, "split address");
	add_case(test_old_api_version, NULL, "warns of an old api_version");
	add_case(test_example_documents_every_key, NULL,
		 "example documents every key");
	/* Every case cleans up after itself. */
	for (i = 0; i < ncases; i++)
		cases[i].teardown_func = case_teardown;
	return _cmocka_run_group_tests("config", cases, ncases, group_setup,
				       group_teardown);
}
