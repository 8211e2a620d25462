/*
 * pack.c: reads and validates a pack's manifest, pack.yaml, and checks
 * parameter values against their declared types and bounds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pack.h"

enum { MAX_MANIFEST_BYTES = 1 << 20, MAX_LIST = 1000 };

static const char *const manifest_keys[] = {
	"name", "version", "title", "description", "authors", "license",
	"requires", "depends", "rules", "params"};
static const char *const param_keys[] = {"type", "default", "min", "max",
					 "values", "doc"};
static const char *const type_names[] = {"integer", "number", "string",
					 "boolean", "date", "days", "enum"};

/* ---- parameter values ---- */

static int numeric(up_ptype t)
{
	return t == UP_PT_INTEGER || t == UP_PT_NUMBER || t == UP_PT_DAYS;
}

const char *up_param_type_name(const up_param *pm, char *buf, size_t n)
{
	snprintf(buf, n, pm->list ? "[%s]" : "%s", type_names[pm->type]);
	return buf;
}

/* What one item must be, without "a list of". */
static void describe_item(const up_param *pm, up_buf *b)
{
	static const char *const what[] = {
		"a whole number", "a number", "a string", "true or false",
		"a date (YYYY-MM-DD)", "a whole number of days", "one of "};
	up_buf_puts(b, what[pm->type]);
	for (size_t i = 0; pm->type == UP_PT_ENUM && i < pm->nvalues; i++)
		up_buf_printf(b, "%s%s", i ? ", " : "", pm->values[i]);
	if (pm->has_min && pm->has_max)
		up_buf_printf(b, " from %g to %g", pm->min, pm->max);
	else if (pm->has_min)
		up_buf_printf(b, " of at least %g", pm->min);
	else if (pm->has_max)
		up_buf_printf(b, " of at most %g", pm->max);
}

void up_param_describe(const up_param *pm, char *buf, size_t n)
{
	up_buf b = {0};
	if (pm->list)
		up_buf_puts(&b, "a list, each item ");
	describe_item(pm, &b);
	snprintf(buf, n, "%s", b.buf);
	up_buf_free(&b);
}

static const char *digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/*
 * Whether S is written in decimal: [+-]digits, and with REAL also
 * [+-]digits.digits, [+-].digits and either with an exponent
 * (e|E)[+-]digits.  Not what strtod takes besides: hex floats (0x1p3),
 * inf, nan, "1." or leading spaces.
 */
static int decimal(const char *s, int real)
{
	if (*s == '+' || *s == '-')
		s++;
	const char *d = digits(s);
	if (real && *d == '.') {
		const char *f = digits(d + 1);
		if (f == d + 1)
			return 0; /* "1." and "." */
		d = f;
	} else if (d == s) {
		return 0;
	}
	if (real && (*d == 'e' || *d == 'E')) {
		const char *x = d + 1;
		if (*x == '+' || *x == '-')
			x++;
		d = digits(x);
		if (d == x)
			return 0;
	}
	return *d == '\0';
}

static json_t *number_item(const up_param *pm, const up_ynode *n)
{
	if (n->kind != UP_YSCALAR || !n->plain ||
	    !decimal(n->str, pm->type == UP_PT_NUMBER))
		return NULL;
	char *end = NULL;
	if (pm->type == UP_PT_NUMBER) {
		double d = strtod(n->str, &end);
		if (*end || !isfinite(d) || (pm->has_min && d < pm->min) ||
		    (pm->has_max && d > pm->max))
			return NULL;
		return json_real(d);
	}
	long long x = strtoll(n->str, &end, 10);
	if (*end || x < -(1LL << 53) || x > (1LL << 53) ||
	    (pm->has_min && (double)x < pm->min) ||
	    (pm->has_max && (double)x > pm->max))
		return NULL;
	return json_integer(x);
}

/* One item as JSON, or NULL when it does not fit. */
static json_t *item_value(const up_param *pm, const up_ynode *n)
{
	if (numeric(pm->type))
		return number_item(pm, n);
	if (n->kind != UP_YSCALAR || up_yv_null(n))
		return NULL;
	switch (pm->type) {
	case UP_PT_BOOLEAN:
		if (n->plain && !strcmp(n->str, "true"))
			return json_true();
		if (n->plain && !strcmp(n->str, "false"))
			return json_false();
		return NULL;
	case UP_PT_DATE:
		return up_date_parse(n->str, NULL, NULL) == UP_OK
			? json_string(n->str) : NULL;
	case UP_PT_ENUM:
		for (size_t i = 0; i < pm->nvalues; i++)
			if (!strcmp(pm->values[i], n->str))
				return json_string(n->str);
		return NULL;
	default:
		return up_utf8_valid(n->str, strlen(n->str))
			? json_string(n->str) : NULL;
	}
}

