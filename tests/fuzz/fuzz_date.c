/* fuzz_date.c: dates from user input: parse, then format must round-trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64];
	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int32_t d;
	const char *why = NULL;
	if (up_date_parse(s, &d, &why) == UP_OK) {
		char back[11];
		up_date_format(d, back);
		if (strcmp(back, s) != 0)
			abort(); /* an accepted date must print as given */
	} else if (!why) {
		abort();
	}
	return 0;
}
