/*
 * Clicks are recorded, not awaited: /r/<code> takes the click's id from
 * memory, queues the click and answers; a thread of its own writes the
 * queue to the store every 50 ms, one transaction per batch. A crash
 * loses at most the clicks of the last window (never money: attribution
 * reads ref from the order). The queue is bounded: a click that finds
 * it full is dropped and counted, the request does not wait.
 *
 * Ids are chosen here, before the row exists: the first one of a run is
 * above both every id in the store and the wall clock in milliseconds
 * times 1024, so ids lost in a crash are not handed out again after a
 * restart (that would take over a million clicks a second) and stay
 * below 2^53, exact in JavaScript.
 *
 * The thread also reloads the code table (click_codes.h) each second.
 */
#ifndef AFFILIATED_CLICK_QUEUE_H
#define AFFILIATED_CLICK_QUEUE_H

#include "runtime/click_codes.h"
#include "store/store.h"
#include "store/store_programs.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>

#define CLICK_COMMIT_MS 50

struct click_queue;

enum click_outcome {
	CLICK_QUEUED,  /* a new visit: written within CLICK_COMMIT_MS */
	CLICK_REPEAT,  /* within [clicks] window of the visit's first click */
	CLICK_DROPPED, /* the queue was full: not recorded */
};

/*
 * Reads the ids, the visits of the last window seconds (0: each click
 * counts) and the codes from st, then starts the thread. capacity
 * bounds the clicks waiting for a commit. NULL with err on failure.
 */
struct click_queue *click_queue_start(struct store *st, int64_t window,
				      size_t capacity, struct buf *err);
/*
 * Writes what is queued, stops the thread and frees q (NULL is fine).
 * Called after the HTTP server stopped and before the store closes.
 */
void click_queue_stop(struct click_queue *q);
/*
 * Records c (its id is ignored; user_agent is copied). *id gets the
 * click id: the new one, the visit's first one for a repeat, 0 when
 * dropped.
 */
enum click_outcome click_queue_add(struct click_queue *q, const struct click *c,
				   int64_t *id);
/* The code table the thread keeps fresh; owned by q. */
struct click_codes *click_queue_codes(struct click_queue *q);

#endif
