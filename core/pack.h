/*
 * pack.h: rule packs inside libuptake: versions and ranges (semver.c), the
 * canonical digest of a pack directory (packhash.c), uptake.lock (lock.c),
 * Ed25519 keys and signatures (sign.c), and the manifest (pack.c).
 * Nothing here is public; include/uptake.h exposes what users need.
 */
#ifndef UP_PACK_H
#define UP_PACK_H

#include <stddef.h>

#include "internal.h"

/* ---- semantic versions (semver.c) ---- */

typedef struct {
	long long major, minor, patch;
	char pre[64]; /* prerelease without the '-', "" for a release */
} up_semver;

/*
 * Parses "MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]" (semver 2.0.0: no
 * leading zeros, no leading 'v', build metadata ignored).  0, or -1 with
 * a static reason in *why.
 */
int up_semver_parse(const char *s, up_semver *out, const char **why);
/* Precedence as semver 2.0.0 section 11 defines it: <0, 0, >0. */
int up_semver_cmp(const up_semver *a, const up_semver *b);
/* "1.2.3" or "1.2.3-rc.1" into out (128 bytes always suffice). */
void up_semver_format(const up_semver *v, char *out, size_t n);

/*
 * Ranges, as npm writes them: "*", "1.2.3", "=1.2.3", ">=1.2 <2",
 * "^1.2", "~1.2.3", "1.x", "1.2.*", "1 - 2.3", joined by "||".  A
 * prerelease version satisfies a range only if a comparator of the same
 * [major, minor, patch] names a prerelease (npm's rule).
 * up_semver_range_check: 0 if RANGE is well-formed, else -1 and a reason
 * valid until the next range call of the same thread.  up_semver_satisfies: 1, 0, or -1 for a malformed range.
 */
int up_semver_range_check(const char *range, const char **why);
int up_semver_satisfies(const up_semver *v, const char *range);

/* ---- the digest of a pack directory (packhash.c) ---- */

typedef struct {
	char *path;       /* relative, '/'-separated */
	char sha256[65];  /* of the file's bytes */
} up_pack_file;

typedef struct {
	up_pack_file *files; /* sorted by path, bytewise */
	size_t n;
	char sha256[65]; /* the pack's hash: over the listing below */
} up_pack_digest;

/*
 * Hashes every regular file under DIR except the top-level pack.sig and
 * anything whose name starts with '.', sorted by relative path.  The
 * pack's hash is the SHA-256 of the listing "<sha256>  <path>\n" per file,
 * the same text `sha256sum` prints.  A symlink, a device or an unreadable
 * file is an error ("DIR/x: error: ..."), and so are more than
 * UP_PACK_MAX_FILES files or UP_PACK_MAX_BYTES bytes in all.
 */
enum { UP_PACK_MAX_FILES = 4096, UP_PACK_MAX_BYTES = 64 << 20 };
int up_pack_digest_dir(const char *dir, up_pack_digest *out, up_error *err);
/* The listing whose SHA-256 is the pack's hash (caller frees). */
char *up_pack_digest_listing(const up_pack_digest *d);
void up_pack_digest_free(up_pack_digest *d);
/*
 * Names the first difference between what was pinned (WANT) and what is
 * there (GOT), in path order: "changed FILE", "added FILE" or
 * "removed FILE" into buf.  0 when equal, 1 when they differ.
 */
int up_pack_digest_diff(const up_pack_digest *want, const up_pack_digest *got,
			char *buf, size_t n);

/* ---- uptake.lock (lock.c) ---- */

typedef struct {
	char *name, *version;
	char *path;           /* where it was found, as shown to users */
	up_pack_digest digest;
	int line, col;        /* of the entry in the lock file */
} up_lock_entry;

typedef struct {
	char *file; /* as shown in messages, e.g. "uptake.lock" */
	up_lock_entry *e;
	size_t n;
} up_lock;

/*
 * Reads a lock file.  A missing file gives UP_OK with *out NULL; a
 * malformed one UP_EINPUT with "uptake.lock:L:C: error: ..." messages.
 * SHOWN is the name used in messages.
 */
int up_lock_read(const char *path, const char *shown, up_lock **out,
		 up_error *err);
/* The same on the bytes of a lock file already read. */
int up_lock_parse(const char *buf, size_t len, const char *shown,
		  up_lock **out, up_error *err);
/* Writes LOCK to PATH through a hidden temporary file and a rename:
 * all or nothing. */
int up_lock_write(const char *path, const up_lock *lock, up_error *err);
const up_lock_entry *up_lock_find(const up_lock *lock, const char *name);
void up_lock_free(up_lock *lock);

/* ---- keys and signatures (sign.c) ---- */

enum { UP_PUBKEY_BYTES = 32 };

/*
 * Writes NAME.key (the secret key, mode 0600, never overwritten) and
 * NAME.pub.  Both are one line of text: "uptake-ed25519-secret BASE64"
 * and "uptake-ed25519 BASE64 NAME".
 */
int up_key_generate(const char *name, up_error *err);
int up_pubkey_read(const char *path, unsigned char pk[UP_PUBKEY_BYTES],
		   up_error *err);
/* A short id of a public key for messages: 16 hex digits (of SHA-256). */
void up_pubkey_id(const unsigned char pk[UP_PUBKEY_BYTES], char out[17]);

/*
 * Signs the pack in DIR with the secret key in KEYFILE: writes DIR/pack.sig
 * (through a temporary file and a rename), which holds the signer's
 * public key, the file listing and an Ed25519 signature over the pack's
 * hash.
 */
int up_pack_sign(const char *dir, const char *keyfile, up_error *err);

