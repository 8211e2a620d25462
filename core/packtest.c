/*
 * packtest.c: `uptake pack test`.  Each case of the YAML files in DIR/tests is a small
 * program run for real: its own temporary store, its facts recorded as
 * `uptake record` and `uptake import` would, one cycle, and the cycle's
 * document compared with what the case expects.
 */
#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack.h"

enum { MAX_TEST_BYTES = 4 << 20 };

static const char *const file_keys[] = {"program", "with", "cases"};
static const char *const case_keys[] = {"name", "as_of", "program", "with",
					"facts", "expect"};
static const char *const fact_keys[] = {"engagements", "events",
					"trainings", "observations"};
static const char *const expect_keys[] = {"rule", "gate", "metric", "unit",
					  "status", "message", "decision",
					  "value", "absent"};

/* What one pack's tests found. */
typedef struct {
	const up_pack *pack;
	json_t *failures; /* array of {file, line, case, expected, actual, source} */
	json_t *outcomes; /* rule -> {"pass": true, "fail": true} expected */
	json_t *ran;      /* rule -> true, judged in some case */
	json_t *rules;    /* rule -> kind, from the cycles' rules[] */
	json_t *coverage; /* file -> line -> ran */
	json_t *globals;  /* "file:line: writes the global 'x'" -> true */
	size_t cases, failed;
} tally;

/* A case: its nodes, and its file's. */
typedef struct {
	const char *file;
	const up_ynode *node, *program, *with, *more, *facts, *expect;
	const char *name, *as_of;
} tcase;

static void fail_case(tally *t, const tcase *c, const up_ynode *at,
		      const char *expected, const char *actual,
		      const char *source)
{
	json_array_append_new(t->failures, UP_JSON(json_pack(
		"{s:s, s:i, s:i, s:s, s:s, s:s, s:s?}", "file", c->file,
		"line", at->line, "col", at->col, "case", c->name,
		"expected", expected, "actual", actual, "source", source)));
}

/* ---- facts ---- */

/* name/value pairs of a map of scalars (and lists joined by commas),
 * with attrs: {k: v} as repeated attr=k=v */
typedef struct {
	const char *names[64];
	char *values[64];
	size_t n;
} fields;

static void fields_free(fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->values[i]);
	f->n = 0;
}

static int add_field(fields *f, const char *name, char *value)
{
	if (f->n == UP_COUNTOF(f->names)) {
		free(value);
		return -1;
	}
	f->names[f->n] = name;
	f->values[f->n++] = value;
	return 0;
}

/* The items of the list N joined by commas; NULL (reported) when one is
 * not a scalar. */
static char *joined(up_yv *v, const up_ynode *key, const up_ynode *n)
{
	up_buf b = {0};
	for (size_t i = 0; i < n->n; i++) {
		if (n->kids[i]->kind != UP_YSCALAR) {
			up_yv_err(v, n->kids[i], "'%s' must be a list of "
				  "scalars", key->str);
			up_buf_free(&b);
			return NULL;
		}
		up_buf_printf(&b, "%s%s", i ? "," : "", n->kids[i]->str);
	}
	return b.buf ? b.buf : up_xstrdup("");
}

/* attrs: {k: v} as attr=k=v, each key once; -1 when reported. */
static int attr_fields(up_yv *v, const up_ynode *x, fields *f)
{
	up_strmap seen = {0};
	int rc = 0;
	for (size_t j = 0; j + 1 < x->n && !rc; j += 2) {
		const up_ynode *ak = x->kids[j], *av = x->kids[j + 1];
		if (ak->kind != UP_YSCALAR || av->kind != UP_YSCALAR) {
			up_yv_err(v, ak->kind != UP_YSCALAR ? ak : av,
				  "attrs: %s must be scalars",
				  ak->kind != UP_YSCALAR ? "keys" : "values");
			rc = -1;
		} else if (up_strmap_put(&seen, ak->str, (int)j) >= 0) {
			up_yv_err(v, ak, "duplicate key '%s'", ak->str);
			rc = -1;
		} else if (add_field(f, "attr", up_xasprintf("%s=%s", ak->str,
							     av->str))) {
			up_yv_err(v, x, "too many fields");
			rc = -1;
		}
	}
	up_strmap_free(&seen);
	return rc;
}

static int to_fields(up_yv *v, const up_ynode *n, fields *f)
{
	if (!up_yv_want(v, n, UP_YMAP, "a fact"))
		return -1;
	up_strmap seen = {0};
	int bad = 0;
	for (size_t i = 0; i + 1 < n->n && !bad; i += 2) {
		const up_ynode *k = n->kids[i], *x = n->kids[i + 1];
		int rc = 0;
		if (k->kind != UP_YSCALAR) {
			up_yv_err(v, k, "keys must be scalars");
			bad = 1;
		} else if (up_strmap_put(&seen, k->str, (int)i) >= 0) {
			up_yv_err(v, k, "duplicate key '%s'", k->str);
			bad = 1;
		} else if (!strcmp(k->str, "attrs") && x->kind == UP_YMAP) {
			bad = attr_fields(v, x, f) != 0;
		} else if (x->kind == UP_YSEQ) {
			char *j = joined(v, k, x);
			if (j)
				rc = add_field(f, k->str, j);
			else
				bad = 1;
		} else if (x->kind == UP_YSCALAR) {
			rc = add_field(f, k->str, up_xstrdup(x->str));
		} else {
			up_yv_err(v, x, "'%s' must be a scalar or a list",
				  k->str);
			bad = 1;
		}
		if (rc) {
			up_yv_err(v, n, "too many fields");
			bad = 1;
		}
	}
	up_strmap_free(&seen);
	return bad ? -1 : 0;
}

