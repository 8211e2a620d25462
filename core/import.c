/*
 * import.c: the organisation's own exports, as CSV, into the store.
 *
 * libcsv does the CSV (quoting, embedded commas and newlines, CRLF); we
 * feed it a line at a time so every row knows the line it starts on.  A
 * file is one transaction: one bad row and nothing of the file lands.
 * Rows are upserts keyed by what they are, so importing a file twice
 * changes nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>
#include <sodium.h>
#include <sqlite3.h>

#include "internal.h"
#include "metric.h"

enum { MAX_ERRORS = 10, MAX_COLS = 64, MAX_FIELD = 8192 };

typedef struct importer importer;

/* The first 128 bits of a row's content key: what the import compares
 * in memory (a chance collision needs 2^64 rows). */
typedef struct {
	uint64_t a, b;
} row_key;

/* A set of row keys, open addressing; {0, 0} marks an empty slot. */
typedef struct {
	row_key *k;
	size_t n, cap;
} key_set;

typedef struct {
	const char *kind;
	const char *const *cols;  /* known columns, NULL-terminated */
	const char *const *need;  /* required columns, NULL-terminated */
	int attrs;                /* accepts "attr.KEY" columns */
	const char *const *sql;   /* statements, NULL-terminated */
	/* the table a file may add many rows to, and the first statement
	 * for while its indexes are away (bulk_begin) */
	const char *table, *bulk_sql;
	int (*row)(importer *im);
	int (*end)(importer *im);
	const char *doc;
} kind_spec;

struct importer {
	const kind_spec *k;
	const up_import_opts *o;
	up_store *s;
	sqlite3 *db;
	const up_program *p;
	const char *file;
	up_error *err;
	int nerr;
	long long batch, rows, ord; /* ord: where imported units/people sort */
	long long added, changed, unchanged;
	/* the CSV */
	struct csv_parser csv;
	long line, row_line;
	up_buf fields;           /* the current row's fields, NUL-separated */
	size_t offs[MAX_COLS + 1];
	size_t nf;
	int overflow, header_done, header_bad, broken, stopped;
	int col_of[MAX_COLS];    /* known column i -> header position or -1 */
	char *header[MAX_COLS];  /* header names, for attr columns */
	char *series[MAX_COLS];  /* --wide: the series of a header position */
	unsigned char skip[MAX_COLS]; /* --ignore'd header positions */
	size_t nheader;
	int decimal_comma;       /* a ';' or tab file: 12,5 is 12.5 */
	/* --map (ours=theirs) and --ignore, as pairs and a list */
	char **map;              /* ours, theirs, ours, theirs... */
	size_t nmap;
	char **ignore;
	size_t nignore;
	sqlite3_stmt *st[6];
	/* ids known to the store, for checks without a query per row;
	 * people's only once a row names someone (200,000 nationally) */
	up_strmap units, people;
	int people_loaded;
	struct arena_block *arena; /* the strings own() keeps */
	up_strmap seen;          /* units: id -> line, within this file */
	/* engagements, events, trainings: the import_keys the table holds
	 * and the file's rows added, so a row met again costs no query */
	key_set keys;
	/* rows the file added and what the table held before; once the
	 * first outnumber half the second, the table's indexes are dropped
	 * and these statements build them again at the end */
	long long fresh, held;
	const char **rebuild;
	size_t nrebuild;
	int bulk;
	/* observations: units, series and periods as numbers (name ->
	 * index), each period parsed once (as written -> index), and what
	 * the store holds and the file said, by those numbers */
	up_strmap obs_units, obs_series, obs_periods, period_text;
	struct obs_period *periods;
	size_t nperiods;
	struct obs_slot *obs;
	size_t obs_n, obs_cap;
	/* people: the day a re-import's changes hold from, the people's
	 * changes, and their names (name -> index into name_ids), to warn
	 * of a new id with a known name */
	char as_of[11];
	up_people_db *pdb;
	up_strmap names;
	const char **name_ids;
	size_t nname_ids;
};

/* Blocks of strings that live as long as the importer. */
struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

enum { ARENA_BLOCK = 1 << 16 };

/* A copy of S that lives as long as the importer (for map keys).  A
 * national store has 200,000 people and a file a million keys: packed
 * into large blocks, not a malloc and a free each. */
static const char *own(importer *im, const char *s)
{
	size_t n = strlen(s) + 1;
	struct arena_block *b = im->arena;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = up_xmalloc(sizeof *b + cap);
		b->next = im->arena;
		b->used = 0;
		b->cap = cap;
		im->arena = b;
	}
	char *copy = memcpy(b->data + b->used, s, n);
	b->used += n;
	return copy;
}

/* Notes that NAME is person ID's, for warn_same_name().  The list grows
 * geometrically: a region holds 200,000 people. */
static void note_name(importer *im, const char *name, const char *id)
{
	size_t n = im->nname_ids;
	/* room for 1024 first, then double when full (at 1024, 2048, ...) */
	if (!n || (n >= 1024 && !(n & (n - 1))))
		im->name_ids = up_xrealloc(im->name_ids, (n ? 2 * n : 1024) *
					   sizeof *im->name_ids);
	im->name_ids[im->nname_ids] = own(im, id);
	up_strmap_put(&im->names, own(im, name), (int)im->nname_ids++);
}

static const up_strmap *people_ids(importer *im);

/* ---- messages ---- */

__attribute__((format(printf, 3, 4)))
static int row_err(importer *im, const char *col, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (im->nerr++ < MAX_ERRORS) {
		if (col)
			up_err_at(im->err, UP_EINPUT, im->file, (int)im->row_line,
				  0, "column '%s': %s", col, msg);
		else
			up_err_at(im->err, UP_EINPUT, im->file, (int)im->row_line,
				  0, "%s", msg);
	}
	return UP_EINPUT;
}

static int sql_err(importer *im, const char *what)
{
	im->nerr++;
	return up_store_fail(im->s, what, im->err);
}

/* ---- fields ---- */

/* The value of known column I in the current row, or NULL when the
 * column is absent or the field empty. */
static const char *col(const importer *im, int i)
{
	int h = im->col_of[i];
	if (h < 0 || (size_t)h >= im->nf)
		return NULL;
	const char *v = im->fields.buf + im->offs[h];
	return *v ? v : NULL;
}

static const char *need(importer *im, int i)
{
	const char *v = col(im, i);
	if (!v)
		row_err(im, im->k->cols[i], "a value is required");
	return v;
}

static int id_field(importer *im, int i, const char **out)
{
	*out = col(im, i);
	if (*out && !up_is_id(*out))
		return row_err(im, im->k->cols[i], "'%s' is not a valid id "
			       "(use letters, digits, '_', '-' and '.')", *out);
	return UP_OK;
}

static int date_field(importer *im, int i, const char **out)
{
	const char *why;
	*out = col(im, i);
	if (*out && up_date_parse(*out, NULL, &why) != UP_OK)
		return row_err(im, im->k->cols[i], "invalid date '%s': %s",
			       *out, why);
	return UP_OK;
}

/* The closest key of IDS to ID, for a hint; NULL if none is close. */
static const char *closest(const up_strmap *ids, const char *id)
{
	const char **keys = up_xcalloc(ids->n + 1, sizeof *keys);
	size_t n = 0;
	for (size_t i = 0; i < ids->cap; i++)
		if (ids->keys[i])
			keys[n++] = ids->keys[i];
	const char *hint = up_did_you_mean(id, keys, n);
	free(keys);
	return hint;
}

static int known(importer *im, const up_strmap *ids, const char *what,
		 int i, const char *id)
{
	if (!id || up_strmap_get(ids, id) >= 0)
		return UP_OK;
	const char *hint = closest(ids, id);
	if (hint)
		return row_err(im, im->k->cols[i], "unknown %s '%s' (did you "
			       "mean '%s'?)", what, id, hint);
	return row_err(im, im->k->cols[i], "unknown %s '%s'", what, id);
}

/* Counts a row the statement just run wrote (or not), by whether its key
 * was in the store before. */
static void count_write(importer *im, int existed)
{
	int wrote = sqlite3_changes(im->db) > 0;
	if (!existed && wrote)
		im->added++;
	else if (wrote)
		im->changed++;
	else
		im->unchanged++;
}

/* Static: every value bound lives until step() has run the statement
 * and cleared its bindings (the row's fields, the importer's strings,
 * a key on the caller's stack), and a copy per field of a million rows
 * is most of what binding costs. */
static void bind(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int step(importer *im, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_err(im, what);
	return UP_OK;
}

/* "a;b;c" as a JSON array of ids, each checked against IDS. */
static json_t *id_list(importer *im, int i, const char *v,
		       const up_strmap *ids, const char *what)
{
	json_t *a = json_array();
	char *copy = up_xstrdup(v ? v : ""), *save = NULL;
	for (char *w = strtok_r(copy, ";", &save); w;
	     w = strtok_r(NULL, ";", &save)) {
		while (*w == ' ')
			w++;
		size_t n = strlen(w);
		while (n && w[n - 1] == ' ')
			w[--n] = '\0';
		if (!up_is_id(w))
			row_err(im, im->k->cols[i], "'%s' is not a valid id", w);
		else if (ids && up_strmap_get(ids, w) < 0)
			row_err(im, im->k->cols[i], "unknown %s '%s'", what, w);
		else
			json_array_append_new(a, json_string(w));
	}
	free(copy);
	return a;
}

/* The "attr.KEY" columns of the row as a JSON object. */
static json_t *attr_fields(importer *im)
{
	json_t *o = json_object();
	for (size_t h = 0; h < im->nheader && h < im->nf; h++) {
		if (im->skip[h] || strncmp(im->header[h], "attr.", 5))
			continue;
		const char *key = im->header[h] + 5, *v =
			im->fields.buf + im->offs[h];
		char why[200];
		if (!*v)
			continue;
		if (up_attr_problem(key, v, why, sizeof why))
			row_err(im, im->header[h], "%s", why);
		else if (!strcmp(key, "owner") &&
			 up_strmap_get(people_ids(im), v) < 0)
			row_err(im, im->header[h], "unknown person '%s'", v);
		else
			json_object_set_new(o, key, json_string(v));
	}
	return o;
}


/* A stable key for a row that has no natural id: the SHA-256 of its
 * canonical content, as hex in OUT (the store's import_key) and in
 * *BIN.  The content is joined on the stack: this runs once a row. */
static void content_key(char out[65], row_key *bin, const char *const *parts,
			size_t n)
{
	char stack[1024], *buf = stack;
	size_t len = 0, need = 0;
	for (size_t i = 0; i < n; i++)
		need += (parts[i] ? strlen(parts[i]) : 0) + 1;
	if (need > sizeof stack)
		buf = up_xmalloc(need);
	for (size_t i = 0; i < n; i++) {
		size_t k = parts[i] ? strlen(parts[i]) : 0;
		memcpy(buf + len, parts[i] ? parts[i] : "", k);
		len += k;
		buf[len++] = '\x1f';
	}
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)buf, len);
	if (buf != stack)
		free(buf);
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof h; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[64] = '\0';
	if (bin) {
		memcpy(&bin->a, h, 8);
		memcpy(&bin->b, h + 8, 8);
	}
}

