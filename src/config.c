#include "config.h"
#include "providers/provider.h"
#include "util/backoff.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXAMPLE_PATH "config/affiliated.conf.example"
#define LOCAL_PATH   "config/affiliated.conf"

/* The core's keys, indexed by enum config_key. */
static const struct config_def core_defs[CFG__COUNT] = {
	/* CFG_SERVER_LISTEN */
	{"server", "listen", CONFIG_ADDRESS, "127.0.0.1:8080", 0, 0, false,
	 "address and port to listen on (port 0 picks a free port)"},
	/* CFG_SERVER_PUBLIC_URL */
	{"server", "public_url", CONFIG_URL, "http://127.0.0.1:8080", 0, 0,
	 false, "URL at which platforms and browsers reach this daemon"},
	/* CFG_SERVER_MAX_BODY */
	{"server", "max_body", CONFIG_INT, "1048576", 1024, 64 * 1024 * 1024,
	 false, "largest request body in bytes; larger ones get 413"},
	/* CFG_SERVER_MAX_CONNECTIONS */
	{"server", "max_connections", CONFIG_INT, "512", 4, 65536, false,
	 "connections served at once; more wait in the listen queue"},
	/* CFG_SERVER_TIMEOUT */
	{"server", "timeout", CONFIG_INT, "30", 1, 3600, false,
	 "seconds an idle or slow connection is kept"},
	/* CFG_SERVER_WORKERS */
	{"server", "workers", CONFIG_INT, "2", 1, 64, false,
	 "threads that process stored webhooks"},
	/* CFG_SERVER_LOG_LEVEL */
	{"server", "log_level", CONFIG_LEVEL, "info", 0, 0, false,
	 "debug, info, warn or error"},
	/* CFG_SERVER_RECONCILE_INTERVAL */
	{"server", "reconcile_interval", CONFIG_INT, "900", 0, 86400, false,
	 "seconds between passes that fetch orders no webhook delivered "
	 "(0: off)"},
	/* CFG_SERVER_SUBSCRIPTIONS_INTERVAL */
	{"server", "subscriptions_interval", CONFIG_INT, "3600", 0, 86400,
	 false,
	 "seconds between checks that the platforms still hold our webhook "
	 "subscriptions, re-creating missing ones (0: only at start)"},
	/* CFG_SERVER_PER_IP_CONNECTIONS */
	{"server", "per_ip_connections", CONFIG_INT, "32", 1, 65536, false,
	 "connections one address may hold open at once"},
	/* CFG_SERVER_HEADER_TIMEOUT */
	{"server", "header_timeout", CONFIG_INT, "10", 1, 3600, false,
	 "seconds a connection has to send a request's headers, from its "
	 "start or the previous answer, however slowly it trickles"},
	/* CFG_SERVER_BODY_TIMEOUT */
	{"server", "body_timeout", CONFIG_INT, "30", 1, 3600, false,
	 "seconds a request has to send its whole body after its headers"},
	/* CFG_STORE_PATH */
	{"store", "path", CONFIG_STRING, "data/affiliated.db", 0, 0, false,
	 "SQLite database file; its directory must be writable"},
	/* CFG_SECURITY_KEY_FILE */
	{"security", "key_file", CONFIG_STRING, "data/master.key", 0, 0, false,
	 "master key sealing secrets at rest; created 0600 when absent"},
	/* CFG_SECURITY_SESSION_TTL */
	{"security", "session_ttl", CONFIG_INT, "43200", 60, 30 * 86400, false,
	 "seconds a merchant or affiliate session lasts"},
	/* CFG_ACCOUNTS_SIGNUPS_PER_HOUR */
	{"accounts", "signups_per_hour", CONFIG_INT, "20", 0, 1000000, false,
	 "affiliate signups a shop takes per hour; further ones wait for the "
	 "merchant's approval (0: no limit)"},
	/* CFG_CLICKS_WINDOW */
	{"clicks", "window", CONFIG_INT, "1800", 0, 86400, false,
	 "seconds in which more clicks from one address on one code count "
	 "as the first (0: each counts)"},
	/* CFG_CLICKS_PER_ADDRESS */
	{"clicks", "per_address_per_minute", CONFIG_INT, "60", 0, 1000000,
	 false,
	 "clicks one address may have counted per minute; more are "
	 "redirected uncounted (0: no limit)"},
	/* CFG_CLICKS_KEEP_DAYS */
	{"clicks", "keep_days", CONFIG_INT, "90", 1, 3650, false,
	 "days click rows are kept, or the longest attribution window of a "
	 "program when longer"},
	/* CFG_CLICKS_QUEUE */
	{"clicks", "queue", CONFIG_INT, "8192", 64, 1000000, false,
	 "clicks held in memory until the next commit (every 50 ms); one "
	 "past this is redirected uncounted and counted as dropped"},
	/* CFG_ATTRIBUTION_PRECEDENCE */
	{"attribution", "precedence", CONFIG_ORDER,
	 "coupon,attribute,landing,click,binding", 0, 0, false,
	 "which signal wins when an order carries several: all five, "
	 "highest first"},
	/* CFG_REWARDS_MAX_ATTEMPTS */
	{"rewards", "max_attempts", CONFIG_INT, "10", 1, 1000, false,
	 "calls to the platform before a reward is marked failed"},
	/* CFG_REWARDS_BACKOFF_MS */
	{"rewards", "backoff_ms", CONFIG_INT, "2000", 10, 3600000, false,
	 "first wait after a failed call; doubles each time, with jitter"},
	/* CFG_REWARDS_BACKOFF_MAX_MS */
	{"rewards", "backoff_max_ms", CONFIG_INT, "3600000", 10, 86400000,
	 false, "longest wait between two calls for one reward"},
	/* CFG_REWARDS_TIMEOUT_MS */
	{"rewards", "timeout_ms", CONFIG_INT, "10000", 100, 120000, false,
	 "time a platform call may take before it counts as failed"},
	/* CFG_SMTP_URL */
	{"smtp", "url", CONFIG_STRING, "", 0, 0, false,
	 "SMTP server for reward emails, e.g. smtps://mail.example.com:465 "
	 "(empty: no emails)"},
	/* CFG_SMTP_FROM */
	{"smtp", "from", CONFIG_STRING, "", 0, 0, false,
	 "sender address of reward emails"},
	/* CFG_SMTP_USERNAME */
	{"smtp", "username", CONFIG_STRING, "", 0, 0, false,
	 "SMTP user name (empty: no authentication)"},
	/* CFG_SMTP_PASSWORD */
	{"smtp", "password", CONFIG_STRING, "", 0, 0, true, "SMTP password"},
	/* CFG_SMTP_TIMEOUT_MS */
	{"smtp", "timeout_ms", CONFIG_INT, "15000", 100, 300000, false,
	 "time sending one email may take before it counts as failed"},
	/* CFG_SMTP_MAX_ATTEMPTS */
	{"smtp", "max_attempts", CONFIG_INT, "10", 1, 1000, false,
	 "tries before an email is marked failed; a 5xx reply fails it at "
	 "once"},
};

