/*
 * The bare minimum a webhook receiver with our guarantees must do, as the
 * yardstick scripts/bench measures the daemon against: libmicrohttpd, the
 * HMAC of the raw body checked in constant time, and the delivery stored
 * in SQLite (WAL, synchronous=FULL, one group commit for every request
 * waiting) before the 200 is sent. No parsing, no logging, no metrics,
 * no routing beyond one path. Connections wait for their commit
 * suspended, so two threads serve any number of them.
 *
 *   ref_server PORT SECRET DBFILE
 *
 * Prints "listening port=N" once bound (127.0.0.1 only); stops on SIGTERM.
 */
#include "util/crypto.h"
#include "util/encode.h"
#include "util/buf.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BODY (1 << 20)

struct delivery {
	struct MHD_Connection *conn;
	struct buf body;
	char id[128];
	char sig[64];
	int status; /* 0 while waiting for the commit */
	struct delivery *next;
};

static struct {
	const char *secret;
	sqlite3 *db;
	sqlite3_stmt *insert;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct delivery *queue;
	int stopping;
} ref;

static void die(const char *what)
{
	fprintf(stderr, "ref_server: %s: %s\n", what,
		ref.db ? sqlite3_errmsg(ref.db) : "failed");
	exit(1);
}

/* One transaction for every delivery that waits, then their answers. */
static void *committer(void *arg)
{
	struct delivery *batch, *d;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&ref.lock);
		while (!ref.queue && !ref.stopping)
			pthread_cond_wait(&ref.wake, &ref.lock);
		batch = ref.queue;
		ref.queue = NULL;
		pthread_mutex_unlock(&ref.lock);
		if (!batch)
			return NULL;
		if (sqlite3_exec(ref.db, "BEGIN", NULL, NULL, NULL) !=
		    SQLITE_OK)
			die("begin");
		for (d = batch; d; d = d->next) {
			sqlite3_bind_text(ref.insert, 1, d->id, -1,
					  SQLITE_STATIC);
			sqlite3_bind_blob(ref.insert, 2, d->body.data,
					  (int)d->body.len, SQLITE_STATIC);
			if (sqlite3_step(ref.insert) != SQLITE_DONE)
				die("insert");
			sqlite3_reset(ref.insert);
		}
		if (sqlite3_exec(ref.db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK)
			die("commit");
		for (d = batch; d;) {
			struct delivery *next = d->next;

			d->status = MHD_HTTP_OK;
			MHD_resume_connection(d->conn);
			d = next;
		}
	}
}

static enum MHD_Result answer(struct MHD_Connection *conn, int status)
{
	static const char ok[] = "{\"status\":\"stored\"}";
	static const char bad[] = "{\"error\":\"bad signature\"}";
	const char *text = status == MHD_HTTP_OK ? ok : bad;
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, r);

	MHD_destroy_response(r);
	return rc;
}

static bool signed_ok(const struct delivery *d)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf b64;
	bool ok;

	crypto_hmac_sha256(ref.secret, strlen(ref.secret), d->body.data,
			   d->body.len, mac);
	buf_init(&b64, 64);
	ok = base64_encode(&b64, mac, sizeof(mac)) == 0 &&
	     crypto_equal(b64.data, b64.len, d->sig, strlen(d->sig));
	buf_release(&b64);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **state)
{
	struct delivery *d = *state;
	const char *v;

	(void)cls;
	(void)url;
	(void)version;
	if (strcmp(method, "POST") != 0)
		return answer(conn, MHD_HTTP_OK);
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return MHD_NO;
		d->conn = conn;
		buf_init(&d->body, 8192);
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						"X-Shopify-Webhook-Id");
		snprintf(d->id, sizeof(d->id), "%s", v ? v : "");
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						"X-Shopify-Hmac-Sha256");
		snprintf(d->sig, sizeof(d->sig), "%s", v ? v : "");
		*state = d;
		return MHD_YES;
	}
	if (*size) {
		if (d->body.len + *size > MAX_BODY ||
		    buf_append(&d->body, data, *size) < 0)
			return MHD_NO;
		*size = 0;
		return MHD_YES;
	}
	if (d->status)
		return answer(conn, d->status);
	if (!d->id[0] || !signed_ok(d))
		return answer(conn, MHD_HTTP_UNAUTHORIZED);
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&ref.lock);
	d->next = ref.queue;
	ref.queue = d;
	pthread_cond_signal(&ref.wake);
	pthread_mutex_unlock(&ref.lock);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
			 enum MHD_RequestTerminationCode why)
{
	struct delivery *d = *state;

	(void)cls;
	(void)conn;
	(void)why;
	if (d) {
		buf_release(&d->body);
		free(d);
		*state = NULL;
	}
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *mhd;
	const union MHD_DaemonInfo *info;
	pthread_t thread;
	sigset_t set;
	int sig;

	if (argc != 4) {
		fprintf(stderr, "usage: ref_server PORT SECRET DBFILE\n");
		return 2;
	}
	ref.secret = argv[2];
	pthread_mutex_init(&ref.lock, NULL);
	pthread_cond_init(&ref.wake, NULL);
	if (sqlite3_open(argv[3], &ref.db) != SQLITE_OK ||
	    sqlite3_exec(ref.db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY"
			 " KEY, delivery_id TEXT NOT NULL UNIQUE, body BLOB"
			 " NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ref.db,
			       "INSERT OR IGNORE INTO inbox (delivery_id, body)"
			       " VALUES (?, ?)",
			       -1, &ref.insert, NULL) != SQLITE_OK)
		die("opening the database");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&thread, NULL, committer, NULL) != 0)
		die("starting the committer");
	mhd = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
		(uint16_t)atoi(argv[1]), NULL, NULL, on_request, NULL,
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)sysconf(_SC_NPROCESSORS_ONLN),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_SOCK_ADDR,
		(const struct sockaddr *)&(struct sockaddr_in){
			.sin_family = AF_INET,
			.sin_port = htons((uint16_t)atoi(argv[1])),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
		MHD_OPTION_END);
	if (!mhd)
		die("listening");
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening port=%u\n", info ? info->port : 0);
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(mhd);
	pthread_mutex_lock(&ref.lock);
	ref.stopping = 1;
	pthread_cond_signal(&ref.wake);
	pthread_mutex_unlock(&ref.lock);
	pthread_join(thread, NULL);
	sqlite3_finalize(ref.insert);
	sqlite3_close(ref.db);
	return 0;
}