/* ---- keys the store holds ---- */


static row_key nonzero(row_key k)
{
	if (!k.a && !k.b)
		k.b = 1; /* shares a slot with {0, 1}: as likely as any clash */
	return k;
}

static size_t key_slot(const key_set *s, row_key k)
{
	size_t i = (size_t)(k.a ^ (k.b >> 7)) & (s->cap - 1);
	while ((s->k[i].a || s->k[i].b) &&
	       (s->k[i].a != k.a || s->k[i].b != k.b))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int key_has(const key_set *s, row_key k)
{
	if (!s->cap)
		return 0;
	k = nonzero(k);
	size_t i = key_slot(s, k);
	return s->k[i].a || s->k[i].b;
}

static void key_add(key_set *s, row_key k)
{
	if (2 * (s->n + 1) > s->cap) {
		key_set big = {up_xcalloc(s->cap ? 2 * s->cap : 1024,
					  sizeof *big.k), s->n,
			       s->cap ? 2 * s->cap : 1024};
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i].a || s->k[i].b)
				big.k[key_slot(&big, s->k[i])] = s->k[i];
		free(s->k);
		*s = big;
	}
	k = nonzero(k);
	size_t i = key_slot(s, k);
	if (!s->k[i].a && !s->k[i].b)
		s->n++;
	s->k[i] = k;
}

static int hex_digit(int c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The row key of a stored import_key; 0 if it is no key of ours. */
static int parse_key(const char *hex, row_key *out)
{
	unsigned char h[16];
	if (!hex || strlen(hex) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (hex_digit(hex[i]) < 0)
			return 0;
	for (size_t i = 0; i < sizeof h; i++)
		h[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 |
				       hex_digit(hex[2 * i + 1]));
	memcpy(&out->a, h, 8);
	memcpy(&out->b, h + 8, 8);
	return 1;
}

/* ---- kinds ---- */

enum { U_ID, U_NAME, U_PARENT, U_STAGE, U_GOLIVE, U_STAFF };
static const char *const unit_cols[] = {"id", "name", "parent", "stage",
					"go_live", "staff", NULL};
static const char *const unit_need[] = {"id", "stage", NULL};
static const char *const unit_sql[] = {
	"INSERT INTO units(id, name, parent, stage, go_live, staff, attrs, ord,"
	" active, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8, 1, 'import')"
	" ON CONFLICT(id) DO UPDATE SET name = ?2, parent = ?3, stage = ?4,"
	" go_live = ?5, staff = ?6, attrs = ?7, active = 1"
	" WHERE units.source != 'program' AND (name IS NOT ?2 OR parent IS NOT"
	" ?3 OR stage IS NOT ?4 OR go_live IS NOT ?5 OR staff IS NOT ?6 OR"
	" attrs IS NOT ?7 OR active != 1)",
	NULL};

static int unit_row(importer *im)
{
	const char *id, *parent, *go_live, *stage = need(im, U_STAGE);
	int rc = id_field(im, U_ID, &id) | id_field(im, U_PARENT, &parent) |
		 date_field(im, U_GOLIVE, &go_live);
	if (!need(im, U_ID))
		rc = UP_EINPUT;
	if (stage && up_stage_index(im->p, stage) < 0)
		rc = row_err(im, "stage", "unknown stage '%s'", stage);
	const char *staff = col(im, U_STAFF);
	char *end = NULL;
	long long n = staff ? strtoll(staff, &end, 10) : -1;
	if (staff && (*end || n < 0 || n > 10000000))
		rc = row_err(im, "staff", "'%s' is not a whole number of "
			     "staff", staff);
	if (rc != UP_OK || !id)
		return UP_EINPUT;
	if (up_strmap_get(&im->p->unit_ids, id) >= 0)
		return row_err(im, "id", "unit '%s' is defined in "
			       "program.yaml; change it there", id);
	int line = up_strmap_get(&im->seen, id);
	if (line >= 0)
		return row_err(im, "id", "unit '%s' is already on line %d",
			       id, line);
	up_strmap_put(&im->seen, own(im, id), (int)im->row_line);
	if (im->nerr)
		return UP_OK; /* checking only, from now on */
	json_t *attrs = attr_fields(im);
	char *js = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(attrs);
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, id);
	bind(st, 2, col(im, U_NAME) ? col(im, U_NAME) : id);
	bind(st, 3, parent);
	bind(st, 4, stage);
	bind(st, 5, go_live);
	if (staff)
		sqlite3_bind_int64(st, 6, n);
	bind(st, 7, js);
	sqlite3_bind_int64(st, 8, im->ord + im->rows);
	int rc2 = step(im, st, "importing units");
	free(js);
	if (rc2 == UP_OK)
		count_write(im, up_strmap_get(&im->units, id) >= 0);
	return rc2;
}

/* How much a problem of the unit tree says about the file: one at a
 * unit of the file has its line, and one at the unit on a cycle or with
 * the unknown parent (not lost) names the cause, not a unit whose walk
 * up merely ran into a cycle above it. */
static int tree_problem_rank(const importer *im, const char *id, int lost)
{
	return (up_strmap_get(&im->seen, id) > 0 ? 2 : 0) + !lost;
}

/* After the rows: every parent must exist and the tree stay a tree. */
static int unit_end(importer *im)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db,
		"WITH RECURSIVE up(start, at, depth) AS ("
		"  SELECT id, parent, 0 FROM units WHERE active AND source = 'import'"
		"  UNION ALL SELECT up.start, u.parent, depth + 1 FROM up"
		"  JOIN units u ON u.id = up.at WHERE depth <= ?1"
		"  AND up.at != up.start)"
		" SELECT start, at, at = start, depth > ?1 FROM up"
		" WHERE at = start OR depth > ?1"
		"  OR (at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units"
		"      WHERE id = up.at AND active))"
		" ORDER BY start", -1, &st, NULL))
		return sql_err(im, "checking the unit tree");
	/* a walk up the tree is never longer than the units there are */
	sqlite3_bind_int64(st, 1, (sqlite3_int64)im->units.n +
			   (sqlite3_int64)im->seen.n + 1);
	/*
	 * Not simply the first unit in id order: a file that makes 'north'
	 * its own parent also sends the walk of the stored 'cardio' below it
	 * past the limit, and 'cardio' (not in the file, so no line; lost,
	 * so no cause) came first, as "unknown parent unit 'north'".  A cycle
	 * the file makes always runs through a unit of the file.
	 */
	char *id = NULL, *at = NULL;
	int best = -1, cycle = 0, lost = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		int l = sqlite3_column_int(st, 3);
		int rank = tree_problem_rank(im, s, l);
		if (rank <= best)
			continue;
		const char *a = (const char *)sqlite3_column_text(st, 1);
		free(id);
		free(at);
		id = up_xstrdup(s);
		at = a ? up_xstrdup(a) : NULL;
		cycle = sqlite3_column_int(st, 2);
		lost = l;
		best = rank;
	}
	sqlite3_finalize(st);
	int rc = UP_OK;
	if (id) {
		int line = up_strmap_get(&im->seen, id);
		im->row_line = line > 0 ? line : 0;
		if (cycle)
			rc = row_err(im, "parent", "unit '%s' is its own "
				     "ancestor (the unit tree has a cycle)", id);
		else if (lost)
			rc = row_err(im, "parent", "unit '%s' is below a "
				     "cycle of the unit tree (through '%s')", id,
				     at ? at : "?");
		else
			rc = row_err(im, "parent", "unit '%s': unknown parent "
				     "unit '%s'", id, at ? at : "?");
	}
	free(id);
	free(at);
	return rc;
}

/*
 * people: a person new to the store is added as the file says (their
 * baseline).  A person the store has is never written over: what the
 * file says differently from what people.csv said of them before becomes
 * a dated change (people.c), from the import's as-of day; `left` is the
 * day they leave.  A different name is refused: the row is most likely
 * another person's, under a mistyped id.
 */
enum { P_ID, P_NAME, P_UNIT, P_ROLES, P_ENG, P_SINCE, P_JOINED, P_LEFT };
static const char *const person_cols[] = {"id", "name", "unit", "roles",
					  "engagement", "since", "joined",
					  "left", NULL};
