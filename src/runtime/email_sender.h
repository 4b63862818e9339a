/*
 * The email thread of `affiliated serve`: sends the reward emails that
 * the reward sender queued ([smtp]). Its own thread, so that a slow or
 * silent mail server never delays a reward.
 */
#ifndef AFFILIATED_EMAIL_SENDER_H
#define AFFILIATED_EMAIL_SENDER_H

struct app;
struct email_sender;

/* Starts the thread; NULL (and no thread) when [smtp] url is empty. */
struct email_sender *email_sender_start(struct app *app);
/* Emails were queued: look now rather than at the next tick. */
void email_sender_notify(struct email_sender *s);
/* Gives up the message in flight (it stays queued) and joins. */
void email_sender_stop(struct email_sender *s);

#endif
