/*
 * Webhook intake: what decides the answer to a delivery, and nothing
 * more. The signature on the raw body first, then the headers, the shop
 * (from memory), the confirmation of deliveries that erase data, and
 * the group-committed insert. The body is parsed later, by the worker:
 * a signed delivery for a known shop is stored whether or not it parses
 * (PLATFORMS.md 1g).
 *
 * intake_take returns an outcome; one table (intake.c) maps each outcome
 * to its HTTP status, its answer, its metric label and its log line, so
 * that every refusal is answered, counted and logged the same way.
 */
#ifndef AFFILIATED_INTAKE_H
#define AFFILIATED_INTAKE_H

#include "providers/provider.h"
#include "runtime/app.h"
#include "util/buf.h"

enum intake_outcome {
	INTAKE_STORED,
	INTAKE_DUPLICATE, /* the same delivery id was stored before */
	INTAKE_UNKNOWN_PLATFORM,
	INTAKE_BAD_SIGNATURE,
	INTAKE_MISMATCH,  /* signed body, headers that say otherwise */
	INTAKE_MALFORMED, /* a header we need is missing or bad */
	INTAKE_UNKNOWN_SHOP,
	INTAKE_SHOP_LOOKUP_FAILED, /* the store could not say */
	INTAKE_UNCONFIRMED,	   /* erasure the platform cannot confirm now */
	INTAKE_REFUTED,		   /* erasure the platform contradicts */
	INTAKE_STORE_FAILED,	   /* the insert did not commit */
	INTAKE__COUNT
};

/* What a delivery said about itself, for the answer and the log line. */
struct intake_result {
	enum intake_outcome outcome;
	const char *platform;  /* the URL's segment */
	struct webhook_info w; /* valid from INTAKE_MISMATCH on */
	size_t bytes;	       /* the body's length */
	struct buf detail;     /* why, for refusals that say */
};

/*
 * Takes one delivery for the platform named by the URL; fills r (which
 * the caller releases with intake_result_release) and returns its
 * outcome. Nothing is stored unless the outcome is INTAKE_STORED.
 */
enum intake_outcome intake_take(struct app *app, const char *platform,
				const struct provider_request *pr,
				struct intake_result *r);
void intake_result_release(struct intake_result *r);

/*
 * Counts and logs r by the table, and writes the answer's status and
 * text (a JSON body for 2xx, a plain message otherwise) into out.
 */
int intake_report(const struct intake_result *r, struct buf *answer);

#endif
