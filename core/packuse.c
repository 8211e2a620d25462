/*
 * packuse.c: the packs a program uses.  Finds each on the search path,
 * checks its signature before reading anything in it, pins it against
 * uptake.lock, resolves its dependencies and hands its rule files to the
 * program with their parameters.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack.h"

enum { MAX_RULE_BYTES = 1 << 20, MAX_MANIFEST_BYTES = 1 << 20,
       MAX_PACKS = 256 };

static const char *const use_keys[] = {"use", "version", "with", "disable",
				       "override"};
static const char *const override_keys[] = {"must", "weight", "on_fail",
					     "severity"};

/* ---- the search path ---- */

/*
 * The binary in the build tree reads the packs from the source tree, so
 * the examples run before `meson install`; an installed one reads the
 * installed packs.
 */
const char *up_pack_builtin_dir(void)
{
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t root = strlen(UP_BUILD_ROOT);
	if (n > 0) {
		exe[n] = '\0';
		if (!strncmp(exe, UP_BUILD_ROOT, root) && exe[root] == '/')
			return UP_SOURCE_PACKDIR;
	}
	return UP_INSTALLED_PACKDIR;
}

static void add_dir(up_search_dir **d, size_t *n, char *dir,
		    const char *origin)
{
	*d = up_xrealloc(*d, (*n + 1) * sizeof **d);
	(*d)[*n].dir = dir;
	(*d)[(*n)++].origin = origin;
}

up_search_dir *up_pack_search_path(const char *program_dir, size_t *n)
{
	up_search_dir *d = NULL;
	*n = 0;
	if (program_dir)
		add_dir(&d, n, up_xasprintf("%s/packs", program_dir),
			"program");
	const char *env = getenv("UPTAKE_PACK_PATH");
	while (env && *env) {
		size_t len = strcspn(env, ":");
		if (len)
			add_dir(&d, n, up_xstrndup(env, len), "path");
		env += len + (env[len] == ':');
	}
	add_dir(&d, n, up_xstrdup(up_pack_builtin_dir()), "builtin");
	return d;
}

void up_pack_search_path_free(up_search_dir *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].dir);
	free(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **up_pack_names_in(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **out = NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !up_is_id(e->d_name))
			continue;
		char *f = up_xasprintf("%s/%s/pack.yaml", dir, e->d_name);
		struct stat st;
		if (stat(f, &st) == 0 && S_ISREG(st.st_mode)) {
			out = up_xrealloc(out, (*n + 1) * sizeof *out);
			out[(*n)++] = up_xstrdup(e->d_name);
		}
		free(f);
	}
	closedir(d);
	if (*n)
		qsort(out, *n, sizeof *out, cmp_str);
	return out;
}

/* The closest pack name on the search path to NAME into HINT (256
 * bytes), or NULL. */
static const char *closest_pack(const up_search_dir *dirs, size_t nd,
				const char *name, char *hint)
{
	const char *best = NULL;
	for (size_t i = 0; i < nd && !best; i++) {
		size_t n;
		char **names = up_pack_names_in(dirs[i].dir, &n);
		const char *h = up_did_you_mean(name, (const char *const *)names,
						n);
		if (h) {
			snprintf(hint, 256, "%s", h);
			best = hint;
		}
		for (size_t k = 0; k < n; k++)
			free(names[k]);
		free(names);
	}
	return best;
}

/* ---- trust ---- */

static void load_keys(up_yv *v, up_program *p, const up_ynode *n);

void up_trust_load(up_yv *v, up_program *p, const up_ynode *n)
{
	int before = v->bad;
	load_keys(v, p, n);
	/* Fail closed: with trust: given but not all of it usable, no pack
	 * is read at all (up_packs_load looks). */
	p->trust_broken = n && v->bad != before;
}

