/*
 * history.c: the stored cycles, and what changed between two of them,
 * computed from the documents the cycles stored, so a diff says exactly
 * what each cycle reported and never judges anything again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"


/* Hex digits of a hash shown in a table (the JSON has them all), and the
 * lines per kind of change under a cycle's "Since cycle N:". */
enum { SHORT_HASH = 8, SINCE_LINES = 3 };

static const char *const gate_decisions[] = {"go", "conditional_go", "hold",
					     "recycle", "kill"};

static const char *sval(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Whether two optional strings differ (NULL: absent). */
static int differs(const char *x, const char *y)
{
	return !x != !y || (x && strcmp(x, y));
}

/* ---- pairing what two documents hold ---- */

/* One thing (a unit, a criterion, a file...) of each document, by key;
 * a or b is NULL where that document lacks it.  ORD is its place in the
 * pairing, so a key twice in a damaged document still sorts one way. */
typedef struct {
	const char *key;
	const json_t *a, *b;
	size_t ord;
} twin;

static int twin_cmp(const void *x, const void *y)
{
	const twin *p = x, *q = y;
	int c = strcmp(p->key, q->key);
	return c ? c : (p->ord > q->ord) - (p->ord < q->ord);
}

/*
 * The objects of LB paired with those of LA by their string field KEY:
 * LB's in its order, then those only in LA in theirs.  A lookup table
 * keeps this linear in the number of units of a national programme.
 */
static twin *twin_up(const json_t *la, const json_t *lb, const char *key,
		     size_t *n)
{
	size_t na = json_array_size(la), nb = json_array_size(lb), i, k = 0;
	twin *t = up_xcalloc(na + nb + 1, sizeof *t);
	char *paired = up_xcalloc(na + 1, 1);
	up_strmap in_a = {0};
	json_t *x;
	json_array_foreach(la, i, x)
		if (sval(x, key))
			up_strmap_put(&in_a, sval(x, key), (int)i);
	json_array_foreach(lb, i, x) {
		if (!sval(x, key))
			continue;
		int ia = up_strmap_get(&in_a, sval(x, key));
		t[k] = (twin){sval(x, key), NULL, x, k};
		if (ia >= 0 && !paired[ia]) {
			t[k].a = json_array_get(la, (size_t)ia);
			paired[ia] = 1;
		}
		k++;
	}
	json_array_foreach(la, i, x) {
		if (sval(x, key) && !paired[i]) {
			t[k] = (twin){sval(x, key), x, NULL, k};
			k++;
		}
	}
	up_strmap_free(&in_a);
	free(paired);
	*n = k;
	return t;
}

/* twin_up() ordered by key, for what lists within a unit. */
static twin *twin_sorted(const json_t *la, const json_t *lb, const char *key,
			 size_t *n)
{
	twin *t = twin_up(la, lb, key, n);
	qsort(t, *n, sizeof *t, twin_cmp);
	return t;
}

static const json_t *field(const json_t *o, const char *k)
{
	return o ? json_object_get(o, k) : NULL;
}

/* ---- the diff of two documents ---- */

static void add(json_t *diff, const char *kind, json_t *entry)
{
	json_array_append_new(json_object_get(diff, kind), UP_JSON(entry));
}

static void diff_criteria(json_t *diff, const char *unit, const char *gate,
			  const json_t *ga, const json_t *gb)
{
	size_t n;
	twin *t = twin_sorted(field(ga, "criteria"), field(gb, "criteria"),
			      "rule", &n);
	for (size_t i = 0; i < n; i++) {
		const char *from = sval(t[i].a, "status");
		const char *to = sval(t[i].b, "status");
		if (differs(from, to))
			add(diff, "criteria", json_pack(
				"{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}",
				"unit", unit, "gate", gate, "rule", t[i].key,
				"from", from, "to", to, "from_message",
				sval(t[i].a, "message"), "to_message",
				sval(t[i].b, "message")));
	}
	free(t);
}

/* A gate either cycle faced: its decision moved, and within one gate
 * both faced, which criteria flipped. */
static void diff_gates(json_t *diff, const char *unit, const twin *u)
{
	size_t n;
	twin *t = twin_sorted(field(u->a, "gates"), field(u->b, "gates"),
			      "gate", &n);
	for (size_t i = 0; i < n; i++) {
		const char *from = sval(t[i].a, "decision");
		const char *to = sval(t[i].b, "decision");
		if (differs(from, to))
			add(diff, "decisions", json_pack(
				"{s:s, s:s, s:s?, s:s?}", "unit", unit,
				"gate", t[i].key, "from", from, "to", to));
	}
	for (size_t i = 0; i < n; i++)
		if (t[i].a && t[i].b)
			diff_criteria(diff, unit, t[i].key, t[i].a, t[i].b);
	free(t);
}

static void diff_findings(json_t *diff, const char *unit, const twin *u)
{
	size_t n;
	twin *t = twin_sorted(field(u->a, "findings"), field(u->b, "findings"),
			      "rule", &n);
	for (size_t i = 0; i < n; i++) {
		const char *from = sval(t[i].a, "status");
		const char *to = sval(t[i].b, "status");
		const json_t *now = t[i].b ? t[i].b : t[i].a;
		if (!differs(from, to))
			continue;
		add(diff, "findings", json_pack(
			"{s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?}", "unit",
			unit, "rule", t[i].key, "severity",
			sval(now, "severity"), "change", !from ? "appeared"
			: !to ? "resolved" : "changed", "from", from, "to",
			to, "message", sval(now, "message")));
	}
	free(t);
}

/* Metrics of a unit, or with UNIT NULL the program's roll-ups. */
static void diff_metrics(json_t *diff, const char *unit, const json_t *la,
			 const json_t *lb)
{
	size_t n;
	twin *t = twin_sorted(la, lb, "metric", &n);
	for (size_t i = 0; i < n; i++) {
		const char *from = sval(t[i].a, "status");
		const char *to = sval(t[i].b, "status");
		if (differs(from, to))
			add(diff, "metrics", json_pack(
				"{s:s?, s:s, s:s?, s:s?}", "unit", unit,
				"metric", t[i].key, "from", from, "to", to));
	}
	free(t);
}

static void diff_unit(json_t *diff, const twin *u)
{
	const char *from = sval(u->a, "stage"), *to = sval(u->b, "stage");
	if (differs(from, to))
		add(diff, "stages", json_pack("{s:s, s:s?, s:s?}", "unit",
					      u->key, "from", from, "to", to));
	diff_gates(diff, u->key, u);
	diff_findings(diff, u->key, u);
	diff_metrics(diff, u->key, field(u->a, "metrics"),
		     field(u->b, "metrics"));
}

/* The content hashes: program.yaml and every rule file, then the packs. */
static void diff_inputs(json_t *diff, const json_t *a, const json_t *b)
{
	size_t n;
	twin *t = twin_up(field(a, "files"), field(b, "files"), "path", &n);
	for (size_t i = 0; i < n; i++) {
		const char *from = sval(t[i].a, "sha256");
		const char *to = sval(t[i].b, "sha256");
		if (differs(from, to))
			add(diff, "files", json_pack("{s:s, s:s?, s:s?}",
				"path", t[i].key, "from", from, "to", to));
	}
	free(t);
	t = twin_up(field(a, "packs"), field(b, "packs"), "name", &n);
	for (size_t i = 0; i < n; i++) {
		if (!differs(sval(t[i].a, "version"), sval(t[i].b, "version"))
		    && !differs(sval(t[i].a, "sha256"),
				sval(t[i].b, "sha256")))
			continue;
		json_t *e = UP_JSON(json_pack("{s:s}", "name", t[i].key));
		for (int side = 0; side < 2; side++) {
			const json_t *p = side ? t[i].b : t[i].a;
			json_object_set_new(e, side ? "to" : "from", p
				? UP_JSON(json_pack("{s:s?, s:s?}", "version",
					sval(p, "version"), "sha256",
					sval(p, "sha256"))) : json_null());
		}
		add(diff, "packs", e);
	}
	free(t);
}

static const char *const diff_kinds[] = {"decisions", "criteria",
	"findings", "metrics", "stages", "files", "packs"};

json_t *up_history_diff(const json_t *a, const json_t *b)
{
	json_t *diff = UP_JSON(json_pack(
		"{s:O?, s:{s:O?, s:O?}, s:{s:O?, s:O?}}", "program",
		json_object_get(b, "program"), "from", "cycle",
		json_object_get(a, "cycle"), "as_of",
		json_object_get(a, "as_of"), "to", "cycle",
		json_object_get(b, "cycle"), "as_of",
		json_object_get(b, "as_of")));
	for (size_t i = 0; i < UP_COUNTOF(diff_kinds); i++)
		json_object_set_new(diff, diff_kinds[i], json_array());
	diff_metrics(diff, NULL, field(a, "metrics"), field(b, "metrics"));
	size_t n;
	twin *units = twin_up(field(a, "units"), field(b, "units"), "id", &n);
	for (size_t i = 0; i < n; i++)
		diff_unit(diff, &units[i]);
	free(units);
	diff_inputs(diff, a, b);
	return diff;
}

/* ---- printing a diff ---- */

/*
 * Writes the line in B to FP made safe for a terminal, as report.c does:
 * rule messages come from code that may be hostile, so C0 and C1
 * controls become '?', tabs and newlines a space.  Empties B.
 */
static void put_line(FILE *fp, up_buf *b)
{
	const unsigned char *s = (const unsigned char *)(b->buf ? b->buf : "");
	for (; *s; s++) {
		if (*s == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
			fputc('?', fp);
			s++;
		} else if (*s == '\t' || *s == '\n') {
			fputc(' ', fp);
		} else {
			fputc(*s < 0x20 || *s == 0x7F ? '?' : *s, fp);
		}
	}
	fputc('\n', fp);
	up_buf_free(b);
}

/* An absent side of a change reads "none". */
static const char *or_none(const json_t *o, const char *k)
{
	return sval(o, k) ? sval(o, k) : "none";
}

static void change(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s -> %s", or_none(e, "from"), or_none(e, "to"));
}

static void decision_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s %s: ", sval(e, "unit"), sval(e, "gate"));
	change(b, e);
}