/* Records each fact with up_record; its errors point at the fact. */
static int record_all(up_yv *v, up_store *s, const up_program *p,
		      const up_ynode *list, const char *kind)
{
	if (!list || !up_yv_want(v, list, UP_YSEQ, "a list of facts"))
		return list ? -1 : 0;
	for (size_t i = 0; i < list->n; i++) {
		fields f = {0};
		up_error *e = up_error_new();
		int rc = to_fields(v, list->kids[i], &f);
		if (rc == 0 && up_record(s, p, kind, f.n, f.names,
					 (const char *const *)f.values, NULL,
					 e) != UP_OK) {
			const char *m = up_error_message(e, 0);
			const char *why = m ? strstr(m, "error: ") : NULL;
			up_yv_err(v, list->kids[i], "%s: %s", kind,
				  why ? why + 7 : "cannot be recorded");
			rc = -1;
		}
		fields_free(&f);
		up_error_free(e);
		if (rc)
			return -1;
	}
	return 0;
}

/* Writes S quoted; the newlines it holds. */
static size_t csv_cell(FILE *fp, const char *s)
{
	size_t nl = 0;
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		nl += *s == '\n';
		fputc(*s, fp);
	}
	fputc('"', fp);
	return nl;
}

/*
 * Each message of the import, at the observation of its row: "PATH:N:"
 * where the CSV row starting on line N is the item STARTS says (line 1
 * is the header, so without newlines in the values row N is item N-2);
 * after "error: ", as record_all does, so no temporary path is shown.
 */
static void import_errors(up_yv *v, const up_error *e, const char *path,
			  const up_ynode *list, const long *starts)
{
	size_t plen = strlen(path);
	for (size_t i = 0; i < up_error_count(e); i++) {
		const char *m = up_error_message(e, i);
		const char *why = m ? strstr(m, "error: ") : NULL;
		const up_ynode *at = list;
		if (m && !strncmp(m, path, plen) && m[plen] == ':') {
			long line = strtol(m + plen + 1, NULL, 10);
			for (size_t k = 0; line > 1 && k < list->n; k++)
				if (starts[k] == line)
					at = list->kids[k];
		}
		up_yv_err(v, at, "observations: %s",
			  why ? why + 7 : "cannot be imported");
	}
	if (!up_error_count(e))
		up_yv_err(v, list, "observations: cannot be imported");
}

/* Observations go through the real import, from a CSV written here. */
static int import_observations(up_yv *v, up_store *s, const up_program *p,
			       const char *dir, const up_ynode *list)
{
	static const char *const cols[] = {"unit", "series", "period", "value"};
	if (!list || !up_yv_want(v, list, UP_YSEQ, "'observations'"))
		return list ? -1 : 0;
	char *path = up_xasprintf("%s/observations.csv", dir);
	FILE *fp = fopen(path, "w");
	int rc = fp ? 0 : -1;
	long line = 2, *starts = up_xcalloc(list->n + 1, sizeof *starts);
	if (fp)
		fputs("unit,series,period,value\n", fp);
	for (size_t i = 0; fp && i < list->n && !rc; i++) {
		const up_ynode *o = list->kids[i];
		starts[i] = line;
		if (!up_yv_want(v, o, UP_YMAP, "an observation")) {
			rc = -1;
			break;
		}
		up_yv_keys(v, o, cols, UP_COUNTOF(cols));
		for (size_t k = 0; k < UP_COUNTOF(cols); k++) {
			const up_ynode *x = up_yv_get(o, cols[k]);
			if (!x || x->kind != UP_YSCALAR) {
				up_yv_err(v, o, "an observation needs unit, "
					  "series, period and value");
				rc = -1;
				break;
			}
			if (k)
				fputc(',', fp);
			line += (long)csv_cell(fp, x->str);
		}
		fputc('\n', fp);
		line++;
	}
	if (fp && fclose(fp) && !rc)
		rc = -1;
	if (!fp)
		up_yv_err(v, list, "observations: cannot write a CSV file");
	up_error *e = up_error_new();
	if (!rc && up_import(s, p, "observations", path, NULL, NULL, NULL, e)) {
		import_errors(v, e, path, list, starts);
		rc = -1;
	}
	up_error_free(e);
	free(starts);
	free(path);
	return rc;
}