static void load_keys(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YSEQ, "'trust'"))
		return;
	p->trust = up_xcalloc(n->n + 1, sizeof *p->trust);
	for (size_t i = 0; i < n->n; i++) {
		char *path = up_yv_str(v, n->kids[i], "a trusted key");
		if (!path)
			continue;
		char *full = path[0] == '/' ? up_xstrdup(path)
			: up_xasprintf("%s/%s", p->dir, path);
		up_error *e = up_error_new();
		if (up_pubkey_read(full, p->trust[p->ntrust], e) == UP_OK) {
			p->ntrust++;
		} else {
			const char *m = up_error_message(e, 0);
			const char *why = m ? strstr(m, "error: ") : NULL;
			up_yv_err(v, n->kids[i], "trusted key '%s': %s", path,
				  why ? why + 7 : "cannot be read");
		}
		up_error_free(e);
		free(full);
		free(path);
	}
	if (n->n == 0)
		up_yv_err(v, n, "'trust' lists no key; leave it out to run "
			  "unsigned packs");
}

/* ---- opening one pack ---- */

static void use_free(up_pack_use *u)
{
	up_pack_free(u->pack);
	free(u->shown);
	free(u->needed_by);
	up_pack_digest_free(&u->digest);
	json_decref(u->params);
	for (size_t i = 0; i < u->ndisable; i++)
		free(u->disable[i].rule);
	free(u->disable);
	for (size_t i = 0; i < u->noverrides; i++) {
		free(u->overrides[i].rule);
		free(u->overrides[i].on_fail);
		free(u->overrides[i].severity);
	}
	free(u->overrides);
	memset(u, 0, sizeof *u);
}

/* Messages of E (a sub-collector) into V's, as they are. */
static void pass_on(up_yv *v, up_error *e)
{
	for (size_t i = 0; i < up_error_count(e); i++)
		up_err_raw(v->err, UP_EINPUT, up_error_message(e, i));
	if (up_error_count(e))
		v->bad = 1;
}

/*
 * The signature, from nothing but pack.sig and the digest: a pack that
 * fails it is not parsed at all.  Built-in packs are part of uptake.
 */
static int trusted(up_yv *v, const up_program *p, const up_ynode *at,
		   const char *what, const char *dir, const up_pack_use *u)
{
	if (!p->ntrust || !strcmp(u->origin, "builtin"))
		return 1;
	char why[600];
	switch (up_pack_verify(dir, &u->digest,
			       (const unsigned char (*)[32])p->trust,
			       p->ntrust, why, sizeof why)) {
	case UP_SIG_OK:
		return 1;
	case UP_SIG_UNSIGNED:
		up_yv_err(v, at, "pack %s (%s) is not signed, and 'trust' "
			  "accepts only packs signed by its keys", what,
			  u->shown);
		break;
	case UP_SIG_UNTRUSTED:
		up_yv_err(v, at, "pack %s (%s) is refused: %s", what, u->shown,
			  why);
		break;
	case UP_SIG_TAMPERED:
		up_yv_err(v, at, "pack %s (%s) was changed after it was "
			  "signed: %s", what, u->shown, why);
		break;
	default:
		up_yv_err(v, at, "pack %s (%s) has a bad signature: %s", what,
			  u->shown, why);
	}
	return 0;
}

/*
 * Opens the pack in DIR: digest first, then the signature, and only then
 * the manifest, whose bytes must be those the digest hashed.
 */