static void bad_value(up_yv *v, const up_param *pm, const up_ynode *n,
		      const char *what)
{
	char desc[600];
	up_param_describe(pm, desc, sizeof desc);
	if (n->kind == UP_YSCALAR)
		up_yv_err(v, n, "%s must be %s, not '%.80s'", what, desc,
			  n->str);
	else
		up_yv_err(v, n, "%s must be %s, not %s", what, desc,
			  up_yv_kind_name(n));
}

json_t *up_param_value(up_yv *v, const up_param *pm, const up_ynode *n,
		       const char *what)
{
	if (!pm->list) {
		json_t *j = item_value(pm, n);
		if (!j)
			bad_value(v, pm, n, what);
		return j;
	}
	if (n->kind != UP_YSEQ || n->n > MAX_LIST) {
		bad_value(v, pm, n, what);
		return NULL;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n->n; i++) {
		json_t *j = item_value(pm, n->kids[i]);
		if (!j) {
			bad_value(v, pm, n->kids[i], what);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, j);
	}
	return a;
}

/* ---- the manifest ---- */

/* Strings seen, and those already reported as seen twice: each repeated
 * one is reported once, at its second occurrence, in linear time. */
typedef struct {
	up_strmap seen, told;
} repeats;

/* Whether S (borrowed, outliving R) is the second occurrence of a string
 * that has not been reported yet. */
static int repeated(repeats *r, const char *s)
{
	return up_strmap_put(&r->seen, s, 0) >= 0 &&
	       up_strmap_put(&r->told, s, 0) < 0;
}

static void repeats_free(repeats *r)
{
	up_strmap_free(&r->seen);
	up_strmap_free(&r->told);
}

static char **str_list(up_yv *v, const up_ynode *n, const char *what,
		       size_t *count)
{
	*count = 0;
	if (!up_yv_want(v, n, UP_YSEQ, what))
		return NULL;
	char **out = up_xcalloc(n->n + 1, sizeof *out);
	for (size_t i = 0; i < n->n; i++)
		if ((out[*count] = up_yv_str(v, n->kids[i], what)))
			(*count)++;
	return out;
}

static int parse_type(up_yv *v, up_param *pm, const up_ynode *n)
{
	const up_ynode *t = n;
	if (n->kind == UP_YSEQ && n->n == 1) {
		pm->list = 1;
		t = n->kids[0];
	}
	for (size_t i = 0; t->kind == UP_YSCALAR && i < UP_COUNTOF(type_names);
	     i++)
		if (!strcmp(t->str, type_names[i])) {
			pm->type = (up_ptype)i;
			return 0;
		}
	const char *hint = t->kind == UP_YSCALAR
		? up_did_you_mean(t->str, type_names, UP_COUNTOF(type_names))
		: NULL;
	char extra[100] = "";
	if (t->kind == UP_YSCALAR && t->str[0] == '[')
		snprintf(extra, sizeof extra, " (write a list type unquoted: "
			 "type: [string])");
	else if (hint)
		snprintf(extra, sizeof extra, " (did you mean '%s'?)", hint);
	up_yv_err(v, n, "param '%s': 'type' must be integer, number, string, "
		  "boolean, date, days or enum, or a list of one as [string]%s",
		  pm->name, extra);
	return -1;
}

/* A bound, in decimal as parameter values are (1 and *out if so). */
static int bound(up_yv *v, const up_ynode *n, const char *what, double *out)
{
	if (n && (n->kind != UP_YSCALAR || !decimal(n->str, 1))) {
		up_yv_err(v, n, "%s must be a number", what);
		return 0;
	}
	return up_yv_num(v, n, what, -1e15, 1e15, out);
}

