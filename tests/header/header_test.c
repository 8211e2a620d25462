/* header_test.c: include/uptake.h compiles alone, as C99, with strict
 * warnings, and its handles stay opaque to users. */
#include <uptake.h>

int main(void)
{
	up_error *err = up_error_new();
	int ok = err != NULL && up_error_code(err) == UP_OK &&
		 up_exit_status(UP_EINPUT) == 65 &&
		 up_exit_status(UP_EBUSY) == 75 &&
		 up_date_check("2024-02-29", NULL) == UP_OK &&
		 up_date_check("2023-02-29", NULL) == UP_EINPUT;
	up_error_free(err);
	up_program_free(NULL); /* every free is NULL-safe */
	up_store_close(NULL);
	up_cycle_free(NULL);
	return ok ? 0 : 1;
}
