/*
 * replay.c: judges stored cycles again with another version of the rules
 * (the program's rule files from another directory, or one pack from
 * another path) and says which decisions and criteria would flip.
 *
 * Each cycle is judged from the facts as of its date as they were known
 * when it ran (corrections imported since are undone), or as known at
 * another time: with the swap, and with the program as it is.  The flips
 * are what the swap would decide differently from what the cycle stored;
 * the program as it is says whether anything else (program.yaml, rules
 * edited in place, --known-at) accounts for some of them.  Nothing is
 * written: the store may be open read-only, and everything is read in one
 * transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

/* What a replay compares: the kinds of change a rule can cause. */
static const char *const flip_kinds[] = {"decisions", "criteria",
					 "findings", "metrics"};

typedef struct {
	up_store *s;
	up_program *now, *next; /* next: NULL when nothing is swapped */
	const up_replay_opts *o;
	long long known;        /* --known-at's import, or AS_IT_RAN */
} replay;

enum { AS_IT_RAN = -2 };    /* each cycle's facts as known when it ran */

static int begin(up_store *s, up_error *err)
{
	return sqlite3_exec(up_store_db(s), "BEGIN", NULL, NULL, NULL)
		== SQLITE_OK ? UP_OK : up_store_fail(s, "reading the cycles",
						      err);
}

/* The pack the swap names must be one the program uses. */
static int pack_used(const up_program *p, const char *name, up_error *err)
{
	size_t n = up_program_npacks(p);
	const char **names = up_xcalloc(n + 1, sizeof *names);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		const char *version, *sha, *where;
		up_program_pack(p, i, &names[i], &version, &sha, &where);
		found |= !strcmp(names[i], name);
	}
	const char *near = found ? NULL : up_did_you_mean(name, names, n);
	if (!found && near)
		up_err(err, UP_EINPUT, "--pack: the program uses no pack '%s' "
		       "(did you mean '%s'?)", name, near);
	else if (!found)
		up_err(err, UP_EINPUT, "--pack: the program uses no pack '%s'",
		       name);
	free(names);
	return found ? UP_OK : UP_EINPUT;
}

static int load_programs(replay *r, const char *dir, up_error *err)
{
	const up_replay_opts *o = r->o;
	up_swap swap = {o->rules_dir, o->pack_name, o->pack_path};
	if (!o->pack_name != !o->pack_path)
		return up_err(err, UP_EINPUT, "--pack needs NAME=PATH");
	int rc = up_program_load(&r->now, dir, err);
	if (rc == UP_OK && o->pack_name)
		rc = pack_used(r->now, o->pack_name, err);
	if (rc != UP_OK || (!o->rules_dir && !o->pack_name))
		return rc;
	rc = up_program_open_swap(&r->next, dir, &swap, err);
	/* rules that do not compile would judge nothing: said as check
	 * says it, not as a flip of every criterion */
	if (rc == UP_OK)
		rc = up_program_compile(r->next, err);
	return rc;
}

/* A time as imports are dated, YYYY-MM-DDTHH:MM:SSZ, into STAMP: T as
 * it is, or the end of T's day when T is a date.  0 if it is neither. */
static int stamp_of(const char *t, char stamp[21])
{
	char day[11];
	int h, m, sec, n = 0;
	size_t len = strlen(t);
	if (len != 10 && len != 20)
		return 0;
	memcpy(day, t, 10);
	day[10] = '\0';
	if (up_date_parse(day, NULL, NULL) != UP_OK)
		return 0;
	if (len == 10) {
		snprintf(stamp, 21, "%sT23:59:59Z", day);
		return 1;
	}
	if (t[10] != 'T' || sscanf(t + 11, "%2d:%2d:%2dZ%n", &h, &m, &sec,
				   &n) != 3 || n != 9 || h > 23 || m > 59 ||
	    sec > 59 || strspn(t + 11, "0123456789:Z") != 9)
		return 0;
	memcpy(stamp, t, 21);
	return 1;
}