static void parse_bounds(up_yv *v, up_param *pm, const up_ynode *n)
{
	const up_ynode *lo = up_yv_get(n, "min"), *hi = up_yv_get(n, "max");
	if ((lo || hi) && !numeric(pm->type)) {
		up_yv_err(v, lo ? lo : hi, "param '%s': 'min' and 'max' are for "
			  "integer, number and days", pm->name);
		return;
	}
	char what[200];
	snprintf(what, sizeof what, "param '%s': 'min'", pm->name);
	pm->has_min = bound(v, lo, what, &pm->min);
	snprintf(what, sizeof what, "param '%s': 'max'", pm->name);
	pm->has_max = bound(v, hi, what, &pm->max);
	if (pm->has_min && pm->has_max && pm->min > pm->max)
		up_yv_err(v, hi, "param '%s': 'max' %g is below 'min' %g",
			  pm->name, pm->max, pm->min);
}

static void parse_values(up_yv *v, up_param *pm, const up_ynode *n)
{
	const up_ynode *vals = up_yv_get(n, "values");
	if (pm->type != UP_PT_ENUM) {
		if (vals)
			up_yv_err(v, vals, "param '%s': 'values' are for enum",
				  pm->name);
		return;
	}
	if (!vals) {
		up_yv_err(v, n, "param '%s': an enum needs 'values'", pm->name);
		return;
	}
	char what[200];
	snprintf(what, sizeof what, "param '%s': 'values'", pm->name);
	pm->values = str_list(v, vals, what, &pm->nvalues);
	if (vals->kind == UP_YSEQ && vals->n == 0)
		up_yv_err(v, vals, "param '%s': 'values' is empty", pm->name);
	/* At the items themselves (str_list() kept the non-empty
	 * scalars). */
	repeats r = {0};
	for (size_t i = 0; vals->kind == UP_YSEQ && i < vals->n; i++) {
		const up_ynode *x = vals->kids[i];
		if (x->kind == UP_YSCALAR && !up_yv_null(x) &&
		    repeated(&r, x->str))
			up_yv_err(v, x, "param '%s': value '%s' is listed "
				  "twice", pm->name, x->str);
	}
	repeats_free(&r);
}

static void parse_param(up_yv *v, up_param *pm, const up_ynode *key,
			const up_ynode *n)
{
	pm->name = up_xstrdup(key->str);
	if (!up_is_id(key->str) || strchr(key->str, '.'))
		up_yv_err(v, key, "param '%s' is not a valid name (use "
			  "letters, digits, '_' and '-')", key->str);
	if (!up_yv_want(v, n, UP_YMAP, "a param"))
		return;
	up_yv_keys(v, n, param_keys, UP_COUNTOF(param_keys));
	const up_ynode *t = up_yv_get(n, "type"), *d = up_yv_get(n, "default");
	const up_ynode *doc = up_yv_get(n, "doc");
	static const char *const needed[] = {"type", "default", "doc"};
	for (size_t i = 0; i < UP_COUNTOF(needed); i++)
		if (!up_yv_get(n, needed[i]))
			up_yv_err(v, n, "param '%s' needs '%s'", pm->name,
				  needed[i]);
	char what[200];
	snprintf(what, sizeof what, "param '%s': 'doc'", pm->name);
	pm->doc = up_yv_str(v, doc, what);
	if (pm->doc && strchr(pm->doc, '\n'))
		up_yv_err(v, doc, "param '%s': 'doc' is one line", pm->name);
	if (!t || !d)
		return;
	if (parse_type(v, pm, t))
		return;
	/* The default is judged only against bounds and values that are
	 * right themselves, whatever was reported before this param. */
	int before = v->bad;
	v->bad = 0;
	parse_bounds(v, pm, n);
	parse_values(v, pm, n);
	int wrong = v->bad;
	v->bad |= before;
	if (wrong)
		return;
	snprintf(what, sizeof what, "param '%s': 'default'", pm->name);
	pm->def = up_param_value(v, pm, d, what);
}

static void parse_params(up_yv *v, up_pack *pk, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "'params'"))
		return;
	pk->params = up_xcalloc(n->n / 2 + 1, sizeof *pk->params);
	repeats r = {0};
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if (n->kids[i]->kind != UP_YSCALAR) {
			up_yv_err(v, n->kids[i], "param names must be "
				  "scalars, not %s",
				  up_yv_kind_name(n->kids[i]));
			continue;
		}
		if (repeated(&r, n->kids[i]->str))
			up_yv_err(v, n->kids[i], "param '%s' is declared "
				  "twice", n->kids[i]->str);
		parse_param(v, &pk->params[pk->nparams++], n->kids[i],
			    n->kids[i + 1]);
	}
	repeats_free(&r);
}