static int load_facts(up_yv *v, up_store *s, const up_program *p,
		      const char *dir, const up_ynode *facts)
{
	if (!facts)
		return 0;
	if (!up_yv_want(v, facts, UP_YMAP, "'facts'"))
		return -1;
	up_yv_keys(v, facts, fact_keys, UP_COUNTOF(fact_keys));
	if (v->bad)
		return -1;
	static const char *const kinds[] = {"engagement", "event", "training"};
	for (size_t i = 0; i < 3; i++)
		if (record_all(v, s, p, up_yv_get(facts, fact_keys[i]),
			       kinds[i]))
			return -1;
	return import_observations(v, s, p, dir, up_yv_get(facts,
							   "observations"));
}

/* ---- expectations ---- */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const json_t *find_by(const json_t *list, const char *key,
			     const char *val)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		if (!strcmp(jstr(x, key), val))
			return x;
	}
	return NULL;
}

/* The criterion or finding of RULE for the unit, and whether a gate's. */
static const json_t *find_result(const json_t *u, const char *rule,
				 int *criterion)
{
	size_t i;
	json_t *g;
	*criterion = 1;
	json_array_foreach(json_object_get(u, "gates"), i, g) {
		const json_t *c = find_by(json_object_get(g, "criteria"),
					  "rule", rule);
		if (c)
			return c;
	}
	*criterion = 0;
	return find_by(json_object_get(u, "findings"), "rule", rule);
}

/* A gate criterion that warned shows as a pass with "warning": true. */
static const char *result_status(const json_t *r, int criterion)
{
	if (criterion && json_is_true(json_object_get(r, "warning")))
		return "warn";
	return jstr(r, "status");
}

