/*
 * packhash.c: the canonical digest of a pack directory: each file's
 * SHA-256, sorted by path, and the pack's hash over that listing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pack.h"

/* Deeper trees are not rule packs; the cap also bounds open directories. */
enum { MAX_DEPTH = 32 };

typedef struct {
	const char *dir;
	up_pack_file *files;
	size_t n, cap;
	unsigned long long bytes;
	up_error *err;
} walker;

/* "DIR/REL: error: ..." for an entry of the pack. */
__attribute__((format(printf, 3, 4)))
static int walk_err(walker *w, const char *rel, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *path = *rel ? up_xasprintf("%s/%s", w->dir, rel)
			  : up_xstrdup(w->dir);
	for (char *s = path; *s; s++) /* messages are one line each */
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	up_err_at(w->err, UP_EINPUT, path, 0, 0, "%s", msg);
	free(path);
	return UP_EINPUT;
}

/*
 * sha256sum escapes names with a backslash, a newline or a carriage
 * return, and the listing must have one reading; UTF-8 because the paths
 * go into uptake.lock, which is YAML.
 */
static const char *name_problem(const char *name)
{
	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f || *s == '\\')
			return "a control character or a backslash";
	if (!up_utf8_valid(name, strlen(name)))
		return "bytes that are not UTF-8";
	return NULL;
}

/* Counts before anything is read, so an oversized pack costs no I/O. */
static int add_file(walker *w, const char *rel, const struct stat *st)
{
	if (w->n == UP_PACK_MAX_FILES)
		return walk_err(w, "", "the pack has more than %d files",
				UP_PACK_MAX_FILES);
	w->bytes += (unsigned long long)st->st_size;
	if (w->bytes > UP_PACK_MAX_BYTES)
		return walk_err(w, "", "the pack's files hold more than %d "
				"bytes", UP_PACK_MAX_BYTES);
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->files = up_xrealloc(w->files, w->cap * sizeof *w->files);
	}
	up_pack_file *f = &w->files[w->n++];
	f->path = up_xstrdup(rel);
	f->sha256[0] = '\0';
	return UP_OK;
}

static int hash_files(walker *w)
{
	unsigned long long left = UP_PACK_MAX_BYTES;
	for (size_t i = 0; i < w->n; i++) {
		char *path = up_xasprintf("%s/%s", w->dir, w->files[i].path);
		char *buf = NULL;
		size_t len = 0;
		/* The cap catches files that grew since lstat(). */
		int rc = up_read_file(path, (size_t)left, &buf, &len, w->err);
		free(path);
		if (rc != UP_OK)
			return rc;
		left -= len;
		up_sha256_hex(buf, len, w->files[i].sha256);
		free(buf);
	}
	return UP_OK;
}

static int walk(walker *w, const char *rel, int depth);

/* One entry NAME of the directory REL ("" at the top). */
static int visit(walker *w, const char *rel, const char *name, int depth)
{
	if (name[0] == '.' || (!*rel && !strcmp(name, "pack.sig")))
		return UP_OK;
	char *sub = *rel ? up_xasprintf("%s/%s", rel, name)
			 : up_xstrdup(name);
	char *path = up_xasprintf("%s/%s", w->dir, sub);
	struct stat st;
	int rc;
	const char *why = name_problem(name);
	if (why)
		rc = walk_err(w, sub, "the name holds %s", why);
	else if (lstat(path, &st) != 0)
		rc = walk_err(w, sub, "cannot read: %s", strerror(errno));
	else if (S_ISLNK(st.st_mode))
		rc = walk_err(w, sub, "is a symbolic link (a pack holds "
			      "regular files and directories only)");
	else if (S_ISDIR(st.st_mode))
		rc = walk(w, sub, depth + 1);
	else if (S_ISREG(st.st_mode))
		rc = add_file(w, sub, &st);
	else
		rc = walk_err(w, sub, "is not a regular file or a directory");
	free(path);
	free(sub);
	return rc;
}

static int walk(walker *w, const char *rel, int depth)
{
	if (depth > MAX_DEPTH)
		return walk_err(w, rel, "directories nest deeper than %d "
				"levels", MAX_DEPTH);
	char *path = *rel ? up_xasprintf("%s/%s", w->dir, rel)
			  : up_xstrdup(w->dir);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return walk_err(w, rel, "cannot read the directory: %s",
				strerror(errno));
	int rc = UP_OK;
	while (rc == UP_OK) {
		errno = 0; /* readdir() returns NULL at the end and on errors */
		struct dirent *e = readdir(d);
		if (e)
			rc = visit(w, rel, e->d_name, depth);
		else if (errno)
			rc = walk_err(w, rel, "cannot read the directory: %s",
				      strerror(errno));
		else
			break;
	}
	closedir(d);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const up_pack_file *)a)->path,
		      ((const up_pack_file *)b)->path);
}

int up_pack_digest_dir(const char *dir, up_pack_digest *out, up_error *err)
{
	memset(out, 0, sizeof *out);
	walker w = {dir, NULL, 0, 0, 0, err};
	int rc = walk(&w, "", 0);
	if (rc == UP_OK)
		rc = hash_files(&w);
	up_pack_digest d = {w.files, w.n, ""};
	if (rc != UP_OK) {
		up_pack_digest_free(&d);
		return rc;
	}
	if (d.n)
		qsort(d.files, d.n, sizeof *d.files, by_path);
	char *listing = up_pack_digest_listing(&d);
	up_sha256_hex(listing, strlen(listing), d.sha256);
	free(listing);
	*out = d;
	return UP_OK;
}

char *up_pack_digest_listing(const up_pack_digest *d)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	for (size_t i = 0; i < d->n; i++)
		up_buf_printf(&b, "%s  %s\n", d->files[i].sha256,
			      d->files[i].path);
	return b.buf;
}

void up_pack_digest_free(up_pack_digest *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->files[i].path);
	free(d->files);
	memset(d, 0, sizeof *d);
}

int up_pack_digest_diff(const up_pack_digest *want, const up_pack_digest *got,
			char *buf, size_t n)
{
	size_t i = 0, j = 0;
	while (i < want->n || j < got->n) {
		int c = i == want->n ? 1 : j == got->n ? -1
			: strcmp(want->files[i].path, got->files[j].path);
		if (c < 0) {
			snprintf(buf, n, "removed %s", want->files[i].path);
			return 1;
		}
		if (c > 0) {
			snprintf(buf, n, "added %s", got->files[j].path);
			return 1;
		}
		if (strcmp(want->files[i].sha256, got->files[j].sha256)) {
			snprintf(buf, n, "changed %s", want->files[i].path);
			return 1;
		}
		i++;
		j++;
	}
	if (buf && n)
		buf[0] = '\0';
	return 0;
}
