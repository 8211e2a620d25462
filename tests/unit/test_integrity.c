/*
 * test_integrity.c: pinning and signing rule packs (core/pack.h).
 *
 * What is pinned: the digest of a pack directory is the `sha256sum`
 * listing of its files, sorted bytewise, whatever order they were made
 * in, without dot-files or the top-level pack.sig, and it refuses links,
 * FIFOs, odd names and oversized packs with "DIR/x: error: ..."; the diff
 * names the first changed, added or removed file.  uptake.lock reads back
 * what was written, byte for byte, and every malformed lock is reported
 * with its exact message and position.  Keys are made 0600 and never
 * overwritten.  A signed pack verifies; an unsigned, untrusted, changed or
 * forged one is told apart, and a changed one names the file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "pack.h"
#include "testutil.h"

static char *dir;
static up_error *err;

static void setup(void)
{
	dir = tu_mkdtemp();
	err = up_error_new();
	ck_assert_ptr_nonnull(err);
	ck_assert_int_ge(sodium_init(), 0);
}

static void teardown(void)
{
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
}

/* ---- helpers ---- */

/* Every message of err, one per line, for assertion messages. */
static const char *messages(void)
{
	static char out[8192];
	out[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "\n    %s",
			 up_error_message(err, i));
	}
	return out;
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot read %s", path);
	up_buf b = {0};
	char chunk[4096];
	size_t got;
	up_buf_add(&b, "", 0);
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		up_buf_add(&b, chunk, got);
	fclose(fp);
	return b.buf;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Removes PACK/pack.sig/keep and the directory pack.sig. */
static void rmdir_keep(const char *pack)
{
	char *keep = tu_path(pack, "pack.sig/keep");
	char *d = tu_path(pack, "pack.sig");
	unlink(keep);
	rmdir(d);
	free(keep);
	free(d);
}

/* Hidden files in DIR: a temporary file that was left behind. */
static int hidden_files(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
		     strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* A small pack in DIR/SUB; the caller frees the path. */
static char *make_pack(const char *sub)
{
	char *p = tu_path(dir, sub);
	mkdir(p, 0777);
	tu_write(p, "pack.yaml", "name: demo\nversion: 1.0.0\n");
	tu_write(p, "README.md", "# demo\n");
	tu_write(p, "rules/a.lua", "check { id = 'a' }\n");
	tu_write(p, "rules/b.lua", "check { id = 'b' }\n");
	tu_write(p, "rules/lib/util.lua", "return {}\n");
	return p;
}

static void digest_ok(const char *path, up_pack_digest *d)
{
	up_error_clear(err);
	int rc = up_pack_digest_dir(path, d, err);
	ck_assert_msg(rc == UP_OK, "digest %s: %d%s", path, rc, messages());
	ck_assert_uint_eq(up_error_count(err), 0);
}

/* Digesting PATH fails with exactly the one message WANT. */
static void digest_refused(const char *path, const char *want)
{
	up_pack_digest d;
	up_error_clear(err);
	ck_assert_int_eq(up_pack_digest_dir(path, &d, err), UP_EINPUT);
	ck_assert_msg(up_error_count(err) == 1, "want one message:%s",
		      messages());
	ck_assert_str_eq(up_error_message(err, 0), want);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_null(d.files);
}

/* Runs CMD through the shell; its whole stdout (caller frees). */
static char *shell(const char *cmd)
{
	FILE *fp = popen(cmd, "r");
	ck_assert_msg(fp != NULL, "popen %s", cmd);
	up_buf b = {0};
	char chunk[4096];
	size_t got;
	up_buf_add(&b, "", 0);
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		up_buf_add(&b, chunk, got);
	ck_assert_msg(pclose(fp) == 0, "failed: %s", cmd);
	return b.buf;
}

/* ---- the digest ---- */

#define SHA_ABC \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

START_TEST(digest_lists_files_sorted_bytewise)
{
	char *p = tu_path(dir, "p");
	mkdir(p, 0777);
	/* '-' < '/' < '0' bytewise: a whole-path sort, not per directory. */
	tu_write(p, "a0", "abc");
	tu_write(p, "a/b", "abc");
	tu_write(p, "a-b", "abc");
	tu_write(p, "B", "");
	up_pack_digest d;
	digest_ok(p, &d);
	char *listing = up_pack_digest_listing(&d);
	ck_assert_str_eq(listing, SHA_EMPTY "  B\n" SHA_ABC "  a-b\n"
			 SHA_ABC "  a/b\n" SHA_ABC "  a0\n");
	char sum[65];
	up_sha256_hex(listing, strlen(listing), sum);
	ck_assert_str_eq(d.sha256, sum);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_str_eq(d.files[2].path, "a/b");
	ck_assert_str_eq(d.files[2].sha256, SHA_ABC);
	free(listing);
	up_pack_digest_free(&d);
	ck_assert_ptr_null(d.files);
	free(p);
}
END_TEST

START_TEST(digest_is_stable_and_independent_of_creation_order)
{
	char *p1 = tu_path(dir, "one"), *p2 = tu_path(dir, "two");
	mkdir(p1, 0777);
	mkdir(p2, 0777);
	char name[64], text[64];
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof name, "d%d/f%02d.lua", i % 7, i);
		snprintf(text, sizeof text, "return %d\n", i);
		tu_write(p1, name, text);
		snprintf(name, sizeof name, "d%d/f%02d.lua", (59 - i) % 7,
			 59 - i);
		snprintf(text, sizeof text, "return %d\n", 59 - i);
		tu_write(p2, name, text);
	}
	up_pack_digest a, b, again;
	digest_ok(p1, &a);
	digest_ok(p2, &b);
	digest_ok(p1, &again);
	ck_assert_uint_eq(a.n, 60);
	char *la = up_pack_digest_listing(&a), *lb = up_pack_digest_listing(&b);
	ck_assert_str_eq(la, lb);
	ck_assert_str_eq(a.sha256, b.sha256);
	ck_assert_str_eq(a.sha256, again.sha256);
	for (size_t i = 1; i < a.n; i++)
		ck_assert_int_lt(strcmp(a.files[i - 1].path, a.files[i].path),
				 0);
	/* ...and it is a hash of the contents: one byte changes it. */
	tu_write(p2, "d0/f00.lua", "return 1\n");
	up_pack_digest c;
	digest_ok(p2, &c);
	ck_assert_str_ne(a.sha256, c.sha256);
	free(la);
	free(lb);
	up_pack_digest_free(&a);
	up_pack_digest_free(&b);
	up_pack_digest_free(&again);
	up_pack_digest_free(&c);
	free(p1);
	free(p2);
}
END_TEST

