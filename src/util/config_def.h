/*
 * What one configuration key is: its section, name, type, default,
 * bounds, secret flag and help. The core's keys and each provider's
 * section are described with it, and config.c reads them all as one
 * table; the base layer holds it so that providers can describe their
 * keys without seeing the configuration itself.
 */
#ifndef AFFILIATED_CONFIG_DEF_H
#define AFFILIATED_CONFIG_DEF_H

#include <stdbool.h>
#include <stdint.h>

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_ADDRESS, /* host:port, IPv4 or [IPv6] literal */
	CONFIG_URL,	/* http:// or https://, or empty */
	CONFIG_LEVEL,	/* debug|info|warn|error */
	CONFIG_ORDER,	/* the default's comma-separated words, reordered */
	/* space-separated http(s)://host[:port]; a host may start with *. */
	CONFIG_ORIGINS,
	CONFIG_SCRIPT, /* an http(s) URL fit for a CSP source list, or empty */
};

struct config_def {
	const char *section;
	const char *name;
	enum config_type type;
	const char *def; /* default as text */
	int64_t min, max;
	bool secret; /* masked by check-config, never logged */
	const char *help;
};

#endif
