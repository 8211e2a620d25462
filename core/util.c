/* util.c: growable buffers, checked allocation, names, files, hashing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "internal.h"

/* Allocation failure is not recoverable for a CLI-sized tool; dying loudly
 * beats threading ENOMEM through every string copy. */
static void oom(void)
{
	fputs("uptake: fatal: out of memory\n", stderr);
	abort();
}

json_t *up_json_nonnull(json_t *j, const char *file, int line)
{
	if (!j) {
		fprintf(stderr, "uptake: internal error: a JSON value could "
			"not be built (%s:%d)\n", file, line);
		abort();
	}
	return j;
}

void *up_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *up_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *up_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *up_xstrdup(const char *s)
{
	return s ? up_xstrndup(s, strlen(s)) : NULL;
}

char *up_xstrndup(const char *s, size_t n)
{
	char *p = up_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *up_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char probe[1];
	va_start(ap, fmt);
	int n = vsnprintf(probe, sizeof probe, fmt, ap);
	va_end(ap);
	char *p = up_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void up_buf_add(up_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->buf = up_xrealloc(b->buf, cap);
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void up_buf_puts(up_buf *b, const char *s)
{
	up_buf_add(b, s, strlen(s));
}

void up_buf_printf(up_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < (int)sizeof small) {
		up_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = up_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	up_buf_add(b, big, (size_t)n);
	free(big);
}

void up_buf_free(up_buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

/*
 * The optimal string alignment distance: Levenshtein's insertions,
 * deletions and substitutions, plus the swap of two adjacent characters
 * as one edit, since that is the commonest typo ('stgae' is two edits
 * from 'stages', not three).  Three rows: the swap looks two back.
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t rows[3][65], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *up_did_you_mean(const char *s, const char *const *cands,
			    size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(s) <= 4 ? 1 : 2;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, cands[i]);
		if (d <= limit && d < best_d && d > 0) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

int up_is_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return 0;
	}
	return n > 0 && n <= 128;
}

int up_read_file(const char *path, size_t max, char **out, size_t *len,
		 up_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return up_err_at(err, UP_EINPUT, path, 0, 0, "cannot read: %s",
				 strerror(errno));
	up_buf b = {0};
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + got > max) {
			fclose(fp);
			up_buf_free(&b);
			return up_err_at(err, UP_EINPUT, path, 0, 0,
					 "file is larger than %zu bytes", max);
		}
		up_buf_add(&b, chunk, got);
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		up_buf_free(&b);
		return up_err_at(err, UP_EINPUT, path, 0, 0, "read failed");
	}
	if (!b.buf)
		up_buf_add(&b, "", 0);
	*out = b.buf;
	*len = b.len;
	return UP_OK;
}

int up_write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t k = write(fd, s, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		len -= (size_t)k;
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * DIR/.NAME.XXXXXX, synced, renamed over DIR/NAME: PATH is the old file or
 * the new.  The temporary file is hidden: one left by a crash stays out
 * of a pack's digest (pack.sig is written inside the pack).
 */
int up_write_atomic(const char *path, const char *data, size_t len,
		    up_error *err)
{
	const char *base = strrchr(path, '/');
	char *dir = base ? up_xstrndup(path, (size_t)(base - path + 1))
			 : up_xstrdup("./");
	/* A fresh name, made with O_EXCL: a symlink or a file planted at a
	 * fixed name could otherwise redirect the write anywhere. */
	char *tmp = up_xasprintf("%s.%s.XXXXXX", dir, base ? base + 1 : path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int rc = up_err_at(err, UP_EINPUT, path, 0, 0,
				   "cannot write: %s", strerror(errno));
		free(tmp);
		free(dir);
		return rc;
	}
	int e = 0;
	if (fchmod(fd, 0644) != 0 || up_write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	else /* the rename itself survives a crash only once the directory
	      * is on disk too */
		sync_dir(dir);
	free(tmp);
	free(dir);
	if (e)
		return up_err_at(err, UP_EINTERNAL, path, 0, 0,
				 "cannot write: %s", strerror(e));
	return UP_OK;
}

void up_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, buf, len);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* ---- a string-keyed hash map with borrowed keys ---- */

static size_t fnv1a(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

static void strmap_grow(up_strmap *m)
{
	up_strmap big = {up_xcalloc(m->cap ? m->cap * 2 : 64, sizeof *big.keys),
			 up_xcalloc(m->cap ? m->cap * 2 : 64, sizeof *big.vals),
			 m->cap ? m->cap * 2 : 64, 0};
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			up_strmap_put(&big, m->keys[i], m->vals[i]);
	up_strmap_free(m);
	*m = big;
}

int up_strmap_get(const up_strmap *m, const char *key)
{
	if (!m->cap)
		return -1;
	for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return -1;
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	}
}

int up_strmap_put(up_strmap *m, const char *key, int val)
{
	if (2 * (m->n + 1) > m->cap) /* keep the load under a half */
		strmap_grow(m);
	size_t i = fnv1a(key) & (m->cap - 1);
	for (; m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return -1;
}

void up_strmap_free(up_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at S (at most N bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (!len || len > n || c > 0xF4)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return len;
}

int up_utf8_valid(const char *s, size_t len)
{
	return up_utf8_bad_at(s, len) < 0;
}

long up_utf8_bad_at(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq((const unsigned char *)s + i, len - i);
		if (!k)
			return (long)i;
		i += k;
	}
	return -1;
}

char *up_utf8_clean(const char *s, size_t len, size_t max, size_t *outlen)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq((const unsigned char *)s + i, len - i);
		const char *piece = k ? s + i : "\xEF\xBF\xBD"; /* U+FFFD */
		size_t plen = k ? k : 3;
		if (b.len + plen > max) {
			up_buf_puts(&b, "...");
			break;
		}
		up_buf_add(&b, piece, plen);
		i += k ? k : 1;
	}
	if (outlen)
		*outlen = b.len;
	return b.buf;
}
