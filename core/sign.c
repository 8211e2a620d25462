/*
 * sign.c: Ed25519 keys and pack signatures (libsodium).  The signature
 * covers the pack's hash; pack.sig also carries the listing behind that
 * hash, so a changed pack is reported file by file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pack.h"

#define PUB_TAG "uptake-ed25519"
#define SECRET_TAG "uptake-ed25519-secret"
#define SIG_MAGIC "uptake-pack-signature 1"
/* What is signed: a fixed prefix, so a signature over a pack's hash can
 * never be replayed as a signature over anything else. */
#define SIGNED_PREFIX "uptake-pack-sha256:"
#define B64 sodium_base64_VARIANT_ORIGINAL

enum {
	MAX_KEY_BYTES = 4096,
	MAX_SIG_BYTES = 1 << 20,
	SK_BYTES = crypto_sign_SECRETKEYBYTES,
	SIG_BYTES = crypto_sign_BYTES,
	PK_B64 = sodium_base64_ENCODED_LEN(UP_PUBKEY_BYTES, B64),
	SK_B64 = sodium_base64_ENCODED_LEN(SK_BYTES, B64),
	SIG_B64 = sodium_base64_ENCODED_LEN(SIG_BYTES, B64)
};

/* sodium_init() is safe to repeat; the flag only saves the calls. */
static int sodium_ready(void)
{
	static int ready;
	if (!ready && sodium_init() < 0)
		return -1;
	ready = 1;
	return 0;
}

/* ---- files ---- */

/*
 * Reads a regular file of at most MAX bytes (NUL-terminated), without
 * following a final symlink unless FOLLOW.  0, or an errno value: ELOOP
 * for a symlink, EINVAL for a FIFO, device or directory, EFBIG when too
 * large.  The buffer is wiped before it is freed: it may hold a secret.
 */