static const char *const person_need[] = {"id", NULL};
static const char *const person_sql[] = {
	/* a new person (or one program.yaml no longer has): the baseline */
	"INSERT INTO people(id, name, unit, roles, joined, level, level_since,"
	" ord, active, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1,"
	" 'import')"
	" ON CONFLICT(id) DO UPDATE SET name = ?2, unit = ?3, roles = ?4,"
	" joined = ?5, level = ?6, level_since = ?7, ord = ?8, active = 1,"
	" source = 'import' WHERE NOT people.active",
	/* a name for one who had only the id */
	"UPDATE people SET name = ?2 WHERE id = ?1",
	/* a corrected day of joining */
	"UPDATE people SET joined = ?2 WHERE id = ?1",
	/* the engagement people.csv gave last: a change it made, or the
	 * baseline */
	"SELECT coalesce((SELECT level FROM engagements WHERE person = ?1"
	" AND source = 'people' ORDER BY id DESC LIMIT 1), level)"
	" FROM people WHERE id = ?1",
	"INSERT INTO engagements(person, level, date, note, source,"
	" import_key) VALUES (?1, ?2, ?3, 'people.csv', 'people', ?4)"
	" ON CONFLICT(import_key) WHERE import_key IS NOT NULL DO NOTHING",
	NULL};

/* The changes of the row's person, dated; written once the row is
 * checked. */
typedef struct {
	up_change *c;
	size_t n;
} person_changes;

static void add_change(person_changes *pc, up_change_kind k,
		       const char *person, const char *date, const char *value,
		       long long batch)
{
	pc->c = up_xrealloc(pc->c, (pc->n + 1) * sizeof *pc->c);
	pc->c[pc->n++] = (up_change){.kind = k, .person = person,
				     .date = date, .value = value,
				     .source = "people", .batch = batch};
}

/* A failure the store already reported: the import fails. */
static int failed(importer *im, int rc)
{
	im->nerr++;
	return rc;
}

/* The engagement people.csv gave PERSON last, or NULL (owned). */
static char *said_level(importer *im, const char *person)
{
	sqlite3_stmt *st = im->st[3];
	bind(st, 1, person);
	char *level = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		level = up_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return level;
}

static void warn_same_name(importer *im, const char *id, const char *name)
{
	int i = up_strmap_get(&im->names, name);
	if (i >= 0 && strcmp(im->name_ids[i], id))
		up_warn_at(im->err, im->file, (int)im->row_line, 0, "column "
			   "'id': new person '%s' has the name of '%s' (%s): "
			   "is the id right?", id, im->name_ids[i], name);
	else if (i < 0)
		note_name(im, name, id);
}

static int new_person(importer *im, const char *id, const char *unit,
		      const char *roles, const char *eng, const char *since,
		      const char *joined, const char *left)
{
	const char *name = col(im, P_NAME) ? col(im, P_NAME) : id;
	if (col(im, P_NAME))
		warn_same_name(im, id, name);
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, id);
	bind(st, 2, name);
	bind(st, 3, unit);
	bind(st, 4, roles);
	bind(st, 5, joined);
	bind(st, 6, eng);
	bind(st, 7, eng ? (since ? since : im->p->start) : NULL);
	sqlite3_bind_int64(st, 8, im->ord + im->rows);
	int rc = step(im, st, "importing people");
	if (rc == UP_OK && left) {
		up_change c = {.kind = UP_CHANGE_LEAVE, .person = id,
			       .date = left, .source = "people",
			       .batch = im->batch};
		rc = up_people_insert(im->pdb, &c, NULL, im->err);
		if (rc != UP_OK)
			return failed(im, rc);
	}
	if (rc == UP_OK)
		im->added++;
	return rc;
}

/* ", " between the parts of a description: WHAT X[ -> Y]. */
static void part(up_buf *b, const char *what, const char *x, const char *y)
{
	up_buf_printf(b, "%s%s %s%s%s", b->len ? ", " : "", what, x,
		      y ? " -> " : "", y ? y : "");
}

/* What the row says differently from what people.csv said of a person
 * the store has: checked, then written and described. */
static int known_person(importer *im, const char *id, const char *unit,
			const json_t *roles, const char *eng,
			const char *joined, const char *left)
{
	up_person_state said;
	int rc = up_people_state(im->pdb, id, NULL, &said, im->err);
	if (rc != UP_OK || !said.found) {
		up_person_state_free(&said);
		return rc != UP_OK ? failed(im, rc) : UP_OK;
	}
	const char *name = col(im, P_NAME), *day = im->as_of;
	int rename = name && strcmp(name, said.name);
	if (rename && strcmp(said.name, id))
		rc = row_err(im, "name", "person '%s' is '%s' in the store, not "
			     "'%s': a re-import renames no one (is the id "
			     "right?)", id, said.name, name);
	if (left && said.left && strcmp(left, said.left))
		rc = row_err(im, "left", "%s left on %s already; the file says "
			     "%s", id, said.left, left);
	person_changes pc = {NULL, 0};
	up_buf dated = {0}, other = {0};
	if (unit && (!said.unit || strcmp(unit, said.unit))) {
		add_change(&pc, UP_CHANGE_MOVE, id, day, unit, im->batch);
		part(&dated, "unit", said.unit ? said.unit : "none", unit);
	}
	size_t i;
	json_t *r;
	if (col(im, P_ROLES)) {
		json_array_foreach(roles, i, r) {
			const char *role = json_string_value(r);
			int held = 0;
			size_t j;
			json_t *x;
			json_array_foreach(said.roles, j, x)
				held |= !strcmp(json_string_value(x), role);
			if (held)
				continue;
			add_change(&pc, UP_CHANGE_ADD_ROLE, id, day, role,
				   im->batch);
			up_buf_printf(&dated, "%srole +%s", dated.len ? ", " : "",
				      role);
		}
		json_array_foreach(said.roles, i, r) {
			const char *role = json_string_value(r);
			int kept = 0;
			size_t j;
			json_t *x;
			json_array_foreach(roles, j, x)
				kept |= !strcmp(json_string_value(x), role);
			if (kept)
				continue;
			add_change(&pc, UP_CHANGE_REMOVE_ROLE, id, day, role,
				   im->batch);
			up_buf_printf(&dated, "%srole -%s", dated.len ? ", " : "",
				      role);
		}
	}
	char *level = eng ? said_level(im, id) : NULL;
	int engaged = eng && (!level || strcmp(level, eng));
	if (engaged)
		part(&dated, "engagement", level ? level : "none", eng);
	/* the dated changes must fall inside the person's time here */
	const char *joined_now = joined ? joined : said.joined;
	const char *leaves = said.left ? said.left : left;
	const char *what = pc.n ? (pc.c[0].kind == UP_CHANGE_MOVE ? "unit"
						: "roles") : "engagement";
	if (dated.len && joined_now && strcmp(day, joined_now) < 0)
		rc = row_err(im, what, "the changes hold from %s (--as-of), "
			     "before %s joined (%s)", day, id, joined_now);
	else if (dated.len && leaves && strcmp(leaves, day) <= 0)
		rc = row_err(im, what, "%s left on %s: a re-import changes "
			     "nothing for someone who left (the file says %s)",
			     id, leaves, dated.buf);
	up_change leave = {.kind = UP_CHANGE_LEAVE, .person = id,
			   .date = left, .source = "people",
			   .batch = im->batch};
	if (left && !said.left) {
		char why[600];
		up_change_field field;
		int crc = up_people_check(im->pdb, &leave, why, sizeof why,
					  &field, im->err);
		if (crc == UP_EINPUT)
			rc = row_err(im, "left", "%s", why);
		else if (crc != UP_OK)
			rc = failed(im, crc);
	}
	if (dated.len)
		up_buf_printf(&dated, " from %s", day);
	if (left && !said.left)
		up_buf_printf(&other, "%sleft on %s", other.len ? "; " : "",
			      left);
	if (rename && rc == UP_OK)
		up_buf_printf(&other, "%snamed %s", other.len ? "; " : "",
			      name);
	int rejoin = joined && (!said.joined || strcmp(joined, said.joined));
	if (rejoin)
		up_buf_printf(&other, "%sjoined %s -> %s", other.len ? "; " : "",
			      said.joined ? said.joined : "none", joined);
	if (rc == UP_OK && !im->nerr) {
		for (i = 0; i < pc.n && rc == UP_OK; i++)
			rc = up_people_insert(im->pdb, &pc.c[i], NULL, im->err);
		if (rc == UP_OK && left && !said.left)
			rc = up_people_insert(im->pdb, &leave, NULL, im->err);
		if (rc != UP_OK)
			failed(im, rc);
		if (rc == UP_OK && engaged) {
			const char *parts[] = {id, eng, day, "people"};
			char key[65];
			content_key(key, NULL, parts, UP_COUNTOF(parts));
			sqlite3_stmt *st = im->st[4];
			bind(st, 1, id);
			bind(st, 2, eng);
			bind(st, 3, day);
			bind(st, 4, key);
			rc = step(im, st, "importing people");
		}
		for (int k = 1; k <= 2 && rc == UP_OK; k++) {
			if (!(k == 1 ? rename : rejoin))
				continue;
			bind(im->st[k], 1, id);
			bind(im->st[k], 2, k == 1 ? name : joined);
			rc = step(im, im->st[k], "importing people");
		}
		/* a failure is reported where it happened */
		if (rc == UP_OK && (dated.len || other.len))
			im->changed++;
		else if (rc == UP_OK)
			im->unchanged++;
		if (rc == UP_OK && (dated.len || other.len) &&
		    im->o->on_person_change) {
			up_buf all = {0};
			up_buf_printf(&all, "%s%s%s", dated.len ? dated.buf : "",
				      dated.len && other.len ? "; " : "",
				      other.len ? other.buf : "");
			im->o->on_person_change(im->o->change_ctx, id, all.buf);
			up_buf_free(&all);
		}
	}
	free(level);
	free(pc.c);
	up_buf_free(&dated);
	up_buf_free(&other);
	up_person_state_free(&said);
	return rc;
}

