/* The reward sender thread of `affiliated serve` (see rewards.c). */
#ifndef AFFILIATED_REWARDS_H
#define AFFILIATED_REWARDS_H

#include <stdint.h>

struct app;
struct config;
struct reward_sender;

/* Queues again what a crash left `sending`, then starts the thread. */
struct reward_sender *reward_sender_start(struct app *app);
/* New rewards may be due: look now rather than at the next tick. */
void reward_sender_notify(struct reward_sender *s);
/* Finishes the call in flight and joins the thread. */
void reward_sender_stop(struct reward_sender *s);

#endif