START_TEST(digest_equals_sha256sum)
{
	char *p = make_pack("p");
	tu_write(p, "B.lua", "x");
	tu_write(p, "a-b.lua", "y");
	tu_write(p, "a/b.lua", "z");
	tu_write(p, "a0.lua", "");
	tu_write(p, "\xc3\xa9t\xc3\xa9.lua", "utf-8 sorts after ASCII");
	tu_write(p, "deep/er/and/deeper.txt", "deep\n");
	tu_write(p, ".hidden", "left out");
	tu_write(p, "rules/.swp", "left out");
	tu_write(p, "pack.sig", "left out");
	up_pack_digest d;
	digest_ok(p, &d);
	char *cmd = up_xasprintf("cd '%s' && find . -type f ! -name pack.sig "
				 "! -path '*/.*' | sed 's|^\\./||' | "
				 "LC_ALL=C sort | xargs sha256sum", p);
	char *want = shell(cmd);
	char *listing = up_pack_digest_listing(&d);
	ck_assert_str_eq(listing, want);
	char *cmd2 = up_xasprintf("%s | sha256sum", cmd);
	char *sum = shell(cmd2);
	ck_assert_str_eq(sum + 64, "  -\n");
	sum[64] = '\0';
	ck_assert_str_eq(d.sha256, sum);
	ck_assert_uint_eq(d.n, 11);
	free(cmd);
	free(cmd2);
	free(want);
	free(sum);
	free(listing);
	up_pack_digest_free(&d);
	free(p);
}
END_TEST

START_TEST(dot_files_and_the_top_pack_sig_are_left_out)
{
	char *p = make_pack("p");
	up_pack_digest before, after, nested;
	digest_ok(p, &before);
	tu_write(p, ".git/config", "[core]\n");
	tu_write(p, ".hidden", "x");
	tu_write(p, "rules/.a.lua.swp", "x");
	tu_write(p, "pack.sig", "anything");
	digest_ok(p, &after);
	ck_assert_str_eq(before.sha256, after.sha256);
	ck_assert_uint_eq(after.n, 5);
	/* Only the top-level pack.sig is the signature. */
	tu_write(p, "rules/pack.sig", "part of the pack");
	digest_ok(p, &nested);
	ck_assert_uint_eq(nested.n, 6);
	ck_assert_str_eq(nested.files[5].path, "rules/pack.sig");
	ck_assert_str_ne(before.sha256, nested.sha256);
	up_pack_digest_free(&before);
	up_pack_digest_free(&after);
	up_pack_digest_free(&nested);
	free(p);
}
END_TEST

START_TEST(links_and_special_files_are_refused)
{
	char *p = make_pack("p");
	char *link = tu_path(p, "rules/link.lua");
	ck_assert_int_eq(symlink("a.lua", link), 0);
	char *want = up_xasprintf("%s/rules/link.lua: error: is a symbolic "
				  "link (a pack holds regular files and "
				  "directories only)", p);
	digest_refused(p, want);
	unlink(link);
	free(want);
	/* A link to a directory would otherwise loop. */
	char *dlink = tu_path(p, "rules/lib/up");
	ck_assert_int_eq(symlink("..", dlink), 0);
	want = up_xasprintf("%s/rules/lib/up: error: is a symbolic link (a "
			    "pack holds regular files and directories only)",
			    p);
	digest_refused(p, want);
	unlink(dlink);
	free(want);
	char *fifo = tu_path(p, "fifo");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	want = up_xasprintf("%s/fifo: error: is not a regular file or a "
			    "directory", p);
	digest_refused(p, want);
	unlink(fifo);
	free(want);
	char *gone = tu_path(dir, "nothing");
	want = up_xasprintf("%s: error: cannot read the directory: No such "
			    "file or directory", gone);
	digest_refused(gone, want);
	free(want);
	free(gone);
	free(link);
	free(dlink);
	free(fifo);
	free(p);
}
END_TEST

START_TEST(names_the_listing_cannot_hold_are_refused)
{
	static const struct {
		const char *name, *shown, *why;
	} cases[] = {
		{"a\\b.lua", "a\\b.lua", "a control character or a backslash"},
		{"a\nb.lua", "a?b.lua", "a control character or a backslash"},
		{"a\rb.lua", "a?b.lua", "a control character or a backslash"},
		{"\xff.lua", "\xef\xbf\xbd.lua", "bytes that are not UTF-8"},
	};
	for (size_t i = 0; i < UP_COUNTOF(cases); i++) {
		char sub[16];
		snprintf(sub, sizeof sub, "p%zu", i);
		char *p = make_pack(sub);
		tu_write(p, cases[i].name, "x");
		char *want = up_xasprintf("%s/%s: error: the name holds %s", p,
					  cases[i].shown, cases[i].why);
		digest_refused(p, want);
		free(want);
		free(p);
	}
}
END_TEST

START_TEST(packs_over_the_limits_are_refused)
{
	char *p = tu_path(dir, "many");
	mkdir(p, 0777);
	char name[32];
	for (int i = 0; i < UP_PACK_MAX_FILES; i++) {
		snprintf(name, sizeof name, "d%02d/%04d", i / 100, i);
		tu_write(p, name, "");
	}
	up_pack_digest d;
	digest_ok(p, &d);
	ck_assert_uint_eq(d.n, UP_PACK_MAX_FILES);
	up_pack_digest_free(&d);
	tu_write(p, "one-more", "");
	char *want = up_xasprintf("%s: error: the pack has more than %d files",
				  p, UP_PACK_MAX_FILES);
	digest_refused(p, want);
	free(want);
	free(p);

	/* Sparse, and refused before anything is read: the total counts. */
	p = tu_path(dir, "big");
	mkdir(p, 0777);
	tu_write(p, "a", "");
	tu_write(p, "b", "");
	char *a = tu_path(p, "a"), *b = tu_path(p, "b");
	ck_assert_int_eq(truncate(a, UP_PACK_MAX_BYTES / 2), 0);
	ck_assert_int_eq(truncate(b, UP_PACK_MAX_BYTES / 2 + 1), 0);
	want = up_xasprintf("%s: error: the pack's files hold more than %d "
			    "bytes", p, UP_PACK_MAX_BYTES);
	digest_refused(p, want);
	free(want);
	free(a);
	free(b);
	free(p);
}
END_TEST

