/* Threads that process the webhook inbox, approvals and reconciliation. */
#ifndef AFFILIATED_WORKER_H
#define AFFILIATED_WORKER_H

struct app;
struct workers;

/*
 * Two steps, so that what the threads read (app->committer, which
 * notifies this pool) is in place before they start.
 */
struct workers *workers_new(struct app *app, int n);
void workers_start(struct workers *pool);
/* Wakes the workers: new deliveries are in the inbox. ctx: the pool. */
void workers_notify(void *ctx);
/* Lets the current batches finish and joins the threads. */
void workers_stop(struct workers *pool);

#endif
