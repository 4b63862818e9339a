/*
 * `affiliated serve`: the daemon.
 * Start-up checks everything that can fail before it creates anything:
 * the config is valid, the port is free, the database opens (or is
 * created) and the master key loads. Shutdown runs in reverse: stop
 * accepting, let requests in flight finish, stop the threads, close the
 * database (which folds the WAL back).
 */
#include "cli/commands.h"
#include "runtime/app.h"
#include "cli/cli.h"
#include "http/html.h"
#include "http/server.h"
#include "runtime/click_queue.h"
#include "runtime/committer.h"
#include "runtime/email_sender.h"
#include "runtime/reward_sender.h"
#include "runtime/webhook_secrets.h"
#include "runtime/worker.h"
#include "util/log.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/seal.h"
#include "store/store.h"
#include "store/store_clicks.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DRAIN_MS 10000

static const struct cli_cmd serve_cmd = {
	"serve", cmd_serve, "serve [--config FILE]",
	"Runs the daemon: HTTP server, webhook workers and reward sender.\n"
	"Stops cleanly on SIGTERM or SIGINT."};

/* Signals are taken synchronously by the main thread only. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A file size limit reached is a full disk: the write fails with
	 * EFBIG, is answered 503 and shows in /healthz, instead of killing
	 * the daemon.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

#define PRUNE_INTERVAL 3600 /* seconds */
#define PRUNE_BATCH    5000

/*
 * Deletes the clicks no attribution window can use any more, a batch
 * per transaction so that requests' writes get the writer in between.
 */
static void prune_clicks(struct app *app)
{
	int64_t n = PRUNE_BATCH, total = 0;
	struct store_tx *tx;
	struct buf err;

	buf_init(&err, BUF_SMALL);
	while (n == PRUNE_BATCH && !atomic_load(&app->stopping)) {
		tx = NULL;
		if (store_tx_begin(app->store, &tx, &err) < 0 ||
		    store_clicks_prune(
			    tx, clock_now(),
			    config_int(app->cfg, CFG_CLICKS_KEEP_DAYS),
			    PRUNE_BATCH, &n, &err) < 0 ||
		    store_tx_finish(&tx, &err) < 0) {
			store_tx_abandon(&tx);
			log_error("clicks.prune_failed", "error=\"%s\"",
				  buf_str(&err));
			break;
		}
		total += n;
	}
	if (total)
		log_info("clicks.pruned", "rows=%lld", (long long)total);
	buf_release(&err);
}

/*
 * Waits for a stop signal; meanwhile keeps checkpoints off the writer,
 * picks up webhook secrets set from the command line and prunes old
 * clicks once an hour.
 */
static int wait_for_stop(struct app *app, const sigset_t *set)
{
	struct timespec tick = {1, 0};
	int64_t pruned = clock_now();
	struct buf err;
	int sig;

	for (;;) {
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			return sig;
		if (sig == SIGHUP)
			log_info("daemon.sighup", "action=ignored");
		if (sig < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		store_checkpoint(app->store, NULL);
		if (clock_now() - pruned >= PRUNE_INTERVAL) {
			prune_clicks(app);
			pruned = clock_now();
		}
		buf_init(&err, BUF_SMALL);
		if (webhook_secrets_load(app->webhook_secrets, app->store,
					 &err) < 0)
			log_error("webhook_secrets.reload_failed",
				  "error=\"%s\"", buf_str(&err));
		buf_release(&err);
	}
}

/*
 * SQLite gives -wal and -shm the database file's own mode, so a database
 * an older build (or an operator) left open to others is closed to them
 * before it is opened: the umask only covers files made from now on.
 */
static void tighten_store_files(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char name[4096];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		if (stat(name, &st) < 0 || !(st.st_mode & (S_IRWXG | S_IRWXO)))
			continue;
		if (chmod(name, st.st_mode & S_IRWXU) < 0)
			log_warn("store.mode_failed", "file=%s error=\"%s\"",
				 name, strerror(errno));
		else
			log_warn("store.mode_tightened", "file=%s was=%04o",
				 name, (unsigned)(st.st_mode & 07777));
	}
}