START_TEST(diff_names_the_first_difference)
{
	char *p = make_pack("p");
	up_pack_digest want, got;
	char why[128];
	digest_ok(p, &want);
	digest_ok(p, &got);
	strcpy(why, "junk");
	ck_assert_int_eq(up_pack_digest_diff(&want, &got, why, sizeof why), 0);
	ck_assert_str_eq(why, "");
	up_pack_digest_free(&got);

	tu_write(p, "rules/b.lua", "check { id = 'B' }\n");
	digest_ok(p, &got);
	ck_assert_int_eq(up_pack_digest_diff(&want, &got, why, sizeof why), 1);
	ck_assert_str_eq(why, "changed rules/b.lua");
	up_pack_digest_free(&got);

	tu_write(p, "rules/a2.lua", "new\n"); /* before rules/b.lua */
	digest_ok(p, &got);
	ck_assert_int_eq(up_pack_digest_diff(&want, &got, why, sizeof why), 1);
	ck_assert_str_eq(why, "added rules/a2.lua");
	up_pack_digest_free(&got);

	char *readme = tu_path(p, "README.md");
	unlink(readme);
	digest_ok(p, &got);
	ck_assert_int_eq(up_pack_digest_diff(&want, &got, why, sizeof why), 1);
	ck_assert_str_eq(why, "removed README.md");
	up_pack_digest_free(&got);

	/* Differences past the end of either list. */
	up_pack_file fa[] = {{(char *)"a", SHA_ABC}, {(char *)"z", SHA_ABC}};
	up_pack_digest two = {fa, 2, ""}, one = {fa, 1, ""};
	ck_assert_int_eq(up_pack_digest_diff(&two, &one, why, sizeof why), 1);
	ck_assert_str_eq(why, "removed z");
	ck_assert_int_eq(up_pack_digest_diff(&one, &two, why, sizeof why), 1);
	ck_assert_str_eq(why, "added z");
	/* A short buffer is cut, not overrun. */
	char tiny[6] = "#####";
	ck_assert_int_eq(up_pack_digest_diff(&one, &two, tiny, 4), 1);
	ck_assert_str_eq(tiny, "add");
	ck_assert_int_eq(tiny[4], '#');
	up_pack_digest_free(&want);
	free(readme);
	free(p);
}
END_TEST

/* ---- uptake.lock ---- */

static void entry_from(up_lock_entry *e, const char *name,
		       const char *version, const char *path,
		       const char *pack)
{
	memset(e, 0, sizeof *e);
	e->name = up_xstrdup(name);
	e->version = up_xstrdup(version);
	e->path = up_xstrdup(path);
	digest_ok(pack, &e->digest);
}

static void entry_free(up_lock_entry *e)
{
	free(e->name);
	free(e->version);
	free(e->path);
	up_pack_digest_free(&e->digest);
}

static void same_digest(const up_pack_digest *a, const up_pack_digest *b)
{
	ck_assert_str_eq(a->sha256, b->sha256);
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_str_eq(a->files[i].path, b->files[i].path);
		ck_assert_str_eq(a->files[i].sha256, b->files[i].sha256);
	}
}

START_TEST(lock_is_written_as_documented)
{
	char *p = tu_path(dir, "p");
	mkdir(p, 0777);
	tu_write(p, "pack.yaml", "abc");
	up_lock_entry e;
	entry_from(&e, "clinician-buy-in", "1.0.0", "builtin:clinician-buy-in",
		   p);
	up_lock lock = {(char *)"uptake.lock", &e, 1};
	char *path = tu_path(dir, "uptake.lock");
	ck_assert_int_eq(up_lock_write(path, &lock, err), UP_OK);
	char *text = read_text(path);
	char *want = up_xasprintf(
		"# uptake.lock: the exact contents of the packs this program "
		"uses.\n"
		"# Written by 'uptake pack lock'; commit it beside "
		"program.yaml.\n"
		"lock_version: 1\n"
		"packs:\n"
		"  - name: \"clinician-buy-in\"\n"
		"    version: \"1.0.0\"\n"
		"    path: \"builtin:clinician-buy-in\"\n"
		"    sha256: \"%s\"\n"
		"    files:\n"
		"      - {path: \"pack.yaml\", sha256: \"" SHA_ABC "\"}\n",
		e.digest.sha256);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(hidden_files(dir), 0);
	free(want);
	free(text);

	up_lock empty = {(char *)"uptake.lock", NULL, 0};
	ck_assert_int_eq(up_lock_write(path, &empty, err), UP_OK);
	text = read_text(path);
	ck_assert_ptr_nonnull(strstr(text, "\nlock_version: 1\npacks: []\n"));
	up_lock *back = NULL;
	ck_assert_int_eq(up_lock_read(path, "uptake.lock", &back, err), UP_OK);
	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(back->n, 0);
	up_lock_free(back);
	free(text);
	entry_free(&e);
	free(path);
	free(p);
}
END_TEST

START_TEST(lock_round_trip)
{
	char *p1 = make_pack("p1"), *p2 = tu_path(dir, "p2");
	mkdir(p2, 0777);
	tu_write(p2, "pack.yaml", "x");
	tu_write(p2, "\xc3\xa9 odd \"name\".lua", "y");
	up_lock_entry e[3];
	entry_from(&e[0], "clinician-buy-in", "1.0.0",
		   "builtin:clinician-buy-in", p1);
	/* What YAML reads as something else unless it is escaped. */
	entry_from(&e[1], "we\"ird\\name", "2.0.0-rc.1",
		   "/tmp/x\ny\tz\x01\x7f \xc3\xa9 \xe2\x80\xa8 \xc2\x85 "
		   "\xef\xbb\xbf: # - ~", p2);
	entry_from(&e[2], "null", "1.0", "true", p2);
	up_lock lock = {(char *)"uptake.lock", e, 3};
	char *path = tu_path(dir, "uptake.lock");
	int rc = up_lock_write(path, &lock, err);
	ck_assert_msg(rc == UP_OK, "write:%s", messages());
	up_lock *back = NULL;
	rc = up_lock_read(path, "uptake.lock", &back, err);
	ck_assert_msg(rc == UP_OK, "read:%s", messages());
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(back->file, "uptake.lock");
	ck_assert_uint_eq(back->n, 3);
	int line = 5;
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(back->e[i].name, e[i].name);
		ck_assert_str_eq(back->e[i].version, e[i].version);
		ck_assert_str_eq(back->e[i].path, e[i].path);
		same_digest(&back->e[i].digest, &e[i].digest);
		ck_assert_int_eq(back->e[i].line, line);
		ck_assert_int_eq(back->e[i].col, 5);
		line += 5 + (int)e[i].digest.n;
	}
	ck_assert_ptr_eq(up_lock_find(back, "null"), &back->e[2]);
	ck_assert_ptr_eq(up_lock_find(back, "we\"ird\\name"), &back->e[1]);
	ck_assert_ptr_null(up_lock_find(back, "nope"));
	up_lock_free(back);
	for (size_t i = 0; i < 3; i++)
		entry_free(&e[i]);
	free(path);
	free(p1);
	free(p2);
}
END_TEST