typedef enum {
	UP_SIG_OK,
	UP_SIG_UNSIGNED,  /* no pack.sig */
	UP_SIG_UNTRUSTED, /* signed by a key not in the trusted list */
	UP_SIG_TAMPERED,  /* a good signature, but the files changed since */
	UP_SIG_BAD        /* pack.sig malformed, or its signature false */
} up_sig_status;

/*
 * Verifies DIR against its digest GOT (computed by the caller, before
 * anything in DIR is parsed) and the trusted keys.  WHY receives a
 * one-line reason for anything but UP_SIG_OK (for UP_SIG_TAMPERED it
 * names the file: "changed rules.lua").
 */
up_sig_status up_pack_verify(const char *dir, const up_pack_digest *got,
			     const unsigned char (*keys)[UP_PUBKEY_BYTES],
			     size_t nkeys, char *why, size_t n);

/* ---- the manifest, pack.yaml (pack.c) ---- */

typedef enum {
	UP_PT_INTEGER, UP_PT_NUMBER, UP_PT_STRING, UP_PT_BOOLEAN,
	UP_PT_DATE, UP_PT_DAYS, UP_PT_ENUM
} up_ptype;

typedef struct {
	char *name, *doc;
	up_ptype type;
	int list;             /* a list of TYPE */
	int has_min, has_max; /* integer, number and days only */
	double min, max;
	char **values;        /* enum */
	size_t nvalues;
	json_t *def;          /* the default, checked like any value */
} up_param;

typedef struct {
	char *name, *range;
	int line, col; /* in pack.yaml */
} up_pack_dep;

typedef struct up_pack {
	char *dir;  /* as found or given */
	char *file; /* DIR/pack.yaml, as shown in messages */
	char *name, *title, *description, *license, *requires;
	up_semver version;
	char version_s[128];
	char **authors;
	size_t nauthors;
	up_pack_dep *deps;
	size_t ndeps;
	char **rules; /* paths relative to DIR, in order */
	size_t nrules;
	up_param *params;
	size_t nparams;
	char manifest_sha256[65]; /* of pack.yaml as read */
} up_pack;

/*
 * Reads and validates DIR/pack.yaml: every problem at once, as
 * "DIR/pack.yaml:L:C: error: ...", with did-you-mean hints for unknown
 * keys.  Rule files must exist but are not read.
 */
int up_pack_load(up_pack **out, const char *dir, up_error *err);
/* The same on a manifest already read (rule files still in DIR). */
int up_pack_parse(up_pack **out, const char *dir, const char *buf,
		  size_t len, up_error *err);
void up_pack_free(up_pack *pk);
const up_param *up_pack_param(const up_pack *pk, const char *name);
/*
 * The value of node N for parameter PM as JSON (a new reference), or NULL
 * after reporting "WHAT must be <type and bounds>, not ..." at N.
 */
json_t *up_param_value(up_yv *v, const up_param *pm, const up_ynode *n,
		       const char *what);
/* "a whole number from 1 to 365", "one of a, b", ... into buf. */
void up_param_describe(const up_param *pm, char *buf, size_t n);
/* The type as written in pack.yaml: "days", "[string]". */
const char *up_param_type_name(const up_param *pm, char *buf, size_t n);

/* ---- packs a program uses (packuse.c) ---- */

typedef struct {
	char *rule; /* the pack's own id of the rule */
	int line, col;
	int must_set, must, weight_set;
	double weight;
	char *on_fail, *severity;
} up_pack_override;

typedef struct {
	char *rule;
	int line, col;
} up_pack_disable;

struct up_pack_use {
	up_pack *pack;
	const char *origin; /* "program", "path", "builtin" or "dir" */
	char *shown;        /* where it was found, as users see it */
	up_pack_digest digest;
	json_t *params;     /* the defaults, then with: */
	up_pack_disable *disable;
	size_t ndisable;
	up_pack_override *overrides;
	size_t noverrides;
	int line, col;      /* the entry in program.yaml; 0 if a dependency */
	char *needed_by;    /* for a dependency: who asked for it */
	int swapped;        /* put in by a replay: the lock does not apply */
};

/*
 * Loads the packs: section of program.yaml (node N, may be NULL) into
 * P->packs with every dependency, and their rule files into P->rules.
 * Trust is checked before anything of a pack is parsed; uptake.lock is
 * checked unless UNLOCKED.  Problems go to V at their nodes.
 */
void up_packs_load(up_yv *v, up_program *p, const up_ynode *n, int unlocked);
/*
 * Adds the pack in DIR to P as `use: DIR` would, with WITH and then MORE
 * (both may be NULL) as its parameters, and its dependencies; for pack
 * tests.  Problems are reported at AT.
 */
int up_packs_add_dir(up_yv *v, up_program *p, const char *dir,
		     const up_ynode *at, const up_ynode *with,
		     const up_ynode *more);
/* trust: the public keys every non-built-in pack must be signed with. */
void up_trust_load(up_yv *v, up_program *p, const up_ynode *n);
void up_packs_free(up_program *p);
/* Whether a parameter of one of P's packs has VALUE as its value, or as
 * one of its values (a series a pack reads: enrolment_series). */
int up_packs_name(const up_program *p, const char *value);

typedef struct {
	char *dir;
	const char *origin; /* "program", "path" or "builtin" */
} up_search_dir;

/* The search path for packs of the program in PROGRAM_DIR (may be NULL):
 * DIR/packs, each of $UPTAKE_PACK_PATH, the built-in packs. */
up_search_dir *up_pack_search_path(const char *program_dir, size_t *n);
void up_pack_search_path_free(up_search_dir *d, size_t n);
/* The names of the directories in DIR holding a pack.yaml, sorted; the
 * caller frees each and the array. */
char **up_pack_names_in(const char *dir, size_t *n);

#endif