static void criterion_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s %s: ", sval(e, "unit"), sval(e, "rule"));
	change(b, e);
}

static void finding_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s %s [%s]: ", sval(e, "unit"), sval(e, "rule"),
		      or_none(e, "severity"));
	change(b, e);
	if (strcmp(sval(e, "change"), "changed"))
		up_buf_printf(b, " (%s)", sval(e, "change"));
}

static void metric_line(up_buf *b, const json_t *e)
{
	const char *unit = sval(e, "unit");
	up_buf_printf(b, "%s %s: ", unit ? unit : "(program)",
		      sval(e, "metric"));
	change(b, e);
}

static void stage_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s: ", sval(e, "unit"));
	change(b, e);
}

static void hash_side(up_buf *b, const char *hash)
{
	up_buf_printf(b, "%.*s", SHORT_HASH, hash ? hash : "none");
}

static void file_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s: ", sval(e, "path"));
	hash_side(b, sval(e, "from"));
	up_buf_puts(b, " -> ");
	hash_side(b, sval(e, "to"));
}

static void pack_side(up_buf *b, const json_t *p)
{
	if (!json_is_object(p)) {
		up_buf_puts(b, "none");
		return;
	}
	up_buf_printf(b, "%s:", or_none(p, "version"));
	hash_side(b, sval(p, "sha256"));
}