static int message_matches(up_yv *v, const up_ynode *re, const char *msg)
{
	regex_t rx;
	if (regcomp(&rx, re->str, REG_EXTENDED | REG_NOSUB)) {
		up_yv_err(v, re, "'message' is not a valid extended regular "
			  "expression");
		return -1;
	}
	int ok = regexec(&rx, msg, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* A name of the pack's own: PACK/NAME, unless it names another. */
static char *qualified(const tally *t, const char *name)
{
	return strchr(name, '/') ? up_xstrdup(name)
		: up_xasprintf("%s/%s", t->pack->name, name);
}

static void note_outcome(tally *t, const char *rule, const char *status)
{
	const char *kind = !strcmp(status, "pass") ? "pass"
		: !strcmp(status, "fail") || !strcmp(status, "warn")
		? "fail" : NULL;
	if (!kind)
		return;
	json_t *o = json_object_get(t->outcomes, rule);
	if (!o) {
		o = json_object();
		json_object_set_new(t->outcomes, rule, o);
	}
	json_object_set_new(o, kind, json_true());
}

/* Whether check RULE (from the cycle's rules[]) judges a unit at STAGE:
 * a check that passes leaves no finding behind. */
static int check_applies(const json_t *doc, const char *rule,
			 const char *stage)
{
	const json_t *d = find_by(json_object_get(doc, "rules"), "rule", rule);
	if (!d || strcmp(jstr(d, "kind"), "check"))
		return 0;
	const json_t *st = json_object_get(d, "stages");
	if (!json_is_array(st))
		return 1;
	size_t i;
	json_t *x;
	json_array_foreach(st, i, x) {
		if (!strcmp(json_string_value(x), stage))
			return 1;
	}
	return 0;
}

static int check_rule(up_yv *v, tally *t, const tcase *c, const up_ynode *e,
		      const json_t *u, const char *unit, const json_t *doc)
{
	json_t *passed = NULL; /* no finding: a check that passed */
	char *rule = qualified(t, up_yv_get(e, "rule")->str);
	int criterion;
	const json_t *r = find_result(u, rule, &criterion);
	if (!r && check_applies(doc, rule, jstr(u, "stage")))
		r = passed = UP_JSON(json_pack("{s:s, s:s}", "status", "pass",
					       "message", ""));
	const up_ynode *st = up_yv_get(e, "status"), *re = up_yv_get(e, "message");
	const up_ynode *ab = up_yv_get(e, "absent");
	int absent = 0;
	if (ab)
		up_yv_bool(v, ab, "'absent'", &absent);
	char want[600], got[2600];
	int ok = 1;
	if (absent) {
		ok = !r;
		snprintf(want, sizeof want, "%s on %s: absent", rule, unit);
	} else {
		snprintf(want, sizeof want, "%s on %s: %s%s%s%s", rule, unit,
			 st ? st->str : "a result", re ? " with message /" : "",
			 re ? re->str : "", re ? "/" : "");
		ok = r && (!st || !strcmp(result_status(r, criterion), st->str));
		if (ok && re) {
			int m = message_matches(v, re, jstr(r, "message"));
			if (m < 0) {
				json_decref(passed);
				free(rule);
				return -1;
			}
			ok = m;
		}
	}
	if (r)
		snprintf(got, sizeof got, "%s (\"%s\")",
			 result_status(r, criterion), jstr(r, "message"));
	else
		snprintf(got, sizeof got, "no result: the rule did not judge "
			 "%s", unit);
	if (ok && st && !absent)
		note_outcome(t, rule, st->str);
	if (!ok)
		fail_case(t, c, e, want, got, r ? jstr(r, "source") : NULL);
	json_decref(passed);
	free(rule);
	return ok;
}

static int check_gate(tally *t, const tcase *c, const up_ynode *e,
		      const json_t *u, const char *unit)
{
	const char *gate = up_yv_get(e, "gate")->str;
	const up_ynode *d = up_yv_get(e, "decision");
	const json_t *g = find_by(json_object_get(u, "gates"), "gate", gate);
	/* "none": nothing covered the gate, or every criterion skipped */
	const char *got = !g ? "no such gate" : *jstr(g, "decision")
		? jstr(g, "decision") : "none";
	int ok = g && (!d || !strcmp(got, d->str));
	if (!ok) {
		char want[400], actual[2600];
		snprintf(want, sizeof want, "gate %s on %s: %s", gate, unit,
			 d ? d->str : "judged");
		snprintf(actual, sizeof actual, "%s%s%s%s", got,
			 g ? " (" : "", g ? jstr(g, "reason") : "", g ? ")" : "");
		fail_case(t, c, e, want, actual, NULL);
	}
	return ok;
}

static int check_metric(up_yv *v, tally *t, const tcase *c,
			const up_ynode *e, const json_t *u, const char *unit)
{
	const char *id = up_yv_get(e, "metric")->str;
	char *own = qualified(t, id);
	const json_t *list = json_object_get(u, "metrics");
	const json_t *m = find_by(list, "metric", own);
	if (!m)
		m = find_by(list, "metric", id);
	free(own);
	const up_ynode *st = up_yv_get(e, "status"), *val = up_yv_get(e, "value");
	double want_v = 0;
	if (val && !up_yv_num(v, val, "'value'", -1e300, 1e300, &want_v))
		return -1;
	json_t *jv = m ? json_object_get(m, "value") : NULL;
	int ok = m && (!st || !strcmp(jstr(m, "status"), st->str)) &&
		 (!val || (json_is_number(jv) &&
			   fabs(json_number_value(jv) - want_v) <= 1e-9));
	if (!ok) {
		char want[400], got[400];
		snprintf(want, sizeof want, "metric %s on %s: %s%s%s", id, unit,
			 st ? st->str : "", val ? " value " : "",
			 val ? val->str : "");
		if (m)
			snprintf(got, sizeof got, "%s, value %.12g",
				 jstr(m, "status"), json_is_number(jv)
				 ? json_number_value(jv) : NAN);
		else
			snprintf(got, sizeof got, "no such metric for %s",
				 unit);
		fail_case(t, c, e, want, got, NULL);
	}
	return ok;
}

/* The item of LIST whose KEY is N's text (with PREFIX/ first, if
 * given), or NULL after "unknown WHAT 'x' (did you mean 'y'?)" at N. */
static const json_t *find_named(up_yv *v, const up_ynode *n,
				const json_t *list, const char *key,
				const char *what, const char *prefix)
{
	char *own = prefix && !strchr(n->str, '/')
		? up_xasprintf("%s/%s", prefix, n->str) : up_xstrdup(n->str);
	const json_t *x = find_by(list, key, own);
	free(own);
	if (x)
		return x;
	size_t cap = json_array_size(list) + 1, nc = 0, i;
	const char **cands = up_xcalloc(cap, sizeof *cands);
	size_t plen = prefix ? strlen(prefix) : 0;
	json_t *y;
	json_array_foreach(list, i, y) {
		const char *id = jstr(y, key);
		if (prefix && !strncmp(id, prefix, plen) && id[plen] == '/')
			id += plen + 1; /* the pack's own id, as tests write */
		cands[nc++] = id;
	}
	const char *hint = up_did_you_mean(n->str, cands, nc);
	if (hint)
		up_yv_err(v, n, "unknown %s '%s' (did you mean '%s'?)", what,
			  n->str, hint);
	else
		up_yv_err(v, n, "unknown %s '%s'", what, n->str);
	free(cands);
	return NULL;
}

/* A status or decision that can be expected at all. */
static int one_of(up_yv *v, const up_ynode *n, const char *what,
		  const char *const *ok, size_t nok)
{
	if (!n)
		return 1;
	for (size_t i = 0; i < nok; i++)
		if (!strcmp(n->str, ok[i]))
			return 1;
	up_buf b = {0};
	for (size_t i = 0; i < nok; i++)
		up_buf_printf(&b, "%s%s", i ? ", " : "", ok[i]);
	up_yv_err(v, n, "'%s' must be one of %s, not '%s'", what, b.buf,
		  n->str);
	up_buf_free(&b);
	return 0;
}

/* The expectation names what exists and wants what can be. */
static int expectation_ok(up_yv *v, const tally *t, const up_ynode *e,
			  const json_t *doc)
{
	static const char *const rule_st[] = {"pass", "fail", "warn", "skip",
					      "error"};
	static const char *const gate_st[] = {"go", "conditional_go", "hold",
					      "recycle", "kill", "none"};
	static const char *const metric_st[] = {"met", "on_track", "at_risk",
						"off_track", "baseline",
						"no_data"};
	const up_ynode *rule = up_yv_get(e, "rule");
	const up_ynode *st = up_yv_get(e, "status"), *ab = up_yv_get(e, "absent");
	if (rule && ab && ab->kind == UP_YSCALAR && !strcmp(ab->str, "true")) {
		/* A rule this configuration does not declare is absent too,
		 * but a near miss is a typo that would pass for ever. */
		up_yv probe = {v->file, up_error_new(), 0};
		int known = find_named(&probe, rule, json_object_get(doc,
				"rules"), "rule", "rule", t->pack->name) != NULL;
		const char *m = up_error_message(probe.err, 0);
		if (!known && m && strstr(m, "did you mean")) {
			up_err_raw(v->err, UP_EINPUT, m);
			v->bad = 1;
		}
		up_error_free(probe.err);
		return !v->bad;
	}
	if (rule && !find_named(v, rule, json_object_get(doc, "rules"), "rule",
				"rule", t->pack->name))
		return 0;
	if (rule)
		return one_of(v, st, "status", rule_st, 5);
	if (up_yv_get(e, "gate"))
		return one_of(v, up_yv_get(e, "decision"), "decision",
			      gate_st, 6);
	return one_of(v, st, "status", metric_st, 6);
}

/* One expectation; -1 when the expectation itself is malformed. */
static int check_one(up_yv *v, tally *t, const tcase *c, const up_ynode *e,
		     const json_t *doc)
{
	if (!up_yv_want(v, e, UP_YMAP, "an expectation"))
		return -1;
	up_yv_keys(v, e, expect_keys, UP_COUNTOF(expect_keys));
	const up_ynode *un = up_yv_get(e, "unit");
	int what = !!up_yv_get(e, "rule") + !!up_yv_get(e, "gate") +
		   !!up_yv_get(e, "metric");
	for (size_t i = 0; i + 1 < e->n; i += 2) /* keys: up_yv_keys() */
		if (e->kids[i]->kind == UP_YSCALAR &&
		    e->kids[i + 1]->kind != UP_YSCALAR)
			up_yv_err(v, e->kids[i + 1], "'%s' must be a scalar",
				  e->kids[i]->str);
	if (what != 1 || !un) {
		up_yv_err(v, e, "an expectation names one rule, gate or "
			  "metric, and a unit");
		return -1;
	}
	if (v->bad || !expectation_ok(v, t, e, doc))
		return -1;
	const json_t *u = find_named(v, un, json_object_get(doc, "units"),
				     "id", "unit", NULL);
	if (!u)
		return -1;
	if (up_yv_get(e, "rule"))
		return check_rule(v, t, c, e, u, un->str, doc);
	if (up_yv_get(e, "gate"))
		return check_gate(t, c, e, u, un->str);
	return check_metric(v, t, c, e, u, un->str);
}

/* Which of the pack's rules judged something, for coverage. */
static void note_ran(tally *t, const json_t *doc)
{
	size_t i, j, k;
	json_t *u, *g, *x;
	size_t plen = strlen(t->pack->name);
	json_array_foreach(json_object_get(doc, "rules"), i, x) {
		const char *id = jstr(x, "rule");
		if (!strncmp(id, t->pack->name, plen) && id[plen] == '/')
			json_object_set(t->rules, id, json_object_get(x,
								      "kind"));
	}
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		json_array_foreach(json_object_get(u, "gates"), j, g) {
			json_array_foreach(json_object_get(g, "criteria"), k, x)
				json_object_set_new(t->ran, jstr(x, "rule"),
						    json_true());
		}
		json_array_foreach(json_object_get(doc, "rules"), k, x) {
			if (check_applies(doc, jstr(x, "rule"),
					  jstr(u, "stage")))
				json_object_set_new(t->ran, jstr(x, "rule"),
						    json_true());
		}
		json_array_foreach(json_object_get(u, "metrics"), k, x)
			json_object_set_new(t->ran, jstr(x, "metric"),
					    json_true());
	}
}

/* ---- running a case ---- */

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = up_xasprintf("%s/uptake-packtest-XXXXXX",
				  base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* Removes DIR and all in it; a symbolic link is removed, never
 * followed. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = up_xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* The program of the case, with the pack under test added. */
static int case_program(up_yv *v, tally *t, const tcase *c, const char *dir,
			up_program **out)
{
	if (!c->program) {
		up_yv_err(v, c->node, "case '%s' has no program (give one in "
			  "the case or the file)", c->name);
		return -1;
	}
	for (size_t i = 0; i < 2; i++) {
		static const char *const refused[] = {"packs", "rules"};
		const up_ynode *k = up_yv_get(c->program, refused[i]);
		if (k)
			up_yv_err(v, k, "a test program has no '%s': the pack "
				  "under test is added to it", refused[i]);
	}
	if (v->bad || up_program_from_tree(out, dir, c->program, c->file,
					   UP_PROGRAM_UNLOCKED, v->err)) {
		v->bad = 1;
		return -1;
	}
	(*out)->coverage = t->coverage;
	(*out)->globals_written = t->globals;
	return up_packs_add_dir(v, *out, t->pack->dir, c->node, c->with,
				c->more) == UP_OK ? 0 : -1;
}

/* Runs the cycle of one case; its document, or NULL (reported). */
static json_t *run_case(up_yv *v, tally *t, const tcase *c, const char *dir)
{
	up_program *p = NULL;
	up_store *s = NULL;
	up_cycle *cy = NULL;
	json_t *doc = NULL;
	if (case_program(v, t, c, dir, &p) == 0 &&
	    up_program_compile(p, v->err) != UP_OK)
		v->bad = 1;
	if (!v->bad && up_store_open(&s, dir, NULL, 0, v->err) != UP_OK)
		v->bad = 1;
	if (!v->bad && load_facts(v, s, p, dir, c->facts))
		v->bad = 1;
	if (!v->bad && up_cycle_run(&cy, s, p, c->as_of, v->err) != UP_OK)
		v->bad = 1;
	if (cy)
		doc = json_incref(cy->doc);
	up_cycle_free(cy);
	up_store_close(s);
	up_program_free(p);
	return doc;
}

static void one_case(tally *t, tcase *c, up_error *err)
{
	up_yv v = {c->file, up_error_new(), 0};
	t->cases++;
	size_t before = json_array_size(t->failures);
	char *dir = make_tmpdir();
	json_t *doc = dir ? run_case(&v, t, c, dir) : NULL;
	if (!dir)
		up_yv_err(&v, c->node, "cannot make a temporary directory");
	for (size_t i = 0; doc && c->expect && i < c->expect->n; i++)
		check_one(&v, t, c, c->expect->kids[i], doc);
	if (doc)
		note_ran(t, doc);
	if (v.bad) { /* the case itself is broken: say why, as a failure */
		for (size_t i = 0; i < up_error_count(v.err); i++)
			fail_case(t, c, c->node, "the case to run",
				  up_error_message(v.err, i), NULL);
	}
	if (json_array_size(t->failures) > before)
		t->failed++;
	UP_UNUSED(err);
	json_decref(doc);
	up_error_free(v.err);
	if (dir) {
		remove_tree(dir);
		free(dir);
	}
}

/* Reads the case at N of a file whose shared nodes are in BASE. */
static int read_case(up_yv *v, const tcase *base, const up_ynode *n,
		     tcase *c)
{
	*c = *base;
	c->node = n;
	if (!up_yv_want(v, n, UP_YMAP, "a case"))
		return -1;
	up_yv_keys(v, n, case_keys, UP_COUNTOF(case_keys));
	const up_ynode *name = up_yv_get(n, "name"), *as_of = up_yv_get(n, "as_of");
	const up_ynode *ex = up_yv_get(n, "expect");
	if (!name || name->kind != UP_YSCALAR || !as_of ||
	    as_of->kind != UP_YSCALAR || !ex || ex->kind != UP_YSEQ) {
		up_yv_err(v, n, "a case needs 'name', 'as_of' and a list "
			  "'expect'");
		return -1;
	}
	const char *why;
	if (up_date_parse(as_of->str, NULL, &why) != UP_OK) {
		up_yv_err(v, as_of, "'as_of': invalid date '%s': %s",
			  as_of->str, why);
		return -1;
	}
	c->name = name->str;
	c->as_of = as_of->str;
	c->expect = ex;
	c->facts = up_yv_get(n, "facts");
	if (up_yv_get(n, "program"))
		c->program = up_yv_get(n, "program");
	c->more = up_yv_get(n, "with");
	return v->bad ? -1 : 0;
}

static void run_file(tally *t, const char *path, const char *shown,
		     up_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	up_ynode *root = NULL;
	up_error *e = up_error_new();
	up_yv v = {shown, e, 0};
	if (up_read_file(path, MAX_TEST_BYTES, &buf, &len, e) == UP_OK &&
	    up_yaml_parse(buf, len, shown, &root, e) == UP_OK &&
	    up_yv_want(&v, root, UP_YMAP, "a test file")) {
		up_yv_keys(&v, root, file_keys, UP_COUNTOF(file_keys));
		tcase base = {.file = shown, .node = root,
			      .program = up_yv_get(root, "program"),
			      .with = up_yv_get(root, "with")};
		const up_ynode *cases = up_yv_get(root, "cases");
		if (!cases || cases->kind != UP_YSEQ || !cases->n)
			up_yv_err(&v, root, "a test file needs a list 'cases'");
		for (size_t i = 0; cases && !v.bad && i < cases->n; i++) {
			tcase c;
			if (read_case(&v, &base, cases->kids[i], &c) == 0)
				one_case(t, &c, err);
		}
	}
	if (up_error_count(e)) { /* the file is broken: one failure */
		tcase c = {.file = shown, .name = "(file)"};
		up_ynode top = {.line = 1, .col = 1};
		for (size_t i = 0; i < up_error_count(e); i++)
			fail_case(t, &c, &top, "a valid test file",
				  up_error_message(e, i), NULL);
		t->cases++;
		t->failed++;
	}
	up_yaml_free(root);
	free(buf);
	up_error_free(e);
}

/* ---- reporting ---- */

static int by_line(const void *a, const void *b)
{
	long x = strtol(*(const char *const *)a, NULL, 10);
	long y = strtol(*(const char *const *)b, NULL, 10);
	return (x > y) - (x < y);
}

/* Lines of the pack's files that can run, those that ran, and the
 * others as "file:line" (in file and line order). */
static void line_counts(const tally *t, size_t *total, size_t *ran,
			json_t *missed)
{
	size_t plen = strlen(t->pack->name);
	const char *file;
	json_t *lines, *hit;
	*total = *ran = 0;
	json_object_foreach(t->coverage, file, lines) {
		if (strncmp(file, t->pack->name, plen) || file[plen] != '/')
			continue;
		const char **miss = up_xcalloc(json_object_size(lines) + 1,
					       sizeof *miss);
		size_t nm = 0;
		const char *k;
		json_object_foreach(lines, k, hit) {
			(*total)++;
			*ran += json_is_true(hit);
			if (!json_is_true(hit))
				miss[nm++] = k;
		}
		qsort(miss, nm, sizeof *miss, by_line);
		for (size_t i = 0; i < nm; i++)
			json_array_append_new(missed, json_sprintf("%s:%s",
							file, miss[i]));
		free(miss);
	}
}

/* Per rule: did it run, and do the tests expect both outcomes? */
static json_t *rule_coverage(const tally *t)
{
	json_t *not_run = json_array(), *one_sided = json_array();
	size_t total = 0, ran = 0;
	const char *id;
	json_t *kind;
	json_object_foreach(t->rules, id, kind) {
		total++;
		if (json_object_get(t->ran, id))
			ran++;
		else
			json_array_append_new(not_run, json_string(id));
		json_t *o = json_object_get(t->outcomes, id);
		if (strcmp(json_string_value(kind), "metric") &&
		    (!json_object_get(o, "pass") || !json_object_get(o, "fail")))
			json_array_append_new(one_sided, json_string(id));
	}
	return UP_JSON(json_pack("{s:I, s:I, s:o, s:o}", "total",
		(json_int_t)total, "ran", (json_int_t)ran, "not_run", not_run,
		"one_outcome", one_sided));
}

static json_t *tally_json(const tally *t, unsigned flags)
{
	json_t *j = UP_JSON(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:O}",
		"pack", t->pack->name, "version", t->pack->version_s, "dir",
		t->pack->dir, "cases", (json_int_t)t->cases, "passed",
		(json_int_t)(t->cases - t->failed), "failed",
		(json_int_t)t->failed, "failures", t->failures));
	/* Only the pack's own files: a dependency is tested on its own. */
	json_t *warnings = json_array();
	const char *k;
	json_t *x;
	size_t plen = strlen(t->pack->name);
	json_object_foreach(t->globals, k, x) {
		if (!strncmp(k, t->pack->name, plen) && k[plen] == '/')
			json_array_append_new(warnings, json_string(k));
	}
	json_object_set_new(j, "warnings", warnings);
	if (flags & UP_PACKTEST_COVERAGE) {
		size_t total, ran;
		json_t *missed = json_array();
		line_counts(t, &total, &ran, missed);
		json_object_set_new(j, "coverage", UP_JSON(json_pack(
			"{s:o, s:{s:I, s:I, s:o}}", "rules", rule_coverage(t),
			"lines", "total", (json_int_t)total, "ran",
			(json_int_t)ran, "not_run", missed)));
	}
	return j;
}

