/*
 * fuzz_manifest.c: any bytes as a pack's pack.yaml.  The manifest reader
 * must accept, or reject with messages located in pack.yaml, never crash
 * or leak; an accepted manifest's parameter defaults fit their types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char dir[] = "/nonexistent-uptake-fuzz";
	up_error *err = up_error_new();
	up_pack *pk = NULL;
	int rc = up_pack_parse(&pk, dir, (const char *)data, size, err);
	if ((rc == UP_OK) != (pk != NULL))
		abort();
	if (rc != UP_OK && up_error_count(err) == 0)
		abort();
	for (size_t i = 0; i < up_error_count(err); i++)
		if (strncmp(up_error_message(err, i), dir, sizeof dir - 1))
			abort();
	for (size_t i = 0; pk && i < pk->nparams; i++)
		if (!pk->params[i].def)
			abort();
	up_pack_free(pk);
	up_error_free(err);
	return 0;
}