static int open_pack(up_yv *v, const up_program *p, const up_ynode *at,
		     const char *what, const char *dir, up_pack_use *u)
{
	up_error *e = up_error_new();
	int rc = up_pack_digest_dir(dir, &u->digest, e);
	if (rc == UP_OK && !trusted(v, p, at, what, dir, u))
		rc = UP_EINPUT;
	char *buf = NULL, *file = up_xasprintf("%s/pack.yaml", dir);
	size_t len = 0;
	if (rc == UP_OK)
		rc = up_read_file(file, MAX_MANIFEST_BYTES, &buf, &len, e);
	if (rc == UP_OK) { /* parsed only as the digest hashed it */
		const up_pack_file *f = NULL;
		char hex[65];
		up_sha256_hex(buf, len, hex);
		for (size_t i = 0; i < u->digest.n && !f; i++)
			if (!strcmp(u->digest.files[i].path, "pack.yaml"))
				f = &u->digest.files[i];
		if (!f || strcmp(f->sha256, hex)) {
			up_yv_err(v, at, "pack %s (%s) changed while it was "
				  "being read", what, u->shown);
			rc = UP_EINPUT;
		}
	}
	if (rc == UP_OK)
		rc = up_pack_parse(&u->pack, dir, buf, len, e);
	free(buf);
	free(file);
	pass_on(v, e);
	up_error_free(e);
	return rc;
}

static int has_manifest(const char *dir)
{
	char *f = up_xasprintf("%s/pack.yaml", dir);
	struct stat st;
	int ok = stat(f, &st) == 0 && S_ISREG(st.st_mode);
	free(f);
	return ok;
}

static const char *const pack_path_hint =
	"searched the program's packs/, $UPTAKE_PACK_PATH and the packs "
	"that ship with uptake";

static const up_lock_entry *locked(const up_program *p, const up_lock *lk,
				   const char *name)
{
	UP_UNUSED(p);
	return lk ? up_lock_find(lk, name) : NULL;
}

/* What the search found that did not fit, for the error message. */
static void found_add(up_buf *b, const up_pack_use *u)
{
	up_buf_printf(b, "%s%s in %s", b->len ? ", " : "",
		      u->pack->version_s, u->shown);
}

/*
 * A replay's pack in place of NAME: from the path it was given, whatever
 * its version; trust still applies.  0 with *u filled, or -1.
 */
static int open_swap(up_yv *v, const up_program *p, const up_ynode *at,
		     const char *name, up_pack_use *u)
{
	const char *dir = p->swap->pack_path;
	char what[300];
	snprintf(what, sizeof what, "'%s'", name);
	u->origin = "dir";
	u->shown = up_xstrdup(dir);
	u->swapped = 1;
	int rc = -1;
	if (!has_manifest(dir))
		up_yv_err(v, at, "--pack %s=%s: not a pack: it has no "
			  "pack.yaml", name, dir);
	else if (open_pack(v, p, at, what, dir, u) == UP_OK &&
		 strcmp(u->pack->name, name))
		up_yv_err(v, at, "--pack %s=%s: %s names the pack '%s', not "
			  "'%s'", name, dir, u->pack->file, u->pack->name,
			  name);
	else if (u->pack)
		rc = 0;
	if (rc)
		use_free(u);
	return rc;
}

static int swapped(const up_program *p, const char *name)
{
	return p->swap && p->swap->pack_name &&
	       !strcmp(p->swap->pack_name, name);
}

/*
 * Searches the path for NAME in a version that satisfies RANGE (and
 * equals the locked one, if the lock pins it): the first match wins, as
 * on any search path.  0 with *u filled, or -1 (reported at AT).
 */
