#include "util/password.h"
#include "util/crypto.h"

#include <argon2.h>
#include <pthread.h>
#include <string.h>

#define T_COST	 2
#define M_COST	 19456 /* KiB */
#define LANES	 1
#define SALT_LEN 16
#define HASH_LEN 32

int password_hash(const char *password, struct buf *out, struct buf *err)
{
	unsigned char salt[SALT_LEN];
	char encoded[160];
	int rc;

	crypto_random(salt, sizeof(salt));
	rc = argon2id_hash_encoded(T_COST, M_COST, LANES, password,
				   strlen(password), salt, sizeof(salt),
				   HASH_LEN, encoded, sizeof(encoded));
	if (rc != ARGON2_OK)
		return errorf(err, "hashing the password: %s",
			      argon2_error_message(rc));
	if (buf_puts(out, encoded) < 0)
		return errorf(err, "hashing the password: hash too long");
	return 0;
}

bool password_verify(const char *encoded, const char *password)
{
	if (!encoded || strncmp(encoded, "$argon2id$", 10) != 0)
		return false;
	return argon2id_verify(encoded, password, strlen(password)) ==
	       ARGON2_OK;
}

static char dummy[160];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	struct buf b;

	buf_init(&b, sizeof(dummy));
	if (password_hash("not a password of anyone", &b, NULL) == 0)
		memcpy(dummy, buf_str(&b), b.len + 1);
	buf_release(&b);
}

void password_burn(const char *password)
{
	pthread_once(&dummy_once, make_dummy);
	(void)password_verify(dummy, password);
}