/* --known-at: "now", or the last import done by a time. */
static int known_at(replay *r, up_error *err)
{
	const char *t = r->o->known_at;
	char stamp[21];
	if (!t)
		return UP_OK;
	if (!strcmp(t, "now")) {
		r->known = UP_KNOWN_ALL;
		return UP_OK;
	}
	if (!stamp_of(t, stamp))
		return up_err(err, UP_EINPUT, "--known-at: '%s' is not now, a "
			      "date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ",
			      t);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(r->s), "SELECT coalesce(max(id), 0)"
			       " FROM imports WHERE at <= ?1", -1, &st, NULL))
		return up_store_fail(r->s, "reading the imports", err);
	sqlite3_bind_text(st, 1, stamp, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_ROW
		? UP_OK : up_store_fail(r->s, "reading the imports", err);
	r->known = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* FROM..TO as stored cycles: both must exist, in that order. */
static int check_range(replay *r, long long *to, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(r->s), "SELECT coalesce(max(id), 0),"
			       " count(*) FILTER (WHERE id = ?1) FROM cycles",
			       -1, &st, NULL))
		return up_store_fail(r->s, "reading the cycles", err);
	sqlite3_bind_int64(st, 1, r->o->from);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return up_store_fail(r->s, "reading the cycles", err);
	}
	long long last = sqlite3_column_int64(st, 0);
	int has_from = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	*to = r->o->to ? r->o->to : last;
	if (!has_from)
		return up_history_no_cycle(r->s, r->o->from, err);
	if (*to > last || *to < 1)
		return up_history_no_cycle(r->s, *to, err);
	if (*to < r->o->from)
		return up_err(err, UP_EINPUT, "--to %lld comes before --from "
			      "%lld", *to, r->o->from);
	return UP_OK;
}

/* The errors of B that A does not have: what the swap broke. */
static json_t *new_errors(const json_t *a, const json_t *b)
{
	json_t *out = json_array();
	size_t i, k;
	json_t *e, *o;
	json_array_foreach(json_object_get(b, "errors"), i, e) {
		int seen = 0;
		json_array_foreach(json_object_get(a, "errors"), k, o)
			if (json_equal(e, o)) {
				seen = 1;
				break;
			}
		if (!seen)
			json_array_append(out, e);
	}
	return out;
}

static size_t flips_in(const json_t *diff)
{
	size_t n = 0;
	for (size_t i = 0; i < UP_COUNTOF(flip_kinds); i++)
		n += json_array_size(json_object_get(diff, flip_kinds[i]));
	return n;
}

/* One stored cycle: its flips, and whether the program as it is still
 * gives what it stored. */
static json_t *replay_one(replay *r, long long number, const char *as_of,
			  long long known, const json_t *stored, up_error *err)
{
	json_t *a = up_cycle_judge(r->s, r->now, as_of, number, known, err);
	json_t *b = !a ? NULL : r->next
		? up_cycle_judge(r->s, r->next, as_of, number, known, err)
		: json_incref(a);
	if (!b) {
		json_decref(a);
		return NULL;
	}
	json_t *flips = up_history_diff(stored, b);
	json_t *drift = up_history_diff(stored, a);
	size_t other = flips_in(drift) +
		json_array_size(json_object_get(drift, "stages"));
	json_t *e = UP_JSON(json_pack("{s:I, s:s, s:b, s:I}", "cycle",
		(json_int_t)number, "as_of", as_of, "reproduced", !other,
		"differences", (json_int_t)other));
	for (size_t i = 0; i < UP_COUNTOF(flip_kinds); i++)
		json_object_set(e, flip_kinds[i],
				json_object_get(flips, flip_kinds[i]));
	json_object_set_new(e, "errors", new_errors(a, b));
	/* what was swapped in: the rules as they are against the swap */
	json_t *inputs = up_history_diff(a, b);
	json_object_set_new(e, "inputs", inputs); /* lifted out by the caller */
	json_decref(flips);
	json_decref(drift);
	json_decref(a);
	json_decref(b);
	return e;
}

