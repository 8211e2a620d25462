/*
 * fuzz_program.c: any bytes as program.yaml.  The loader must accept or
 * reject with at least one positioned message, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	up_error *err = up_error_new();
	up_program *p = NULL;
	/* The directory does not exist: rule files listed fail to read, which
	 * is one more error path to walk. */
	int rc = up_program_parse(&p, "/nonexistent-uptake-fuzz",
				  (const char *)data, size, 0, err);
	if (rc == UP_OK && !p)
		abort();
	if (rc != UP_OK) {
		if (p || up_error_count(err) == 0)
			abort();
		for (size_t i = 0; i < up_error_count(err); i++)
			if (strncmp(up_error_message(err, i), "program.yaml:",
				    13) != 0)
				abort();
	}
	up_program_free(p);
	up_error_free(err);
	return 0;
}