static double share(json_int_t part, json_int_t whole)
{
	/* nothing declared is nothing covered, not full coverage */
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_list(FILE *fp, const char *what, const json_t *a)
{
	if (!json_array_size(a))
		return;
	fprintf(fp, "  %s:", what);
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
		fprintf(fp, " %s", json_string_value(x));
	fputc('\n', fp);
}

static void print_tally(FILE *fp, const json_t *j)
{
	fprintf(fp, "%s %s: %lld case%s, %lld passed, %lld failed\n",
		jstr(j, "pack"), jstr(j, "version"),
		(long long)json_integer_value(json_object_get(j, "cases")),
		json_integer_value(json_object_get(j, "cases")) == 1 ? "" : "s",
		(long long)json_integer_value(json_object_get(j, "passed")),
		(long long)json_integer_value(json_object_get(j, "failed")));
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(j, "failures"), i, f) {
		fprintf(fp, "  FAIL %s:%lld:%lld: %s\n", jstr(f, "file"),
			(long long)json_integer_value(json_object_get(f, "line")),
			(long long)json_integer_value(json_object_get(f, "col")),
			jstr(f, "case"));
		fprintf(fp, "    expected: %s\n    actual:   %s\n",
			jstr(f, "expected"), jstr(f, "actual"));
		if (*jstr(f, "source"))
			fprintf(fp, "    rule at:  %s\n", jstr(f, "source"));
	}
	json_array_foreach(json_object_get(j, "warnings"), i, f)
		fprintf(fp, "  warning: %s\n", json_string_value(f));
	json_t *cov = json_object_get(j, "coverage");
	if (!cov)
		return;
	json_t *r = json_object_get(cov, "rules"), *l = json_object_get(cov,
								   "lines");
	json_int_t rt = json_integer_value(json_object_get(r, "total"));
	json_int_t rr = json_integer_value(json_object_get(r, "ran"));
	json_int_t lt = json_integer_value(json_object_get(l, "total"));
	json_int_t lr = json_integer_value(json_object_get(l, "ran"));
	fprintf(fp, "  coverage: rules %lld/%lld (%.1f%%), lines %lld/%lld "
		"(%.1f%%)\n", (long long)rr, (long long)rt, share(rr, rt),
		(long long)lr, (long long)lt, share(lr, lt));
	print_list(fp, "rules that never ran", json_object_get(r, "not_run"));
	print_list(fp, "lines that never ran", json_object_get(l, "not_run"));
	print_list(fp, "rules whose tests expect only one outcome",
		   json_object_get(r, "one_outcome"));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files DIR/tests/NAME.yaml (not hidden), sorted; -1
 * (reported) when there are none.  Read with readdir, not glob: a pack
 * directory may be named anything, "br[1]" included. */
static int test_files(const char *dir, char ***names, size_t *n,
		      up_error *err)
{
	char *tests = up_xasprintf("%s/tests", dir);
	DIR *d = opendir(tests);
	struct dirent *de;
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		char *path = up_xasprintf("%s/%s", tests, de->d_name);
		struct stat st;
		int file = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!file)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*names = up_xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = up_xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	free(tests);
	if (*n) {
		qsort(*names, *n, sizeof **names, by_name);
		return 0;
	}
	up_err_at(err, UP_EINPUT, dir, 0, 0, "the pack has no tests: add "
		  "cases in %s/tests/*.yaml (see 'uptake pack new')", dir);
	return -1;
}