/* A rule file: a relative .lua path inside the pack that exists. */
static int rule_path_ok(up_yv *v, const up_pack *pk, const up_ynode *n,
			const char *path)
{
	size_t len = strlen(path);
	const char *why = NULL;
	if (path[0] == '/' || strstr(path, "..") || path[0] == '.' ||
	    strstr(path, "/.") || strchr(path, '\\'))
		why = "must be a path inside the pack, without '..' or "
		      "hidden parts";
	else if (len < 5 || strcmp(path + len - 4, ".lua"))
		why = "must be a .lua file";
	if (why) {
		up_yv_err(v, n, "rule file '%s' %s", path, why);
		return 0;
	}
	char *full = up_xasprintf("%s/%s", pk->dir, path);
	struct stat st;
	int ok = lstat(full, &st) == 0 && S_ISREG(st.st_mode);
	free(full);
	if (!ok)
		up_yv_err(v, n, "rule file '%s' does not exist in the pack",
			  path);
	return ok;
}

static void parse_rules(up_yv *v, up_pack *pk, const up_ynode *n)
{
	if (!n)
		return;
	pk->rules = str_list(v, n, "'rules'", &pk->nrules);
	if (n->kind == UP_YSEQ && n->n == 0)
		up_yv_err(v, n, "'rules' is empty: a pack has at least one "
			  "rule file");
	/* str_list() leaves out the items up_yv_str() refused: K walks the
	 * items with the rules kept, so each is reported at its own. */
	repeats r = {0};
	for (size_t i = 0, k = 0; i < pk->nrules; i++, k++) {
		while (n->kids[k]->kind != UP_YSCALAR || up_yv_null(n->kids[k]))
			k++;
		if (up_strmap_get(&r.seen, pk->rules[i]) < 0)
			rule_path_ok(v, pk, n->kids[k], pk->rules[i]);
		if (repeated(&r, pk->rules[i]))
			up_yv_err(v, n->kids[k], "rule file '%s' is listed "
				  "twice", pk->rules[i]);
	}
	repeats_free(&r);
}

static char *get_range(up_yv *v, const up_ynode *n, const char *what)
{
	char *r = up_yv_str(v, n, what);
	const char *why;
	if (r && up_semver_range_check(r, &why)) {
		up_yv_err(v, n, "%s: '%s' is not a version range: %s", what,
			  r, why);
		free(r);
		return NULL;
	}
	return r;
}

/* depends: {other-pack: "^1.2", ...} */
static void parse_depends(up_yv *v, up_pack *pk, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "'depends'"))
		return;
	pk->deps = up_xcalloc(n->n / 2 + 1, sizeof *pk->deps);
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const up_ynode *k = n->kids[i];
		char *name = up_yv_id(v, k, "a dependency");
		if (name && strchr(name, '.')) { /* '..' would leave the path */
			up_yv_err(v, k, "dependency '%s': a pack name has no "
				  "'.'", name);
			free(name);
			name = NULL;
		}
		char what[300];
		snprintf(what, sizeof what, "dependency '%s'",
			 name ? name : "?");
		char *range = get_range(v, n->kids[i + 1], what);
		if (name && pk->name && !strcmp(name, pk->name))
			up_yv_err(v, k, "a pack cannot depend on itself");
		if (!name || !range) {
			free(name);
			free(range);
			continue;
		}
		up_pack_dep *d = &pk->deps[pk->ndeps++];
		d->name = name;
		d->range = range;
		d->line = k->line;
		d->col = k->col;
	}
}

static void parse_version(up_yv *v, up_pack *pk, const up_ynode *n)
{
	char *s = up_yv_str(v, n, "'version'");
	const char *why;
	if (s && up_semver_parse(s, &pk->version, &why))
		up_yv_err(v, n, "'version': '%s' is not a semantic version: "
			  "%s", s, why);
	else if (s)
		up_semver_format(&pk->version, pk->version_s,
				 sizeof pk->version_s);
	free(s);
}

/* requires: the uptake versions this pack is written for. */
static void check_requires(up_yv *v, up_pack *pk, const up_ynode *n)
{
	pk->requires = get_range(v, n, "'requires'");
	up_semver self;
	if (pk->requires && up_semver_parse(UP_VERSION, &self, NULL) == 0 &&
	    up_semver_satisfies(&self, pk->requires) != 1)
		up_yv_err(v, n, "this pack requires uptake %s; this is uptake "
			  "%s", pk->requires, UP_VERSION);
}

