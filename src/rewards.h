/* The reward sender thread of `affiliated serve` (see rewards.c). */
#ifndef AFFILIATED_REWARDS_H
#define AFFILIATED_REWARDS_H

struct app;
struct sender;

/* Queues again what a crash left `sending`, then starts the thread. */
struct sender *sender_start(struct app *app);
/* New rewards may be due: look now rather than at the next tick. */
void sender_notify(struct sender *s);
/* Finishes the call in flight and joins the thread. */
void sender_stop(struct sender *s);

#endif