static int search(up_yv *v, const up_program *p, const up_lock *lk,
		  const up_ynode *at, const char *name, const char *range,
		  up_pack_use *u)
{
	if (swapped(p, name))
		return open_swap(v, p, at, name, u);
	size_t nd;
	up_search_dir *dirs = up_pack_search_path(p->dir, &nd);
	const up_lock_entry *pin = locked(p, lk, name);
	up_buf found = {0};
	int rc = -1, bad = 0, pin_fits = 0;
	char what[200];
	snprintf(what, sizeof what, "'%s'", name);
	for (size_t i = 0; i < nd && rc && !bad; i++) {
		char *dir = up_xasprintf("%s/%s", dirs[i].dir, name);
		if (!has_manifest(dir)) {
			free(dir);
			continue;
		}
		up_pack_use c = {0};
		c.origin = dirs[i].origin;
		c.shown = !strcmp(c.origin, "builtin")
			? up_xasprintf("builtin:%s", name)
			: !strcmp(c.origin, "program")
			? up_xasprintf("packs/%s", name) : up_xstrdup(dir);
		if (open_pack(v, p, at, what, dir, &c) != UP_OK) {
			bad = 1;
		} else if (strcmp(c.pack->name, name)) {
			up_yv_err(v, at, "%s names the pack '%s', not '%s'",
				  c.pack->file, c.pack->name, name);
			bad = 1;
		} else if (up_semver_satisfies(&c.pack->version, range) != 1) {
			found_add(&found, &c);
		} else if (pin && strcmp(pin->version, c.pack->version_s)) {
			pin_fits = 1; /* fits the range, not the lock */
			found_add(&found, &c);
		} else {
			*u = c;
			c.pack = NULL;
			c.shown = NULL;
			memset(&c.digest, 0, sizeof c.digest);
			rc = 0;
		}
		use_free(&c);
		free(dir);
	}
	char buf[256];
	const char *hint = rc && !bad && !found.len
		? closest_pack(dirs, nd, name, buf) : NULL;
	if (hint)
		up_yv_err(v, at, "no pack '%s' on the search path (did you mean "
			  "'%s'?)", name, hint);
	else if (rc && !bad && !found.len)
		up_yv_err(v, at, "no pack '%s' on the search path (%s)", name,
			  pack_path_hint);
	else if (rc && !bad && pin_fits)
		up_yv_err(v, at, "uptake.lock pins pack '%s' at %s, but the "
			  "search path has %s (run 'uptake pack lock' to "
			  "accept it)", name, pin->version, found.buf);
	else if (rc && !bad)
		up_yv_err(v, at, "no version of pack '%s' satisfies '%s': "
			  "found %s", name, range, found.buf);
	up_buf_free(&found);
	up_pack_search_path_free(dirs, nd);
	return rc;
}

/* use: ./a/path, relative to the program directory (or absolute). */
static int open_path(up_yv *v, const up_program *p, const up_ynode *at,
		     const char *path, const char *range, up_pack_use *u)
{
	char *dir = path[0] == '/' ? up_xstrdup(path)
		: up_xasprintf("%s/%s", p->dir, path);
	u->origin = "dir";
	u->shown = up_xstrdup(path);
	char what[300];
	snprintf(what, sizeof what, "'%s'", path);
	int rc = -1;
	if (!has_manifest(dir))
		up_yv_err(v, at, "'%s' is not a pack: it has no pack.yaml",
			  path);
	else if (open_pack(v, p, at, what, dir, u) == UP_OK &&
		 up_semver_satisfies(&u->pack->version, range) != 1)
		up_yv_err(v, at, "pack '%s' (%s) is version %s, which does not "
			  "satisfy '%s'", u->pack->name, path,
			  u->pack->version_s, range);
	else if (u->pack)
		rc = 0;
	if (rc)
		use_free(u); /* the caller keeps only a pack it can use */
	free(dir);
	return rc;
}

/* ---- with:, disable:, override: ---- */

