/*
 * internal.h: shared types of libuptake's modules.  Nothing here is public;
 * the CLI and outside code use include/uptake.h only.
 */
#ifndef UP_INTERNAL_H
#define UP_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "uptake.h"

#define UP_UNUSED(x) ((void)(x))
/* jansson returns NULL only for invalid UTF-8, NaN or exhausted memory;
 * the first two are cleaned out before, so NULL here is a bug: stop
 * rather than drop a result silently. */
#define UP_JSON(x) up_json_nonnull((x), __FILE__, __LINE__)
#define UP_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors (error.c) ---- */

/* Adds "error: MSG" to err (if any) and returns code. */
int up_err(up_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds "FILE:LINE:COL: error: MSG"; line or col 0 leaves that part out. */
int up_err_at(up_error *err, int code, const char *file, int line, int col,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Orders messages FROM onwards by FILE, then LINE:COL, keeping ties in
 * order. */
void up_error_sort(up_error *err, size_t from);
/* Adds "FILE:LINE:COL: warning: MSG" without setting an error code. */
void up_warn_at(up_error *err, const char *file, int line, int col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds MSG verbatim (already carrying its location). */
int up_err_raw(up_error *err, int code, const char *msg);

/* ---- small utilities (util.c) ---- */

json_t *up_json_nonnull(json_t *j, const char *file, int line);

typedef struct {
	char *buf;
	size_t len, cap;
} up_buf;

void up_buf_add(up_buf *b, const char *s, size_t n);
void up_buf_puts(up_buf *b, const char *s);
void up_buf_printf(up_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void up_buf_free(up_buf *b);

void *up_xmalloc(size_t n);
void *up_xcalloc(size_t n, size_t size);
void *up_xrealloc(void *p, size_t n);
char *up_xstrdup(const char *s);
char *up_xstrndup(const char *s, size_t n);
char *up_xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), nonnull(1)));

/* Maps strings to ints; keys are borrowed and must outlive the map.
 * Zero-initialise to start. */
typedef struct {
	const char **keys;
	int *vals;
	size_t cap, n;
} up_strmap;

int up_strmap_get(const up_strmap *m, const char *key); /* -1 if absent */
/* Inserts KEY unless present; returns the existing value or -1. */
int up_strmap_put(up_strmap *m, const char *key, int val);
void up_strmap_free(up_strmap *m);

/* up_did_you_mean() is public: uptake.h. */

/* How commands print JSON documents: indented, reals to 12 digits. */
#define UP_JSON_OUT (JSON_INDENT(2) | JSON_REAL_PRECISION(12))
/* Writes DIR/.luarc.json (never over one): the Lua language server then
 * reads up_luals_dir()'s definitions of the rule DSL (init.c). */
int up_luarc_write(const char *dir, up_error *err);
/* Ids: letters, digits, '_', '-', '.', at most 128 bytes, not empty. */
int up_is_id(const char *s);
/* Reads a whole file (at most MAX bytes) into a NUL-terminated buffer. */
int up_read_file(const char *path, size_t max, char **out, size_t *len,
		 up_error *err);
/* Writes all of S to FD, through short writes and EINTR; -1 (errno). */
int up_write_all(int fd, const char *s, size_t len);
/* Replaces PATH with DATA whole or not at all, through a fresh hidden
 * temporary file beside it. */
int up_write_atomic(const char *path, const char *data, size_t len,
		    up_error *err);
/* Whether S is well-formed UTF-8. */
int up_utf8_valid(const char *s, size_t len);
/* The offset of the first byte of S that is not valid UTF-8, or -1. */
long up_utf8_bad_at(const char *s, size_t len);
/* A copy of S with each invalid byte replaced by U+FFFD, cut on a
 * character boundary (then "...") to at most MAX + 3 bytes. */
char *up_utf8_clean(const char *s, size_t len, size_t max, size_t *outlen);
/* Hex SHA-256 of BUF into out[65]. */
void up_sha256_hex(const void *buf, size_t len, char out[65]);

/* ---- dates (date.c): days since 1970-01-01 ---- */

int up_date_parse(const char *s, int32_t *days, const char **why);
/* H. Hinnant's exact proleptic Gregorian conversions, and month lengths. */
int32_t up_days_from_civil(int y, int m, int d);
void up_civil_from_days(int32_t z, int *y, int *m, int *d);
int up_month_days(int y, int m);
void up_date_format(int32_t days, char out[11]);
int32_t up_date_today(void);

/* ---- engagement ladder and event kinds (program.c) ---- */

enum { UP_LEVELS = 5 };
extern const char *const up_levels[UP_LEVELS];
int up_level_index(const char *s); /* -1 if not on the ladder */
extern const char *const up_event_kinds[];
extern const size_t up_nevent_kinds;
int up_event_kind_ok(const char *s);

/* Why VAL does not suit the event attribute KEY (in BUF), or NULL. */
const char *up_attr_problem(const char *key, const char *val, char *buf,
			    size_t n);

/* ---- YAML tree (yaml.c) ---- */

typedef enum { UP_YSCALAR, UP_YSEQ, UP_YMAP } up_ykind;

typedef struct up_ynode {
	up_ykind kind;
	int line, col; /* 1-based */
	int plain;     /* scalar written without quotes */
	char *str;     /* scalar text */
	struct up_ynode **kids; /* map: key, value, key, value ... */
	size_t n, cap;
} up_ynode;

int up_yaml_parse(const char *buf, size_t len, const char *fname,
		  up_ynode **out, up_error *err);
void up_yaml_free(up_ynode *n);

/* ---- validating the YAML tree (yval.c) ---- */

/* Where messages go and whether any was written. */
typedef struct {
	const char *file;
	up_error *err;
	int bad;
} up_yv;

/* "FILE:LINE:COL: error: MSG" at node N; marks V bad. */
void up_yv_err(up_yv *v, const up_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *up_yv_kind_name(const up_ynode *n); /* "a list", ... */
int up_yv_null(const up_ynode *n);              /* ~, null or empty */
/* The value of KEY in MAP (NULL if absent or MAP is not a mapping). */
const up_ynode *up_yv_get(const up_ynode *map, const char *key);
/* Reports unknown (with did-you-mean), duplicate and non-scalar keys. */
void up_yv_keys(up_yv *v, const up_ynode *map, const char *const *keys,
		size_t nkeys);
/* N if it is of KIND; otherwise reports "WHAT must be ..." (NULL). */
const up_ynode *up_yv_want(up_yv *v, const up_ynode *n, up_ykind kind,
			   const char *what);
/* Copies of checked scalars, or NULL (reported; NULL N is not). */
char *up_yv_str(up_yv *v, const up_ynode *n, const char *what);
char *up_yv_id(up_yv *v, const up_ynode *n, const char *what);
char *up_yv_date(up_yv *v, const up_ynode *n, const char *what);
/* 1 and *out when N holds a number (whole number) in [LO, HI]. */
int up_yv_num(up_yv *v, const up_ynode *n, const char *what, double lo,
	      double hi, double *out);
int up_yv_int(up_yv *v, const up_ynode *n, const char *what, long long lo,
	      long long hi, long long *out);
int up_yv_bool(up_yv *v, const up_ynode *n, const char *what, int *out);
/* "OWNERunknown WHAT 'NAME' (did you mean ...?)" at N. */
void up_yv_unknown(up_yv *v, const up_ynode *n, const char *owner,
		   const char *what, const char *name,
		   const char *const *cands, size_t ncands);

/* ---- the loaded program (program.c) ---- */

typedef struct {
	char *id, *name, *parent, *stage, *go_live;
	long long staff; /* -1 if not given */
	json_t *attrs;   /* object of strings */
	int parent_ix, stage_ix;
} up_unit_def;

typedef struct {
	char *id, *name, *unit, *since, *joined;
	char **roles;
	size_t nroles;
	int engagement; /* ladder index or -1 */
} up_person_def;

typedef struct {
	char *path;    /* as written, relative to the program dir; for a
			* pack's file "PACK/FILE" */
	char *src;     /* contents */
	size_t len;
	char hash[65];
	int pack;      /* index into up_program.packs, or -1 */
} up_rule_file;

typedef struct up_pack_use up_pack_use; /* pack.h */
typedef struct up_swap up_swap;

typedef struct {
	char *boundary; /* "from->to" */
	double threshold, margin;
} up_gate_cfg;

typedef enum {
	UP_MK_RATIO,  /* (numerator - exclusions) / (denominator - ...) */
	UP_MK_COUNT,  /* observations of one series in the period */
	UP_MK_SUM,
	UP_MK_MEAN,
	UP_MK_LATEST
} up_metric_kind;

typedef struct {
	char **v;
	size_t n;
} up_strv;

typedef struct {
	char *unit;
	double target;
} up_unit_target;

typedef struct {
	char *id, *title;
	up_metric_kind kind;
	char *numerator, *denominator, *series;
	up_strv num_excl, den_excl, den_exc;
	double target, baseline, tolerance;
	int baseline_auto, increase, per_period;
	size_t baseline_points; /* baseline: auto: status baseline until the
				 * series has this many points (default 3) */
	int period;       /* up_period_kind */
	int32_t deadline; /* day number; unused when per_period */
	up_strv scope;    /* unit ids whose subtrees count; empty = all */
	up_unit_target *unit_targets;
	size_t nunit_targets;
	int line, col;    /* of its key in program.yaml, for warnings */
} up_metric_def;

/* cadence: in program.yaml (the habit literature: expanding intervals over ~300 days) */
typedef enum { UP_EVAL_NONE, UP_EVAL_WEEKLY, UP_EVAL_MONTHLY,
	       UP_EVAL_QUARTERLY, UP_EVAL_OFFSETS } up_eval_cadence;

typedef enum { UP_ANCHOR_GO_LIVE, UP_ANCHOR_JOINED, UP_ANCHOR_DATE } up_anchor;

/* A training plan: whom it covers, which sessions count, its schedule.
 * A person is on it when they hold one of ROLES (none: everyone) and
 * none of EXCEPT, in a unit with a go-live within one of UNITS' subtrees
 * (none: every unit). */
typedef struct {
	char *id;
	up_strv roles, except, units;
	up_strv topics;      /* sessions with one of these count; none: all */
	up_anchor anchor;    /* day 0: the go-live (or a later joined), the
			      * person's joined date, or ANCHOR_DAY */
	int32_t anchor_day;
	int window_days, grace_days, reschedule_days;
	int *offsets;        /* ascending; negative: before the anchor */
	size_t noffsets;
	char *escalate_to;   /* a role */
	int legacy;          /* of the single-map form: its reminders keep
			      * the ids they had before plans by audience */
} up_plan_def;

typedef struct {
	up_eval_cadence evaluation;
	int *eval_offsets; /* days after each unit's go-live */
	size_t neval_offsets;
	int training;      /* a training: section was given */
	up_plan_def *plans; /* in program.yaml's order */
	size_t nplans;
	int grace_days;    /* the first plan's: for reminders stored
			    * without a window */
	char *followups_to; /* the role that acts on a unit's follow-ups */
} up_cadence;

struct up_program {
	char *dir, *file; /* file: "program.yaml" as shown in messages */
	char *id, *title, *organization, *start;
	char hash[65];
	char **stages;
	size_t nstages;
	int *stage_line, *stage_col; /* of each in program.yaml */
	up_unit_def *units;
	size_t nunits;
	up_person_def *people;
	size_t npeople;
	up_rule_file *rules;
	size_t nrules;
	up_gate_cfg *gates;
	size_t ngates;
	up_metric_def *metrics;
	size_t nmetrics;
	up_cadence cadence;
	up_pack_use *packs; /* what packs: asks for, then dependencies */
	size_t npacks;
	unsigned char (*trust)[32]; /* public keys; none: no signatures */
	size_t ntrust;
	int trust_broken; /* trust: given but unusable: read no pack */
	json_t *coverage; /* borrowed: lines run, when a pack test asks */
	json_t *globals_written; /* borrowed: pack tests note them here */
	int any_stage;    /* pack check: stages are the using program's */
	int no_packs;     /* loaded with UP_PROGRAM_NO_PACKS: judges nothing */
	const up_swap *swap; /* while loading for a replay; else NULL */
	long long instructions; /* per rule call */
	size_t memory_bytes;    /* per Lua state */
	long long time_ms;      /* per rule call, wall clock */
	up_strmap unit_ids, person_ids; /* id -> index, for checks */
};

#define UP_DEFAULT_INSTRUCTIONS 10000000LL
#define UP_DEFAULT_MEMORY_MB 64
#define UP_DEFAULT_TIME_MS 5000
#define UP_DEFAULT_THRESHOLD 0.6
#define UP_DEFAULT_MARGIN 0.1

/*
 * What a replay judges with in place of the program's own: the rule files
 * rules: lists, read from RULES_DIR; the pack PACK_NAME, read from
 * PACK_PATH whatever version it is and whatever uptake.lock pins (trust:
 * still applies).  Either may be NULL.
 */
struct up_swap {
	const char *rules_dir;
	const char *pack_name, *pack_path;
};
int up_program_open_swap(up_program **out, const char *dir,
			 const up_swap *swap, up_error *err);
/* up_program_check() without its warnings: the rule files compile and
 * declare cleanly. */
int up_program_compile(const up_program *p, up_error *err);

/* up_program_load() on a buffer already read; DIR still holds rule files. */
int up_program_parse(up_program **out, const char *dir, const char *buf,
		     size_t len, unsigned flags, up_error *err);
/* The same from a YAML tree, with messages naming FILE (pack tests). */
int up_program_from_tree(up_program **out, const char *dir,
			 const up_ynode *root, const char *file,
			 unsigned flags, up_error *err);
int up_stage_index(const up_program *p, const char *stage);
const up_gate_cfg *up_gate_config(const up_program *p, const char *boundary);

/* ---- store internals (store.c) ---- */

typedef struct sqlite3 sqlite3;

sqlite3 *up_store_db(up_store *s);
/* The store's file, for messages. */
const char *up_store_path(const up_store *s);
int up_store_begin(up_store *s, up_error *err);
int up_store_commit(up_store *s, up_error *err);
void up_store_rollback(up_store *s);
/* Maps the last SQLite error of the store to a code and message. */
int up_store_fail(up_store *s, const char *what, up_error *err);
/* Statements used in hot loops, prepared once per store (slot: who). */
enum { UP_STMT_REMINDER, UP_STMT_FOLLOWUP, UP_STMT_SLOTS };
typedef struct sqlite3_stmt sqlite3_stmt;
sqlite3_stmt *up_store_cached(up_store *s, int slot, const char *sql);
/* Mirrors program.yaml's units, people and baseline engagement. */
int up_store_sync(up_store *s, const up_program *p, up_error *err);

/* ---- facts as of a date, read once per cycle (facts.c) ---- */

typedef struct {
	char *id, *name, *parent, *stage, *go_live;
	json_t *attrs; /* object of strings */
	long long staff; /* -1 if unknown */
	int parent_ix;
	int pre, post; /* preorder interval: v is below u iff pre<=v.pre<=post */
} up_unit;

typedef struct {
	char *id, *name, *joined;
	json_t *roles; /* array of strings */
	int unit_ix;   /* -1 when in no unit */
	int level;                      /* engagement as of the date, or -1 */
	char engaged_on[11];
	/* the day they left, for those in up_facts.leavers; NULL for the
	 * people present (a leave dated later is not known yet) */
	char *left;
	/* the day of their last move as of the date ("" if none), and
	 * each role they took on by a dated change: {role: day} */
	char moved_on[11];
	json_t *roles_since;
} up_person;

typedef struct {
	long long id;
	char *kind, *date, *note;
	int32_t day;
	json_t *attrs, *people; /* object of strings, array of ids */
	int unit_ix;
} up_event;

typedef struct {
	int unit_ix, series; /* series: index into up_facts.series */
	int kind;            /* up_period_kind */
	int32_t start, end;
	double value;
} up_obs;

typedef struct {
	int person_ix; /* into up_facts.people */
	int32_t day;
	int failed;
	char *topic;
} up_session_rec;

/* One person's part in one event: ctx:events{person=} finds its runs. */
typedef struct {
	const char *person; /* an id of the event's people (the JSON owns it) */
	int ev;             /* index into up_facts.events */
} up_ev_person;

typedef struct {
	unsigned long serial; /* new for every load: caches key on it */
	long long known; /* the last import seen; UP_KNOWN_ALL: every one */
	int32_t as_of;
	char as_of_s[11];
	up_unit *units; /* in preorder */
	size_t nunits;
	int *by_id; /* unit indexes sorted by id, for lookups */
	up_person *people; /* present as of the date: by unit preorder, then id */
	size_t npeople;
	/* those who had left by the date (people.c), sorted alike; in no
	 * other list: plans, coverage and ctx:people leave them out */
	up_person *leavers;
	size_t nleavers;
	up_event *events; /* by date, then id */
	size_t nevents;
	up_obs *obs; /* observations whose period ended by as_of, by start */
	size_t nobs;
	char **series; /* series names, sorted; up_obs.series indexes them */
	size_t nseries;
	char **stored; /* every series the store has a value of, sorted */
	size_t nstored;
	up_session_rec *trainings; /* attended as of as_of, by person, day */
	size_t ntrainings;
	/* Indexes for ctx's filters, built by up_facts_load: each ordering
	 * makes the facts one filter value keeps a run found by bisection,
	 * and ties stay in the list's own order. */
	int *ev_by_unit;   /* event indexes by unit (no unit last) */
	int *ev_by_kind;   /* event indexes by kind */
	up_ev_person *ev_by_person; /* by person id */
	size_t nev_person;
	int *people_by_id, *leavers_by_id; /* people, leavers indexes by id */
	/* The people present by role: role_names[r] (sorted) is held by
	 * people_by_role[role_start[r] .. role_start[r + 1]), in list
	 * order.  The names belong to the people's roles. */
	const char **role_names;
	size_t nrole_names, *role_start;
	int *people_by_role;
	int *obs_by_series; /* observation indexes by series, then unit */
	json_t **unit_metrics; /* per unit: metric id -> result (metrics.c) */
	struct up_ledger *ledger; /* what people decided (ledger.c) */
} up_facts;

int up_facts_load(up_facts *f, up_store *s, int32_t as_of, up_error *err);
/* The same as known once import KNOWN was done: later corrections are
 * undone, later values absent.  UP_KNOWN_ALL: as up_facts_load. */
enum { UP_KNOWN_ALL = -1 };
int up_facts_load_known(up_facts *f, up_store *s, int32_t as_of,
			long long known, up_error *err);

/*
 * What a reader needs, no more: the units always, then the parts asked
 * for (a listing of reminders needs people, not a million
 * observations).
 */
enum {
	UP_FACTS_PEOPLE = 1 << 0,
	UP_FACTS_EVENTS = 1 << 1,
	UP_FACTS_OBS = 1 << 2,
	UP_FACTS_TRAININGS = 1 << 3 | UP_FACTS_PEOPLE,
	UP_FACTS_LEDGER = 1 << 4,
	UP_FACTS_ALL = 0x1f
};
typedef struct {
	unsigned parts;  /* UP_FACTS_* */
	long long known; /* UP_KNOWN_ALL, or as known once that import was done */
	/* when not NULL, the observations of this unit and those below it
	 * alone: a unit's metrics read nothing else */
	const char *subtree;
	/* when not NULL, a JSON array of unit ids: the people of those units
	 * alone (as of the date: a move into one counts), those their
	 * reminders are about, and PERSON */
	const char *people_in;
	const char *person;
} up_facts_want;
int up_facts_load_some(up_facts *f, up_store *s, int32_t as_of,
		       const up_facts_want *want, up_error *err);
/* The facts stored cycle CYCLE judged: as known when it ran. */
int up_facts_load_as_ran(up_facts *f, up_store *s, long long cycle,
			 int32_t as_of, unsigned parts, const char *subtree,
			 up_error *err);
void up_facts_free(up_facts *f);
int up_facts_unit(const up_facts *f, const char *id); /* index or -1 */
/* The ids of unit UI and those below it, as a JSON array (malloc'ed),
 * for a statement's IN (SELECT value FROM json_each(?)). */
char *up_facts_subtree_json(const up_facts *f, int ui);
int up_facts_series(const up_facts *f, const char *name); /* index or -1 */
/* The people present who hold ROLE, as indexes into f->people in list
 * order: *RUN, as many as it returns. */
size_t up_facts_role_holders(const up_facts *f, const char *role,
			     const int **run);
/* Whether the store has a value of series NAME at any date. */
int up_facts_stored(const up_facts *f, const char *name);

/* ---- people who come and go (people.c) ---- */

/* A dated change of a person, as people_history keeps it. */
typedef enum { UP_CHANGE_MOVE, UP_CHANGE_ADD_ROLE, UP_CHANGE_REMOVE_ROLE,
	       UP_CHANGE_LEAVE } up_change_kind;
const char *up_change_name(up_change_kind k); /* "move", "add_role", ... */
int up_change_parse(const char *s, up_change_kind *out); /* 1 if known */

typedef struct {
	up_change_kind kind;
	const char *person, *date; /* the day it holds from */
	const char *value;  /* move: the unit; add/remove_role: the role */
	const char *note;
	const char *source; /* "record", "import" or "people" (people.csv) */
	long long batch;    /* the import that wrote it, or 0 */
	const char *import_key; /* or NULL */
} up_change;

/* The field a refused change is refused for. */
typedef enum { UP_FIELD_DATE, UP_FIELD_UNIT, UP_FIELD_ROLE } up_change_field;

/* One person as the store has them. */
typedef struct {
	int found;          /* an active person of that id */
	char *name, *joined;
	char *unit;         /* NULL: none */
	json_t *roles;      /* array of strings */
	char *left;         /* the day they leave (at any date), or NULL */
} up_person_state;

/* Prepared statements on a store, for many people in a row. */
typedef struct up_people_db up_people_db;
int up_people_db_open(up_people_db **out, up_store *s, up_error *err);
void up_people_db_close(up_people_db *d);
/* PERSON's unit and roles as of DATE; DATE NULL: as the re-imports of
 * people.csv last said them (the baseline with their changes, in the
 * order they were imported, whatever their dates). */
int up_people_state(up_people_db *d, const char *person, const char *date,
		    up_person_state *ps, up_error *err);
void up_person_state_free(up_person_state *ps);
/* UP_EINPUT with why (and the field) when change C contradicts what the
 * store holds: dated before the person joined, after they left, a leave
 * before a later change, a move to the unit they are in, a role they
 * hold added or one they do not hold removed. */
int up_people_check(up_people_db *d, const up_change *c, char *why, size_t n,
		    up_change_field *field, up_error *err);
int up_people_insert(up_people_db *d, const up_change *c, long long *id,
		     up_error *err);
/* Applies the changes dated on or before f->as_of to f->people (loaded,
 * not yet sorted) and moves those who had left to f->leavers. */
int up_people_apply(up_facts *f, up_store *s, up_error *err);
/* Closes the open reminders of each of f's leavers with the reason
 * ("closed: left on DATE" in the note); the cycle runs it before the
 * training plans. */
int up_people_close_leavers(up_store *s, const up_facts *f, long long cycle,
			    up_error *err);

/* ---- success metrics (metrics.c) ---- */

struct up_decl_s; /* a rule declaration, below */

/*
 * Judges every metric of the program for every unit in its scope as of
 * f->as_of, filling f->unit_metrics (for ctx:metric) and returning the
 * program-level roll-ups as a JSON array.
 */
json_t *up_metrics_eval(const up_program *p, up_facts *f);
/* The metrics of unit UI for the cycle JSON: an array, maybe empty. */
json_t *up_metrics_of_unit(const up_facts *f, int ui);
/* The judged JSON of one computed value of a metric{} rule. */
json_t *up_metric_point(const up_program *p, const up_facts *f,
			const struct up_decl_s *d, double value, double num,
			double den);
/* Warnings from checking unit targets against the organisation's. */
void up_metrics_check_targets(const up_program *p, const up_facts *f,
			      up_error *warn);

/* ---- Lua host (host.c) ---- */

typedef struct up_host up_host;

typedef enum { UP_DECL_GATE, UP_DECL_CHECK, UP_DECL_METRIC } up_decl_kind;

typedef struct up_decl_s {
	up_decl_kind kind;
	char *id, *title, *at, *on_fail, *severity;
	char **stages; /* check: NULL = every stage */
	size_t nstages;
	int must;
	double weight;
	const char *file; /* borrowed from the program */
	int line;         /* of the declaration */
	int pack;         /* index into up_program.packs, or -1 */
	size_t local;     /* where the pack's own id starts in id */
	/* what the rule says of itself (NULL when it does not) */
	char *rationale, *cite, *remediation, *owner;
	int fn_ref;       /* registry ref of the check function */
	/* metric{}: judged against TARGET, from BASELINE when has_baseline
	 * (else the plan is the target itself), by DEADLINE (a date or +2y;
	 * NULL: now) */
	double target, baseline, tolerance;
	int increase, has_baseline;
	char *deadline;
} up_decl;

typedef enum {
	UP_RES_PASS,
	UP_RES_FAIL,
	UP_RES_WARN,
	UP_RES_SCORE,
	UP_RES_SKIP,
	UP_RES_ERROR,
	UP_RES_WAIVED /* a person waived it: counts as met (never a rule's) */
} up_res_status;

typedef struct {
	up_res_status status;
	double score; /* 0-10 for UP_RES_SCORE */
	char *message;
	json_t *evidence; /* may be NULL */
	char *at; /* "FILE:LINE" of the return or error that decided; NULL:
		   * not known (the declaration's line stands for it) */
} up_result;

/*
 * Creates a sandbox and runs each rule file's declarations.  A file that
 * fails to load or declare is reported in err and skipped; the call returns
 * UP_EINPUT then, but the host still holds every good file's rules.
 */
int up_host_open(up_host **out, const up_program *p, up_error *err);
void up_host_close(up_host *h);
/* Whether program.yaml's disable: or override: named what is not there:
 * the program is wrong, as a bad key would make it. */
int up_host_bad_choices(const up_host *h);
size_t up_host_ndecls(const up_host *h);
const up_decl *up_host_decl(const up_host *h, size_t i);
/* What a rule asked for with ctx:follow_up or ctx:remind. */
typedef struct {
	int remind;         /* 0: follow-up, 1: reminder */
	const char *rule;   /* borrowed from the host's declarations */
	int unit_ix;
	int32_t due;
	char *note, *role, *person;
} up_request;

/* The requests since the last clear; the host owns them. */
size_t up_host_requests(up_host *h, const up_request **out);
void up_host_clear_requests(up_host *h);
typedef struct {
	up_request *req;
	size_t n, cap;
} up_requests;
void up_host_stash_requests(up_host *h, up_requests *out);
void up_host_unstash_requests(up_host *h, up_requests *in);
/* Takes FROM's requests into OUT, naming TO's declarations instead, so
 * that FROM may close: both hosts run the same program.  Reads nothing
 * of TO's but its declarations. */
void up_host_take_requests(up_host *from, const up_host *to,
			   up_requests *out);
/* Appends IN (emptied) after H's own requests. */
void up_host_append_requests(up_host *h, up_requests *in);
const up_decl *up_host_find(const up_host *h, const char *id);

/*
 * Computes a metric{} for one unit: *value (NaN for no data) and, when the
 * rule returns them, *num and *den (else NaN).  0, or -1 with a message in
 * *why (caller frees).
 */
int up_host_compute(up_host *h, const up_decl *d, const up_facts *f,
		    int unit_ix, double *value, double *num, double *den,
		    char **why);
/* Evaluates one rule for one unit; never fails, errors become results. */
void up_host_eval(up_host *h, const up_decl *d, const up_facts *f,
		  int unit_ix, up_result *out);
void up_result_free(up_result *r);
/* Memory the sandbox holds now and its peak, for benchmarks and tests. */
size_t up_host_memory(const up_host *h, size_t *peak);

/* ---- the schedule (schedule.c) ---- */

int up_schedule_cadence(up_store *s, const up_program *p, const up_facts *f,
			long long cycle, up_error *err);
int up_schedule_requests(up_store *s, up_host *h, const up_facts *f,
			 long long cycle, up_error *err);
/* 1 and *day: the earliest follow-up pending up to AS_OF; 0: none. */
int up_schedule_next_due(up_store *s, int32_t as_of, int32_t *day,
			 up_error *err);
json_t *up_schedule_due_on(up_store *s, int32_t day, up_error *err);
int up_schedule_mark_ran(up_store *s, const char *id, long long cycle,
			 const json_t *result, up_error *err);
int up_schedule_trainings(up_store *s, const up_program *p,
			  const up_facts *f, long long cycle, up_error *err);
/* A short stable id: the first 16 hex digits of the SHA-256 of PREFIX and
 * PARTS (NULL parts as ""). */
void up_stable_id(char out[17], const char *prefix,
		  const char *const *parts, size_t n);
json_t *up_schedule_pending(up_store *s, int32_t as_of, up_error *err);
int up_schedule_deliverables(up_store *s, const up_facts *f, long long cycle,
			     up_error *err);
/* A follow-up the day after each unit's latest waiver of a rule ends, when
 * the rule is judged again; moved when a new waiver moves the end. */
int up_schedule_waivers(up_store *s, long long cycle, up_error *err);
/* The reminders as `uptake due` shows them as of DAY (due.c): of the
 * units in the JSON array UNITS and about PERSON, when not NULL. */
json_t *up_due_list(up_store *s, int grace, int32_t day, const char *units,
		    const char *person, up_error *err);

/* The table of `uptake due` (report.c). */
void up_print_due(const json_t *list, FILE *fp, unsigned flags);
/* Who acts on which reminder, as of a day (due.c), for a calendar of
 * one unit or one person: whether reminder O ({kind, person, role, unit,
 * plan, state}) is of UNIT's subtree (NULL: any) and, when opened with
 * FOR_PERSON, one they act on. */
typedef struct up_audience up_audience;
int up_audience_open(up_audience **out, up_store *s, const up_program *p,
		     int32_t day, const char *for_person, up_error *err);
int up_audience_keeps(up_audience *a, json_t *o, const char *unit);
void up_audience_close(up_audience *a);
/* `uptake due --format text|md`: the document up_due_write() groups by
 * unit, as a message (due_message.c); and --summary as a table. */
void up_print_due_message(const json_t *doc, FILE *fp, int md);
void up_print_due_summary(const json_t *sum, FILE *fp, int md);

/* ---- gate aggregation (gate.c) ---- */

typedef struct {
	int must;
	double weight;
	const char *on_fail; /* "hold", "recycle", "kill", "conditional_go" */
	up_res_status status;
	double score; /* 0-10 when status is UP_RES_SCORE */
} up_criterion;

typedef struct {
	const char *decision; /* NULL: nothing judged, no decision */
	double score; /* weighted should-meet score 0-1 */
	int has_score;
} up_decision;

void up_gate_decide(const up_criterion *c, size_t n, double threshold,
		    double margin, up_decision *out);

/* ---- cycles (cycle.c, report.c) ---- */

struct up_cycle {
	json_t *doc;
	long long number;
	json_t *moves; /* advances recorded since, by unit id (ledger.c) */
};

/* ---- what people decided: advances, conditions, waivers (ledger.c) ---- */

typedef struct up_ledger up_ledger;

/* Reads the stage moves, open conditions and waivers in force as of
 * f->as_of, for f's units (already loaded). */
int up_ledger_load(up_ledger **out, up_store *s, const up_facts *f,
		   up_error *err);
void up_ledger_free(up_ledger *l);
/* The waiver in force for unit UI's RULE, {by, reason, until, since}, or
 * NULL; borrowed. */
const json_t *up_ledger_waiver(const up_ledger *l, int ui, const char *rule);
/* {by, reason, at, decision} when unit UI's last advance was forced, or
 * NULL; borrowed. */
const json_t *up_ledger_override(const up_ledger *l, int ui);
/*
 * Judges every open condition of every unit as of the date and adds
 * "conditions" and "strikes" to the units' JSON (UNITS in f's order); at
 * a condition's third strike the unit's gate decision becomes kill.
 * Unless REPLAY, writes the strikes and conditions met to the store.
 */
int up_ledger_judge(up_store *s, up_host *h, const up_program *p,
		    const up_facts *f, json_t *units, long long cycle,
		    int replay, up_error *err);
/* The advances recorded after cycle NUMBER, as an object unit id ->
 * {from, to, at, by, override, reason}, or NULL after a failure. */
json_t *up_ledger_moves_since(up_store *s, long long number, up_error *err);
/* fprintf with control characters made harmless ('?'; tabs and newlines
 * but a last newline become spaces): what people wrote in a note or a
 * reason reaches a terminal. */
void up_print_text(FILE *fp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Checks that ID is an active row of TABLE (units, people), else says
 * "unknown WHAT 'ID'" with a did-you-mean. */
int up_ledger_known(up_store *s, const char *table, const char *what,
		    const char *id, up_error *err);

/*
 * The document cycle NUMBER would have as of AS_OF judged with P, from the
 * facts as of that day as known once import KNOWN was done (UP_KNOWN_ALL:
 * as they are); nothing is written, so a read-only store will do
 * (replay.c).  NULL after an error.
 */
json_t *up_cycle_judge(up_store *s, const up_program *p, const char *as_of,
		       long long number, long long known, up_error *err);

/* ---- history (history.c) ---- */

/* What changed from cycle document A to B, as `uptake history --diff`
 * prints it in JSON (see up_history_diff_print); a new reference. */
json_t *up_history_diff(const json_t *a, const json_t *b);
/* Every change of such a diff on FP, a line each led by its kind, with
 * the messages before and after. */
void up_history_diff_list(const json_t *diff, FILE *fp);
/* How many changes it holds, of every kind. */
size_t up_history_diff_size(const json_t *diff);
/* UP_EINPUT for a cycle N that is not stored, naming those that are. */
int up_history_no_cycle(up_store *s, long long n, up_error *err);
/* *OUT: the document of stored cycle NUMBER, its units read back from
 * their rows (UNIT's alone when not NULL) and, with UP_CYCLE_REMINDERS,
 * its reminders (else an empty list: only the whole document printed
 * has a use for them); NULL, and UP_OK, when no such cycle is stored
 * (cycle.c). */
enum { UP_CYCLE_REMINDERS = 1 };
int up_cycle_doc(up_store *s, long long number, const char *unit,
		 unsigned what, json_t **out, up_error *err);


#endif