static int person_row(importer *im)
{
	const char *id, *unit, *since, *joined, *left, *eng = col(im, P_ENG);
	int rc = id_field(im, P_ID, &id) | id_field(im, P_UNIT, &unit) |
		 date_field(im, P_SINCE, &since) |
		 date_field(im, P_JOINED, &joined) |
		 date_field(im, P_LEFT, &left);
	if (!need(im, P_ID))
		rc = UP_EINPUT;
	rc |= known(im, &im->units, "unit", P_UNIT, unit);
	if (eng && up_level_index(eng) < 0)
		rc = row_err(im, "engagement", "'%s' is not on the ladder "
			     "(unaware, informed, consulted, involved, "
			     "bought_in)", eng);
	if (rc == UP_OK && left && joined && strcmp(left, joined) < 0)
		rc = row_err(im, "left", "%s is before %s joined (%s)", left,
			     id, joined);
	if (id && up_strmap_get(&im->p->person_ids, id) >= 0)
		rc = row_err(im, "id", "person '%s' is defined in "
			     "program.yaml; change it there", id);
	else if (id && up_strmap_get(&im->seen, id) >= 0)
		rc = row_err(im, "id", "person '%s' is already on line %d",
			     id, up_strmap_get(&im->seen, id));
	else if (id)
		up_strmap_put(&im->seen, own(im, id), (int)im->row_line);
	json_t *roles = id_list(im, P_ROLES, col(im, P_ROLES), NULL, "role");
	char *rj = json_dumps(roles, JSON_COMPACT);
	if (rc == UP_OK && up_strmap_get(people_ids(im), id) >= 0)
		rc = known_person(im, id, unit, roles, eng, joined, left);
	else if (rc == UP_OK && !im->nerr)
		rc = new_person(im, id, unit, rj, eng, since, joined, left);
	json_decref(roles);
	free(rj);
	return rc;
}

/*
 * people_changes: dated changes of people the store has, as uptake
 * record leave, role and move write them.  Kept by their content (person,
 * change, unit or role, date): the same row again changes nothing.
 */
enum { C_PERSON, C_DATE, C_CHANGE, C_UNIT, C_ROLE, C_NOTE };
static const char *const change_cols[] = {"person", "date", "change",
					  "unit", "role", "note", NULL};
static const char *const change_need[] = {"person", "date", "change",
					  NULL};
static const char *const change_sql[] = {
	"SELECT 1 FROM people_history WHERE import_key = ?1", NULL};

static int change_row(importer *im)
{
	const char *person = need(im, C_PERSON), *change = need(im, C_CHANGE);
	const char *date, *unit, *role;
	int rc = date_field(im, C_DATE, &date) | id_field(im, C_UNIT, &unit) |
		 id_field(im, C_ROLE, &role) |
		 known(im, people_ids(im), "person", C_PERSON, person) |
		 known(im, &im->units, "unit", C_UNIT, unit);
	if (!need(im, C_DATE))
		rc = UP_EINPUT;
	up_change_kind k = UP_CHANGE_LEAVE;
	if (change && !up_change_parse(change, &k)) {
		static const char *const names[] = {"leave", "move", "add_role",
						    "remove_role"};
		const char *hint = up_did_you_mean(change, names,
						   UP_COUNTOF(names));
		if (hint)
			rc = row_err(im, "change", "'%s' is not a change (did "
				     "you mean '%s'?)", change, hint);
		else
			rc = row_err(im, "change", "'%s' is not a change "
				     "(leave, move, add_role, remove_role)",
				     change);
		change = NULL;
	}
	if (change && k == UP_CHANGE_MOVE && !col(im, C_UNIT))
		rc = row_err(im, "unit", "a move needs the unit moved to");
	if (change && (k == UP_CHANGE_ADD_ROLE || k == UP_CHANGE_REMOVE_ROLE) &&
	    !col(im, C_ROLE))
		rc = row_err(im, "role", "%s needs the role", change);
	if (change && k != UP_CHANGE_MOVE && col(im, C_UNIT))
		rc = row_err(im, "unit", "only a move has a unit, not %s",
			     change);
	if (change && k != UP_CHANGE_ADD_ROLE && k != UP_CHANGE_REMOVE_ROLE &&
	    col(im, C_ROLE))
		rc = row_err(im, "role", "only add_role and remove_role have a "
			     "role, not %s", change);
	/* after a bad line the store lacks it: later lines would be judged
	 * against a history that is not the file's */
	if (rc != UP_OK || !person || !change || !date || im->nerr)
		return rc | UP_EINPUT;
	const char *value = k == UP_CHANGE_MOVE ? unit : role;
	const char *parts[] = {person, change, value, date};
	char key[65];
	content_key(key, NULL, parts, UP_COUNTOF(parts));
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, key);
	int step_rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (step_rc == SQLITE_ROW) {
		im->unchanged++;
		return UP_OK;
	}
	if (step_rc != SQLITE_DONE)
		return sql_err(im, "importing people's changes");
	up_change c = {.kind = k, .person = person, .date = date,
		       .value = value, .note = col(im, C_NOTE),
		       .source = "import", .batch = im->batch,
		       .import_key = key};
	char why[600];
	up_change_field field;
	rc = up_people_check(im->pdb, &c, why, sizeof why, &field, im->err);
	if (rc == UP_EINPUT)
		return row_err(im, field == UP_FIELD_UNIT ? "unit"
			       : field == UP_FIELD_ROLE ? "role" : "date",
			       "%s", why);
	if (rc == UP_OK)
		rc = up_people_insert(im->pdb, &c, NULL, im->err);
	if (rc != UP_OK)
		return failed(im, rc);
	im->added++;
	return UP_OK;
}

/*
 * A file that grows its table by more than half, with more than
 * BULK_MIN_ROWS
 * (a first import, nationally a million rows) pays most for its indexes: each row is a seek
 * into b-trees larger than the page cache, the 64-character import_keys
 * at random places.  Built once after the last row, an index is a sort.
 * So when the rows added outnumber half of what the table held, its
 * indexes are dropped, and made again from their own CREATE statements
 * at the end (bulk_end).  All inside the import's transaction: a failed
 * or dry run rolls back to the indexes as they were.  Duplicates need no
 * unique index meanwhile: the rows are checked against every key the
 * table and the file have (stored_key), and a duplicate that slipped by
 * would fail CREATE UNIQUE INDEX, and with it the import.
 */
/* How many rows the kind's table holds, for adding(): all of them, not
 * only those an import wrote (uptake record writes rows without keys). */
static int count_held(importer *im)
{
	im->held = 0;
	if (!im->k->table)
		return UP_OK;
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"",
				    im->k->table);
	sqlite3_stmt *st;
	int rc = sql && !sqlite3_prepare_v2(im->db, sql, -1, &st, NULL)
		? UP_OK : sql_err(im, "counting rows");
	sqlite3_free(sql);
	if (rc != UP_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		im->held = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return UP_OK;
}

static int bulk_begin(importer *im)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, "SELECT name, sql FROM sqlite_master"
			       " WHERE type = 'index' AND tbl_name = ?1"
			       " AND sql IS NOT NULL ORDER BY rowid", -1, &st,
			       NULL))
		return sql_err(im, "setting indexes aside");
	bind(st, 1, im->k->table);
	const char **names = NULL;
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		names = up_xrealloc(names, (n + 1) * sizeof *names);
		im->rebuild = up_xrealloc(im->rebuild, (n + 1) *
					  sizeof *im->rebuild);
		names[n] = own(im, (const char *)sqlite3_column_text(st, 0));
		im->rebuild[n++] =
			own(im, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	/* dropped only now: no index goes while a cursor reads the schema */
	int rc = UP_OK;
	for (size_t i = 0; i < n && rc == UP_OK; i++) {
		char *drop = sqlite3_mprintf("DROP INDEX \"%w\"", names[i]);
		if (!drop || sqlite3_exec(im->db, drop, NULL, NULL, NULL))
			rc = sql_err(im, "setting indexes aside");
		sqlite3_free(drop);
		im->nrebuild = i + 1;
	}
	free(names);
	im->bulk = 1;
	if (rc != UP_OK || !im->k->bulk_sql)
		return rc;
	/* without the unique index an ON CONFLICT clause has no target */
	sqlite3_finalize(im->st[0]);
	im->st[0] = NULL;
	if (sqlite3_prepare_v2(im->db, im->k->bulk_sql, -1, &im->st[0], NULL))
		return sql_err(im, "preparing the import");
	return UP_OK;
}

/* The indexes bulk_begin set aside, built again. */
static int bulk_end(importer *im)
{
	for (size_t i = 0; i < im->nrebuild; i++)
		if (sqlite3_exec(im->db, im->rebuild[i], NULL, NULL, NULL))
			return sql_err(im, "building indexes");
	return UP_OK;
}

/* Below this many rows added the indexes stay: they fit in the cache,
 * and building one again costs more than it saves (measured: 10,000
 * engagements into an empty table, 30% slower set aside). */
enum { BULK_MIN_ROWS = 20000 };

/* Counts a row about to be added to the kind's table. */
static int adding(importer *im)
{
	if (!im->bulk && ++im->fresh > im->held / 2 &&
	    im->fresh > BULK_MIN_ROWS)
		return bulk_begin(im);
	return UP_OK;
}

/* 1 if the store or an earlier line of the file has the row of key K
 * (counted as unchanged), else 0 and from now on it has.  The import
 * writes the row next, or fails as a whole. */
static int stored_key(importer *im, row_key k)
{
	if (key_has(&im->keys, k)) {
		im->unchanged++;
		return 1;
	}
	key_add(&im->keys, k);
	return adding(im) != UP_OK; /* a failure counts as done: reported */
}

enum { E_PERSON, E_LEVEL, E_DATE, E_NOTE };
static const char *const eng_cols[] = {"person", "level", "date", "note",
				       NULL};
static const char *const eng_need[] = {"person", "level", "date", NULL};
static const char *const eng_sql[] = {
	"INSERT INTO engagements(person, level, date, note, source, import_key)"
	" VALUES (?1, ?2, ?3, ?4, 'import', ?5)"
	" ON CONFLICT(import_key) WHERE import_key IS NOT NULL DO NOTHING",
	NULL};

