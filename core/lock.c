/*
 * lock.c: uptake.lock, the exact contents of the packs a program uses.
 * Written whole through a rename; read back with every problem reported
 * at its line and column, all in one pass.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pack.h"

/* 4096 files of a long path and two hashes, for a few packs. */
enum { MAX_LOCK_BYTES = 16 << 20 };

static const char header[] =
	"# uptake.lock: the exact contents of the packs this program uses.\n"
	"# Written by 'uptake pack lock'; commit it beside program.yaml.\n";

static const char *const top_keys[] = {"lock_version", "packs"};
static const char *const entry_keys[] = {"name", "version", "path",
					 "sha256", "files"};
static const char *const file_keys[] = {"path", "sha256"};

/* ---- writing ---- */

/* The code point of the valid UTF-8 sequence at S; *len its bytes. */
static unsigned long utf8_decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	*len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned long c = s[0] & (0x7f >> *len);
	for (size_t i = 1; i < *len; i++)
		c = c << 6 | (s[i] & 0x3f);
	return c;
}

/*
 * A double-quoted YAML scalar.  Besides controls, escapes what YAML reads
 * as a line break inside quotes (NEL, U+2028, U+2029) and what libyaml
 * refuses as unprintable, so the text reads back byte for byte.
 */
static void put_quoted(up_buf *b, const char *s)
{
	up_buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t len;
		unsigned long c = utf8_decode(p, &len);
		if (c == '"' || c == '\\')
			up_buf_printf(b, "\\%c", (char)c);
		else if (c == '\n')
			up_buf_puts(b, "\\n");
		else if (c == '\t')
			up_buf_puts(b, "\\t");
		else if (c == '\r')
			up_buf_puts(b, "\\r");
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			up_buf_printf(b, "\\x%02lX", c);
		else if (c == 0x2028 || c == 0x2029 || c == 0xfeff ||
			 c == 0xfffe || c == 0xffff)
			up_buf_printf(b, "\\u%04lX", c);
		else
			up_buf_add(b, (const char *)p, len);
		p += len;
	}
	up_buf_puts(b, "\"");
}

/* A lock that would not read back is refused before anything is written. */
static int entry_problem(const char *path, const up_lock_entry *e,
			 up_error *err)
{
	const char *strs[] = {e->name, e->version, e->path};
	for (size_t i = 0; i < UP_COUNTOF(strs); i++)
		if (!strs[i] || !up_utf8_valid(strs[i], strlen(strs[i])))
			return up_err_at(err, UP_EINPUT, path, 0, 0,
					 "pack '%s': %s is missing or not "
					 "UTF-8", e->name ? e->name : "?",
					 entry_keys[i]);
	for (size_t i = 0; i < e->digest.n; i++) {
		const char *p = e->digest.files[i].path;
		if (!up_utf8_valid(p, strlen(p)))
			return up_err_at(err, UP_EINPUT, path, 0, 0,
					 "pack '%s': a file path is not UTF-8",
					 e->name);
	}
	char *listing = up_pack_digest_listing(&e->digest);
	char sum[65];
	up_sha256_hex(listing, strlen(listing), sum);
	free(listing);
	if (strcmp(sum, e->digest.sha256))
		return up_err_at(err, UP_EINTERNAL, path, 0, 0,
				 "pack '%s': its sha256 does not match its "
				 "files", e->name);
	return UP_OK;
}

static void put_entry(up_buf *b, const up_lock_entry *e)
{
	up_buf_puts(b, "  - name: ");
	put_quoted(b, e->name);
	up_buf_puts(b, "\n    version: ");
	put_quoted(b, e->version);
	up_buf_puts(b, "\n    path: ");
	put_quoted(b, e->path);
	up_buf_printf(b, "\n    sha256: \"%s\"\n", e->digest.sha256);
	up_buf_puts(b, e->digest.n ? "    files:\n" : "    files: []\n");
	for (size_t i = 0; i < e->digest.n; i++) {
		up_buf_puts(b, "      - {path: ");
		put_quoted(b, e->digest.files[i].path);
		up_buf_printf(b, ", sha256: \"%s\"}\n",
			      e->digest.files[i].sha256);
	}
}