static void load_with(up_yv *v, up_pack_use *u, const up_ynode *n)
{
	const up_pack *pk = u->pack;
	if (!u->params) {
		u->params = json_object();
		for (size_t i = 0; i < pk->nparams; i++)
			json_object_set(u->params, pk->params[i].name,
					pk->params[i].def);
	}
	if (!n || !up_yv_want(v, n, UP_YMAP, "'with'"))
		return;
	const char **names = up_xcalloc(pk->nparams + 1, sizeof *names);
	for (size_t i = 0; i < pk->nparams; i++)
		names[i] = pk->params[i].name;
	up_strmap seen = {0};
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const up_ynode *k = n->kids[i];
		if (k->kind == UP_YSCALAR &&
		    up_strmap_put(&seen, k->str, (int)i) >= 0) {
			up_yv_err(v, k, "duplicate key '%s'", k->str);
			continue;
		}
		const up_param *pm = k->kind == UP_YSCALAR
			? up_pack_param(pk, k->str) : NULL;
		char owner[200];
		snprintf(owner, sizeof owner, "pack '%s': ", pk->name);
		if (!pm) {
			if (k->kind == UP_YSCALAR)
				up_yv_unknown(v, k, owner, "parameter", k->str,
					      names, pk->nparams);
			else
				up_yv_err(v, k, "keys must be scalars");
			continue;
		}
		char what[300];
		snprintf(what, sizeof what, "pack '%s': '%s'", pk->name,
			 pm->name);
		json_t *val = up_param_value(v, pm, n->kids[i + 1], what);
		if (val)
			json_object_set_new(u->params, pm->name, val);
	}
	up_strmap_free(&seen);
	free(names);
}

static void load_disable(up_yv *v, up_pack_use *u, const up_ynode *n)
{
	if (!n || !up_yv_want(v, n, UP_YSEQ, "'disable'"))
		return;
	u->disable = up_xcalloc(n->n + 1, sizeof *u->disable);
	for (size_t i = 0; i < n->n; i++) {
		char *id = up_yv_id(v, n->kids[i], "a rule to disable");
		if (!id)
			continue;
		up_pack_disable *d = &u->disable[u->ndisable++];
		d->rule = id;
		d->line = n->kids[i]->line;
		d->col = n->kids[i]->col;
	}
}

static void load_one_override(up_yv *v, up_pack_override *o,
			      const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "an override"))
		return;
	up_yv_keys(v, n, override_keys, UP_COUNTOF(override_keys));
	const up_ynode *m = up_yv_get(n, "must"), *w = up_yv_get(n, "weight");
	o->must_set = m && up_yv_bool(v, m, "'must'", &o->must);
	o->weight_set = w && up_yv_num(v, w, "'weight'", -1e300, 1e300,
				       &o->weight);
	if (o->weight_set && !(o->weight > 0 && o->weight <= 1e6)) {
		up_yv_err(v, w, "'weight' must be a positive number (at most "
			  "1000000), not %s", w->str);
		o->weight_set = 0;
	}
	const up_ynode *f = up_yv_get(n, "on_fail");
	o->on_fail = up_yv_str(v, f, "'on_fail'");
	if (o->on_fail && strcmp(o->on_fail, "hold") &&
	    strcmp(o->on_fail, "recycle") && strcmp(o->on_fail, "kill") &&
	    strcmp(o->on_fail, "conditional_go"))
		up_yv_err(v, f, "'on_fail' must be hold, recycle, kill or "
			  "conditional_go");
	const up_ynode *s = up_yv_get(n, "severity");
	o->severity = up_yv_str(v, s, "'severity'");
	if (o->severity && strcmp(o->severity, "low") &&
	    strcmp(o->severity, "medium") && strcmp(o->severity, "high") &&
	    strcmp(o->severity, "critical"))
		up_yv_err(v, s, "'severity' must be low, medium, high or "
			  "critical");
}

static void load_overrides(up_yv *v, up_pack_use *u, const up_ynode *n)
{
	if (!n || !up_yv_want(v, n, UP_YMAP, "'override'"))
		return;
	u->overrides = up_xcalloc(n->n / 2 + 1, sizeof *u->overrides);
	up_strmap seen = {0};
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		char *id = up_yv_id(v, n->kids[i], "a rule to override");
		if (!id)
			continue;
		if (up_strmap_put(&seen, n->kids[i]->str, (int)i) >= 0) {
			up_yv_err(v, n->kids[i], "duplicate key '%s'", id);
			free(id);
			continue;
		}
		up_pack_override *o = &u->overrides[u->noverrides++];
		o->rule = id;
		o->line = n->kids[i]->line;
		o->col = n->kids[i]->col;
		load_one_override(v, o, n->kids[i + 1]);
	}
	up_strmap_free(&seen);
}