static const char eng_bulk[] =
	"INSERT INTO engagements(person, level, date, note, source, import_key)"
	" VALUES (?1, ?2, ?3, ?4, 'import', ?5)";

static int engagement_row(importer *im)
{
	const char *person = need(im, E_PERSON), *level = need(im, E_LEVEL);
	const char *date;
	int rc = date_field(im, E_DATE, &date) |
		 known(im, people_ids(im), "person", E_PERSON, person);
	if (!need(im, E_DATE))
		rc = UP_EINPUT;
	if (level && up_level_index(level) < 0)
		rc = row_err(im, "level", "'%s' is not on the ladder "
			     "(unaware, informed, consulted, involved, "
			     "bought_in)", level);
	if (rc != UP_OK || !person || !level || im->nerr)
		return rc | (person && level ? 0 : UP_EINPUT);
	const char *parts[] = {person, level, date, col(im, E_NOTE)};
	char key[65];
	row_key k;
	content_key(key, &k, parts, UP_COUNTOF(parts));
	if (stored_key(im, k))
		return UP_OK;
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, person);
	bind(st, 2, level);
	bind(st, 3, date);
	bind(st, 4, col(im, E_NOTE));
	bind(st, 5, key);
	int written = step(im, st, "importing engagements");
	if (written == UP_OK)
		count_write(im, 0);
	return written;
}

enum { V_KIND, V_DATE, V_UNIT, V_PEOPLE, V_NOTE };
static const char *const event_cols[] = {"kind", "date", "unit", "people",
					 "note", NULL};
static const char *const event_need[] = {"kind", "date", NULL};
static const char *const event_sql[] = {
	"INSERT INTO events(kind, date, unit, note, attrs, import_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT(import_key) WHERE import_key IS NOT NULL DO NOTHING"
	" RETURNING id",
	"INSERT OR IGNORE INTO event_people(event, person) VALUES (?1, ?2)",
	NULL};

static const char event_bulk[] =
	"INSERT INTO events(kind, date, unit, note, attrs, import_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";

static int event_people(importer *im, sqlite3_int64 event, json_t *people)
{
	size_t i;
	json_t *v;
	json_array_foreach(people, i, v) {
		sqlite3_bind_int64(im->st[1], 1, event);
		bind(im->st[1], 2, json_string_value(v));
		if (step(im, im->st[1], "importing event people") != UP_OK)
			return UP_EINPUT;
	}
	return UP_OK;
}

static int event_row(importer *im)
{
	const char *kind = need(im, V_KIND), *date, *unit;
	int rc = date_field(im, V_DATE, &date) | id_field(im, V_UNIT, &unit);
	if (!need(im, V_DATE))
		rc = UP_EINPUT;
	if (kind && !up_event_kind_ok(kind))
		rc = row_err(im, "kind", "unknown event kind '%s'", kind);
	rc |= known(im, &im->units, "unit", V_UNIT, unit);
	json_t *people = id_list(im, V_PEOPLE, col(im, V_PEOPLE), people_ids(im),
				 "person");
	json_t *attrs = attr_fields(im);
	char *pj = json_dumps(people, JSON_COMPACT);
	char *aj = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	int write = rc == UP_OK && kind && !im->nerr;
	char key[65];
	if (write) {
		const char *parts[] = {kind, date, unit, pj, col(im, V_NOTE),
				       aj};
		row_key k;
		content_key(key, &k, parts, UP_COUNTOF(parts));
		write = !stored_key(im, k);
	}
	if (write) {
		sqlite3_stmt *st = im->st[0];
		bind(st, 1, kind);
		bind(st, 2, date);
		bind(st, 3, unit);
		bind(st, 4, col(im, V_NOTE));
		bind(st, 5, aj);
		bind(st, 6, key);
		int s = sqlite3_step(st);
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (s == SQLITE_ROW)
			rc = event_people(im, id, people);
		else if (s != SQLITE_DONE) /* DONE: already imported */
			rc = sql_err(im, "importing events");
		if (s == SQLITE_ROW)
			im->added++;
		else if (s == SQLITE_DONE)
			im->unchanged++;
	}
	free(pj);
	free(aj);
	json_decref(people);
	json_decref(attrs);
	return rc;
}

enum { T_PERSON, T_DATE, T_TOPIC, T_OUTCOME };
static const char *const training_cols[] = {"person", "date", "topic",
					    "outcome", NULL};
static const char *const training_need[] = {"person", "date", NULL};
static const char *const training_sql[] = {
	"INSERT INTO trainings(person, date, topic, failed, import_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(import_key) WHERE import_key IS NOT NULL DO NOTHING",
	NULL};

static const char training_bulk[] =
	"INSERT INTO trainings(person, date, topic, failed, import_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

static int training_row(importer *im)
{
	const char *person = need(im, T_PERSON), *date;
	const char *outcome = col(im, T_OUTCOME);
	int rc = date_field(im, T_DATE, &date) |
		 known(im, people_ids(im), "person", T_PERSON, person);
	if (!need(im, T_DATE))
		rc = UP_EINPUT;
	if (outcome && strcmp(outcome, "passed") && strcmp(outcome, "failed"))
		rc = row_err(im, "outcome", "'%s' is not passed or failed",
			     outcome);
	if (rc != UP_OK || !person || !date || im->nerr)
		return rc | (person && date ? 0 : UP_EINPUT);
	const char *parts[] = {person, date, col(im, T_TOPIC), outcome};
	char key[65];
	row_key k;
	content_key(key, &k, parts, UP_COUNTOF(parts));
	if (stored_key(im, k))
		return UP_OK;
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, person);
	bind(st, 2, date);
	bind(st, 3, col(im, T_TOPIC));
	sqlite3_bind_int(st, 4, outcome && !strcmp(outcome, "failed"));
	bind(st, 5, key);
	int written = step(im, st, "importing trainings");
	if (written == UP_OK)
		count_write(im, 0);
	return written;
}

enum { O_UNIT, O_SERIES, O_PERIOD, O_VALUE };
static const char *const obs_cols[] = {"unit", "series", "period", "value",
				       NULL};
static const char *const obs_need[] = {"unit", "series", "period", "value",
				       NULL};
static const char *const obs_sql[] = {
	"INSERT INTO observations(unit, series, period, kind, start, end,"
	" value, batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* a correction: the value it replaces is kept, valid until now */
	"INSERT INTO observation_history(unit, series, period, kind, start,"
	" end, value, batch, replaced_by) SELECT unit, series, period, kind,"
	" start, end, value, batch, ?4 FROM observations WHERE unit = ?1"
	" AND series = ?2 AND period = ?3",
	"UPDATE observations SET value = ?4, batch = ?5 WHERE unit = ?1 AND"
	" series = ?2 AND period = ?3",
	NULL};

/* A period by its canonical name; parsed once a file has written it. */
struct obs_period {
	const char *canon;
	up_period per;
	int parsed;
};

/* An observation the store holds (STORED) or a line of the file gave
 * (MET: written, or found there unchanged), keyed by the numbers of its
 * unit, series and period. */
enum { OBS_EMPTY, OBS_STORED, OBS_MET };
struct obs_slot {
	uint32_t unit, series, period, state;
	double value;
};

/* The number of NAME in M, a new one for a new name. */
static uint32_t intern(importer *im, up_strmap *m, const char *name)
{
	int i = up_strmap_get(m, name);
	if (i >= 0)
		return (uint32_t)i;
	i = (int)m->n;
	up_strmap_put(m, own(im, name), i);
	return (uint32_t)i;
}

static uint32_t period_number(importer *im, const char *canon)
{
	uint32_t i = intern(im, &im->obs_periods, canon);
	if (i == im->nperiods) {
		im->periods = up_xrealloc(im->periods, (i + 1) *
					  sizeof *im->periods);
		im->periods[i] = (struct obs_period){
			.canon = own(im, canon)};
		im->nperiods++;
	}
	return i;
}

/* The number of the period the file writes as TEXT, or -1 and *WHY. */
static int period_of(importer *im, const char *text, const char **why)
{
	int i = up_strmap_get(&im->period_text, text);
	if (i >= 0)
		return i;
	up_period per;
	if (up_period_parse(text, &per, why) != 0)
		return -1;
	char canon[11];
	up_period_format(&per, canon);
	uint32_t n = period_number(im, canon);
	im->periods[n].per = per;
	im->periods[n].parsed = 1;
	up_strmap_put(&im->period_text, own(im, text), (int)n);
	return (int)n;
}

static size_t obs_slot_of(const importer *im, uint32_t u, uint32_t s,
			  uint32_t p)
{
	/* splitmix64's finaliser over the three packed: every bit of each
	 * reaches the low bits the table is indexed by */
	uint64_t h = ((uint64_t)u << 42) ^ ((uint64_t)s << 21) ^ p;
	h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
	h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
	size_t i = (size_t)(h ^ (h >> 31)) & (im->obs_cap - 1);
	for (;; i = (i + 1) & (im->obs_cap - 1)) {
		const struct obs_slot *o = &im->obs[i];
		if (o->state == OBS_EMPTY ||
		    (o->unit == u && o->series == s && o->period == p))
			return i;
	}
}

/* The observation of U, S and P: found, or an empty slot to fill. */
static struct obs_slot *obs_find(importer *im, uint32_t u, uint32_t s,
				 uint32_t p)
{
	if (2 * (im->obs_n + 1) > im->obs_cap) {
		struct obs_slot *old = im->obs;
		size_t n = im->obs_cap;
		im->obs_cap = n ? 2 * n : 4096;
		im->obs = up_xcalloc(im->obs_cap, sizeof *im->obs);
		for (size_t i = 0; i < n; i++)
			if (old[i].state != OBS_EMPTY)
				im->obs[obs_slot_of(im, old[i].unit,
						    old[i].series,
						    old[i].period)] = old[i];
		free(old);
	}
	struct obs_slot *o = &im->obs[obs_slot_of(im, u, s, p)];
	if (o->state == OBS_EMPTY) {
		*o = (struct obs_slot){u, s, p, OBS_EMPTY, 0};
		im->obs_n++; /* filled by the caller */
	}
	return o;
}