static void pack_line(up_buf *b, const json_t *e)
{
	up_buf_printf(b, "%s: ", sval(e, "name"));
	pack_side(b, json_object_get(e, "from"));
	up_buf_puts(b, " -> ");
	pack_side(b, json_object_get(e, "to"));
}

/* What a criterion said in each cycle; what a finding says, or said
 * last when it was resolved. */
static void messages(FILE *fp, const json_t *e)
{
	const char *resolved = sval(e, "change");
	const char *const keys[] = {"from_message", "to_message", "message"};
	const char *const labels[] = {"was", "now", resolved &&
				      !strcmp(resolved, "resolved") ? "was"
								    : "now"};
	for (size_t i = 0; i < UP_COUNTOF(keys); i++) {
		const char *m = sval(e, keys[i]);
		if (!m || !*m)
			continue;
		up_buf b = {0};
		up_buf_printf(&b, "    %s: %s", labels[i], m);
		put_line(fp, &b);
	}
}

static const struct {
	const char *key, *title, *one;
	void (*line)(up_buf *b, const json_t *e);
} kinds[] = {
	{"decisions", "Decisions", "decision", decision_line},
	{"criteria", "Criteria", "criterion", criterion_line},
	{"findings", "Findings", "finding", finding_line},
	{"metrics", "Metrics", "metric", metric_line},
	{"stages", "Stages", "stage", stage_line},
	{"files", "Files", "file", file_line},
	{"packs", "Packs", "pack", pack_line},
};