START_TEST(a_missing_lock_is_no_lock)
{
	char *path = tu_path(dir, "uptake.lock");
	up_lock *lock = (up_lock *)&lock;
	ck_assert_int_eq(up_lock_read(path, "uptake.lock", &lock, err), UP_OK);
	ck_assert_ptr_null(lock);
	ck_assert_uint_eq(up_error_count(err), 0);
	up_lock_free(NULL);
	free(path);
}
END_TEST

START_TEST(a_failed_lock_write_leaves_the_old_file)
{
	char *p = make_pack("p");
	up_lock_entry e;
	entry_from(&e, "demo", "1.0.0", "packs/demo", p);
	up_lock lock = {(char *)"uptake.lock", &e, 1};
	char *path = tu_path(dir, "uptake.lock");
	ck_assert_int_eq(up_lock_write(path, &lock, err), UP_OK);
	char *before = read_text(path);

	/* Refused before writing: this lock would not read back. */
	free(e.name);
	e.name = up_xstrdup("bad\xff");
	ck_assert_int_eq(up_lock_write(path, &lock, err), UP_EINPUT);
	char *after = read_text(path);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(hidden_files(dir), 0);
	free(after);

	/* The rename fails: the temporary file goes, the target stays. */
	free(e.name);
	e.name = up_xstrdup("demo");
	char *target = tu_path(dir, "busy.lock");
	tu_write(dir, "busy.lock/keep", "x");
	up_error_clear(err);
	ck_assert_int_eq(up_lock_write(target, &lock, err), UP_EINTERNAL);
	char *want = up_xasprintf("%s: error: cannot write: Is a directory",
				  target);
	ck_assert_str_eq(up_error_message(err, 0), want);
	ck_assert_int_eq(hidden_files(dir), 0);
	char *keep = tu_path(target, "keep");
	ck_assert(exists(keep));
	free(want);
	free(keep);
	free(target);
	entry_free(&e);
	free(before);
	free(path);
	free(p);
}
END_TEST

#define H16(c) c c c c c c c c c c c c c c c c
#define H1 H16("1") H16("1") H16("1") H16("1")
#define H2 H16("2") H16("2") H16("2") H16("2")
#define FILES                                                        \
	"    files:\n"                                                   \
	"      - {path: pack.yaml, sha256: " H1 "}\n"                    \
	"      - {path: rules/a.lua, sha256: " H2 "}\n"
#define ENTRY(name)                                                  \
	"  - name: " name "\n"                                       \
	"    version: 1.0.0\n"                                           \
	"    path: builtin:p\n"                                          \
	"    sha256: \"@SUM@\"\n" FILES
#define TOP "lock_version: 1\npacks:\n"

/* The pack hash of FILES, written where "@SUM@" stands (caller frees). */
static char *with_sum(const char *text)
{
	char sum[65];
	const char *listing = H1 "  pack.yaml\n" H2 "  rules/a.lua\n";
	up_sha256_hex(listing, strlen(listing), sum);
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	const char *at;
	while ((at = strstr(text, "@SUM@"))) {
		up_buf_add(&b, text, (size_t)(at - text));
		up_buf_puts(&b, sum);
		text = at + 5;
	}
	up_buf_puts(&b, text);
	return b.buf;
}

START_TEST(a_good_lock_reads)
{
	char *text = with_sum(TOP ENTRY("p") ENTRY("q"));
	tu_write(dir, "uptake.lock", text);
	char *path = tu_path(dir, "uptake.lock");
	up_lock *lock = NULL;
	int rc = up_lock_read(path, "uptake.lock", &lock, err);
	ck_assert_msg(rc == UP_OK, "%s", messages());
	ck_assert_uint_eq(lock->n, 2);
	ck_assert_str_eq(lock->e[1].name, "q");
	ck_assert_int_eq(lock->e[1].line, 10);
	ck_assert_str_eq(lock->e[0].digest.files[1].path, "rules/a.lua");
	ck_assert_str_eq(lock->e[0].digest.files[1].sha256, H2);
	up_lock_free(lock);
	free(path);
	free(text);
}
END_TEST

typedef struct {
	const char *name, *text;
	const char *want[4];
} bad_lock;

#define AT "uptake.lock:"