struct load_state {
	struct config *cfg;
	struct buf *err;
	const char *path;
	FILE *file;
	int line;   /* line the reader returned last */
	int failed; /* line of the first error we found, 0: none */
};

/*
 * The providers' sections come after the core's keys in the table but
 * sit before this key where keys are listed (check-config, and which bad
 * variable of the environment is named first), as in the example file.
 */
#define PLATFORMS_BEFORE CFG_ATTRIBUTION_PRECEDENCE

/* The keys of all providers' sections together. */
static size_t provider_key_count(void)
{
	const struct provider *p;
	size_t i, n, total = 0;

	for (i = 0; (p = provider_at(i)); i++) {
		provider_keys(p, &n);
		total += n;
	}
	return total;
}

size_t config_count(void)
{
	return CFG__COUNT + provider_key_count();
}

const struct config_def *config_def(size_t i)
{
	const struct provider_key *keys;
	const struct provider *p;
	size_t k, n;

	if (i < CFG__COUNT)
		return &core_defs[i];
	i -= CFG__COUNT;
	for (k = 0; (p = provider_at(k)); k++) {
		keys = provider_keys(p, &n);
		if (i < n)
			return &keys[i].def;
		i -= n;
	}
	return NULL;
}

/* The table index of the pos-th key as keys are listed. */
static size_t listed_key(size_t pos, size_t platform_keys)
{
	if (pos < PLATFORMS_BEFORE)
		return pos;
	if (pos < PLATFORMS_BEFORE + platform_keys)
		return CFG__COUNT + pos - PLATFORMS_BEFORE;
	return pos - platform_keys;
}

int config_find(const char *section, const char *name)
{
	const struct config_def *d;
	size_t i;

	for (i = 0; (d = config_def(i)); i++)
		if (strcmp(d->section, section) == 0 &&
		    strcmp(d->name, name) == 0)
			return (int)i;
	return -1;
}

