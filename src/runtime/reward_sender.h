/* The reward sender thread of `affiliated serve` (see rewards.c). */
#ifndef AFFILIATED_REWARDS_H
#define AFFILIATED_REWARDS_H

#include <stdint.h>

struct app;
struct config;
struct sender;

/* Queues again what a crash left `sending`, then starts the thread. */
struct sender *sender_start(struct app *app);
/* New rewards may be due: look now rather than at the next tick. */
void sender_notify(struct sender *s);
/* Finishes the call in flight and joins the thread. */
void sender_stop(struct sender *s);
/*
 * The wait before retry number `attempts` (1 = the first retry):
 * [rewards] backoff_ms doubling up to backoff_max_ms, with jitter in
 * the upper half so that retries do not march in step.
 */
int64_t rewards_backoff_ms(const struct config *cfg, int64_t attempts);

#endif