static const bad_lock bad_locks[] = {
	{"empty", "", {AT "1:1: error: the file is empty"}},
	{"a list", "- 1\n",
	 {AT "1:1: error: uptake.lock must be a mapping, not a list"}},
	{"version 2", "lock_version: 2\npacks: []\n",
	 {AT "1:15: error: unsupported lock_version '2' (this uptake reads "
	  "lock_version 1)"}},
	{"version a list", "lock_version: [1]\npacks: []\n",
	 {AT "1:15: error: 'lock_version' must be a scalar, not a list"}},
	{"no packs", "lock_version: 1\n",
	 {AT "1:1: error: missing key 'packs'"}},
	{"no version", "packs: []\n",
	 {AT "1:1: error: missing key 'lock_version'"}},
	{"misspelt key", "lock_version: 1\npakcs: []\n",
	 {AT "1:1: error: missing key 'packs'",
	  AT "2:1: error: unknown key 'pakcs' (did you mean 'packs'?)"}},
	{"duplicate key", "lock_version: 1\npacks: []\nlock_version: 1\n",
	 {AT "3:1: error: duplicate key 'lock_version'"}},
	{"packs a mapping", "lock_version: 1\npacks: {}\n",
	 {AT "2:8: error: 'packs' must be a list, not a mapping"}},
	{"pack a scalar", TOP "  - p\n",
	 {AT "3:5: error: a pack must be a mapping, not a scalar"}},
	{"misspelt entry key",
	 TOP "  - name: p\n    verison: 1.0.0\n    path: builtin:p\n"
	 "    sha256: \"@SUM@\"\n" FILES,
	 {AT "3:5: error: missing key 'version'",
	  AT "4:5: error: unknown key 'verison' (did you mean 'version'?)"}},
	{"no files", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n",
	 {AT "3:5: error: missing key 'files'"}},
	{"empty name", TOP "  - name: \"\"\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n" FILES,
	 {AT "3:11: error: 'name' must not be empty"}},
	{"pack version a list", TOP "  - name: p\n    version: [1]\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n" FILES,
	 {AT "4:14: error: 'version' must be a string, not a list"}},
	{"short hash", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"abc\"\n" FILES,
	 {AT "6:13: error: 'sha256' must be 64 lowercase hex digits"}},
	{"upper-case hex", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files:\n"
	 "      - {path: pack.yaml, sha256: " H16("A") H16("A") H16("A")
	 H16("A") "}\n",
	 {AT "8:35: error: 'sha256' must be 64 lowercase hex digits"}},
	{"duplicate pack", TOP ENTRY("p") ENTRY("p"),
	 {AT "10:11: error: duplicate pack 'p'"}},
	{"files a mapping", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files: {}\n",
	 {AT "7:12: error: 'files' must be a list, not a mapping"}},
	{"files not sorted", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files:\n"
	 "      - {path: rules/a.lua, sha256: " H2 "}\n"
	 "      - {path: pack.yaml, sha256: " H1 "}\n",
	 {AT "9:16: error: 'pack.yaml' is listed after 'rules/a.lua' (files "
	  "are sorted by path)"}},
	{"file twice", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files:\n"
	 "      - {path: pack.yaml, sha256: " H1 "}\n"
	 "      - {path: pack.yaml, sha256: " H1 "}\n",
	 {AT "9:16: error: duplicate file 'pack.yaml'"}},
	{"file without hash", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files:\n"
	 "      - {path: pack.yaml, sha265: " H1 "}\n",
	 {AT "8:9: error: missing key 'sha256'",
	  AT "8:27: error: unknown key 'sha265' (did you mean 'sha256'?)"}},
	{"control character in a path", TOP "  - name: p\n"
	 "    version: 1.0.0\n    path: builtin:p\n    sha256: \"@SUM@\"\n"
	 "    files:\n      - {path: \"a\\tb\", sha256: " H1 "}\n",
	 {AT "8:16: error: a file path must not hold a control character or "
	  "a backslash"}},
	{"hash of other files", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"" H1 "\"\n" FILES,
	 {AT "6:13: error: sha256 does not match the files listed"}},
	{"a file left out", TOP "  - name: p\n    version: 1.0.0\n"
	 "    path: builtin:p\n    sha256: \"@SUM@\"\n    files:\n"
	 "      - {path: pack.yaml, sha256: " H1 "}\n",
	 {AT "6:13: error: sha256 does not match the files listed"}},
	{"all at once, in file order",
	 "packs:\n  - name: p\n    version: 1.0.0\n    pth: builtin:p\n"
	 "    sha256: \"@SUM@\"\n" FILES "lock_version: 3\n",
	 {AT "2:5: error: missing key 'path'",
	  AT "4:5: error: unknown key 'pth' (did you mean 'path'?)",
	  AT "9:15: error: unsupported lock_version '3' (this uptake reads "
	  "lock_version 1)"}},
	{"syntax", "lock_version: 1\npacks: [\n",
	 {AT "3:1: error: did not find expected node content (while parsing "
	  "a flow node)"}},
};

static size_t nwant(const bad_lock *b)
{
	size_t n = 0;
	while (n < UP_COUNTOF(b->want) && b->want[n])
		n++;
	return n;
}

START_TEST(bad_lock_files)
{
	const bad_lock *b = &bad_locks[_i];
	char *text = with_sum(b->text);
	tu_write(dir, "uptake.lock", text);
	char *path = tu_path(dir, "uptake.lock");
	up_lock *lock = (up_lock *)&lock;
	int rc = up_lock_read(path, "uptake.lock", &lock, err);
	ck_assert_msg(rc == UP_EINPUT, "%s: rc %d", b->name, rc);
	ck_assert_ptr_null(lock);
	size_t n = nwant(b);
	ck_assert_msg(up_error_count(err) == n, "%s: want %zu messages:%s",
		      b->name, n, messages());
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!strcmp(up_error_message(err, i), b->want[i]),
			      "%s: message %zu:%s", b->name, i, messages());
	free(path);
	free(text);
}
END_TEST

/* ---- keys ---- */

static char *key_path(const char *name, const char *ext)
{
	return up_xasprintf("%s/%s%s", dir, name, ext);
}

