/*
 * fuzz_lock.c: any bytes as uptake.lock.  The reader must accept, or
 * reject with messages located in the lock file, never crash or leak; an
 * accepted lock's entries each hash to the sha256 they claim.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	up_error *err = up_error_new();
	up_lock *lk = NULL;
	int rc = up_lock_parse((const char *)data, size, "uptake.lock", &lk,
			       err);
	if ((rc == UP_OK) != (lk != NULL))
		abort();
	if (rc != UP_OK && up_error_count(err) == 0)
		abort();
	for (size_t i = 0; i < up_error_count(err); i++)
		if (strncmp(up_error_message(err, i), "uptake.lock:", 12))
			abort();
	for (size_t i = 0; lk && i < lk->n; i++) {
		char *listing = up_pack_digest_listing(&lk->e[i].digest);
		char hex[65];
		up_sha256_hex(listing, strlen(listing), hex);
		if (strcmp(hex, lk->e[i].digest.sha256))
			abort();
		free(listing);
	}
	up_lock_free(lk);
	up_error_free(err);
	return 0;
}