static int replay_all(replay *r, long long to, json_t *cycles, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(r->s), "SELECT id, as_of,"
			       " coalesce(known, -1) FROM cycles WHERE id"
			       " BETWEEN ?1 AND ?2 ORDER BY id", -1, &st, NULL))
		return up_store_fail(r->s, "reading the cycles", err);
	sqlite3_bind_int64(st, 1, r->o->from);
	sqlite3_bind_int64(st, 2, to);
	int rc = UP_OK, step;
	while (rc == UP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 0);
		json_t *stored = NULL;
		rc = up_cycle_doc(r->s, n, NULL, 0, &stored, err);
		if (rc != UP_OK)
			break;
		long long known = r->known != AS_IT_RAN ? r->known
				: sqlite3_column_int64(st, 2);
		json_t *e = json_is_object(stored)
			? replay_one(r, n, (const char *)sqlite3_column_text(
				st, 1), known, stored, err) : NULL;
		if (!json_is_object(stored))
			rc = up_err(err, UP_EINTERNAL, "the record of cycle "
				    "%lld is damaged", n);
		else if (!e)
			rc = up_error_code(err) ? up_error_code(err)
						: UP_EINTERNAL;
		else
			json_array_append_new(cycles, e);
		json_decref(stored);
	}
	if (rc == UP_OK && step != SQLITE_DONE)
		rc = up_store_fail(r->s, "reading the cycles", err);
	sqlite3_finalize(st);
	return rc;
}

/* The packs the swap changed, each {name, from, to} as history shows
 * them, and the rule files, from the first cycle (all cycles agree). */
static json_t *summary(const replay *r, long long to, json_t *cycles)
{
	json_t *first = json_array_get(cycles, 0);
	json_t *inputs = json_object_get(first, "inputs");
	json_t *doc = UP_JSON(json_pack("{s:s, s:I, s:I, s:s?, s:s?, s:O, s:O}",
		"program", r->now->id, "from", (json_int_t)r->o->from, "to",
		(json_int_t)to, "rules_dir", r->o->rules_dir, "known_at",
		r->o->known_at, "files",
		json_object_get(inputs, "files"), "packs",
		json_object_get(inputs, "packs")));
	json_t *totals = json_object();
	size_t i, flipped = 0;
	json_t *c;
	for (size_t k = 0; k < UP_COUNTOF(flip_kinds); k++)
		json_object_set_new(totals, flip_kinds[k], json_integer(0));
	json_array_foreach(cycles, i, c) {
		json_object_del(c, "inputs");
		flipped += flips_in(c) > 0;
		for (size_t k = 0; k < UP_COUNTOF(flip_kinds); k++) {
			json_t *t = json_object_get(totals, flip_kinds[k]);
			json_integer_set(t, json_integer_value(t) + (json_int_t)
				json_array_size(json_object_get(c,
				flip_kinds[k])));
		}
	}
	json_object_set_new(totals, "cycles", json_integer((json_int_t)flipped));
	json_object_set_new(doc, "flips", totals);
	json_object_set(doc, "cycles", cycles);
	return doc;
}

/* ---- printing ---- */

static void plural(FILE *fp, long long n, const char *one, const char *many)
{
	fprintf(fp, "%lld %s", n, n == 1 ? one : many);
}

static void print_counts(FILE *fp, const json_t *o)
{
	static const char *const one[] = {"decision", "criterion", "finding",
					  "metric"};
	int any = 0;
	for (size_t k = 0; k < UP_COUNTOF(flip_kinds); k++) {
		const json_t *v = json_object_get(o, flip_kinds[k]);
		long long n = json_is_array(v) ? (long long)json_array_size(v)
					       : json_integer_value(v);
		if (!n && k > 1)
			continue;
		fputs(any++ ? ", " : "", fp);
		plural(fp, n, one[k], flip_kinds[k]);
	}
}