/* What the store holds, read once: on a re-import every line is there,
 * and a query each was most of the import. */
static int load_observations(importer *im)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, "SELECT unit, series, period, value"
			       " FROM observations", -1, &st, NULL))
		return sql_err(im, "reading observations");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t[3];
		for (int i = 0; i < 3; i++)
			t[i] = (const char *)sqlite3_column_text(st, i);
		struct obs_slot *o = obs_find(im,
			intern(im, &im->obs_units, t[0]),
			intern(im, &im->obs_series, t[1]),
			period_number(im, t[2]));
		o->state = OBS_STORED;
		o->value = sqlite3_column_double(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? UP_OK : sql_err(im, "reading observations");
}

/* V replaces WAS: the old value goes to the history first. */
static int correct(importer *im, const char *unit, const char *series,
		   const char *period, double was, double v)
{
	for (int i = 1; i <= 2; i++) {
		sqlite3_stmt *st = im->st[i];
		bind(st, 1, unit);
		bind(st, 2, series);
		bind(st, 3, period);
		if (i == 1) {
			sqlite3_bind_int64(st, 4, im->batch);
		} else {
			sqlite3_bind_double(st, 4, v);
			sqlite3_bind_int64(st, 5, im->batch);
		}
		if (step(im, st, "correcting observations") != UP_OK)
			return UP_EINPUT;
	}
	im->changed++;
	if (im->o->on_change)
		im->o->on_change(im->o->change_ctx, unit, series, period, was, v);
	return UP_OK;
}

/* A number as the export writes it: decimal, with a decimal comma in a
 * ';' or tab file.  strtod alone would also read 0x10, inf and nan. */
static int number_field(importer *im, const char *col, const char *vs,
			double *out)
{
	char buf[64];
	const char *s = vs, *comma = strchr(vs, ',');
	if (im->decimal_comma && comma && !strchr(comma + 1, ',') &&
	    !strchr(vs, '.') && strlen(vs) < sizeof buf) {
		strcpy(buf, vs);
		buf[comma - vs] = '.';
		s = buf;
	}
	char *end = NULL;
	*out = strtod(s, &end);
	if (*end || !isfinite(*out) || end == s || strpbrk(s, "xXpP"))
		return row_err(im, col, "'%s' is not a number", vs);
	return UP_OK;
}

static int insert_observation(importer *im, const char *unit,
			      const char *series, const struct obs_period *p,
			      double v)
{
	sqlite3_stmt *st = im->st[0];
	bind(st, 1, unit);
	bind(st, 2, series);
	bind(st, 3, p->canon);
	sqlite3_bind_int(st, 4, (int)p->per.kind);
	sqlite3_bind_int(st, 5, p->per.start);
	sqlite3_bind_int(st, 6, p->per.end);
	sqlite3_bind_double(st, 7, v);
	sqlite3_bind_int64(st, 8, im->batch);
	if (step(im, st, "importing observations") != UP_OK)
		return UP_EINPUT;
	im->added++;
	return UP_OK;
}

/* One value of SERIES for UNIT in period number PI, read from column
 * COL. */
static int put_observation(importer *im, const char *unit, const char *series,
			   int pi, const char *col, const char *vs)
{
	double v;
	if (number_field(im, col, vs, &v) != UP_OK || im->nerr)
		return UP_EINPUT;
	const struct obs_period *p = &im->periods[pi];
	struct obs_slot *o = obs_find(im, intern(im, &im->obs_units, unit),
				      intern(im, &im->obs_series, series),
				      (uint32_t)pi);
	double was = o->value;
	int state = (int)o->state;
	o->state = OBS_MET;
	if (state == OBS_MET) {
		/* twice in one file: the lines must agree, whether the first
		 * wrote its value or found it there */
		if (was != v)
			return row_err(im, col, "%s %s %s is %g here but %g on "
				       "an earlier line", unit, series,
				       p->canon, v, was);
		return UP_OK;
	}
	o->value = v;
	if (state == OBS_EMPTY && adding(im) != UP_OK)
		return UP_EINPUT;
	if (state == OBS_EMPTY)
		return insert_observation(im, unit, series, p, v);
	if (was != v)
		return correct(im, unit, series, p->canon, was, v);
	im->unchanged++;
	return UP_OK;
}

/* --wide: every series column of the row that holds a value. */
static int wide_row(importer *im, const char *unit, int pi)
{
	int rc = UP_OK;
	for (size_t h = 0; h < im->nheader && h < im->nf; h++) {
		const char *vs = im->fields.buf + im->offs[h];
		if (im->series[h] && *vs)
			rc |= put_observation(im, unit, im->series[h], pi,
					      im->header[h], vs);
	}
	return rc;
}

static int observation_row(importer *im)
{
	int wide = im->o->wide;
	const char *unit = need(im, O_UNIT), *series = NULL;
	const char *ps = need(im, O_PERIOD), *vs = NULL, *why;
	int rc = known(im, &im->units, "unit", O_UNIT, unit);
	if (!wide) {
		vs = need(im, O_VALUE);
		rc |= id_field(im, O_SERIES, &series);
		if (!need(im, O_SERIES) || !vs)
			rc = UP_EINPUT;
	}
	int pi = ps ? period_of(im, ps, &why) : -1;
	if (ps && pi < 0)
		rc = row_err(im, "period", "'%s' is not a period: %s", ps, why);
	if (rc != UP_OK || !unit || !ps)
		return rc | UP_EINPUT;
	return wide ? wide_row(im, unit, pi)
		    : put_observation(im, unit, series, pi, "value", vs);
}

static const kind_spec kinds[] = {
	{"units", unit_cols, unit_need, 1, unit_sql, NULL, NULL, unit_row,
	 unit_end,
	 "units: id,name,parent,stage,go_live,staff[,attr.KEY...]\n"
	 "  id and stage are required; stage is one of program.yaml's stages;\n"
	 "  parent is a unit of program.yaml or of the file.\n"},
	{"people", person_cols, person_need, 0, person_sql, NULL, NULL,
	 person_row, NULL,
	 "people: id,name,unit,roles,engagement,since,joined,left\n"
	 "  roles are separated by ';' (surgeon;clinician_champion);\n"
	 "  engagement is on the ladder unaware..bought_in, dated since;\n"
	 "  left is the first day the person is gone.  Imported again, a\n"
	 "  person is not overwritten: a new unit, roles or engagement\n"
	 "  become changes dated --as-of (default today); a new name is\n"
	 "  refused.\n"},
	{"people_changes", change_cols, change_need, 0, change_sql, NULL, NULL,
	 change_row, NULL,
	 "people_changes: person,date,change,unit,role,note\n"
	 "  change is leave, move (to unit), add_role or remove_role (role),\n"
	 "  from date on, as 'uptake record leave|move|role' records them.\n"},
	{"engagements", eng_cols, eng_need, 0, eng_sql, "engagements", eng_bulk,
	 engagement_row, NULL,
	 "engagements: person,level,date,note\n"},
	{"events", event_cols, event_need, 1, event_sql, "events", event_bulk,
	 event_row, NULL,
	 "events: kind,date,unit,people,note[,attr.KEY...]\n"
	 "  people are separated by ';'; attr.outcome=held|cancelled|no_show,\n"
	 "  attr.proposed_by=us|them, attr.in_person=yes|no, attr.owner,\n"
	 "  attr.due, attr.done and any other attr.KEY.\n"},
	{"trainings", training_cols, training_need, 0, training_sql,
	 "trainings", training_bulk, training_row, NULL,
	 "trainings: person,date,topic,outcome\n"
	 "  outcome is passed (the default) or failed: a failed check starts\n"
	 "  the person's training plan again from its first interval.\n"},
	{"observations", obs_cols, obs_need, 0, obs_sql, "observations",
	 NULL, observation_row, NULL,
	 "observations: unit,series,period,value\n"
	 "  period is a month 2026-03, a quarter 2026-Q1, an ISO week\n"
	 "  2026-W07 or a day 2026-03-15; value is a number.  With --wide:\n"
	 "  unit,period and one column per series, named by its header.\n"},
};

const char *up_import_help(void)
{
	static char text[4096];
	if (!text[0]) {
		up_buf b = {0};
		for (size_t i = 0; i < UP_COUNTOF(kinds); i++)
			up_buf_puts(&b, kinds[i].doc);
		snprintf(text, sizeof text, "%s", b.buf);
		up_buf_free(&b);
	}
	return text;
}

/* ---- the header ---- */

static int find(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] && !strcmp(list[i], name))
			return (int)i;
	return -1;
}

static int known_col(const kind_spec *k, const char *name)
{
	int i = 0;
	while (k->cols[i] && strcmp(k->cols[i], name))
		i++;
	return k->cols[i] ? i : -1;
}

/* Uptake's name for the export's column NAME: --map's, or its own. */
static const char *ours(const importer *im, const char *name)
{
	for (size_t i = 0; i < im->nmap; i++)
		if (!strcmp(im->map[2 * i + 1], name))
			return im->map[2 * i];
	return name;
}

static int unknown_column(importer *im, const char *name)
{
	const kind_spec *k = im->k;
	size_t n = 0;
	up_buf want = {0};
	for (; k->cols[n]; n++)
		up_buf_printf(&want, "%s%s", n ? ", " : "", k->cols[n]);
	if (k->attrs)
		up_buf_puts(&want, ", attr.KEY");
	const char *hint = up_did_you_mean(name, k->cols, n);
	int rc = hint
		? row_err(im, name, "unknown column (did you mean '%s'?)", hint)
		: row_err(im, name, "unknown column for %s (expected %s; "
			  "--ignore '%s' skips it, --map names it)", k->kind,
			  want.buf, name);
	up_buf_free(&want);
	return rc;
}

/* Header position H, named NAME in the export: a column of the kind, an
 * attribute, a series (--wide), skipped, or an error. */
