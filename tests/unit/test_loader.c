/* placeholder replaced by the loader tests */
int main(void) { return 0; }