/* Generates DIR/NAME.{key,pub} and reads the public key back. */
static void keygen(const char *name, unsigned char pk[UP_PUBKEY_BYTES])
{
	char *base = key_path(name, "");
	up_error_clear(err);
	int rc = up_key_generate(base, err);
	ck_assert_msg(rc == UP_OK, "keygen %s:%s", name, messages());
	char *pub = key_path(name, ".pub");
	rc = up_pubkey_read(pub, pk, err);
	ck_assert_msg(rc == UP_OK, "read %s:%s", pub, messages());
	free(pub);
	free(base);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

START_TEST(keygen_writes_a_private_pair)
{
	/* The key's mode is its own, not the umask's. */
	mode_t old = umask(0);
	unsigned char pk[UP_PUBKEY_BYTES], other[UP_PUBKEY_BYTES];
	keygen("alice", pk);
	umask(022);
	keygen("bob", other);
	umask(old);
	ck_assert(memcmp(pk, other, sizeof pk) != 0);
	char *key = key_path("alice", ".key"), *pub = key_path("alice", ".pub");
	ck_assert_uint_eq(mode_of(key), 0600);
	ck_assert_uint_eq(mode_of(pub), 0666);
	char *pb = key_path("bob", ".pub");
	ck_assert_uint_eq(mode_of(pb), 0644);
	free(pb);

	char *text = read_text(key);
	ck_assert_uint_eq(strlen(text), 22 + 88 + 1);
	ck_assert(!strncmp(text, "uptake-ed25519-secret ", 22));
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	size_t len = 0;
	ck_assert_int_eq(sodium_base642bin(sk, sizeof sk, text + 22, 88, NULL,
					   &len, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_eq(len, sizeof sk);
	unsigned char derived[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_ed25519_sk_to_pk(derived, sk);
	ck_assert(memcmp(derived, pk, sizeof pk) == 0);
	/* A working pair, not just matching halves. */
	unsigned char seed[32], again_pk[32], again_sk[64];
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(again_pk, again_sk, seed);
	ck_assert(memcmp(again_pk, pk, sizeof pk) == 0);
	free(text);

	text = read_text(pub);
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	char *want = up_xasprintf("uptake-ed25519 %s alice\n", b64);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	free(key);
	free(pub);
}
END_TEST

START_TEST(keygen_never_overwrites)
{
	unsigned char pk[UP_PUBKEY_BYTES];
	keygen("alice", pk);
	char *key = key_path("alice", ".key"), *pub = key_path("alice", ".pub");
	char *key_before = read_text(key), *pub_before = read_text(pub);
	char *base = key_path("alice", "");
	up_error_clear(err);
	ck_assert_int_eq(up_key_generate(base, err), UP_EINPUT);
	ck_assert_uint_eq(up_error_count(err), 2);
	char *w1 = up_xasprintf("%s: error: already exists (keys are never "
				"overwritten)", key);
	char *w2 = up_xasprintf("%s: error: already exists (keys are never "
				"overwritten)", pub);
	ck_assert_str_eq(up_error_message(err, 0), w1);
	ck_assert_str_eq(up_error_message(err, 1), w2);
	char *key_after = read_text(key), *pub_after = read_text(pub);
	ck_assert_str_eq(key_before, key_after);
	ck_assert_str_eq(pub_before, pub_after);
	ck_assert_uint_eq(mode_of(key), 0600);

	/* Either file alone is enough to refuse, and to write neither. */
	tu_write(dir, "bob.pub", "mine\n");
	char *bob_base = key_path("bob", "");
	char *bob_key = key_path("bob", ".key");
	char *bob_pub = key_path("bob", ".pub");
	up_error_clear(err);
	ck_assert_int_eq(up_key_generate(bob_base, err), UP_EINPUT);
	ck_assert_uint_eq(up_error_count(err), 1);
	ck_assert(strstr(up_error_message(err, 0), bob_pub) ==
		  up_error_message(err, 0));
	ck_assert(!exists(bob_key));
	char *text = read_text(bob_pub);
	ck_assert_str_eq(text, "mine\n");
	free(text);

	tu_write(dir, "carol.key", "secret\n");
	char *carol = key_path("carol", "");
	char *carol_pub = key_path("carol", ".pub");
	up_error_clear(err);
	ck_assert_int_eq(up_key_generate(carol, err), UP_EINPUT);
	ck_assert(!exists(carol_pub));
	char *carol_key = key_path("carol", ".key");
	text = read_text(carol_key);
	ck_assert_str_eq(text, "secret\n");
	free(text);

	up_error_clear(err);
	ck_assert_int_eq(up_key_generate("", err), UP_EINPUT);
	char *slash = key_path("keys/", "");
	ck_assert_int_eq(up_key_generate(slash, err), UP_EINPUT);
	free(slash);

	free(carol);
	free(carol_pub);
	free(carol_key);
	free(bob_base);
	free(bob_key);
	free(bob_pub);
	free(w1);
	free(w2);
	free(key_before);
	free(pub_before);
	free(key_after);
	free(pub_after);
	free(base);
	free(key);
	free(pub);
}
END_TEST

START_TEST(public_keys_are_checked)
{
	unsigned char pk[UP_PUBKEY_BYTES];
	keygen("alice", pk);
	char id[17], hex[65];
	up_pubkey_id(pk, id);
	up_sha256_hex(pk, sizeof pk, hex);
	hex[16] = '\0';
	ck_assert_str_eq(id, hex);

#define A42 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	/* Then base64 of 31 and of 34 bytes, and a second line. */
	static const char *const bad[] = {
		"",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ alice\n",
		"uptake-ed25519 !!!! alice\n",
		"uptake-ed25519 " A42 "== a\n",
		"uptake-ed25519 " A42 "AAAA== a\n",
		"uptake-ed25519 " A42 "A= a\nsecond line\n",
	};
	for (size_t i = 0; i < UP_COUNTOF(bad); i++) {
		tu_write(dir, "bad.pub", bad[i]);
		char *path = key_path("bad", ".pub");
		char *want = up_xasprintf("%s: error: is not an uptake public "
					  "key (expected 'uptake-ed25519 "
					  "BASE64 NAME')", path);
		up_error_clear(err);
		ck_assert_int_eq(up_pubkey_read(path, pk, err), UP_EINPUT);
		ck_assert_msg(!strcmp(up_error_message(err, 0), want),
			      "case %zu:%s", i, messages());
		free(want);
		free(path);
	}
	/* Without the name, and with it: both read. */
	tu_write(dir, "ok.pub", "uptake-ed25519 " A42 "A=\n");
	char *ok = key_path("ok", ".pub");
	ck_assert_int_eq(up_pubkey_read(ok, pk, err), UP_OK);
	free(ok);

	char *key = key_path("alice", ".key");
	char *want = up_xasprintf("%s: error: is a secret key; trust the .pub "
				  "file beside it", key);
	up_error_clear(err);
	ck_assert_int_eq(up_pubkey_read(key, pk, err), UP_EINPUT);
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(key);
	char *none = key_path("none", ".pub");
	want = up_xasprintf("%s: error: cannot read: No such file or "
			    "directory", none);
	up_error_clear(err);
	ck_assert_int_eq(up_pubkey_read(none, pk, err), UP_EINPUT);
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(none);
}
END_TEST

/* ---- signatures ---- */

static unsigned char alice[UP_PUBKEY_BYTES], bob[UP_PUBKEY_BYTES];
static char *pack, *sig_path;

/* A pack signed by alice; bob is another key. */
static void signed_setup(void)
{
	setup();
	keygen("alice", alice);
	keygen("bob", bob);
	pack = make_pack("pack");
	sig_path = tu_path(pack, "pack.sig");
	char *key = key_path("alice", ".key");
	up_error_clear(err);
	int rc = up_pack_sign(pack, key, err);
	ck_assert_msg(rc == UP_OK, "sign:%s", messages());
	free(key);
}

static void signed_teardown(void)
{
	free(pack);
	free(sig_path);
	teardown();
}

/* Verifies the pack as it is now against KEYS; the reason into why. */
static up_sig_status verify(const unsigned char (*keys)[UP_PUBKEY_BYTES],
			    size_t nkeys, char *why, size_t n)
{
	up_pack_digest got;
	digest_ok(pack, &got);
	up_sig_status st = up_pack_verify(pack, &got, keys, nkeys, why, n);
	up_pack_digest_free(&got);
	return st;
}

static up_sig_status verify_alice(char *why, size_t n)
{
	unsigned char keys[2][UP_PUBKEY_BYTES];
	memcpy(keys[0], bob, sizeof bob);
	memcpy(keys[1], alice, sizeof alice);
	return verify((const unsigned char (*)[UP_PUBKEY_BYTES])keys, 2, why,
		      n);
}

/* Replaces the first FROM in pack.sig with TO. */
static void edit_sig(const char *from, const char *to)
{
	char *text = read_text(sig_path);
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, "no '%s' in pack.sig", from);
	*at = '\0';
	char *edited = up_xasprintf("%s%s%s", text, to, at + strlen(from));
	tu_write(pack, "pack.sig", edited);
	free(edited);
	free(text);
}

START_TEST(sign_then_verify)
{
	char why[256] = "junk";
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_OK);
	ck_assert_str_eq(why, "");
	const unsigned char (*only)[UP_PUBKEY_BYTES] =
		(const unsigned char (*)[UP_PUBKEY_BYTES])alice;
	ck_assert_int_eq(verify(only, 1, why, sizeof why), UP_SIG_OK);
	ck_assert_int_eq(hidden_files(pack), 0);

	/* pack.sig as documented, checked with libsodium directly. */
	up_pack_digest d;
	digest_ok(pack, &d);
	char *text = read_text(sig_path);
	char kb[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(kb, sizeof kb, alice, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	char *head = up_xasprintf("uptake-pack-signature 1\nkey: %s\n"
				  "sha256: %s\nsignature: ", kb, d.sha256);
	ck_assert(!strncmp(text, head, strlen(head)));
	const char *s64 = text + strlen(head);
	const char *files = strstr(s64, "\nfiles:\n");
	ck_assert_ptr_nonnull(files);
	char *listing = up_pack_digest_listing(&d);
	ck_assert_str_eq(files + 8, listing);
	unsigned char sig[crypto_sign_BYTES];
	size_t len = 0;
	ck_assert_int_eq(sodium_base642bin(sig, sizeof sig, s64,
					   (size_t)(files - s64), NULL, &len,
					   NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_eq(len, sizeof sig);
	char *msg = up_xasprintf("uptake-pack-sha256:%s", d.sha256);
	ck_assert_int_eq(crypto_sign_verify_detached(
		sig, (const unsigned char *)msg, strlen(msg), alice), 0);
	free(msg);
	free(listing);
	free(head);
	free(text);

	/* Signing again replaces pack.sig; the digest never includes it. */
	up_pack_digest after;
	char *key = key_path("alice", ".key");
	ck_assert_int_eq(up_pack_sign(pack, key, err), UP_OK);
	digest_ok(pack, &after);
	ck_assert_str_eq(d.sha256, after.sha256);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_OK);
	free(key);
	up_pack_digest_free(&d);
	up_pack_digest_free(&after);
}
END_TEST

START_TEST(signing_needs_the_secret_key)
{
	char *pub = key_path("alice", ".pub");
	char *want = up_xasprintf("%s: error: is a public key; signing needs "
				  "the secret key (NAME.key)", pub);
	up_error_clear(err);
	ck_assert_int_eq(up_pack_sign(pack, pub, err), UP_EINPUT);
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(pub);
	/* A damaged key: its halves disagree. */
	char *key = key_path("alice", ".key");
	char *text = read_text(key);
	text[22] = text[22] == 'A' ? 'B' : 'A';
	tu_write(dir, "broken.key", text);
	char *broken = key_path("broken", ".key");
	up_error_clear(err);
	ck_assert_int_eq(up_pack_sign(pack, broken, err), UP_EINPUT);
	want = up_xasprintf("%s: error: the secret key is damaged (its two "
			    "halves disagree)", broken);
	ck_assert_str_eq(up_error_message(err, 0), want);
	free(want);
	free(broken);
	free(text);
	free(key);
}
END_TEST

START_TEST(a_failed_signing_leaves_no_temporary_file)
{
	/* pack.sig a directory that is not empty: the rename fails. */
	unlink(sig_path);
	tu_write(pack, "pack.sig/keep", "x");
	char *key = key_path("alice", ".key");
	up_error_clear(err);
	ck_assert_int_eq(up_pack_sign(pack, key, err), UP_EINTERNAL);
	char *want = up_xasprintf("%s: error: cannot write: Is a directory",
				  sig_path);
	ck_assert_str_eq(up_error_message(err, 0), want);
	ck_assert_int_eq(hidden_files(pack), 0);
	free(want);

	/* A symlink planted where a temporary file might go leads nowhere:
	 * the temporary file has a fresh name, made exclusively. */
	rmdir_keep(pack);
	char *victim = tu_path(dir, "victim");
	tu_write(dir, "victim", "precious\n");
	char *planted = tu_path(pack, ".pack.sig.tmp");
	ck_assert_int_eq(symlink(victim, planted), 0);
	up_error_clear(err);
	ck_assert_int_eq(up_pack_sign(pack, key, err), UP_OK);
	char *v = read_text(victim);
	ck_assert_str_eq(v, "precious\n");
	struct stat st;
	ck_assert_int_eq(lstat(sig_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	free(v);
	free(planted);
	free(victim);
	free(key);
}
END_TEST

START_TEST(unsigned_pack)
{
	unlink(sig_path);
	char why[256];
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_UNSIGNED);
	ck_assert_str_eq(why, "not signed (no pack.sig)");
}
END_TEST

START_TEST(untrusted_key)
{
	char why[256], id[17];
	up_pubkey_id(alice, id);
	char *want = up_xasprintf("signed by key %s, which 'trust' does not list",
				  id);
	const unsigned char (*only_bob)[UP_PUBKEY_BYTES] =
		(const unsigned char (*)[UP_PUBKEY_BYTES])bob;
	ck_assert_int_eq(verify(only_bob, 1, why, sizeof why),
			 UP_SIG_UNTRUSTED);
	ck_assert_str_eq(why, want);
	ck_assert_int_eq(verify(NULL, 0, why, sizeof why), UP_SIG_UNTRUSTED);
	ck_assert_str_eq(why, want);
	/* Nothing past the key is looked at for an unknown signer. */
	edit_sig("\nsha256: ", "\ngarbage: ");
	ck_assert_int_eq(verify(only_bob, 1, why, sizeof why),
			 UP_SIG_UNTRUSTED);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	free(want);
}
END_TEST

START_TEST(a_changed_byte_is_tampering)
{
	char why[256];
	tu_write(pack, "rules/b.lua", "check { id = 'c' }\n");
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_TAMPERED);
	ck_assert_str_eq(why, "changed rules/b.lua");
}
END_TEST

START_TEST(an_added_or_removed_file_is_tampering)
{
	char why[256];
	tu_write(pack, "rules/evil.lua", "os.execute('x')\n");
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_TAMPERED);
	ck_assert_str_eq(why, "added rules/evil.lua");
	char *evil = tu_path(pack, "rules/evil.lua");
	unlink(evil);
	free(evil);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_OK);
	char *readme = tu_path(pack, "README.md");
	unlink(readme);
	free(readme);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_TAMPERED);
	ck_assert_str_eq(why, "removed README.md");
}
END_TEST

START_TEST(altered_signature_bytes_are_bad)
{
	char *text = read_text(sig_path);
	char *s = strstr(text, "\nsignature: ") + 12;
	char from[8], to[8];
	snprintf(from, sizeof from, "e: %.4s", s);
	snprintf(to, sizeof to, "e: %c%.3s", s[0] == 'A' ? 'B' : 'A', s + 1);
	edit_sig(from, to);
	char why[256];
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "the signature does not match the hash in "
			 "pack.sig");
	free(text);
}
END_TEST

START_TEST(a_listing_edited_to_hide_a_change_is_bad)
{
	/* The attacker changes a file and its line in pack.sig... */
	up_pack_digest before, after;
	digest_ok(pack, &before);
	tu_write(pack, "rules/b.lua", "evil()\n");
	digest_ok(pack, &after);
	edit_sig(before.files[3].sha256, after.files[3].sha256);
	char why[256];
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "the signature does not match the files listed "
			 "in pack.sig");
	/* ...and the hash line too: the signature no longer covers it. */
	edit_sig(before.sha256, after.sha256);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "the signature does not match the hash in "
			 "pack.sig");
	up_pack_digest_free(&before);
	up_pack_digest_free(&after);
}
END_TEST