/* ---- the packs: section ---- */

static int find_use(const up_program *p, const char *name)
{
	for (size_t i = 0; i < p->npacks; i++)
		if (p->packs[i].pack && !strcmp(p->packs[i].pack->name, name))
			return (int)i;
	return -1;
}

static up_pack_use *new_use(up_program *p)
{
	p->packs = up_xrealloc(p->packs, (p->npacks + 1) * sizeof *p->packs);
	up_pack_use *u = &p->packs[p->npacks++];
	memset(u, 0, sizeof *u);
	return u;
}

static void load_entry(up_yv *v, up_program *p, const up_lock *lk,
		       const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "a pack"))
		return;
	up_yv_keys(v, n, use_keys, UP_COUNTOF(use_keys));
	const up_ynode *at = up_yv_get(n, "use");
	if (!at) {
		up_yv_err(v, n, "a pack needs 'use': its name, or a path such "
			  "as ./packs/mine");
		return;
	}
	char *use = up_yv_str(v, at, "'use'");
	const up_ynode *vn = up_yv_get(n, "version");
	char *range = vn ? up_yv_str(v, vn, "'version'") : up_xstrdup("*");
	const char *why;
	if (range && up_semver_range_check(range, &why)) {
		up_yv_err(v, vn, "'version': '%s' is not a version range: %s",
			  range, why);
		free(range);
		range = NULL;
	}
	up_pack_use u = {0};
	int path = use && (strchr(use, '/') || use[0] == '.');
	if (use && !path && !up_is_id(use))
		up_yv_err(v, at, "'use': '%s' is neither a pack name nor a "
			  "path (./dir)", use);
	else if (use && range &&
		 (path ? open_path(v, p, at, use, range, &u)
		       : search(v, p, lk, at, use, range, &u)) == 0) {
		if (path && !u.swapped && swapped(p, u.pack->name)) {
			char *name = up_xstrdup(u.pack->name);
			use_free(&u);
			open_swap(v, p, at, name, &u);
			free(name);
		}
		if (!u.pack) {
			/* the swap failed, and said why */
		} else if (find_use(p, u.pack->name) >= 0) {
			up_yv_err(v, at, "pack '%s' is used twice",
				  u.pack->name);
			use_free(&u);
		} else {
			u.line = at->line;
			u.col = at->col;
			load_with(v, &u, up_yv_get(n, "with"));
			load_disable(v, &u, up_yv_get(n, "disable"));
			load_overrides(v, &u, up_yv_get(n, "override"));
			*new_use(p) = u;
		}
	}
	free(use);
	free(range);
}

/*
 * Dependencies: each must be satisfied by the pack of that name the
 * program uses, or is found on the search path and used with its
 * defaults.  Breadth first, so a program's own choice always wins.
 */
static void resolve_deps(up_yv *v, up_program *p, const up_lock *lk,
			 const up_ynode *at)
{
	for (size_t i = 0; i < p->npacks; i++) {
		for (size_t k = 0; k < p->packs[i].pack->ndeps; k++) {
			const up_pack *pk = p->packs[i].pack;
			const up_pack_dep *d = &pk->deps[k];
			int j = find_use(p, d->name);
			if (j >= 0) {
				const up_pack_use *have = &p->packs[j];
				if (up_semver_satisfies(&have->pack->version,
							d->range) == 1)
					continue;
				/* at the dependency, in the pack that has it */
				up_err_at(v->err, UP_EINPUT, pk->file, d->line,
					  d->col, "needs '%s' %s, but %s %s "
					  "is used (%s, %s)", d->name, d->range,
					  d->name, have->pack->version_s,
					  have->shown, have->needed_by
					  ? have->needed_by
					  : "used by program.yaml");
				v->bad = 1;
				continue;
			}
			if (p->npacks >= MAX_PACKS) {
				up_yv_err(v, at, "more than %d packs with their "
					  "dependencies", MAX_PACKS);
				return;
			}
			up_pack_use u = {0};
			if (search(v, p, lk, at, d->name, d->range, &u))
				continue;
			load_with(v, &u, NULL);
			u.needed_by = up_xasprintf("needed by %s %s", pk->name,
						   pk->version_s);
			*new_use(p) = u;
		}
	}
}