static size_t diff_size(const json_t *diff)
{
	size_t n = 0;
	for (size_t i = 0; i < UP_COUNTOF(kinds); i++)
		n += json_array_size(json_object_get(diff, kinds[i].key));
	return n;
}

/* The whole diff, a section per kind of change, with the messages. */
static void print_diff(const json_t *diff, FILE *fp)
{
	const json_t *from = json_object_get(diff, "from");
	const json_t *to = json_object_get(diff, "to");
	up_buf b = {0};
	up_buf_printf(&b, "%s: cycle %lld as of %s -> cycle %lld as of %s",
		      or_none(diff, "program"), (long long)json_integer_value(
		      json_object_get(from, "cycle")), or_none(from, "as_of"),
		      (long long)json_integer_value(json_object_get(to,
		      "cycle")), or_none(to, "as_of"));
	put_line(fp, &b);
	if (!diff_size(diff))
		fputs("\nNothing changed.\n", fp);
	for (size_t i = 0; i < UP_COUNTOF(kinds); i++) {
		const json_t *list = json_object_get(diff, kinds[i].key);
		size_t k;
		json_t *e;
		if (json_array_size(list))
			fprintf(fp, "\n%s:\n", kinds[i].title);
		json_array_foreach(list, k, e) {
			up_buf_puts(&b, "  ");
			kinds[i].line(&b, e);
			put_line(fp, &b);
			messages(fp, e);
		}
	}
}

/* Each change, a line led by its kind; at most LIMIT of a kind (0: all),
 * the messages too when WHY is set. */
static void list_changes(const json_t *diff, FILE *fp, size_t limit, int why)
{
	for (size_t i = 0; i < UP_COUNTOF(kinds); i++) {
		const json_t *list = json_object_get(diff, kinds[i].key);
		size_t total = json_array_size(list);
		/* "... and 1 more" would take the line the one would */
		size_t shown = !limit || total <= limit + 1 ? total : limit;
		for (size_t k = 0; k < shown; k++) {
			up_buf b = {0};
			up_buf_printf(&b, "  %-10s ", kinds[i].one);
			kinds[i].line(&b, json_array_get(list, k));
			put_line(fp, &b);
			if (why)
				messages(fp, json_array_get(list, k));
		}
		if (total > shown)
			fprintf(fp, "  ... and %zu more %s\n", total - shown,
				kinds[i].key);
	}
}

/* The diff in a few lines per kind, under a cycle's board. */
static void print_since(const json_t *diff, FILE *fp)
{
	long long n = json_integer_value(json_object_get(json_object_get(diff,
		"from"), "cycle"));
	if (!diff_size(diff)) {
		fprintf(fp, "\nSince cycle %lld: nothing changed.\n", n);
		return;
	}
	fprintf(fp, "\nSince cycle %lld:\n", n);
	list_changes(diff, fp, SINCE_LINES, 0);
}

void up_history_diff_list(const json_t *diff, FILE *fp)
{
	list_changes(diff, fp, 0, 1);
}

size_t up_history_diff_size(const json_t *diff)
{
	return diff_size(diff);
}

/* ---- reading the stored cycles ---- */

int up_history_no_cycle(up_store *s, long long n, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT min(id), max(id) FROM"
			       " cycles", -1, &st, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return up_store_fail(s, "reading the cycles", err);
	}
	long long lo = sqlite3_column_int64(st, 0);
	long long hi = sqlite3_column_int64(st, 1);
	int none = sqlite3_column_type(st, 0) == SQLITE_NULL;
	sqlite3_finalize(st);
	if (none)
		return up_err(err, UP_EINPUT, "no cycle %lld (no cycle has run "
			      "yet: run 'uptake cycle')", n);
	if (lo == hi)
		return up_err(err, UP_EINPUT, "no cycle %lld (only cycle %lld "
			      "exists)", n, lo);
	return up_err(err, UP_EINPUT, "no cycle %lld (cycles %lld to %lld "
		      "exist)", n, lo, hi);
}

/*
 * *OUT: the document of cycle N, or with BEFORE that of the highest
 * numbered cycle below N (NULL, and UP_OK, when there is none).
 */
