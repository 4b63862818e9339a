#include "reward_code.h"
#include "util/crypto.h"
#include "util/seal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

void reward_code(int64_t shop_id, int64_t reward_id,
		 char out[REWARD_CODE_LEN + 1])
{
	/* 32 symbols, 5 bits each: no o, i or l, which look like 0 and 1. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz123456789";
	unsigned char key[SEAL_KEY_LEN], mac[CRYPTO_SHA256_LEN];
	char msg[64];
	int i;

	snprintf(msg, sizeof(msg), "%lld:%lld", (long long)shop_id,
		 (long long)reward_id);
	seal_derive("reward-code", key);
	crypto_hmac_sha256(key, sizeof(key), msg, strlen(msg), mac);
	memcpy(out, "aff", 3);
	for (i = 3; i < REWARD_CODE_LEN; i++)
		out[i] = alphabet[mac[i] & 31];
	out[REWARD_CODE_LEN] = '\0';
	OPENSSL_cleanse(key, sizeof(key));
}