/* Depth-first over the dependency graph: grey marks the current path. */
static int find_cycle(const up_program *p, size_t i, char *mark, up_buf *path)
{
	if (mark[i] == 2)
		return 0;
	up_buf_printf(path, "%s%s", path->len ? " -> " : "",
		      p->packs[i].pack->name);
	if (mark[i] == 1)
		return 1;
	mark[i] = 1;
	size_t len = path->len;
	for (size_t k = 0; k < p->packs[i].pack->ndeps; k++) {
		int j = find_use(p, p->packs[i].pack->deps[k].name);
		if (j >= 0 && find_cycle(p, (size_t)j, mark, path))
			return 1;
		path->len = len;
		path->buf[len] = '\0';
	}
	mark[i] = 2;
	return 0;
}

static void check_cycles(up_yv *v, const up_program *p, const up_ynode *at)
{
	char *mark = up_xcalloc(p->npacks + 1, 1);
	for (size_t i = 0; i < p->npacks; i++) {
		up_buf path = {0};
		if (find_cycle(p, i, mark, &path)) {
			up_yv_err(v, at, "packs depend on each other in a "
				  "cycle: %s", path.buf);
			up_buf_free(&path);
			break;
		}
		up_buf_free(&path);
	}
	free(mark);
}

/* ---- uptake.lock ---- */

static void check_lock(up_yv *v, const up_program *p, const up_lock *lk,
		       const up_ynode *at)
{
	for (size_t i = 0; i < p->npacks; i++) {
		const up_pack_use *u = &p->packs[i];
		const up_ynode *pos = at;
		up_ynode here = {0};
		if (u->line) {
			here.line = u->line;
			here.col = u->col;
			pos = &here;
		}
		const up_lock_entry *e = up_lock_find(lk, u->pack->name);
		char diff[600];
		if (u->swapped)
			continue;
		if (!e)
			up_yv_err(v, pos, "pack '%s' is not in %s (run 'uptake "
				  "pack lock')", u->pack->name, lk->file);
		else if (up_pack_digest_diff(&e->digest, &u->digest, diff,
					     sizeof diff))
			up_yv_err(v, pos, "pack '%s' (%s) does not match %s: "
				  "%s (run 'uptake pack lock' to accept it)",
				  u->pack->name, u->shown, lk->file, diff);
	}
}

/* ---- rule files ---- */

static up_rule_file *add_rule(up_program *p)
{
	p->rules = up_xrealloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
	up_rule_file *r = &p->rules[p->nrules];
	memset(r, 0, sizeof *r);
	r->pack = -1;
	return r;
}

static void load_pack_rules(up_yv *v, up_program *p, size_t ui,
			    const up_ynode *at)
{
	const up_pack_use *u = &p->packs[ui];
	for (size_t i = 0; i < u->pack->nrules; i++) {
		char *full = up_xasprintf("%s/%s", u->pack->dir,
					  u->pack->rules[i]);
		up_error *e = up_error_new();
		up_rule_file *r = add_rule(p);
		if (up_read_file(full, MAX_RULE_BYTES, &r->src, &r->len, e)) {
			pass_on(v, e);
		} else {
			r->path = up_xasprintf("%s/%s", u->pack->name,
					       u->pack->rules[i]);
			r->pack = (int)ui;
			up_sha256_hex(r->src, r->len, r->hash);
			p->nrules++;
			const up_pack_file *f = NULL;
			for (size_t k = 0; k < u->digest.n && !f; k++)
				if (!strcmp(u->digest.files[k].path,
					    u->pack->rules[i]))
					f = &u->digest.files[k];
			if (!f || strcmp(f->sha256, r->hash))
				up_yv_err(v, at, "pack '%s': %s changed while "
					  "it was being read", u->pack->name,
					  u->pack->rules[i]);
		}
		up_error_free(e);
		free(full);
	}
}