int up_lock_write(const char *path, const up_lock *lock, up_error *err)
{
	for (size_t i = 0; i < lock->n; i++) {
		int rc = entry_problem(path, &lock->e[i], err);
		if (rc != UP_OK)
			return rc;
	}
	up_buf b = {0};
	up_buf_puts(&b, header);
	up_buf_puts(&b, "lock_version: 1\n");
	up_buf_puts(&b, lock->n ? "packs:\n" : "packs: []\n");
	for (size_t i = 0; i < lock->n; i++)
		put_entry(&b, &lock->e[i]);
	int rc = up_write_atomic(path, b.buf, b.len, err);
	up_buf_free(&b);
	return rc;
}

/* ---- reading: the checks of yval.c, and two of the lock's own ---- */

/* The value of KEY in MAP, or NULL after "missing key" at MAP. */
static const up_ynode *need(up_yv *v, const up_ynode *map, const char *key)
{
	const up_ynode *n = up_yv_get(map, key);
	if (!n)
		up_yv_err(v, map, "missing key '%s'", key);
	return n;
}

/* A non-empty string, copied; NULL (reported) otherwise.  A quoted ""
 * passes up_yv_str() but names nothing in a lock. */
static char *get_str(up_yv *v, const up_ynode *n, const char *what)
{
	char *s = up_yv_str(v, n, what);
	if (s && !*s) {
		up_yv_err(v, n, "%s must not be empty", what);
		free(s);
		return NULL;
	}
	return s;
}

static int is_hex64(const char *s)
{
	size_t i = 0;
	while (i < 64 && ((s[i] >= '0' && s[i] <= '9') ||
			  (s[i] >= 'a' && s[i] <= 'f')))
		i++;
	return i == 64 && !s[64];
}

static int get_hex(up_yv *v, const up_ynode *n, char out[65])
{
	if (!n)
		return 0;
	if (n->kind != UP_YSCALAR || !is_hex64(n->str)) {
		up_yv_err(v, n, "'sha256' must be 64 lowercase hex digits");
		return 0;
	}
	memcpy(out, n->str, 65);
	return 1;
}

/* ---- reading: the sections ---- */

/* As up_pack_digest_dir() allows: the listing must have one reading. */
static int path_ok(const char *path)
{
	for (const unsigned char *s = (const unsigned char *)path; *s; s++)
		if (*s < 0x20 || *s == 0x7f || *s == '\\')
			return 0;
	return 1;
}

/* One {path, sha256} after PREV (the last good path, or NULL); 1 if good. */
static int load_file(up_yv *v, const up_ynode *n, const char *prev,
		     up_pack_file *f)
{
	if (!up_yv_want(v, n, UP_YMAP, "a file"))
		return 0;
	up_yv_keys(v, n, file_keys, UP_COUNTOF(file_keys));
	const up_ynode *pn = need(v, n, "path");
	char *path = get_str(v, pn, "'path'");
	int ok = get_hex(v, need(v, n, "sha256"), f->sha256);
	if (!path)
		return 0;
	int c = prev ? strcmp(prev, path) : -1;
	if (!path_ok(path))
		up_yv_err(v, pn, "a file path must not hold a control "
			  "character or a backslash");
	else if (c == 0)
		up_yv_err(v, pn, "duplicate file '%s'", path);
	else if (c > 0)
		up_yv_err(v, pn, "'%s' is listed after '%s' (files are sorted "
			  "by path)", path, prev);
	else if (ok) {
		f->path = path;
		return 1;
	}
	free(path);
	return 0;
}

/* Fills D from the list N; 1 if every file was good. */
static int load_files(up_yv *v, const up_ynode *n, up_pack_digest *d)
{
	if (!n || !up_yv_want(v, n, UP_YSEQ, "'files'"))
		return 0;
	d->files = up_xcalloc(n->n, sizeof *d->files);
	int good = 1;
	for (size_t i = 0; i < n->n; i++) {
		const char *prev = d->n ? d->files[d->n - 1].path : NULL;
		if (load_file(v, n->kids[i], prev, &d->files[d->n]))
			d->n++;
		else
			good = 0;
	}
	return good;
}