static const struct {
	const char *from, *to, *why;
} bad_sigs[] = {
	{"uptake-pack-signature 1\n", "uptake-pack-signature 2\n",
	 "pack.sig is malformed: the first line is not 'uptake-pack-signature "
	 "1'"},
	{"\nkey: ", "\nkey:  ",
	 "pack.sig is malformed: the 'key:' line is not a base64 Ed25519 "
	 "public key"},
	{"\nsha256: ", "\nsha256: 0",
	 "pack.sig is malformed: the 'sha256:' line is not 64 lowercase hex "
	 "digits"},
	{"\nsignature: ", "\nsignature: AAAA",
	 "pack.sig is malformed: the 'signature:' line is not a base64 "
	 "Ed25519 signature"},
	{"\nfiles:\n", "\nfiles: \n",
	 "pack.sig is malformed: 'files:' does not follow the signature"},
	{"  README.md\n", "  README.md\r\n",
	 "pack.sig is malformed: the file listing is not sorted lines of "
	 "'<sha256>  <path>'"},
	{"  README.md\n", "  zzz.md\n",
	 "pack.sig is malformed: the file listing is not sorted lines of "
	 "'<sha256>  <path>'"},
	{"  README.md\n", " README.md\n",
	 "pack.sig is malformed: the file listing is not sorted lines of "
	 "'<sha256>  <path>'"},
	{"  rules/lib/util.lua\n", "  rules/lib/util.lua",
	 "pack.sig is malformed: the file listing is not sorted lines of "
	 "'<sha256>  <path>'"},
};