static int header_column(importer *im, size_t h, const char *name)
{
	const kind_spec *k = im->k;
	const char *as = ours(im, name);
	int i = known_col(k, as), wide = im->o->wide;
	if (find((const char *const *)im->ignore, im->nignore, name) >= 0) {
		im->skip[h] = 1;
		return UP_OK;
	}
	if (i >= 0 && (!wide || i == O_UNIT || i == O_PERIOD)) {
		if (im->col_of[i] >= 0)
			return row_err(im, name, "appears twice in the header");
		im->col_of[i] = (int)h;
		return UP_OK;
	}
	if (wide && !up_is_id(as))
		return row_err(im, name, "not a series name (letters, "
			       "digits, '_', '-', '.'); name it with --map "
			       "SERIES=%s", name);
	if (wide && find((const char *const *)im->series, h, as) >= 0)
		return row_err(im, name, "series '%s' appears twice in the "
			       "header", as);
	if (wide) {
		im->series[h] = up_xstrdup(as);
		return UP_OK;
	}
	if (k->attrs && !strncmp(as, "attr.", 5) && up_is_id(as + 5))
		return UP_OK;
	return unknown_column(im, name);
}

/* What --map and --ignore name must be in the header. */
static int options_used(importer *im)
{
	int rc = UP_OK;
	for (size_t i = 0; i < im->nmap; i++)
		if (find((const char *const *)im->header, im->nheader,
			 im->map[2 * i + 1]) < 0)
			rc = row_err(im, NULL, "--map %s=%s: the header has no "
				     "column '%s'", im->map[2 * i],
				     im->map[2 * i + 1], im->map[2 * i + 1]);
	for (size_t i = 0; i < im->nignore; i++)
		if (find((const char *const *)im->header, im->nheader,
			 im->ignore[i]) < 0)
			rc = row_err(im, NULL, "--ignore %s: the header has no "
				     "such column", im->ignore[i]);
	return rc;
}

static int read_header(importer *im)
{
	const kind_spec *k = im->k;
	for (size_t i = 0; k->cols[i]; i++)
		im->col_of[i] = -1;
	im->nheader = im->nf;
	int rc = UP_OK;
	for (size_t h = 0; h < im->nf; h++) {
		/* exports pad their headers: "unit; series" */
		const char *name = im->fields.buf + im->offs[h];
		size_t n = strlen(name);
		while (*name == ' ')
			name++, n--;
		while (n && name[n - 1] == ' ')
			n--;
		im->header[h] = up_xstrndup(name, n);
	}
	for (size_t h = 0; h < im->nf; h++)
		rc |= header_column(im, h, im->header[h]);
	rc |= options_used(im);
	for (size_t r = 0; k->need[r]; r++) {
		int i = known_col(k, k->need[r]);
		if (im->o->wide && (i == O_SERIES || i == O_VALUE))
			continue;
		if (im->col_of[i] < 0)
			rc = row_err(im, k->need[r], "required in the header");
	}
	size_t nseries = 0;
	for (size_t h = 0; h < im->nheader; h++)
		nseries += im->series[h] != NULL;
	if (im->o->wide && !rc && !nseries)
		rc = row_err(im, NULL, "--wide: no series columns besides unit "
			     "and period");
	return rc;
}

/* ---- libcsv callbacks ---- */

static void on_field(void *s, size_t len, void *data)
{
	importer *im = data;
	if (im->nf == MAX_COLS || len > MAX_FIELD) {
		im->overflow = 1;
		return;
	}
	im->offs[im->nf++] = im->fields.len;
	up_buf_add(&im->fields, s ? s : "", s ? len : 0);
	up_buf_add(&im->fields, "", 1); /* NUL-separated, one buffer */
}

static void on_row(int c, void *data)
{
	importer *im = data;
	(void)c;
	if (im->nerr >= MAX_ERRORS)
		goto done;
	if (im->overflow) {
		row_err(im, NULL, "more than %d columns or a field longer than "
			"%d bytes", MAX_COLS, MAX_FIELD);
	} else if (!im->header_done) {
		im->header_done = 1;
		/* rows of a bad header would only repeat its errors */
		im->header_bad = read_header(im) != UP_OK;
	} else if (im->header_bad) {
		/* reported */
	} else if (im->nf != im->nheader) {
		row_err(im, NULL, "%zu fields, but the header has %zu", im->nf,
			im->nheader);
	} else {
		im->rows++;
		im->k->row(im);
	}
done:
	im->nf = 0;
	im->fields.len = 0;
	im->overflow = 0;
}

/* ---- the file ---- */

/* Loads the ids rows may name, so checks need no query per row. */
static int load_ids(importer *im, up_strmap *map, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL))
		return sql_err(im, "reading ids");
	while (sqlite3_step(st) == SQLITE_ROW)
		up_strmap_put(map, own(im, (const char *)sqlite3_column_text(st,
								       0)), 1);
	sqlite3_finalize(st);
	return UP_OK;
}

/* The people rows may name, read when a row first names one: units and
 * observations never do, and a national store has 200,000. */
static const up_strmap *people_ids(importer *im)
{
	if (!im->people_loaded) {
		im->people_loaded = 1;
		load_ids(im, &im->people, "SELECT id FROM people WHERE active");
	}
	return &im->people;
}

/* The import_keys of the kind's table, read once: on a re-import every
 * row is one, and a lookup each is most of the import. */
static int load_keys(importer *im)
{
	static const char *const tables[][2] = {{"engagements", "engagements"},
		{"events", "events"}, {"trainings", "trainings"}};
	char sql[120];
	for (size_t i = 0; i < UP_COUNTOF(tables); i++) {
		if (strcmp(im->k->kind, tables[i][0]))
			continue;
		snprintf(sql, sizeof sql, "SELECT import_key FROM %s WHERE"
			 " import_key IS NOT NULL", tables[i][1]);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL))
			return sql_err(im, "reading import keys");
		row_key k;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (parse_key((const char *)sqlite3_column_text(st, 0),
				      &k))
				key_add(&im->keys, k);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return sql_err(im, "reading import keys");
	}
	return UP_OK;
}

static int prepare(importer *im)
{
	for (size_t i = 0; im->k->sql[i]; i++)
		if (sqlite3_prepare_v2(im->db, im->k->sql[i], -1, &im->st[i],
				       NULL))
			return sql_err(im, "preparing the import");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, "INSERT INTO imports(at, kind, file)"
			       " VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
			       " ?1, ?2)", -1, &st, NULL))
		return sql_err(im, "numbering the import");
	bind(st, 1, im->k->kind);
	bind(st, 2, im->file);
	int done = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!done)
		return sql_err(im, "numbering the import");
	im->batch = sqlite3_last_insert_rowid(im->db);
	const char *table = !strcmp(im->k->kind, "units") ? "units" : "people";
	char sql[80];
	snprintf(sql, sizeof sql, "SELECT coalesce(max(ord), 0) FROM %s", table);
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL))
		return sql_err(im, "ordering the import");
	im->ord = sqlite3_step(st) == SQLITE_ROW
		? sqlite3_column_int64(st, 0) + 1 : 1;
	sqlite3_finalize(st);
	int rc = load_ids(im, &im->units, "SELECT id FROM units WHERE active");
	if (rc == UP_OK)
		rc = load_keys(im);
	if (rc == UP_OK && !strcmp(im->k->kind, "observations"))
		rc = load_observations(im);
	if (rc == UP_OK)
		rc = count_held(im);
	int people = !strcmp(im->k->kind, "people");
	if (rc == UP_OK && (people || !strcmp(im->k->kind, "people_changes")) &&
	    up_people_db_open(&im->pdb, im->s, im->err) != UP_OK)
		rc = failed(im, UP_EINTERNAL);
	if (rc != UP_OK || !people)
		return rc;
	if (sqlite3_prepare_v2(im->db, "SELECT name, id FROM people WHERE"
			       " active ORDER BY ord, id", -1, &st, NULL))
		return sql_err(im, "reading names");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (up_strmap_get(&im->names, name) < 0)
			note_name(im, name, (const char *)
				  sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return UP_OK;
}

/* The delimiter of a header line: the most frequent of ',', ';' and tab
 * outside quotes, ',' when none is. */
static char sniff(const char *s, size_t n)
{
	static const char delims[] = ",;\t";
	size_t count[3] = {0, 0, 0};
	int quoted = 0;
	for (size_t i = 0; i < n; i++) {
		const char *d = s[i] ? strchr(delims, s[i]) : NULL;
		if (s[i] == '"')
			quoted = !quoted;
		else if (d && !quoted)
			count[d - delims]++;
	}
	int best = 0;
	for (int k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return delims[best];
}

/* Invalid UTF-8 in line S is an error at its byte; AT: the file offset
 * of S. */
static int utf8_line(importer *im, const char *s, size_t n,
		     unsigned long long at)
{
	long bad = up_utf8_bad_at(s, n);
	if (bad < 0)
		return 1;
	im->nerr++;
	up_err_at(im->err, UP_EINPUT, im->file, (int)im->line, (int)bad + 1,
		  "not valid UTF-8: byte 0x%02X at offset %llu of the file "
		  "(save the file as UTF-8)", (unsigned char)s[bad],
		  at + (unsigned long long)bad);
	return 0;
}

/* Feeds FP to libcsv one line at a time; the line a row starts on is the
 * one being fed when the parser is between rows. */
static int feed(importer *im, FILE *fp, up_progress_fn progress, void *pctx,
		unsigned long long total)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long long done = 0;
	while (im->nerr < MAX_ERRORS && (n = getline(&line, &cap, fp)) > 0) {
		im->line++;
		char *s = line;
		unsigned long long at = done, raw = (unsigned long long)n;
		if (im->line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3; /* a byte-order mark, as spreadsheets write */
			n -= 3;
			at += 3;
		}
		if (im->line == 1) {
			char d = sniff(s, (size_t)n);
			csv_set_delim(&im->csv, (unsigned char)d);
			im->decimal_comma = d != ',';
		}
		if (!utf8_line(im, s, (size_t)n, at)) {
			im->broken = 1;
			break;
		}
		if (im->csv.pstate == 0)
			im->row_line = im->line;
		if (csv_parse(&im->csv, s, (size_t)n, on_field, on_row, im) !=
		    (size_t)n) {
			row_err(im, NULL, "malformed CSV: a quoted field is "
				"not closed, or text follows its closing "
				"quote");
			im->broken = 1; /* the half-read row is no row */
			break;
		}
		done += raw;
		if (progress && (im->line & 0xffff) == 0)
			progress(pctx, done, total);
	}
	/* say so only if there was more to read */
	im->stopped = im->nerr >= MAX_ERRORS && getline(&line, &cap, fp) > 0;
	free(line);
	if (im->nerr < MAX_ERRORS && !im->broken &&
	    csv_fini(&im->csv, on_field, on_row, im) != 0)
		row_err(im, NULL, "malformed CSV: a quoted field is not "
			"closed at the end of the file");
	if (progress)
		progress(pctx, total, total);
	if (ferror(fp))
		return up_err_at(im->err, UP_EINPUT, im->file, 0, 0,
				 "read failed");
	return UP_OK;
}