void up_packs_load(up_yv *v, up_program *p, const up_ynode *n, int unlocked)
{
	if (!n || !up_yv_want(v, n, UP_YSEQ, "'packs'") || p->trust_broken)
		return;
	up_lock *lk = NULL;
	char *lockfile = up_xasprintf("%s/uptake.lock", p->dir);
	up_error *e = up_error_new();
	if (!unlocked && up_lock_read(lockfile, "uptake.lock", &lk, e))
		pass_on(v, e);
	up_error_free(e);
	free(lockfile);
	int before = v->bad;
	if (n->n > MAX_PACKS)
		up_yv_err(v, n->kids[MAX_PACKS], "more than %d packs",
			  MAX_PACKS);
	for (size_t i = 0; i < n->n && i < MAX_PACKS; i++)
		load_entry(v, p, lk, n->kids[i]);
	if (v->bad == before)
		resolve_deps(v, p, lk, n);
	if (v->bad == before)
		check_cycles(v, p, n);
	if (v->bad == before && lk)
		check_lock(v, p, lk, n);
	for (size_t i = 0; v->bad == before && i < p->npacks; i++)
		load_pack_rules(v, p, i, n);
	up_lock_free(lk);
}

int up_packs_add_dir(up_yv *v, up_program *p, const char *dir,
		     const up_ynode *at, const up_ynode *with,
		     const up_ynode *more)
{
	int before = v->bad;
	up_pack_use u = {0};
	u.origin = "dir";
	u.shown = up_xstrdup(dir);
	if (!has_manifest(dir)) {
		up_yv_err(v, at, "'%s' is not a pack: it has no pack.yaml", dir);
		use_free(&u);
		return UP_EINPUT;
	}
	if (open_pack(v, p, at, dir, dir, &u) != UP_OK) {
		use_free(&u);
		return UP_EINPUT;
	}
	load_with(v, &u, with);
	load_with(v, &u, more);
	u.line = at->line;
	u.col = at->col;
	size_t first = p->npacks;
	*new_use(p) = u;
	if (v->bad == before)
		resolve_deps(v, p, NULL, at);
	if (v->bad == before)
		check_cycles(v, p, at);
	for (size_t i = first; v->bad == before && i < p->npacks; i++)
		load_pack_rules(v, p, i, at);
	return v->bad == before ? UP_OK : UP_EINPUT;
}

int up_packs_name(const up_program *p, const char *value)
{
	for (size_t i = 0; i < p->npacks; i++) {
		const char *k;
		json_t *v, *x;
		size_t j;
		json_object_foreach(p->packs[i].params, k, v) {
			if (json_is_string(v) &&
			    !strcmp(json_string_value(v), value))
				return 1;
			json_array_foreach(v, j, x)
				if (json_is_string(x) &&
				    !strcmp(json_string_value(x), value))
					return 1;
		}
	}
	return 0;
}

size_t up_program_npacks(const up_program *p)
{
	return p->npacks;
}

int up_program_pack(const up_program *p, size_t i, const char **name,
		    const char **version, const char **sha256,
		    const char **where)
{
	if (i >= p->npacks)
		return UP_EINPUT;
	const up_pack_use *u = &p->packs[i];
	*name = u->pack->name;
	*version = u->pack->version_s;
	*sha256 = u->digest.sha256;
	*where = u->shown;
	return UP_OK;
}

void up_packs_free(up_program *p)
{
	for (size_t i = 0; i < p->npacks; i++)
		use_free(&p->packs[i]);
	free(p->packs);
	free(p->trust);
}
