/*
 * Leveled events, one line each on stderr:
 *   ts=2026-11-25T22:40:01Z level=info event=webhook.accepted shop=a id=7
 * The format's own text is trusted; every argument is a value. A value
 * inside the format's quotes (key="%s") has its quotes, backslashes and
 * control bytes escaped; a bare one (key=%s) is quoted as well when it
 * holds a space, '=', a quote or one of those, so no value can end its
 * field or line and add others. Never log secrets, tokens or bodies.
 */
#ifndef AFFILIATED_LOG_H
#define AFFILIATED_LOG_H

#include "util/buf.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG__COUNT };

extern enum log_level log_threshold;

/* "debug", "info", "warn", "error" into a level; -1 when unknown. */
int log_level_parse(const char *name);
void log_set_level(enum log_level level);

/* Formats and writes one event. Use the macros: they test the level first. */
void log_event(enum log_level level, const char *event, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

#define log_at(lvl, ev, ...)                                 \
	do {                                                 \
		if ((lvl) >= log_threshold)                  \
			log_event((lvl), (ev), __VA_ARGS__); \
	} while (0)
#define log_debug(ev, ...) log_at(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...)  log_at(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)  log_at(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_at(LOG_ERROR, ev, __VA_ARGS__)

#endif