static bool section_known_n(const char *section, size_t n)
{
	const struct config_def *d;
	size_t i;

	for (i = 0; (d = config_def(i)); i++)
		if (strlen(d->section) == n &&
		    strncmp(d->section, section, n) == 0)
			return true;
	return false;
}

static bool section_known(const char *section)
{
	return section_known_n(section, strlen(section));
}

int config_split_address(const char *addr, char *host, size_t hostlen,
			 uint16_t *port, struct buf *err)
{
	const char *colon, *h = addr;
	size_t n;
	uint64_t p;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return errorf(err, "'%s' is not [address]:port", addr);
		h = addr + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return errorf(err, "'%s' has no port", addr);
		n = (size_t)(colon - addr);
	}
	if (n == 0 || n >= hostlen)
		return errorf(err, "'%s' has no usable host", addr);
	if (parse_uint_str(colon + 1, 65535, &p) < 0)
		return errorf(err, "'%s' has a bad port", addr);
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return 0;
}

/* Whether a word of length n appears in the comma-separated list. */
static bool word_in(const char *list, const char *word, size_t n)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* value must name each word of words exactly once, in any order. */
static int check_order(const char *words, const char *value, struct buf *err)
{
	const char *p = value;
	int seen = 0, total = 1;
	size_t i;

	for (i = 0; words[i]; i++)
		total += words[i] == ',';
	while (*p) {
		size_t len = strcspn(p, ", ");
		const char *q;

		if (!word_in(words, p, len))
			return errorf(err, "'%.*s' is not one of %s", (int)len,
				      p, words);
		for (q = p + len; *q; q += strcspn(q, ", ")) {
			while (*q == ',' || *q == ' ')
				q++;
			if (strncmp(q, p, len) == 0 &&
			    (q[len] == ',' || q[len] == ' ' || !q[len]))
				return errorf(err, "'%.*s' is named twice",
					      (int)len, p);
		}
		seen++;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (seen != total)
		return errorf(err, "name all of %s, highest first", words);
	return 0;
}

/*
 * Space-separated origins for a CSP frame-ancestors list: a scheme, a
 * host (which may start with "*."), an optional port, nothing else, so
 * that no value can add a directive of its own.
 */
static int check_origins(const char *value, struct buf *err)
{
	const char *p = value + strspn(value, " ");

	while (*p) {
		size_t len = strcspn(p, " "), i, host;

		if (str_has_prefix(p, "https://"))
			host = 8;
		else if (str_has_prefix(p, "http://"))
			host = 7;
		else
			return errorf(err, "'%.*s' is not an http(s) origin",
				      (int)len, p);
		i = host;
		if (strncmp(p + i, "*.", 2) == 0)
			i += 2;
		while (i < len && (isalnum((unsigned char)p[i]) ||
				   p[i] == '.' || p[i] == '-'))
			i++;
		if (i < len && p[i] == ':' && i + 1 < len)
			for (i++; i < len && isdigit((unsigned char)p[i]); i++)
				;
		if (i != len || len == host || p[len - 1] == '.')
			return errorf(err,
				      "'%.*s' is not scheme://host[:port] "
				      "(no path, no quotes)",
				      (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* A URL a CSP source list can hold: no space, comma, semicolon or quote. */
/* An http(s) URL, or empty. */
static int check_url(const char *value, struct buf *err)
{
	if (value[0] && !str_has_prefix(value, "http://") &&
	    !str_has_prefix(value, "https://"))
		return errorf(err, "'%s' is not an http(s) URL", value);
	return 0;
}

static int check_script(const char *value, struct buf *err)
{
	if (check_url(value, err) < 0)
		return -1;
	if (value[strcspn(value, " \t,;'\"")])
		return errorf(err,
			      "'%s' holds a space, comma, semicolon or quote",
			      value);
	return 0;
}

static int check_value(const struct config_def *d, const char *value,
		       int64_t *number, struct buf *err)
{
	unsigned char addr[16];
	char host[256];
	uint16_t port;

	switch (d->type) {
	case CONFIG_INT:
		if (parse_int_str(value, INT64_MAX, number) < 0)
			return errorf(err, "'%s' is not a whole number", value);
		if (*number < d->min || *number > d->max)
			return errorf(err, "%lld is not between %lld and %lld",
				      (long long)*number, (long long)d->min,
				      (long long)d->max);
		return 0;
	case CONFIG_ADDRESS:
		if (config_split_address(value, host, sizeof(host), &port,
					 err) < 0)
			return -1;
		if (inet_pton(AF_INET, host, &addr) != 1 &&
		    inet_pton(AF_INET6, host, &addr) != 1)
			return errorf(err, "'%s' is not an IP address", host);
		return 0;
	case CONFIG_URL:
		return check_url(value, err);
	case CONFIG_LEVEL:
		if (log_level_parse(value) < 0)
			return errorf(err,
				      "'%s' is not debug, info, warn or error",
				      value);
		return 0;
	case CONFIG_ORDER:
		return check_order(d->def, value, err);
	case CONFIG_ORIGINS:
		return check_origins(value, err);
	case CONFIG_SCRIPT:
		return check_script(value, err);
	case CONFIG_STRING:
		return 0;
	}
	return 0;
}

static int config_set(struct config *cfg, int key, const char *value,
		      enum config_source source, struct buf *err)
{
	int64_t number = 0;

	if (check_value(config_def((size_t)key), value, &number, err) < 0)
		return -1;
	free(cfg->values[key]);
	cfg->values[key] = xstrdup(value);
	cfg->numbers[key] = number;
	cfg->source[key] = source;
	return 0;
}

static int ini_on_entry(void *user, const char *section, const char *name,
			const char *value)
{
	struct load_state *st = user;
	int key;

	if (st->failed)
		return 0;
	if (!section_known(section)) {
		errorf(st->err, "%s:%d: unknown section '%s'", st->path,
		       st->line, section);
		goto fail;
	}
	key = config_find(section, name);
	if (key < 0) {
		errorf(st->err, "%s:%d: unknown key '%s' in section [%s]",
		       st->path, st->line, name, section);
		goto fail;
	}
	if (config_set(st->cfg, key, value, CONFIG_FROM_FILE, st->err) < 0) {
		error_prefix(st->err, "%s:%d: key '%s'", st->path, st->line,
			     name);
		goto fail;
	}
	return 1;
fail:
	st->failed = st->line;
	return 0;
}

/* An unknown "[section]" is an error even when no key follows it. */
static void check_section_line(struct load_state *st, const char *line)
{
	const char *p = line, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' || !(end = strchr(p, ']')))
		return;
	p++;
	while (*p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (!section_known_n(p, (size_t)(end - p))) {
		errorf(st->err, "%s:%d: unknown section '%.*s'", st->path,
		       st->line, (int)(end - p), p);
		st->failed = st->line;
	}
}

/*
 * Counts lines as inih reads them, so the handler can name the line, and
 * stops at the first problem: inih would go on and report a later one.
 */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	char *line;

	if (st->failed)
		return NULL;
	line = fgets(str, num, st->file);
	if (!line)
		return NULL;
	st->line++;
	if (!strchr(line, '\n') && !feof(st->file)) {
		errorf(st->err, "%s:%d: line longer than %d characters",
		       st->path, st->line, num - 2);
		st->failed = st->line;
		return NULL;
	}
	check_section_line(st, line);
	return st->failed ? NULL : line;
}

static void config_init_defaults(struct config *cfg)
{
	size_t i, n = config_count();

	memset(cfg, 0, sizeof(*cfg));
	cfg->values = xcalloc(n, sizeof(*cfg->values));
	cfg->numbers = xcalloc(n, sizeof(*cfg->numbers));
	cfg->source = xcalloc(n, sizeof(*cfg->source));
	for (i = 0; i < n; i++) {
		const struct config_def *d = config_def(i);
		int64_t number = 0;

		check_value(d, d->def, &number, NULL);
		cfg->values[i] = xstrdup(d->def);
		cfg->numbers[i] = number;
		cfg->source[i] = CONFIG_FROM_DEFAULT;
	}
}

static void env_name(const struct config_def *d, char *out, size_t n)
{
	size_t i;

	snprintf(out, n, "AFFILIATED_%s_%s", d->section, d->name);
	for (i = 0; out[i]; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

static int config_apply_env(struct config *cfg, struct buf *err)
{
	size_t pos, i, n = config_count(), platform_keys = provider_key_count();
	char name[128];
	const char *value;

	for (pos = 0; pos < n; pos++) {
		i = listed_key(pos, platform_keys);
		env_name(config_def(i), name, sizeof(name));
		value = getenv(name);
		if (!value)
			continue;
		if (config_set(cfg, (int)i, value, CONFIG_FROM_ENV, err) < 0)
			return error_prefix(err, "environment %s", name);
	}
	return 0;
}

static int config_read_file(struct config *cfg, const char *path,
			    struct buf *err)
{
	struct load_state st = {cfg, err, path, NULL, 0, 0};
	int rc;

	st.file = fopen(path, "r");
	if (!st.file)
		return errorf(err, "%s: cannot read: %s", path,
			      strerror(errno));
	rc = ini_parse_stream(ini_read_line, &st, ini_on_entry, &st);
	fclose(st.file);
	if (rc < 0)
		return errorf(err, "%s: cannot read", path);
	if (st.failed && (rc <= 0 || rc >= st.failed))
		return -1;
	if (rc > 0)
		return errorf(err,
			      "%s:%d: not a 'key = value' line or [section]",
			      path, rc);
	return 0;
}

int config_load(struct config *cfg, const char *path, struct buf *err)
{
	config_init_defaults(cfg);
	cfg->path = xstrdup(path);
	if (config_read_file(cfg, path, err) < 0 ||
	    config_apply_env(cfg, err) < 0) {
		config_release(cfg);
		return -1;
	}
	return 0;
}

int config_load_defaults(struct config *cfg, struct buf *err)
{
	config_init_defaults(cfg);
	cfg->path = xstrdup("(defaults)");
	if (config_apply_env(cfg, err) < 0) {
		config_release(cfg);
		return -1;
	}
	return 0;
}

void config_release(struct config *cfg)
{
	size_t i, n = config_count();

	for (i = 0; cfg->values && i < n; i++)
		free(cfg->values[i]);
	free(cfg->values);
	free(cfg->numbers);
	free(cfg->source);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

const char *config_get(const struct config *cfg, enum config_key key)
{
	return cfg->values[key];
}

int64_t config_int(const struct config *cfg, enum config_key key)
{
	return cfg->numbers[key];
}

const char *config_lookup(const struct config *cfg, const char *section,
			  const char *name)
{
	int i = config_find(section, name);

	return i < 0 ? NULL : cfg->values[i];
}

void config_print(const struct config *cfg, FILE *out)
{
	static const char *const sources[] = {"default", "file", "env"};
	size_t pos, i, n = config_count(), platform_keys = provider_key_count();
	const char *section = "";

	fprintf(out, "; effective configuration from %s\n", cfg->path);
	for (pos = 0; pos < n; pos++) {
		const struct config_def *d;
		const char *v;

		i = listed_key(pos, platform_keys);
		d = config_def(i);
		v = cfg->values[i];

		if (strcmp(section, d->section) != 0) {
			section = d->section;
			fprintf(out, "\n[%s]\n", section);
		}
		if (d->secret && v[0])
			v = "********";
		fprintf(out, "%s = %s ; %s\n", d->name, v,
			sources[cfg->source[i]]);
	}
}

const char *config_default_path(const char *flag)
{
	const char *env = getenv("AFFILIATED_CONFIG");

	if (flag)
		return flag;
	if (env && env[0])
		return env;
	if (access(LOCAL_PATH, F_OK) == 0)
		return LOCAL_PATH;
	return EXAMPLE_PATH;
}

/* Each line of lines as one warning of its own. */
static void print_warnings(const char *lines, FILE *out)
{
	const char *p = lines;
	size_t len;

	while (*p) {
		len = strcspn(p, "\n");
		fprintf(out, "affiliated: warning: %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

int config_warnings(const struct config *cfg, int64_t now, FILE *out)
{
	const struct provider *p;
	size_t k, n, first = CFG__COUNT;
	struct buf lines;
	int count = 0, rc;

	buf_init(&lines, BUF_SMALL);
	for (k = 0; (p = provider_at(k)); k++, first += n) {
		provider_keys(p, &n);
		buf_reset(&lines);
		/* A provider's keys sit together in the table, in its order. */
		rc = provider_config_warnings(
			p, (const char *const *)&cfg->values[first], now,
			&lines);
		if (rc > 0) {
			print_warnings(buf_str(&lines), out);
			count += rc;
		}
	}
	buf_release(&lines);
	return count;
}

int64_t config_retry_backoff_ms(const struct config *cfg, int64_t attempts)
{
	return backoff_ms(config_int(cfg, CFG_REWARDS_BACKOFF_MS),
			  config_int(cfg, CFG_REWARDS_BACKOFF_MAX_MS),
			  attempts);
}
