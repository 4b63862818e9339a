/*
 * The configuration: one table describes every key (section, name, type,
 * default, bounds, secret flag, help). The INI reader, the environment
 * overrides (AFFILIATED_<SECTION>_<KEY>), check-config and the test that
 * the example file documents every key all read that table. It holds the
 * core's keys (enum config_key) and then each provider's own section, as
 * the provider describes it (provider_keys), so that a new platform adds
 * nothing here.
 */
#ifndef AFFILIATED_CONFIG_H
#define AFFILIATED_CONFIG_H

#include "util/buf.h"
#include "util/config_def.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The core's keys; the providers' keys follow them in the table. */
enum config_key {
	CFG_SERVER_LISTEN,
	CFG_SERVER_PUBLIC_URL,
	CFG_SERVER_MAX_BODY,
	CFG_SERVER_MAX_CONNECTIONS,
	CFG_SERVER_TIMEOUT,
	CFG_SERVER_WORKERS,
	CFG_SERVER_LOG_LEVEL,
	CFG_SERVER_RECONCILE_INTERVAL,
	CFG_SERVER_SUBSCRIPTIONS_INTERVAL,
	CFG_SERVER_PER_IP_CONNECTIONS,
	CFG_SERVER_HEADER_TIMEOUT,
	CFG_SERVER_BODY_TIMEOUT,
	CFG_STORE_PATH,
	CFG_SECURITY_KEY_FILE,
	CFG_SECURITY_SESSION_TTL,
	CFG_ACCOUNTS_SIGNUPS_PER_HOUR,
	CFG_CLICKS_WINDOW,
	CFG_CLICKS_PER_ADDRESS,
	CFG_CLICKS_KEEP_DAYS,
	CFG_CLICKS_QUEUE,
	CFG_ATTRIBUTION_PRECEDENCE,
	CFG_REWARDS_MAX_ATTEMPTS,
	CFG_REWARDS_BACKOFF_MS,
	CFG_REWARDS_BACKOFF_MAX_MS,
	CFG_REWARDS_TIMEOUT_MS,
	CFG_SMTP_URL,
	CFG_SMTP_FROM,
	CFG_SMTP_USERNAME,
	CFG_SMTP_PASSWORD,
	CFG_SMTP_TIMEOUT_MS,
	CFG_SMTP_MAX_ATTEMPTS,
	CFG__COUNT
};

enum config_source { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_ENV };

/* Each array has config_count() entries, indexed as the table. */
struct config {
	char *path;	  /* the file read, owned */
	char **values;	  /* effective values, owned, never NULL */
	int64_t *numbers; /* CONFIG_INT keys, parsed */
	enum config_source *source;
};

/* How many keys the table has: the core's and every provider's. */
size_t config_count(void);
/*
 * Key i of the table (i < config_count()): an enum config_key, or a
 * provider's key past CFG__COUNT. Static storage; NULL past the end.
 */
const struct config_def *config_def(size_t i);
/* The table index of [section] name, or -1. */
int config_find(const char *section, const char *name);

/*
 * Reads path, then the environment. On failure err reads
 * "file:line: key 'x': reason" (or names the variable) and cfg holds
 * nothing that needs releasing.
 */
int config_load(struct config *cfg, const char *path, struct buf *err);
/* Defaults and environment only: for tests and the built-in example. */
int config_load_defaults(struct config *cfg, struct buf *err);
void config_release(struct config *cfg);

const char *config_get(const struct config *cfg, enum config_key key);
int64_t config_int(const struct config *cfg, enum config_key key);
/* The value of [section] name, NULL when the table has no such key. */
const char *config_lookup(const struct config *cfg, const char *section,
			  const char *name);

/*
 * Prints a line per value that works today but is about to stop, as each
 * provider judges its own section's values (an API version the platform
 * no longer serves as asked, say). Returns how many lines it printed.
 */
int config_warnings(const struct config *cfg, int64_t now, FILE *out);

/* The effective configuration as INI text, secrets masked. */
void config_print(const struct config *cfg, FILE *out);

/*
 * Which file a command reads: --config, else $AFFILIATED_CONFIG, else
 * config/affiliated.conf when it exists, else the example.
 */
const char *config_default_path(const char *flag);

/* Splits "host:port" / "[v6]:port"; host is written to a caller buffer. */
int config_split_address(const char *addr, char *host, size_t hostlen,
			 uint16_t *port, struct buf *err);

/*
 * The wait before retry number attempts (1 = the first retry) of a
 * reward or an email: [rewards] backoff_ms doubling up to
 * backoff_max_ms, with jitter (util/backoff.h).
 */
int64_t config_retry_backoff_ms(const struct config *cfg, int64_t attempts);

#endif
