/* Threads that process the webhook inbox, approvals and reconciliation. */
#ifndef AFFILIATED_WORKER_H
#define AFFILIATED_WORKER_H

struct app;
struct workers;

struct workers *workers_start(struct app *app, int n);
/* Wakes the workers: new deliveries are in the inbox. ctx: the pool. */
void workers_notify(void *ctx);
/* Lets the current batches finish and joins the threads. */
void workers_stop(struct workers *pool);

#endif
