/*
 * A background thread's sleep: it waits for a tick, for news (notify)
 * or for the order to stop, whichever comes first. News that arrives
 * while the thread is busy is not lost: the next wait returns at once.
 */
#ifndef AFFILIATED_WAKEUP_H
#define AFFILIATED_WAKEUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct wakeup {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long generation;
	atomic_bool stopping;
};

void wakeup_init(struct wakeup *w);
void wakeup_destroy(struct wakeup *w);
/* Taken before a round of work; pass it to the wait that follows. */
unsigned long wakeup_mark(struct wakeup *w);
/*
 * Sleeps up to usec unless notified since mark was taken. Returns false
 * once stopping.
 */
bool wakeup_wait(struct wakeup *w, unsigned long mark, uint64_t usec);
void wakeup_notify(struct wakeup *w);
/* Sets stopping and wakes the sleeper; safe to read from any thread. */
void wakeup_stop(struct wakeup *w);
bool wakeup_stopping(const struct wakeup *w);

#endif
