/* Sending one email through SMTP with libcurl (the [smtp] section). */
#ifndef AFFILIATED_MAILER_H
#define AFFILIATED_MAILER_H

#include "util/buf.h"

struct mailer {
	const char *url; /* smtp://host:port or smtps:// */
	const char *from;
	const char *username; /* "" : no authentication */
	const char *password;
	long timeout_ms;
};

/*
 * Sends a plain-text UTF-8 message. Header values containing CR or LF
 * are refused. Returns 0, or -1 with err holding the server's answer.
 */
int mailer_send(const struct mailer *m, const char *to, const char *subject,
		const char *body, struct buf *err);

#endif