static void parse_manifest(up_yv *v, up_pack *pk, const up_ynode *root)
{
	up_yv_keys(v, root, manifest_keys, UP_COUNTOF(manifest_keys));
	static const char *const required[] = {"name", "version", "title",
					       "rules"};
	for (size_t i = 0; i < UP_COUNTOF(required); i++)
		if (!up_yv_get(root, required[i]))
			up_yv_err(v, root, "missing required key '%s'",
				  required[i]);
	pk->name = up_yv_id(v, up_yv_get(root, "name"), "'name'");
	if (pk->name && strchr(pk->name, '.'))
		up_yv_err(v, up_yv_get(root, "name"), "'name' '%s': a pack "
			  "name has no '.'", pk->name);
	parse_version(v, pk, up_yv_get(root, "version"));
	pk->title = up_yv_str(v, up_yv_get(root, "title"), "'title'");
	pk->description = up_yv_str(v, up_yv_get(root, "description"),
				    "'description'");
	pk->license = up_yv_str(v, up_yv_get(root, "license"), "'license'");
	const up_ynode *a = up_yv_get(root, "authors");
	if (a)
		pk->authors = str_list(v, a, "'authors'", &pk->nauthors);
	const up_ynode *rq = up_yv_get(root, "requires");
	if (rq)
		check_requires(v, pk, rq);
	const up_ynode *dp = up_yv_get(root, "depends");
	if (dp)
		parse_depends(v, pk, dp);
	parse_rules(v, pk, up_yv_get(root, "rules"));
	const up_ynode *pa = up_yv_get(root, "params");
	if (pa)
		parse_params(v, pk, pa);
}

int up_pack_parse(up_pack **out, const char *dir, const char *buf,
		  size_t len, up_error *err)
{
	*out = NULL;
	up_pack *pk = up_xcalloc(1, sizeof *pk);
	pk->dir = up_xstrdup(dir);
	pk->file = up_xasprintf("%s/pack.yaml", dir);
	up_sha256_hex(buf, len, pk->manifest_sha256);
	up_ynode *root = NULL;
	size_t first = up_error_count(err);
	int rc = up_yaml_parse(buf, len, pk->file, &root, err);
	if (rc == UP_OK) {
		up_yv v = {pk->file, err, 0};
		if (up_yv_want(&v, root, UP_YMAP, "pack.yaml"))
			parse_manifest(&v, pk, root);
		rc = v.bad ? UP_EINPUT : UP_OK;
		up_error_sort(err, first);
	}
	up_yaml_free(root);
	if (rc != UP_OK) {
		up_pack_free(pk);
		return rc;
	}
	*out = pk;
	return UP_OK;
}

int up_pack_load(up_pack **out, const char *dir, up_error *err)
{
	*out = NULL;
	char *file = up_xasprintf("%s/pack.yaml", dir);
	char *buf = NULL;
	size_t len = 0;
	int rc = up_read_file(file, MAX_MANIFEST_BYTES, &buf, &len, err);
	if (rc == UP_OK)
		rc = up_pack_parse(out, dir, buf, len, err);
	free(buf);
	free(file);
	return rc;
}

const up_param *up_pack_param(const up_pack *pk, const char *name)
{
	for (size_t i = 0; i < pk->nparams; i++)
		if (!strcmp(pk->params[i].name, name))
			return &pk->params[i];
	return NULL;
}

static void free_strs(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void up_pack_free(up_pack *pk)
{
	if (!pk)
		return;
	free(pk->dir);
	free(pk->file);
	free(pk->name);
	free(pk->title);
	free(pk->description);
	free(pk->license);
	free(pk->requires);
	free_strs(pk->authors, pk->nauthors);
	for (size_t i = 0; i < pk->ndeps; i++) {
		free(pk->deps[i].name);
		free(pk->deps[i].range);
	}
	free(pk->deps);
	free_strs(pk->rules, pk->nrules);
	for (size_t i = 0; i < pk->nparams; i++) {
		up_param *pm = &pk->params[i];
		free(pm->name);
		free(pm->doc);
		free_strs(pm->values, pm->nvalues);
		json_decref(pm->def);
	}
	free(pk->params);
	free(pk);
}