static void importer_free(importer *im)
{
	for (size_t i = 0; i < UP_COUNTOF(im->st); i++)
		sqlite3_finalize(im->st[i]);
	for (size_t i = 0; i < im->nheader; i++) {
		free(im->header[i]);
		free(im->series[i]);
	}
	for (size_t i = 0; i < 2 * im->nmap; i++)
		free(im->map[i]);
	free(im->map);
	for (size_t i = 0; i < im->nignore; i++)
		free(im->ignore[i]);
	free(im->ignore);
	while (im->arena) {
		struct arena_block *next = im->arena->next;
		free(im->arena);
		im->arena = next;
	}
	up_strmap_free(&im->units);
	up_strmap_free(&im->people);
	up_strmap_free(&im->seen);
	up_strmap_free(&im->names);
	free(im->name_ids);
	up_people_db_close(im->pdb);
	free(im->keys.k);
	free(im->rebuild);
	up_strmap_free(&im->obs_units);
	up_strmap_free(&im->obs_series);
	up_strmap_free(&im->obs_periods);
	up_strmap_free(&im->period_text);
	free(im->periods);
	free(im->obs);
	up_buf_free(&im->fields);
	csv_free(&im->csv);
}

/* The import's row in the log gets what it did. */
static int log_counts(importer *im)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, "UPDATE imports SET added = ?2, changed"
			       " = ?3, unchanged = ?4 WHERE id = ?1", -1, &st,
			       NULL))
		return sql_err(im, "logging the import");
	sqlite3_bind_int64(st, 1, im->batch);
	sqlite3_bind_int64(st, 2, im->added);
	sqlite3_bind_int64(st, 3, im->changed);
	sqlite3_bind_int64(st, 4, im->unchanged);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : sql_err(im, "logging the import");
	sqlite3_finalize(st);
	return rc;
}

static int run(importer *im, FILE *fp, up_progress_fn progress, void *pctx,
	       unsigned long long total)
{
	int rc = prepare(im);
	if (rc == UP_OK)
		rc = feed(im, fp, progress, pctx, total);
	if (rc == UP_OK && !im->nerr && !im->header_done)
		rc = up_err_at(im->err, UP_EINPUT, im->file, 1, 0,
			       "empty file: expected a header row");
	/* a dry run rolls the indexes back as they were: none to build */
	if (rc == UP_OK && !im->nerr && im->bulk && !im->o->dry_run)
		rc = bulk_end(im);
	if (rc == UP_OK && !im->nerr && im->k->end)
		im->k->end(im);
	if (rc == UP_OK && !im->nerr)
		rc = log_counts(im);
	if (im->stopped)
		up_err_at(im->err, UP_EINPUT, im->file, 0, 0, "stopped after "
			  "%d errors; nothing was imported", MAX_ERRORS);
	return rc != UP_OK ? rc : im->nerr ? UP_EINPUT : UP_OK;
}

/* "a,b,c" split at commas, each trimmed; empty items are errors. */
static char **split_list(const char *opt, const char *spec, size_t *n,
			 up_error *err)
{
	char **out = NULL;
	*n = 0;
	for (const char *p = spec; p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (!len) {
			up_err(err, UP_EINPUT, "%s '%s': an empty name", opt,
			       spec);
			break;
		}
		out = up_xrealloc(out, (*n + 1) * sizeof *out);
		out[(*n)++] = up_xstrndup(p, len);
		p = comma ? comma + 1 : NULL;
	}
	return out;
}

/* --map ours=theirs,...: every OURS a column of the kind (with --wide,
 * or a series name). */
static int parse_map(importer *im, const char *spec, up_error *err)
{
	size_t n, before = up_error_count(err);
	char **items = split_list("--map", spec, &n, err);
	const kind_spec *k = im->k;
	im->map = up_xcalloc(2 * n + 1, sizeof *im->map);
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(items[i], '=');
		if (!eq || eq == items[i] || !eq[1]) {
			up_err(err, UP_EINPUT, "--map: '%s' is not OURS=THEIRS "
			       "(unit=Mottagning)", items[i]);
			continue;
		}
		*eq = '\0';
		int col = known_col(k, items[i]);
		size_t nc = 0;
		while (k->cols[nc])
			nc++;
		const char *hint = up_did_you_mean(items[i], k->cols, nc);
		if (col < 0 && !(im->o->wide && up_is_id(items[i])))
			up_err(err, UP_EINPUT, "--map: %s has no column '%s'%s%s%s",
			       k->kind, items[i], hint ? " (did you mean '" : "",
			       hint ? hint : "", hint ? "'?)" : "");
		im->map[2 * im->nmap] = up_xstrdup(items[i]);
		im->map[2 * im->nmap + 1] = up_xstrdup(eq + 1);
		im->nmap++;
	}
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return up_error_count(err) > before ? UP_EINPUT : UP_OK;
}

static const kind_spec *kind_of(const char *kind, up_error *err)
{
	const char *names[UP_COUNTOF(kinds)];
	for (size_t i = 0; i < UP_COUNTOF(kinds); i++) {
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
		names[i] = kinds[i].kind;
	}
	const char *hint = up_did_you_mean(kind, names, UP_COUNTOF(kinds));
	if (hint)
		up_err(err, UP_EINPUT, "cannot import '%s' (did you mean "
		       "'%s'?)", kind, hint);
	else
		up_err(err, UP_EINPUT, "cannot import '%s' (units, people, "
		       "people_changes, engagements, events, trainings, "
		       "observations)", kind);
	return NULL;
}

/* The options that shape the header, checked before the file is read. */
static int take_options(importer *im, up_error *err)
{
	size_t before = up_error_count(err);
	if (im->o->wide && strcmp(im->k->kind, "observations"))
		up_err(err, UP_EINPUT, "--wide reads observations only, not "
		       "%s", im->k->kind);
	if (im->o->map)
		parse_map(im, im->o->map, err);
	if (im->o->ignore)
		im->ignore = split_list("--ignore", im->o->ignore,
					&im->nignore, err);
	const char *why;
	if (im->o->as_of && strcmp(im->k->kind, "people"))
		up_err(err, UP_EINPUT, "--as-of dates what a re-import of "
		       "people changes; %s rows carry their own dates",
		       im->k->kind);
	else if (im->o->as_of && up_date_parse(im->o->as_of, NULL, &why))
		up_err(err, UP_EINPUT, "--as-of: invalid date '%s': %s",
		       im->o->as_of, why);
	else if (im->o->as_of)
		snprintf(im->as_of, sizeof im->as_of, "%s", im->o->as_of);
	else
		up_date_format(up_date_today(), im->as_of);
	return up_error_count(err) > before ? UP_EINPUT : UP_OK;
}

int up_import_with(up_store *s, const up_program *p, const char *kind,
		   const char *path, const up_import_opts *opts,
		   up_import_counts *counts, up_error *err)
{
	static const up_import_opts none;
	const kind_spec *k = kind_of(kind, err);
	if (!k)
		return UP_EINPUT;
	importer im = {.k = k, .o = opts ? opts : &none, .s = s,
		       .db = up_store_db(s), .p = p, .file = path, .err = err};
	int rc = take_options(&im, err);
	FILE *fp = rc == UP_OK ? fopen(path, "rb") : NULL;
	if (rc == UP_OK && !fp)
		rc = up_err_at(err, UP_EINPUT, path, 0, 0, "cannot read: %s",
			       strerror(errno));
	struct stat sb;
	unsigned long long total = fp && fstat(fileno(fp), &sb) == 0
		? (unsigned long long)sb.st_size : 0;
	csv_init(&im.csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	if (rc == UP_OK)
		rc = up_store_begin(s, err);
	if (rc == UP_OK) {
		rc = up_store_sync(s, p, err);
		if (rc == UP_OK)
			rc = run(&im, fp, im.o->progress, im.o->progress_ctx,
				 total);
		if (rc == UP_OK && !im.o->dry_run)
			rc = up_store_commit(s, err);
		else
			up_store_rollback(s);
	}
	importer_free(&im);
	if (fp)
		fclose(fp);
	if (rc == UP_OK && counts) {
		counts->rows = im.rows;
		counts->added = im.added;
		counts->changed = im.changed;
		counts->unchanged = im.unchanged;
	}
	return rc;
}

int up_import(up_store *s, const up_program *p, const char *kind,
	      const char *path, up_progress_fn progress, void *pctx,
	      long long *rows_out, up_error *err)
{
	up_import_opts o = {.progress = progress, .progress_ctx = pctx};
	up_import_counts c;
	int rc = up_import_with(s, p, kind, path, &o, &c, err);
	if (rc == UP_OK && rows_out)
		*rows_out = c.rows;
	return rc;
}