/* NAMES maps the names read so far (borrowed from LK's entries). */
static void load_entry(up_yv *v, up_lock *lk, const up_ynode *n,
		       up_strmap *names)
{
	if (!up_yv_want(v, n, UP_YMAP, "a pack"))
		return;
	up_yv_keys(v, n, entry_keys, UP_COUNTOF(entry_keys));
	up_lock_entry *e = &lk->e[lk->n++];
	e->line = n->line;
	e->col = n->col;
	const up_ynode *name = need(v, n, "name");
	e->name = get_str(v, name, "'name'");
	if (e->name && up_strmap_put(names, e->name, (int)(lk->n - 1)) >= 0)
		up_yv_err(v, name, "duplicate pack '%s'", e->name);
	e->version = get_str(v, need(v, n, "version"), "'version'");
	e->path = get_str(v, need(v, n, "path"), "'path'");
	const up_ynode *sum = need(v, n, "sha256");
	int ok = get_hex(v, sum, e->digest.sha256);
	ok = load_files(v, need(v, n, "files"), &e->digest) && ok;
	if (!ok)
		return;
	char *listing = up_pack_digest_listing(&e->digest);
	char want[65];
	up_sha256_hex(listing, strlen(listing), want);
	free(listing);
	if (strcmp(want, e->digest.sha256))
		up_yv_err(v, sum, "sha256 does not match the files listed");
}

static void load_version(up_yv *v, const up_ynode *n)
{
	if (!n || !up_yv_want(v, n, UP_YSCALAR, "'lock_version'"))
		return;
	if (strcmp(n->str, "1"))
		up_yv_err(v, n, "unsupported lock_version '%s' (this uptake "
			  "reads lock_version 1)", n->str);
}

static void load_top(up_yv *v, up_lock *lk, const up_ynode *root)
{
	up_yv_keys(v, root, top_keys, UP_COUNTOF(top_keys));
	load_version(v, need(v, root, "lock_version"));
	const up_ynode *packs = need(v, root, "packs");
	if (!packs || !up_yv_want(v, packs, UP_YSEQ, "'packs'"))
		return;
	lk->e = up_xcalloc(packs->n, sizeof *lk->e);
	up_strmap names = {0};
	for (size_t i = 0; i < packs->n; i++)
		load_entry(v, lk, packs->kids[i], &names);
	up_strmap_free(&names);
}

int up_lock_read(const char *path, const char *shown, up_lock **out,
		 up_error *err)
{
	*out = NULL;
	struct stat st;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return UP_OK; /* nothing pinned yet */
	char *buf = NULL;
	size_t len = 0;
	int rc = up_read_file(path, MAX_LOCK_BYTES, &buf, &len, err);
	if (rc == UP_OK)
		rc = up_lock_parse(buf, len, shown, out, err);
	free(buf);
	return rc;
}

int up_lock_parse(const char *buf, size_t len, const char *shown,
		  up_lock **out, up_error *err)
{
	*out = NULL;
	size_t first = up_error_count(err);
	up_ynode *root = NULL;
	int rc = up_yaml_parse(buf, len, shown, &root, err);
	if (rc != UP_OK)
		return rc;
	up_lock *lk = up_xcalloc(1, sizeof *lk);
	lk->file = up_xstrdup(shown);
	up_yv v = {shown, err, 0};
	if (up_yv_want(&v, root, UP_YMAP, shown))
		load_top(&v, lk, root);
	up_yaml_free(root);
	up_error_sort(err, first); /* in file order, like a compiler */
	if (v.bad) {
		up_lock_free(lk);
		return UP_EINPUT;
	}
	*out = lk;
	return UP_OK;
}

const up_lock_entry *up_lock_find(const up_lock *lock, const char *name)
{
	for (size_t i = 0; lock && i < lock->n; i++)
		if (lock->e[i].name && !strcmp(lock->e[i].name, name))
			return &lock->e[i];
	return NULL;
}

void up_lock_free(up_lock *lock)
{
	if (!lock)
		return;
	for (size_t i = 0; i < lock->n; i++) {
		free(lock->e[i].name);
		free(lock->e[i].version);
		free(lock->e[i].path);
		up_pack_digest_free(&lock->e[i].digest);
	}
	free(lock->e);
	free(lock->file);
	free(lock);
}