static void print_cycle(FILE *fp, const json_t *c)
{
	fprintf(fp, "\nCycle %lld as of %s: ", (long long)json_integer_value(
		json_object_get(c, "cycle")), json_string_value(
		json_object_get(c, "as_of")));
	if (flips_in(c)) {
		print_counts(fp, c);
		fputs(" would flip\n", fp);
		up_history_diff_list(c, fp);
	} else {
		fputs("nothing would flip\n", fp);
	}
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(c, "errors"), i, e) {
		const char *unit = json_string_value(json_object_get(e, "unit"));
		fprintf(fp, "  error      %s%s%s\n", unit ? unit : "",
			unit ? ": " : "", json_string_value(json_object_get(
			e, "message")));
	}
	if (!json_is_true(json_object_get(c, "reproduced")))
		fprintf(fp, "  note: the program as it is gives %lld "
			"difference(s) from what this cycle stored (program.yaml "
			"or rules changed since it ran, or facts known later)\n",
			(long long)json_integer_value(json_object_get(c,
			"differences")));
}

static void print_replay(FILE *fp, const json_t *doc)
{
	fprintf(fp, "%s: replaying cycles %lld to %lld\n",
		json_string_value(json_object_get(doc, "program")),
		(long long)json_integer_value(json_object_get(doc, "from")),
		(long long)json_integer_value(json_object_get(doc, "to")));
	json_t *pick = json_pack("{s:O, s:O}", "files", json_object_get(doc,
		"files"), "packs", json_object_get(doc, "packs"));
	if (up_history_diff_size(pick))
		up_history_diff_list(pick, fp);
	else
		fputs("  with the rules as they are\n", fp);
	const char *k = json_string_value(json_object_get(doc, "known_at"));
	fprintf(fp, "  facts as known %s%s\n", !k ? "when each cycle ran"
		: strcmp(k, "now") ? "at " : "", k ? k : "");
	json_decref(pick);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "cycles"), i, c)
		print_cycle(fp, c);
	const json_t *t = json_object_get(doc, "flips");
	fputs("\nWould flip: ", fp);
	print_counts(fp, t);
	fprintf(fp, " in %lld of %zu cycle(s).\n", (long long)
		json_integer_value(json_object_get(t, "cycles")),
		json_array_size(json_object_get(doc, "cycles")));
}

int up_replay_print(up_store *s, const char *dir, const up_replay_opts *o,
		    FILE *fp, unsigned flags, up_error *err)
{
	replay r = {s, NULL, NULL, o, AS_IT_RAN};
	long long to = 0;
	if (o->from < 1)
		return up_err(err, UP_EINPUT, "--from: a cycle number is 1 or "
			      "more");
	int rc = load_programs(&r, dir, err);
	json_t *cycles = json_array(), *doc = NULL;
	/* one snapshot: a cycle that commits meanwhile is not half seen */
	if (rc == UP_OK)
		rc = begin(s, err);
	if (rc == UP_OK) {
		rc = known_at(&r, err);
		if (rc == UP_OK)
			rc = check_range(&r, &to, err);
		if (rc == UP_OK)
			rc = replay_all(&r, to, cycles, err);
		sqlite3_exec(up_store_db(s), "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc == UP_OK)
		doc = summary(&r, to, cycles);
	if (doc && (flags & UP_PRINT_JSON)) {
		if (json_dumpf(doc, fp, UP_JSON_OUT) != 0)
			rc = UP_EINTERNAL;
		fputc('\n', fp);
	} else if (doc) {
		print_replay(fp, doc);
	}
	json_decref(doc);
	json_decref(cycles);
	up_program_free(r.now);
	up_program_free(r.next);
	return rc;
}