static int slurp(const char *path, size_t max, int follow, char **out,
		 size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
			    (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return EINVAL;
	}
	char *buf = up_xmalloc(max + 1);
	size_t n = 0;
	int e = 0;
	while (!e) {
		ssize_t k = read(fd, buf + n, max + 1 - n);
		if (k < 0 && errno != EINTR)
			e = errno;
		else if (k == 0)
			break;
		else if (k > 0 && (n += (size_t)k) > max)
			e = EFBIG;
	}
	close(fd);
	if (e) {
		sodium_memzero(buf, max + 1);
		free(buf);
		return e;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void wipe_free(char *buf, size_t len)
{
	if (buf)
		sodium_memzero(buf, len);
	free(buf);
}

static int read_err(up_error *err, const char *path, int e)
{
	if (e == EFBIG)
		return up_err_at(err, UP_EINPUT, path, 0, 0, "is larger than "
				 "%d bytes", MAX_KEY_BYTES);
	if (e == EINVAL)
		return up_err_at(err, UP_EINPUT, path, 0, 0,
				 "is not a regular file");
	return up_err_at(err, UP_EINPUT, path, 0, 0, "cannot read: %s",
			 strerror(e));
}

/* Creates PATH with TEXT; never replaces a file that is already there. */
static int create_new(const char *path, mode_t mode, const char *text,
		      up_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST)
		return up_err_at(err, UP_EINPUT, path, 0, 0, "already exists "
				 "(keys are never overwritten)");
	if (fd < 0)
		return up_err_at(err, UP_EINPUT, path, 0, 0,
				 "cannot write: %s", strerror(errno));
	int e = 0;
	if (up_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e)
		return UP_OK;
	unlink(path);
	return up_err_at(err, UP_EINTERNAL, path, 0, 0, "cannot write: %s",
			 strerror(e));
}

/* ---- key files ---- */

/* Exactly N bytes of standard base64 in S[0..LEN); 0 or -1. */
static int unbase64(const char *s, size_t len, unsigned char *out, size_t n)
{
	size_t got = 0;
	if (sodium_base642bin(out, n, s, len, NULL, &got, NULL, B64) != 0)
		return -1;
	return got == n ? 0 : -1;
}

/*
 * The base64 field of a one-line key file "TAG BASE64[ COMMENT]\n" into
 * OUT (N bytes); 0 or -1.
 */
static int key_field(const char *s, size_t len, const char *tag,
		     unsigned char *out, size_t n)
{
	size_t tl = strlen(tag);
	if (len && s[len - 1] == '\n')
		len--;
	if (len <= tl || memcmp(s, tag, tl) || s[tl] != ' ' ||
	    memchr(s, '\n', len) || memchr(s, '\0', len))
		return -1;
	const char *b = s + tl + 1;
	const char *end = memchr(b, ' ', len - tl - 1);
	return unbase64(b, end ? (size_t)(end - b) : len - tl - 1, out, n);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int read_secret(const char *path, unsigned char sk[SK_BYTES],
		       up_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int e = slurp(path, MAX_KEY_BYTES, 1, &text, &len);
	if (e)
		return read_err(err, path, e);
	int rc = UP_OK;
	if (key_field(text, len, SECRET_TAG, sk, SK_BYTES) != 0)
		rc = up_err_at(err, UP_EINPUT, path, 0, 0, "%s",
			       starts_with(text, PUB_TAG " ")
			       ? "is a public key; signing needs the secret "
				 "key (NAME.key)"
			       : "is not an uptake secret key (expected '"
				 SECRET_TAG " BASE64')");
	wipe_free(text, len);
	if (rc != UP_OK)
		sodium_memzero(sk, SK_BYTES);
	return rc;
}

int up_pubkey_read(const char *path, unsigned char pk[UP_PUBKEY_BYTES],
		   up_error *err)
{
	if (sodium_ready() != 0)
		return up_err(err, UP_EINTERNAL, "libsodium cannot start");
	char *text = NULL;
	size_t len = 0;
	int e = slurp(path, MAX_KEY_BYTES, 1, &text, &len);
	if (e)
		return read_err(err, path, e);
	int rc = UP_OK;
	if (key_field(text, len, PUB_TAG, pk, UP_PUBKEY_BYTES) != 0)
		rc = up_err_at(err, UP_EINPUT, path, 0, 0, "%s",
			       starts_with(text, SECRET_TAG " ")
			       ? "is a secret key; trust the .pub file "
				 "beside it"
			       : "is not an uptake public key (expected '"
				 PUB_TAG " BASE64 NAME')");
	wipe_free(text, len); /* it may have been the secret key */
	return rc;
}

void up_pubkey_id(const unsigned char pk[UP_PUBKEY_BYTES], char out[17])
{
	char hex[65];
	up_sha256_hex(pk, UP_PUBKEY_BYTES, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/* Writes both files of a fresh key pair; on failure, neither remains. */
static int write_pair(const char *keyp, const char *pubp, const char *base,
		      up_error *err)
{
	unsigned char pk[UP_PUBKEY_BYTES], sk[SK_BYTES];
	char b64[SK_B64], line[sizeof SECRET_TAG + SK_B64 + 1];
	crypto_sign_keypair(pk, sk);
	sodium_bin2base64(b64, sizeof b64, sk, sizeof sk, B64);
	snprintf(line, sizeof line, SECRET_TAG " %s\n", b64);
	int rc = create_new(keyp, 0600, line, err);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(b64, sizeof b64);
	sodium_memzero(line, sizeof line);
	if (rc != UP_OK)
		return rc;
	sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, B64);
	char *pub = up_xasprintf(PUB_TAG " %s %s\n", b64, base);
	rc = create_new(pubp, 0666, pub, err);
	free(pub);
	if (rc != UP_OK)
		unlink(keyp); /* ours: created with O_EXCL above */
	return rc;
}

int up_key_generate(const char *name, up_error *err)
{
	const char *slash = name ? strrchr(name, '/') : NULL;
	const char *base = slash ? slash + 1 : name;
	if (!base || !*base || strpbrk(base, "\n\r"))
		return up_err(err, UP_EINPUT, "a key needs a name, as in "
			      "'keys/consultant'");
	if (sodium_ready() != 0)
		return up_err(err, UP_EINTERNAL, "libsodium cannot start");
	char *keyp = up_xasprintf("%s.key", name);
	char *pubp = up_xasprintf("%s.pub", name);
	int rc = UP_OK;
	struct stat st;
	/* Look at both first, so a refusal leaves nothing half made. */
	if (lstat(keyp, &st) == 0)
		rc = up_err_at(err, UP_EINPUT, keyp, 0, 0, "already exists "
			       "(keys are never overwritten)");
	if (lstat(pubp, &st) == 0)
		rc = up_err_at(err, UP_EINPUT, pubp, 0, 0, "already exists "
			       "(keys are never overwritten)");
	if (rc == UP_OK)
		rc = write_pair(keyp, pubp, base, err);
	free(keyp);
	free(pubp);
	return rc;
}

/* ---- signing ---- */

/* The bytes signed for a pack hash HEX into out; their length. */
static size_t signed_message(const char hex[65],
			     char out[sizeof SIGNED_PREFIX + 64])
{
	memcpy(out, SIGNED_PREFIX, sizeof SIGNED_PREFIX - 1);
	memcpy(out + sizeof SIGNED_PREFIX - 1, hex, 64);
	return sizeof SIGNED_PREFIX - 1 + 64;
}

static int write_sig(const char *dir, const char *keyfile,
		     const up_pack_digest *d, const unsigned char *sk,
		     up_error *err)
{
	unsigned char pk[UP_PUBKEY_BYTES], sig[SIG_BYTES];
	char msg[sizeof SIGNED_PREFIX + 64];
	size_t mlen = signed_message(d->sha256, msg);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, mlen, sk);
	/* A damaged key file would sign what no one can verify. */
	if (crypto_sign_verify_detached(sig, (const unsigned char *)msg, mlen,
					pk) != 0)
		return up_err_at(err, UP_EINPUT, keyfile, 0, 0, "the secret "
				 "key is damaged (its two halves disagree)");
	char kb[PK_B64], sb[SIG_B64];
	sodium_bin2base64(kb, sizeof kb, pk, sizeof pk, B64);
	sodium_bin2base64(sb, sizeof sb, sig, sizeof sig, B64);
	char *listing = up_pack_digest_listing(d);
	up_buf b = {0};
	up_buf_printf(&b, SIG_MAGIC "\nkey: %s\nsha256: %s\nsignature: %s\n"
		      "files:\n", kb, d->sha256, sb);
	up_buf_puts(&b, listing);
	free(listing);
	/* Through DIR/.pack.sig.tmp: hidden, so a crash leaves nothing that
	 * the digest would count. */
	char *path = up_xasprintf("%s/pack.sig", dir);
	int rc = up_write_atomic(path, b.buf, b.len, err);
	free(path);
	up_buf_free(&b);
	return rc;
}

int up_pack_sign(const char *dir, const char *keyfile, up_error *err)
{
	if (sodium_ready() != 0)
		return up_err(err, UP_EINTERNAL, "libsodium cannot start");
	unsigned char sk[SK_BYTES];
	int rc = read_secret(keyfile, sk, err);
	if (rc != UP_OK)
		return rc;
	up_pack_digest d;
	rc = up_pack_digest_dir(dir, &d, err);
	if (rc == UP_OK)
		rc = write_sig(dir, keyfile, &d, sk, err);
	sodium_memzero(sk, sizeof sk);
	up_pack_digest_free(&d);
	return rc;
}

/* ---- verifying ---- */

/* pack.sig, line by line: the next line without its '\n', or NULL. */
typedef struct {
	const char *p, *end;
} cursor;

static const char *next_line(cursor *c, size_t *len)
{
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		return NULL;
	const char *line = c->p;
	*len = (size_t)(nl - line);
	c->p = nl + 1;
	return line;
}

/* The value after "NAME: " on the next line, or NULL. */
static const char *field(cursor *c, const char *name, size_t *len)
{
	size_t n, nl = strlen(name);
	const char *line = next_line(c, &n);
	if (!line || n < nl + 2 || memcmp(line, name, nl) ||
	    line[nl] != ':' || line[nl + 1] != ' ')
		return NULL;
	*len = n - nl - 2;
	return line + nl + 2;
}

static int is_hex64(const char *s, size_t len)
{
	if (len != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int path_ok(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\')
			return 0;
	return 1;
}

/* The listing "<sha256>  <path>\n"..., strictly sorted, into D; 0 or -1. */
static int parse_listing(cursor *c, up_pack_digest *d)
{
	size_t cap = 0, len;
	const char *line;
	while ((line = next_line(c, &len))) {
		if (len < 67 || !is_hex64(line, 64) || line[64] != ' ' ||
		    line[65] != ' ' || !path_ok(line + 66, len - 66) ||
		    d->n == UP_PACK_MAX_FILES)
			return -1;
		char *path = up_xstrndup(line + 66, len - 66);
		if (d->n && strcmp(d->files[d->n - 1].path, path) >= 0) {
			free(path);
			return -1;
		}
		if (d->n == cap) {
			cap = cap ? 2 * cap : 32;
			d->files = up_xrealloc(d->files,
					       cap * sizeof *d->files);
		}
		d->files[d->n].path = path;
		memcpy(d->files[d->n].sha256, line, 64);
		d->files[d->n++].sha256[64] = '\0';
	}
	return c->p == c->end ? 0 : -1; /* the last line ends in '\n' */
}

typedef struct {
	unsigned char key[UP_PUBKEY_BYTES];
	char sha256[65];
	unsigned char sig[SIG_BYTES];
	up_pack_digest want;
	const char *listing; /* into the text of pack.sig */
	size_t listing_len;
} sig_file;

__attribute__((format(printf, 3, 4)))
static up_sig_status say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why && n)
		vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return UP_SIG_BAD;
}

static int trusted(const unsigned char *key,
		   const unsigned char (*keys)[UP_PUBKEY_BYTES], size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++)
		if (!memcmp(keys[i], key, UP_PUBKEY_BYTES)) /* public data */
			return 1;
	return 0;
}

/* The lines after the key: hash, signature and listing; NULL, or what
 * is malformed. */
static const char *parse_rest(cursor *c, sig_file *s)
{
	size_t len;
	const char *v = field(c, "sha256", &len);
	if (!v || !is_hex64(v, len))
		return "the 'sha256:' line is not 64 lowercase hex digits";
	memcpy(s->sha256, v, 64);
	s->sha256[64] = '\0';
	v = field(c, "signature", &len);
	if (!v || unbase64(v, len, s->sig, sizeof s->sig) != 0)
		return "the 'signature:' line is not a base64 Ed25519 "
		       "signature";
	const char *line = next_line(c, &len);
	if (!line || len != 6 || memcmp(line, "files:", 6))
		return "'files:' does not follow the signature";
	s->listing = c->p;
	s->listing_len = (size_t)(c->end - c->p);
	if (parse_listing(c, &s->want) != 0)
		return "the file listing is not sorted lines of "
		       "'<sha256>  <path>'";
	return NULL;
}

static up_sig_status check_sig(const char *text, size_t tlen, sig_file *s,
			       const up_pack_digest *got,
			       const unsigned char (*keys)[UP_PUBKEY_BYTES],
			       size_t nkeys, char *why, size_t n)
{
	cursor c = {text, text + tlen};
	size_t len;
	const char *line = next_line(&c, &len);
	if (!line || len != sizeof SIG_MAGIC - 1 ||
	    memcmp(line, SIG_MAGIC, len))
		return say(why, n, "pack.sig is malformed: the first line is "
			   "not '" SIG_MAGIC "'");
	const char *v = field(&c, "key", &len);
	if (!v || unbase64(v, len, s->key, sizeof s->key) != 0)
		return say(why, n, "pack.sig is malformed: the 'key:' line is "
			   "not a base64 Ed25519 public key");
	/* Before anything else: an unknown signer's file is not worth more. */
	if (!trusted(s->key, keys, nkeys)) {
		char id[17];
		up_pubkey_id(s->key, id);
		say(why, n, "signed by key %s, which 'trust' does not list", id);
		return UP_SIG_UNTRUSTED;
	}
	const char *bad = parse_rest(&c, s);
	if (bad)
		return say(why, n, "pack.sig is malformed: %s", bad);
	char msg[sizeof SIGNED_PREFIX + 64];
	size_t mlen = signed_message(s->sha256, msg);
	if (crypto_sign_verify_detached(s->sig, (const unsigned char *)msg,
					mlen, s->key) != 0)
		return say(why, n, "the signature does not match the hash in "
			   "pack.sig");
	char sum[65];
	up_sha256_hex(s->listing, s->listing_len, sum);
	if (strcmp(sum, s->sha256))
		return say(why, n, "the signature does not match the files "
			   "listed in pack.sig");
	if (!strcmp(s->sha256, got->sha256))
		return UP_SIG_OK;
	if (!up_pack_digest_diff(&s->want, got, why, n))
		say(why, n, "the files changed since they were signed");
	return UP_SIG_TAMPERED;
}

up_sig_status up_pack_verify(const char *dir, const up_pack_digest *got,
			     const unsigned char (*keys)[UP_PUBKEY_BYTES],
			     size_t nkeys, char *why, size_t n)
{
	if (!why)
		n = 0;
	if (n)
		why[0] = '\0';
	if (sodium_ready() != 0)
		return say(why, n, "libsodium cannot start");
	char *path = up_xasprintf("%s/pack.sig", dir);
	char *text = NULL;
	size_t len = 0;
	int e = slurp(path, MAX_SIG_BYTES, 0, &text, &len);
	free(path);
	if (e == ENOENT) {
		say(why, n, "not signed (no pack.sig)");
		return UP_SIG_UNSIGNED;
	}
	if (e == EFBIG)
		return say(why, n, "pack.sig is larger than %d bytes",
			   MAX_SIG_BYTES);
	if (e == ELOOP || e == EINVAL)
		return say(why, n, "pack.sig is not a regular file");
	if (e)
		return say(why, n, "cannot read pack.sig: %s", strerror(e));
	sig_file s = {0};
	up_sig_status st = check_sig(text, len, &s, got, keys, nkeys, why, n);
	up_pack_digest_free(&s.want);
	free(text);
	return st;
}