static int load_doc(up_store *s, long long n, int before, json_t **out,
		    up_error *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (sqlite3_prepare_v2(up_store_db(s), before
		? "SELECT id FROM cycles WHERE id < ? ORDER BY id DESC LIMIT 1"
		: "SELECT id FROM cycles WHERE id = ?", -1, &st, NULL))
		return up_store_fail(s, "reading a cycle", err);
	sqlite3_bind_int64(st, 1, n);
	int step = sqlite3_step(st);
	long long id = sqlite3_column_int64(st, 0);
	int rc = step == SQLITE_ROW || step == SQLITE_DONE
		? UP_OK : up_store_fail(s, "reading a cycle", err);
	sqlite3_finalize(st);
	if (rc == UP_OK && step == SQLITE_ROW)
		rc = up_cycle_doc(s, id, NULL, 0, out, err);
	if (rc == UP_OK && step == SQLITE_DONE && !before)
		rc = up_history_no_cycle(s, n, err);
	return rc;
}

static int dump(const json_t *j, FILE *fp)
{
	if (json_dumpf(j, fp, UP_JSON_OUT) != 0)
		return UP_EINTERNAL;
	fputc('\n', fp);
	return UP_OK;
}

int up_history_diff_print(up_store *s, long long a, long long b, FILE *fp,
			  unsigned flags, up_error *err)
{
	json_t *da = NULL, *db = NULL;
	int rc = load_doc(s, a, 0, &da, err);
	if (rc == UP_OK)
		rc = load_doc(s, b, 0, &db, err);
	if (rc == UP_OK) {
		json_t *diff = up_history_diff(da, db);
		if (flags & UP_PRINT_JSON)
			rc = dump(diff, fp);
		else
			print_diff(diff, fp);
		json_decref(diff);
	}
	json_decref(da);
	json_decref(db);
	return rc;
}

int up_cycle_print_since(const up_cycle *c, up_store *s, FILE *fp,
			 unsigned flags, up_error *err)
{
	int rc = up_cycle_print(c, fp, flags);
	if (rc != UP_OK || (flags & UP_PRINT_JSON))
		return rc;
	json_t *prev = NULL;
	rc = load_doc(s, c->number, 1, &prev, err);
	if (rc == UP_OK && prev) {
		json_t *diff = up_history_diff(prev, c->doc);
		print_since(diff, fp);
		json_decref(diff);
	}
	json_decref(prev);
	return rc;
}

/* ---- the list of cycles ---- */

/* Counts come from the decisions and results the cycle stored beside its
 * document (indexed by cycle), errors from the document itself. */
static const char history_sql[] =
	"SELECT c.id, c.as_of, c.ran_at, c.program_hash,"
	" coalesce(d.go, 0), coalesce(d.cgo, 0), coalesce(d.hold, 0),"
	" coalesce(d.recycle, 0), coalesce(d.kill, 0),"
	" (SELECT count(*) FROM results r WHERE r.cycle = c.id"
	"  AND r.kind = 'finding'),"
	" coalesce(json_array_length(c.doc, '$.errors'), 0)"
	" FROM cycles c LEFT JOIN (SELECT cycle,"
	"  sum(decision = 'go') AS go, sum(decision = 'conditional_go') AS cgo,"
	"  sum(decision = 'hold') AS hold,"
	"  sum(decision = 'recycle') AS recycle,"
	"  sum(decision = 'kill') AS kill FROM decisions GROUP BY cycle) d"
	" ON d.cycle = c.id ORDER BY c.id";

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static json_t *packs_of(sqlite3_stmt *packs, long long cycle)
{
	json_t *a = json_array();
	sqlite3_reset(packs);
	sqlite3_bind_int64(packs, 1, cycle);
	while (sqlite3_step(packs) == SQLITE_ROW)
		json_array_append_new(a, UP_JSON(json_pack("{s:s, s:s, s:s}",
			"name", col(packs, 0), "version", col(packs, 1),
			"sha256", col(packs, 2))));
	return a;
}