START_TEST(malformed_pack_sig_is_bad)
{
	edit_sig(bad_sigs[_i].from, bad_sigs[_i].to);
	char why[256];
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, bad_sigs[_i].why);
}
END_TEST

START_TEST(pack_sig_must_be_a_small_regular_file)
{
	char why[256];
	char *real = tu_path(dir, "elsewhere.sig");
	ck_assert_int_eq(rename(sig_path, real), 0);
	ck_assert_int_eq(symlink(real, sig_path), 0);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "pack.sig is not a regular file");
	unlink(sig_path);
	ck_assert_int_eq(mkdir(sig_path, 0777), 0);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "pack.sig is not a regular file");
	rmdir(sig_path);
	ck_assert_int_eq(truncate(real, (1 << 20) + 1), 0);
	ck_assert_int_eq(rename(real, sig_path), 0);
	ck_assert_int_eq(verify_alice(why, sizeof why), UP_SIG_BAD);
	ck_assert_str_eq(why, "pack.sig is larger than 1048576 bytes");
	free(real);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integrity");
	TCase *tc = tcase_create("digest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60); /* 4097 files, maybe under Valgrind */
	tcase_add_test(tc, digest_lists_files_sorted_bytewise);
	tcase_add_test(tc, digest_is_stable_and_independent_of_creation_order);
	tcase_add_test(tc, digest_equals_sha256sum);
	tcase_add_test(tc, dot_files_and_the_top_pack_sig_are_left_out);
	tcase_add_test(tc, links_and_special_files_are_refused);
	tcase_add_test(tc, names_the_listing_cannot_hold_are_refused);
	tcase_add_test(tc, packs_over_the_limits_are_refused);
	tcase_add_test(tc, diff_names_the_first_difference);
	suite_add_tcase(s, tc);
	tc = tcase_create("lock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lock_is_written_as_documented);
	tcase_add_test(tc, lock_round_trip);
	tcase_add_test(tc, a_missing_lock_is_no_lock);
	tcase_add_test(tc, a_failed_lock_write_leaves_the_old_file);
	tcase_add_test(tc, a_good_lock_reads);
	tcase_add_loop_test(tc, bad_lock_files, 0,
			    (int)UP_COUNTOF(bad_locks));
	suite_add_tcase(s, tc);
	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keygen_writes_a_private_pair);
	tcase_add_test(tc, keygen_never_overwrites);
	tcase_add_test(tc, public_keys_are_checked);
	suite_add_tcase(s, tc);
	tc = tcase_create("signatures");
	tcase_add_checked_fixture(tc, signed_setup, signed_teardown);
	tcase_add_test(tc, sign_then_verify);
	tcase_add_test(tc, signing_needs_the_secret_key);
	tcase_add_test(tc, a_failed_signing_leaves_no_temporary_file);
	tcase_add_test(tc, unsigned_pack);
	tcase_add_test(tc, untrusted_key);
	tcase_add_test(tc, a_changed_byte_is_tampering);
	tcase_add_test(tc, an_added_or_removed_file_is_tampering);
	tcase_add_test(tc, altered_signature_bytes_are_bad);
	tcase_add_test(tc, a_listing_edited_to_hide_a_change_is_bad);
	tcase_add_loop_test(tc, malformed_pack_sig_is_bad, 0,
			    (int)UP_COUNTOF(bad_sigs));
	tcase_add_test(tc, pack_sig_must_be_a_small_regular_file);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
