/* Sending one email through SMTP with libcurl (the [smtp] section). */
#ifndef AFFILIATED_MAILER_H
#define AFFILIATED_MAILER_H

#include "util/buf.h"

#include <stdatomic.h>

struct mailer {
	const char *url; /* smtp://host:port or smtps:// */
	const char *from;
	const char *username; /* "" : no authentication */
	const char *password;
	long timeout_ms;
	/* Set by another thread: the message in flight is given up. */
	atomic_bool *stop;
};

enum mail_result {
	MAIL_SENT,
	MAIL_RETRY,   /* unreachable, timed out, 4xx: try again later */
	MAIL_REFUSED, /* 5xx or a message we will not send: never will be */
	MAIL_ABORTED, /* *stop was set: not an attempt, try again later */
};

/*
 * Sends a plain-text UTF-8 message. Header values containing CR or LF
 * are refused. Anything but MAIL_SENT leaves the reason in err: the
 * server's answer when there was one.
 */
enum mail_result mailer_send(const struct mailer *m, const char *to,
			     const char *subject, const char *body,
			     struct buf *err);

#endif
