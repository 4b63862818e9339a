#include "util/seal.h"
#include "util/crypto.h"
#include "util/encode.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NONCE_LEN = 12, TAG_LEN = 16 };

static unsigned char master[SEAL_KEY_LEN];
static bool loaded;

static int read_key(int fd, const char *path, struct buf *err)
{
	unsigned char key[SEAL_KEY_LEN], extra;
	ssize_t n = read(fd, key, sizeof(key));
	int rc = 0;

	if (n != (ssize_t)sizeof(key) || read(fd, &extra, 1) != 0)
		rc = errorf(err,
			    "key file '%s' is not exactly %d bytes: "
			    "restore it from backup",
			    path, SEAL_KEY_LEN);
	else
		memcpy(master, key, sizeof(master));
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/*
 * Anyone who can read the key can open every sealed token and secret,
 * so a key others may read (or replace) is refused, not used quietly.
 */
static int check_mode(int fd, const char *path, struct buf *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return errorf(err, "cannot stat key file '%s': %s", path,
			      strerror(errno));
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return errorf(err,
			      "key file '%s' is open to group or others (mode "
			      "%04o): run 'chmod 600 %s'",
			      path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static int create_key(const char *path, struct buf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return errorf(err, "cannot create key file '%s': %s", path,
			      strerror(errno));
	crypto_random(master, sizeof(master));
	n = write(fd, master, sizeof(master));
	if (n != (ssize_t)sizeof(master) || fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		unlink(path);
		OPENSSL_cleanse(master, sizeof(master));
		return errorf(err, "cannot write key file '%s': %s", path,
			      strerror(saved));
	}
	close(fd);
	return 0;
}

int seal_open(const char *key_file, bool create, struct buf *err)
{
	int fd, rc;

	/* A failed (re)open leaves no usable key behind. */
	seal_close();
	fd = open(key_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (create_key(key_file, err) < 0)
			return -1;
		loaded = true;
		return 0;
	}
	if (fd < 0)
		return errorf(err, "cannot read key file '%s': %s", key_file,
			      strerror(errno));
	rc = check_mode(fd, key_file, err);
	if (rc == 0)
		rc = read_key(fd, key_file, err);
	close(fd);
	if (rc == 0)
		loaded = true;
	return rc;
}

void seal_close(void)
{
	OPENSSL_cleanse(master, sizeof(master));
	loaded = false;
}

bool seal_ready(void)
{
	return loaded;
}

static int gcm_run(bool enc, const unsigned char *nonce, const char *context,
		   const unsigned char *in, size_t len, unsigned char *out,
		   unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!ctx)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, master, nonce,
			       enc ? 1 : 0) == 1 &&
	     EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)context,
			      (int)strlen(context)) == 1 &&
	     (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1) &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
					 tag) == 1) &&
	     EVP_CipherFinal_ex(ctx, out + len, &n) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
					  tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int seal_encrypt(struct buf *out, const char *context, const void *plain,
		 size_t len, struct buf *err)
{
	size_t total = NONCE_LEN + len + TAG_LEN;
	unsigned char *raw;
	int rc = -1;

	if (!loaded)
		return errorf(err, "secrets cannot be sealed: no master key");
	raw = xmalloc(total + 16);
	crypto_random(raw, NONCE_LEN);
	if (gcm_run(true, raw, context, plain, len, raw + NONCE_LEN,
		    raw + NONCE_LEN + len) < 0)
		errorf(err, "sealing failed");
	else if (buf_puts(out, "v1.") < 0 ||
		 base64url_encode(out, raw, total) < 0)
		errorf(err, "sealed value too large");
	else
		rc = 0;
	OPENSSL_cleanse(raw, total + 16);
	free(raw);
	return rc;
}

int seal_decrypt(struct buf *out, const char *context, const char *sealed,
		 struct buf *err)
{
	struct buf raw;
	unsigned char *p, *plain = NULL;
	size_t len = 0;
	int rc = -1;

	if (!loaded)
		return errorf(err, "secrets cannot be opened: no master key");
	buf_init(&raw, BUF_MEDIUM);
	if (!str_has_prefix(sealed, "v1.") ||
	    base64url_decode(&raw, sealed + 3, strlen(sealed + 3)) < 0 ||
	    raw.len < NONCE_LEN + TAG_LEN) {
		errorf(err, "sealed value is malformed");
		goto out;
	}
	p = (unsigned char *)raw.data;
	len = raw.len - NONCE_LEN - TAG_LEN;
	plain = xmalloc(len + 16);
	if (gcm_run(false, p, context, p + NONCE_LEN, len, plain,
		    p + NONCE_LEN + len) < 0)
		errorf(err, "sealed value does not open with this key");
	else if (buf_append(out, plain, len) < 0)
		errorf(err, "sealed value too large");
	else
		rc = 0;
out:
	if (plain)
		OPENSSL_cleanse(plain, len + 16);
	free(plain);
	buf_release(&raw);
	return rc;
}

void seal_derive(const char *label, unsigned char out[SEAL_KEY_LEN])
{
	static const char prefix[] = "affiliated:";
	char msg[256];
	size_t n = strlen(label);

	if (!loaded)
		BUG("seal_derive before seal_open");
	if (n > sizeof(msg) - sizeof(prefix))
		BUG("seal label too long");
	memcpy(msg, prefix, sizeof(prefix) - 1);
	memcpy(msg + sizeof(prefix) - 1, label, n);
	crypto_hmac_sha256(master, sizeof(master), msg, sizeof(prefix) - 1 + n,
			   out);
}

void seal_pseudonym(const char *value, char out[33])
{
	unsigned char key[SEAL_KEY_LEN], mac[CRYPTO_SHA256_LEN];
	static const char digits[] = "0123456789abcdef";
	int i;

	out[0] = '\0';
	if (!value || !value[0])
		return;
	seal_derive("pseudonym", key);
	crypto_hmac_sha256(key, sizeof(key), value, strlen(value), mac);
	for (i = 0; i < 16; i++) {
		out[2 * i] = digits[mac[i] >> 4];
		out[2 * i + 1] = digits[mac[i] & 15];
	}
	out[32] = '\0';
	OPENSSL_cleanse(key, sizeof(key));
}