/* Runs one pack's tests into J (a new object); the failed case count. */
static size_t test_pack(const char *dir, unsigned flags, json_t **j,
			up_error *err)
{
	up_pack *pk = NULL;
	char **files = NULL;
	size_t nfiles = 0;
	*j = NULL;
	if (up_pack_load(&pk, dir, err) != UP_OK)
		return 1;
	if (test_files(dir, &files, &nfiles, err)) {
		up_pack_free(pk);
		return 1;
	}
	tally t = {pk, json_array(), json_object(), json_object(),
		   json_object(), json_object(), json_object(), 0, 0};
	for (size_t i = 0; i < nfiles; i++) {
		char *path = up_xasprintf("%s/tests/%s", dir, files[i]);
		char *name = up_xasprintf("%s/tests/%s", pk->name, files[i]);
		run_file(&t, path, name, err);
		free(name);
		free(path);
		free(files[i]);
	}
	free(files);
	*j = tally_json(&t, flags);
	size_t failed = t.failed;
	json_decref(t.failures);
	json_decref(t.outcomes);
	json_decref(t.ran);
	json_decref(t.rules);
	json_decref(t.coverage);
	json_decref(t.globals);
	up_pack_free(pk);
	return failed;
}

int up_pack_test(const char *const *dirs, size_t n, unsigned flags,
		 FILE *fp, size_t *failed_out, up_error *err)
{
	size_t failed = 0, passed = 0, tried = 0;
	if (failed_out)
		*failed_out = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		tried += !(stat(dirs[i], &st) == 0 && S_ISREG(st.st_mode));
	}
	if (!tried) /* files only: nothing tested is no pass */
		return up_err(err, UP_EINPUT, "no pack directory among the "
			      "arguments");
	json_t *all = json_array();
	int rc = UP_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(dirs[i], &st) == 0 && S_ISREG(st.st_mode))
			continue; /* a README among the packs of a glob */
		json_t *j;
		size_t f = test_pack(dirs[i], flags, &j, err);
		if (!j) {
			rc = UP_EINPUT;
			failed++;
			continue;
		}
		failed += f;
		passed += (size_t)json_integer_value(json_object_get(j,
								  "passed"));
		if (!(flags & UP_PRINT_JSON))
			print_tally(fp, j);
		json_array_append_new(all, j);
	}
	if (flags & UP_PRINT_JSON) {
		json_t *doc = UP_JSON(json_pack("{s:o, s:I, s:I}", "packs", all,
			"passed", (json_int_t)passed, "failed",
			(json_int_t)failed));
		json_dumpf(doc, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
		fputc('\n', fp);
		json_decref(doc);
	} else {
		fprintf(fp, "%zu passed, %zu failed\n", passed, failed);
		json_decref(all);
	}
	if (failed_out)
		*failed_out = failed;
	return rc;
}
