#include "http/ops.h"
#include "runtime/app.h"
#include "util/log.h"
#include "util/metrics.h"
#include "store/store.h"
#include "util/clock.h"

/*
 * 200 only when the database answers and the last write worked: a
 * daemon that cannot store a delivery answers webhooks 503, and says so
 * here, so that a load balancer stops sending until it can again.
 */
void page_healthz(struct app *app, struct request *req, struct response *resp)
{
	struct buf err;

	(void)req;
	buf_init(&err, BUF_SMALL);
	if (store_ping(app->store, &err) < 0) {
		log_error("healthz.failed", "error=\"%s\"", buf_str(&err));
		response_error(resp, 503, "database unavailable");
	} else if (store_write_health(app->store, clock_now(), &err) < 0) {
		response_error(resp, 503, "writes are failing: %s",
			       buf_str(&err));
	} else {
		response_text(resp, 200, "text/plain; charset=utf-8", "ok\n");
	}
	buf_release(&err);
}

void page_metrics(struct app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	if (metrics_render(&resp->body) < 0)
		response_error(resp, 500, "metrics too large");
}