static int serve(struct app *app)
{
	struct http_server *srv = NULL;
	struct workers *workers = NULL;
	struct buf err, ancestors, scripts;
	sigset_t set;
	uint16_t port = 0;
	int rc = EXIT_FAIL, sig;

	buf_init(&err, BUF_SMALL);
	buf_init(&ancestors, BUF_SMALL);
	buf_init(&scripts, BUF_SMALL);
	block_signals(&set);
	/* From the config alone: refused before any file is made. */
	if (platforms_frame_ancestors(&app->platforms, &ancestors) < 0 ||
	    platforms_script_sources(&app->platforms, &scripts) < 0 ||
	    html_set_policy(buf_str(&ancestors), buf_str(&scripts)) < 0) {
		errorf(&err, "admin_origins and sdk_url are too long together");
		cli_fail("config", &err);
		goto out;
	}
	srv = http_server_bind(config_get(app->cfg, CFG_SERVER_LISTEN), &port,
			       &err);
	if (!srv) {
		cli_fail("listen", &err);
		goto out;
	}
	tighten_store_files(config_get(app->cfg, CFG_STORE_PATH));
	app->store = store_open(config_get(app->cfg, CFG_STORE_PATH),
				STORE_CREATE | STORE_MIGRATE, &err);
	if (!app->store) {
		cli_fail("store", &err);
		goto out;
	}
	if (seal_open(config_get(app->cfg, CFG_SECURITY_KEY_FILE), true, &err) <
	    0) {
		cli_fail("security", &err);
		goto out;
	}
	prune_clicks(app);
	app->webhook_secrets = webhook_secrets_new();
	if (webhook_secrets_load(app->webhook_secrets, app->store, &err) < 0) {
		cli_fail("webhook secrets", &err);
		goto out;
	}
	app->clicks = click_queue_start(
		app->store, config_int(app->cfg, CFG_CLICKS_WINDOW),
		(size_t)config_int(app->cfg, CFG_CLICKS_QUEUE), &err);
	if (!app->clicks) {
		cli_fail("clicks", &err);
		goto out;
	}
	app->emails = email_sender_start(app);
	app->sender = reward_sender_start(app);
	workers =
		workers_new(app, (int)config_int(app->cfg, CFG_SERVER_WORKERS));
	app->committer = committer_new(app->store, workers_notify, workers);
	workers_start(workers);
	if (http_server_start(srv, app, &err) < 0) {
		cli_fail("listen", &err);
		goto out;
	}
	log_info("server.listening", "address=%s port=%u",
		 config_get(app->cfg, CFG_SERVER_LISTEN), port);
	sig = wait_for_stop(app, &set);
	log_info("server.stopping", "signal=%d", sig);
	atomic_store(&app->stopping, true);
	http_server_stop(srv, DRAIN_MS);
	srv = NULL;
	rc = EXIT_OK;
out:
	http_server_stop(srv, 0);
	/*
	 * No request is left waiting for a commit once the server stopped;
	 * the workers still read the committer until they are joined.
	 */
	/* Before the store closes: the clicks answered are written. */
	click_queue_stop(app->clicks);
	app->clicks = NULL;
	workers_stop(workers);
	committer_free(app->committer);
	app->committer = NULL;
	reward_sender_stop(app->sender);
	app->sender = NULL;
	email_sender_stop(app->emails);
	app->emails = NULL;
	webhook_secrets_free(app->webhook_secrets);
	app->webhook_secrets = NULL;
	store_close(app->store);
	app->store = NULL;
	seal_close();
	buf_release(&err);
	buf_release(&ancestors);
	buf_release(&scripts);
	if (rc == EXIT_OK)
		log_info("server.stopped", "clean=%d", 1);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	struct config cfg;
	struct app app;
	int rc;

	rc = cli_parse(argc, argv, NULL, NULL, 0, &serve_cmd);
	if (rc)
		return rc == 1 ? EXIT_OK : rc;
	if (cli_load_config(&cfg) < 0)
		return EXIT_FAIL;
	log_set_level((enum log_level)log_level_parse(
		config_get(&cfg, CFG_SERVER_LOG_LEVEL)));
	config_warnings(&cfg, clock_now(), stderr);
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	platforms_load(&app.platforms, &cfg);
	/* check-config validated it: a permutation of the five signals. */
	signal_precedence_parse(config_get(&cfg, CFG_ATTRIBUTION_PRECEDENCE),
				app.precedence, NULL);
	rc = serve(&app);
	metrics_free();
	config_release(&cfg);
	return rc;
}