static json_t *history_row(sqlite3_stmt *st, sqlite3_stmt *packs)
{
	long long id = sqlite3_column_int64(st, 0);
	json_t *counts = json_object();
	for (int i = 0; i < (int)UP_COUNTOF(gate_decisions); i++)
		json_object_set_new(counts, gate_decisions[i], json_integer(
			sqlite3_column_int64(st, 4 + i)));
	return UP_JSON(json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:I}",
		"cycle", (json_int_t)id, "as_of", col(st, 1), "ran_at",
		col(st, 2), "program_sha256", col(st, 3), "packs",
		packs_of(packs, id), "decisions", counts, "findings",
		(json_int_t)sqlite3_column_int64(st, 9), "errors",
		(json_int_t)sqlite3_column_int64(st, 10)));
}

/* Every stored cycle, oldest first, as history --json prints them. */
static int history_list(up_store *s, json_t **out, up_error *err)
{
	sqlite3 *db = up_store_db(s);
	sqlite3_stmt *st = NULL, *packs = NULL;
	*out = NULL;
	if (sqlite3_prepare_v2(db, history_sql, -1, &st, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT name, version, sha256 FROM "
			       "cycle_packs WHERE cycle = ? ORDER BY name", -1,
			       &packs, NULL)) {
		sqlite3_finalize(st);
		return up_store_fail(s, "reading the cycles", err);
	}
	json_t *list = json_array();
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, history_row(st, packs));
	int rc = step == SQLITE_DONE
		? UP_OK : up_store_fail(s, "reading the cycles", err);
	sqlite3_finalize(st);
	sqlite3_finalize(packs);
	if (rc == UP_OK)
		*out = list;
	else
		json_decref(list);
	return rc;
}

/* "name@version:hash, ..." or "-". */
static void packs_text(up_buf *b, const json_t *packs)
{
	size_t i;
	json_t *p;
	json_array_foreach(packs, i, p)
		up_buf_printf(b, "%s%s@%s:%.*s", i ? ", " : "", sval(p, "name"),
			      sval(p, "version"), SHORT_HASH,
			      sval(p, "sha256"));
	if (!json_array_size(packs))
		up_buf_puts(b, "-");
}

/* 2026-01-15T10:00:11Z as 2026-01-15 10:00: a table has no room for
 * seconds, and the heading says UTC. */
static void ran_at_text(const char *iso, char out[17])
{
	snprintf(out, 17, "%s", iso ? iso : "");
	if (strlen(out) > 10 && out[10] == 'T')
		out[10] = ' ';
}

static void history_table(const json_t *list, FILE *fp)
{
	if (!json_array_size(list)) {
		fputs("no cycle has run yet (run 'uptake cycle')\n", fp);
		return;
	}
	fprintf(fp, "%5s  %-10s  %-16s  %-8s  %4s  %4s  %4s  %7s  %4s  %8s  "
		"%6s  %s\n", "CYCLE", "AS OF", "RAN AT (UTC)", "PROGRAM", "GO",
		"COND", "HOLD", "RECYCLE", "KILL", "FINDINGS", "ERRORS",
		"PACKS");
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		const json_t *d = json_object_get(r, "decisions");
		long long n[UP_COUNTOF(gate_decisions)];
		for (size_t k = 0; k < UP_COUNTOF(gate_decisions); k++)
			n[k] = json_integer_value(json_object_get(d,
				gate_decisions[k]));
		char ran[17];
		ran_at_text(sval(r, "ran_at"), ran);
		up_buf b = {0};
		up_buf_printf(&b, "%5lld  %-10s  %-16s  %-8.*s  %4lld  %4lld  "
			      "%4lld  %7lld  %4lld  %8lld  %6lld  ",
			      (long long)json_integer_value(json_object_get(r,
			      "cycle")), sval(r, "as_of"), ran,
			      SHORT_HASH, sval(r, "program_sha256"), n[0],
			      n[1], n[2], n[3], n[4],
			      (long long)json_integer_value(json_object_get(r,
			      "findings")), (long long)json_integer_value(
			      json_object_get(r, "errors")));
		packs_text(&b, json_object_get(r, "packs"));
		put_line(fp, &b);
	}
}

int up_history_print(up_store *s, FILE *fp, unsigned flags, up_error *err)
{
	json_t *list;
	int rc = history_list(s, &list, err);
	if (rc != UP_OK)
		return rc;
	if (flags & UP_PRINT_JSON)
		rc = dump(list, fp);
	else
		history_table(list, fp);
	json_decref(list);
	return rc;
}
