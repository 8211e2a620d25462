/*
 * uptake.h: the public C API of libuptake.
 *
 * A program (program.yaml plus its Lua rule files) is loaded into an
 * up_program; its operational facts live in an up_store (SQLite); an
 * evaluation cycle judges every unit as of a date and yields an up_cycle.
 * Every handle is opaque and comes with an open/free pair whose free is
 * NULL-safe.
 *
 * Errors: functions return UP_OK (0) or a negative UP_E* code.  Details go
 * into an optional up_error, which collects one or more one-line messages
 * of the form "FILE:LINE:COL: error: what (hint)" or "error: what".  A
 * function that fails writes nothing to the store.
 */
#ifndef UPTAKE_H
#define UPTAKE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(UP_BUILDING_LIBRARY)
#define UP_API __attribute__((visibility("default")))
#else
#define UP_API
#endif

#define UP_VERSION "0.2.0"

/* Result codes.  The magnitudes follow sysexits(3) so a CLI can map them. */
enum {
	UP_OK = 0,
	UP_EINPUT = -65,    /* bad user input: a file, a value, a name */
	UP_EINTERNAL = -70, /* a bug, a damaged (corrupt) store */
	UP_EIO = -74,       /* the store could not be written: a full disk,
			     * an I/O error; nothing was written */
	UP_EBUSY = -75,     /* the store is locked by another process */
	UP_EPERM = -77,     /* the store is read-only to this user */
	UP_ENOMEM = -12     /* out of memory */
};

/* ---- errors ------------------------------------------------------------ */

typedef struct up_error up_error;

/* Returns a new, empty error collector, or NULL when out of memory. */
UP_API up_error *up_error_new(void);
UP_API void up_error_free(up_error *err);
/* Forgets every message, keeping the collector. */
UP_API void up_error_clear(up_error *err);
/* The code of the first error recorded, or UP_OK. */
UP_API int up_error_code(const up_error *err);
UP_API size_t up_error_count(const up_error *err);
/* The i-th message (borrowed, valid until clear or free), or NULL. */
UP_API const char *up_error_message(const up_error *err, size_t i);
/* A static description of a code, e.g. "bad input". */
UP_API const char *up_errstr(int code);
/* The process exit status a CLI should use for a code (0, 65, 70, 74, 75,
 * 77). */
UP_API int up_exit_status(int code);

/* ---- program ----------------------------------------------------------- */

typedef struct up_program up_program;

/*
 * Loads DIR/program.yaml and the rule files it lists, validating every key.
 * On bad input returns UP_EINPUT with every problem found in err, one
 * message each, positions 1-based.  Rule files are read but not compiled.
 */
UP_API int up_program_load(up_program **out, const char *dir, up_error *err);
/*
 * up_program_load() with FLAGS: UP_PROGRAM_UNLOCKED ignores uptake.lock,
 * for the one command that rewrites it (uptake pack lock); signatures are
 * checked all the same.  UP_PROGRAM_NO_PACKS leaves packs: and trust:
 * unread, for work that runs no rule (recording facts, listing what is
 * due): such a program must not be given to a cycle.
 */
enum { UP_PROGRAM_UNLOCKED = 1 << 0, UP_PROGRAM_NO_PACKS = 1 << 1 };
UP_API int up_program_open(up_program **out, const char *dir, unsigned flags,
			   up_error *err);
UP_API void up_program_free(up_program *prog);
/* Borrowed strings, valid for the life of prog. */
UP_API const char *up_program_id(const up_program *prog);
UP_API const char *up_program_dir(const up_program *prog);
/* Hex SHA-256 of program.yaml as read. */
UP_API const char *up_program_hash(const up_program *prog);

/*
 * Compiles every rule file in the sandbox and runs its declarations
 * (without evaluating any rule against data), so a syntax error, a bad
 * declaration or a gate at an unknown boundary is reported now.
 */
UP_API int up_program_check(const up_program *prog, up_error *err);

/* ---- store ------------------------------------------------------------- */

typedef struct up_store up_store;

/*
 * Checks that the unit targets of each metric still reach the program's
 * target when weighted by each unit's recent denominator (the last three
 * periods before AS_OF, NULL = today), using the data in STORE.  Adds a
 * "program.yaml:L:C: warning: ..." to warn for each metric that falls
 * short; the return code is not affected by warnings.
 */
UP_API int up_program_check_targets(const up_program *prog, up_store *store,
				    const char *as_of, up_error *warn);

enum {
	UP_STORE_READONLY = 1 << 0 /* fail with UP_EINPUT if it does not exist */
};

/*
 * Opens the state database: PATH if given, else DIR/.uptake/state.db,
 * creating and migrating it unless UP_STORE_READONLY.  Waits up to a few
 * seconds for a lock held by another process, then fails with UP_EBUSY.
 * A file that is not an uptake store (not SQLite, another application's
 * database, a newer schema) fails with UP_EINPUT; without
 * UP_STORE_READONLY, a store this user cannot write fails with UP_EPERM
 * before anything is done.
 */
UP_API int up_store_open(up_store **out, const char *dir, const char *path,
			 unsigned flags, up_error *err);
UP_API void up_store_close(up_store *store);
/* The schema version this library writes (PRAGMA user_version). */
UP_API int up_store_schema_version(void);

/*
 * Records one fact in one transaction.  KIND is "engagement", "event",
 * "training", or a dated change of a person: "leave", "role" or "move";
 * the fields are name/value pairs as on the command line:
 *   engagement: person, level, date, note
 *   event: kind, date, unit, people (comma-separated), note,
 *          attr (key=value; may repeat)
 *   training: person, date, topic, outcome
 *   leave: person, date, note
 *   role: person, add or remove (a role), date, note
 *   move: person, unit, date, note
 * Every value is checked against the program (unknown person, unit, level,
 * kind, invalid date) and a change against what the store says of the
 * person on that day (a role they hold already, a date after they left)
 * before anything is written.  *id_out, if given, receives the new row's
 * id.
 */
UP_API int up_record(up_store *store, const up_program *prog, const char *kind,
		     size_t nfields, const char *const names[],
		     const char *const values[], long long *id_out,
		     up_error *err);

/*
 * Called now and then during long work with bytes done and the total.
 */
typedef void (*up_progress_fn)(void *ctx, unsigned long long done,
			       unsigned long long total);

/*
 * Imports a CSV file with a header row (KIND: units, people,
 * people_changes, engagements, events, trainings, observations;
 * up_import_help() documents each) in one
 * transaction.  Any bad row fails the whole file with
 * "FILE:LINE: error: column 'C': what" and nothing is imported.  Rows are
 * upserts: importing the same file twice changes nothing.  PROGRESS may be
 * NULL; *rows_out, if given, receives the number of data rows.
 */
UP_API int up_import(up_store *store, const up_program *prog,
		     const char *kind, const char *path,
		     up_progress_fn progress, void *progress_ctx,
		     long long *rows_out, up_error *err);
/* How an export differs from uptake's own CSV; NULL fields: it does not. */
typedef struct {
	/* "ours=theirs,...": the export's column names for uptake's (with
	 * WIDE, for series names too), e.g. "unit=Mottagning,period=Månad" */
	const char *map;
	/* "A,B": columns of the export to skip */
	const char *ignore;
	/* observations only: one row per unit and period, and every other
	 * column a series named by its header (or by MAP) */
	int wide;
	/* read and check everything, count what would change, write nothing */
	int dry_run;
	up_progress_fn progress;
	void *progress_ctx;
	/* called for each observation whose value the file changes, before
	 * the import is committed (it may yet fail): collect, then report */
	void (*on_change)(void *ctx, const char *unit, const char *series,
			  const char *period, double was, double now);
	void *change_ctx;
	/* people: the day the changes a re-import finds (unit, roles,
	 * engagement) hold from, YYYY-MM-DD; NULL: today (UTC) */
	const char *as_of;
	/* called (with change_ctx) for each known person a re-import of
	 * people changes, with what changed in words, e.g. "unit a -> b,
	 * role +x from 2026-06-01; left on 2026-06-30" */
	void (*on_person_change)(void *ctx, const char *person,
				 const char *what);
} up_import_opts;

/* What an import did (or, with dry_run, would do): facts are rows, or
 * with wide each value; added, changed and unchanged by what the store
 * held before. */
typedef struct {
	long long rows, added, changed, unchanged;
} up_import_counts;

/*
 * up_import() for an export as real systems write it: the delimiter
 * (',', ';' or tab) is found in the header line, a ';' or tab file may
 * write numbers with a decimal comma, and OPTS (may be NULL) maps,
 * skips and widens columns.  An unknown column is an error listing the
 * expected ones; invalid UTF-8 is an error at its line and byte.
 * A changed observation is a correction: the value it replaces is kept,
 * with the import that wrote it, so a cycle can be judged again from
 * what was known when it ran (up_replay_print).  A person imported
 * again is never written over: what the row says differently from what
 * earlier imports of people said (unit, roles, engagement) becomes
 * changes dated OPTS->as_of, `left` a dated leave, and a different name
 * is an error.  Every import is numbered and dated in the store.
 * COUNTS may be NULL.
 */
UP_API int up_import_with(up_store *store, const up_program *prog,
			  const char *kind, const char *path,
			  const up_import_opts *opts, up_import_counts *counts,
			  up_error *err);
/* The CSV formats, one paragraph per kind (static text). */
UP_API const char *up_import_help(void);

/* ---- cycles ------------------------------------------------------------ */

typedef struct up_cycle up_cycle;

/*
 * Runs one evaluation cycle as of AS_OF ("YYYY-MM-DD"; NULL = today, UTC)
 * and stores it in one transaction.  A rule that raises, loops or runs out
 * of memory becomes an "error" result; the cycle still succeeds.
 */
UP_API int up_cycle_run(up_cycle **out, up_store *store,
			const up_program *prog, const char *as_of,
			up_error *err);
/* Loads the most recent stored cycle; UP_EINPUT if there is none. */
UP_API int up_cycle_latest(up_cycle **out, up_store *store, up_error *err);
/* Loads stored cycle NUMBER; UP_EINPUT, naming the cycles that exist,
 * when it is not stored.  Its advances are those recorded since it ran. */
UP_API int up_cycle_load(up_cycle **out, up_store *store, long long number,
			 up_error *err);
/*
 * Stored cycle NUMBER (0: the last) as status and explain read it: the
 * record of UNIT alone when not NULL (UP_EINPUT when the cycle did not
 * judge it), and without the reminders the cycle listed (an empty
 * list), which a national system's record is mostly made of.
 */
UP_API int up_cycle_read(up_cycle **out, up_store *store, long long number,
			 const char *unit, up_error *err);
UP_API void up_cycle_free(up_cycle *cycle);
UP_API long long up_cycle_number(const up_cycle *cycle);
/*
 * Nonzero if the cycle shows CONDITION: a gate decision ("go",
 * "conditional_go", "hold", "recycle", "kill"), "error" (any rule error),
 * "warn" or "fail" (a finding with that status).  -1 for an unknown name.
 */
UP_API int up_cycle_has(const up_cycle *cycle, const char *condition);

enum {
	UP_PRINT_JSON = 1 << 0,  /* one JSON document instead of a table */
	UP_PRINT_COLOR = 1 << 1  /* ANSI colour in tables */
};

/* The cycle's summary: a table per unit, or the cycle's JSON document. */
UP_API int up_cycle_print(const up_cycle *cycle, FILE *fp, unsigned flags);
/*
 * up_cycle_print(), and under a table a "Since cycle N:" section: a few
 * lines per kind of change since the stored cycle numbered just below
 * CYCLE (see up_history_diff_print), or nothing when there is none.  The
 * JSON document is the same as up_cycle_print()'s.
 */
UP_API int up_cycle_print_since(const up_cycle *cycle, up_store *store,
				FILE *fp, unsigned flags, up_error *err);
/* Current stage, gate decision and findings per unit. */
/* ...for UNIT only when given (UP_EINPUT, with a hint, if unknown).  Both
 * status and explain also show what people decided: waived criteria, a
 * forced stage, strikes, and advances recorded since the cycle ran (for a
 * cycle from up_cycle_latest or up_cycle_load). */
UP_API int up_status_print(const up_cycle *cycle, const char *unit, FILE *fp,
			   unsigned flags, up_error *err);
/*
 * Why: every criterion of UNIT's gate (or only RULE, a rule id or a gate
 * such as "evaluate->procure") with status, message, evidence and the
 * rule's source location.  UP_EINPUT for an unknown unit or rule.
 */
UP_API int up_explain_print(const up_cycle *cycle, const char *unit,
			    const char *rule, FILE *fp, unsigned flags,
			    up_error *err);
/*
 * up_explain_print(), then each metric of UNIT: its title, status, latest
 * value, plan, target and direction, its series (period, value, plan, and
 * whether the point is part of a run-chart signal) and its signals in
 * words; with UP_PRINT_JSON each of the unit's metrics[] gains them (see
 * `uptake explain --help`).  The series is the one `uptake report` draws:
 * the observations in STORE as of the cycle's date, judged with PROG's
 * metric definitions (PROG may be opened with UP_PROGRAM_NO_PACKS); a
 * rule's metric{} has a point per stored cycle.  PROG NULL: each metric
 * as the cycle stored it, without series.  A RULE that names one of the
 * unit's metrics shows that metric alone; any other RULE, no metrics.
 */
UP_API int up_explain_print_metrics(const up_cycle *cycle, up_store *store,
				    const up_program *prog, const char *unit,
				    const char *rule, FILE *fp, unsigned flags,
				    up_error *err);

/* ---- history ------------------------------------------------------------ */

/*
 * Lists every stored cycle, oldest first: its number, as-of date, when it
 * ran (UTC), the SHA-256 of program.yaml, each pack it ran (name, version,
 * SHA-256), how many gates decided go, conditional_go, hold, recycle and
 * kill, its findings and its rule errors.  A table, or with UP_PRINT_JSON
 * an array of {cycle, as_of, ran_at, program_sha256, packs[], decisions{},
 * findings, errors}.
 */
UP_API int up_history_print(up_store *store, FILE *fp, unsigned flags,
			    up_error *err);
/*
 * What changed from stored cycle A to cycle B, read from the documents
 * they stored: gate decisions that moved, criteria whose status flipped
 * (with both messages), findings that appeared, were resolved or changed
 * status, metric statuses that moved, units whose stage changed, and the
 * hashes of files and packs that changed.  Units come in B's order (then
 * those only A has), what a unit holds by rule id.  A side a cycle lacks
 * is "none" in a table and null in the JSON.  UP_EINPUT, naming the
 * cycles that exist, when A or B is not stored.
 */
UP_API int up_history_diff_print(up_store *store, long long a, long long b,
				 FILE *fp, unsigned flags, up_error *err);

/* ---- replay ------------------------------------------------------------- */

/* What up_replay_print() judges stored cycles with; a NULL field keeps
 * the program's own. */
typedef struct {
	long long from;        /* the first stored cycle (required) */
	long long to;          /* the last one; 0: the latest */
	const char *rules_dir; /* read the files rules: lists from here */
	const char *pack_name; /* the pack in PACK_PATH, whatever its version
				* and uptake.lock, in place of this one */
	const char *pack_path;
	/* the facts as known at "now", a date (its end) or a time
	 * YYYY-MM-DDTHH:MM:SSZ; NULL: as known when each cycle ran */
	const char *known_at;
} up_replay_opts;

/*
 * Judges stored cycles FROM..TO again, each with the facts as of its date
 * as they were known when it ran (imported corrections since are undone;
 * see OPTS->known_at), with OPTS's rules (none: the program in DIR as it
 * is), and lists what would flip against what each cycle stored: gate
 * decisions, criteria, findings and metric statuses, with the messages on
 * both sides, and the rule errors only the new rules raise.  Each cycle
 * also says whether the program as it is still gives what it stored.
 * Writes nothing: STORE may be open read-only.  A table, or with
 * UP_PRINT_JSON {program, from, to, rules_dir, known_at, files[], packs[],
 * flips{}, cycles[]}.  UP_EINPUT for a cycle that is not stored, or a
 * pack the program does not use.
 */
UP_API int up_replay_print(up_store *store, const char *dir,
			   const up_replay_opts *opts, FILE *fp,
			   unsigned flags, up_error *err);

/* ---- reminders ---------------------------------------------------------- */

/*
 * Lists the reminders to act on as of AS_OF (NULL = today): due, overdue,
 * escalated, lapsed and snoozed ones, and those due within the next 14
 * days, for UNIT and the units below it or PERSON if given (UP_EINPUT,
 * with the nearest id, for one the store does not know).  States:
 * pending, due, overdue, snoozed, escalated, lapsed.  A table, or with
 * UP_PRINT_JSON an array.  up_due_write() with only those options.
 */
UP_API int up_due_print(up_store *store, const up_program *prog,
			const char *as_of, const char *unit,
			const char *person, FILE *fp, unsigned flags,
			up_error *err);
/* What `uptake due` lists and how; every field may be NULL (0). */
typedef struct {
	const char *as_of;      /* YYYY-MM-DD; NULL: today (UTC) */
	const char *unit;       /* that unit and every unit below it */
	const char *person;     /* reminders about that person */
	const char *for_person; /* what that person must act on: their own
				 * slots, deliverables and reminders,
				 * escalations addressed to them and their
				 * staff's slots due or overdue, the
				 * follow-ups of the units they act for */
	int summary;            /* per unit: people on a plan, trained in the
				 * last 90 days, due, overdue, lapsed */
	const char *format;     /* "table" (NULL), or a message to send as
				 * it is: "text" or "md" (Markdown) */
} up_due_opts;

/*
 * Writes what `uptake due` shows to FP as of OPTS->as_of: the reminders
 * due, overdue, escalated, lapsed or snoozed, and those due within 14
 * days, each naming who acts on it ("to").  With UP_PRINT_JSON an array,
 * or with for_person one document {as_of, person, name, units: [{unit,
 * name, items}]} grouped by unit, or with summary {as_of, days, units:
 * [{unit, name, depth, people, trained, share, due, overdue, lapsed}]}.
 * UP_EINPUT, with the nearest id, for a unit or person the store does not
 * know, or a format that is none of table, text and md.
 */
UP_API int up_due_write(up_store *store, const up_program *prog,
			const up_due_opts *opts, FILE *fp, unsigned flags,
			up_error *err);

/*
 * Writes each training plan PERSON is on as of AS_OF (NULL: today) with
 * every slot (due day, window, the session that satisfied it on time or
 * late, missed, moved, cancelled and why) and every escalation (a lapse
 * or a failed check, open or closed and why), and the plans they are not
 * on with why.  Computed from the facts, so no cycle is needed; the ids
 * are those the cycle gives the reminders.  A table, or with
 * UP_PRINT_JSON one document.  UP_EINPUT for an unknown person.
 */
UP_API int up_plan_print(up_store *store, const up_program *prog,
			 const char *person, const char *as_of, FILE *fp,
			 unsigned flags, up_error *err);

/* Marks a reminder done; UP_EINPUT for an unknown id. */
UP_API int up_reminder_ack(up_store *store, const char *id, up_error *err);
/* Hides a reminder until DAYS after AS_OF (NULL = today). */
UP_API int up_reminder_snooze(up_store *store, const char *id, int days,
			      const char *as_of, up_error *err);

/*
 * Writes the schedule to FP as one iCalendar (RFC 5545) VCALENDAR: a VTODO
 * for every reminder (training refreshers, escalations, rules' reminders,
 * follow-ups; one that has run is done) and every follow-up not yet run.
 * UIDs are "<id>@<program id>.uptake", stable across exports and free of
 * personal data; DTSTAMP is AS_OF (NULL = today, UTC) at 00:00:00Z, so the
 * same store and date export the same bytes; SEQUENCE grows when a
 * reminder's due day moves; done or acked items are COMPLETED; cancelled
 * ones, and training slots finally missed, are CANCELLED (sent, not
 * dropped).  FP may hold part of the calendar when this fails: write to a
 * temporary file and rename it.
 */
UP_API int up_calendar_write(up_store *store, const up_program *prog,
			     const char *as_of, FILE *fp, up_error *err);
/*
 * up_calendar_write() for part of the schedule: the items of UNIT and the
 * units below it, and those FOR_PERSON acts on (their own, escalations
 * addressed to them, the follow-ups of the units they act for, as `uptake
 * due --for` says as of AS_OF).  Either may be NULL; UP_EINPUT, with the
 * nearest id, for one the store does not know.
 */
UP_API int up_calendar_write_for(up_store *store, const up_program *prog,
				 const char *as_of, const char *unit,
				 const char *for_person, FILE *fp,
				 up_error *err);

/* ---- the report ---------------------------------------------------------- */

/*
 * Writes the report of stored cycle CYCLE (0: the latest) to FP: the gate
 * board in tree order with waivers, overrides and strikes, what changed
 * since the cycle before it, a run chart per metric and unit (the
 * organisation's roll-up first), training coverage and the reminders due,
 * overdue or escalated, findings by severity and rule errors.  Series of
 * observations are read from the store as of the cycle's date and judged
 * with PROG's metric definitions; a rule's metric takes one point per
 * stored cycle.  Nothing in it depends on the time it is written.
 * up_report_html() writes one self-contained HTML page (inline CSS and
 * SVG, no script, nothing fetched); up_report_md() the same as Markdown.
 * UP_EINPUT when there is no such cycle.  FP may hold part of the report
 * when this fails.
 */
UP_API int up_report_html(up_store *store, const up_program *prog,
			  long long cycle, FILE *fp, up_error *err);
UP_API int up_report_md(up_store *store, const up_program *prog,
			long long cycle, FILE *fp, up_error *err);
/*
 * Both at once from one reading of the store: the HTML to HTML_PATH and
 * the Markdown to MD_PATH (either may be NULL; "-" is standard output),
 * each file replaced whole or not at all.
 */
UP_API int up_report_save(up_store *store, const up_program *prog,
			  long long cycle, const char *html_path,
			  const char *md_path, up_error *err);

/* ---- decisions people record: advances and waivers ---------------------- */

/* What up_advance() records; NULL fields are left out. */
typedef struct {
	const char *unit;   /* required */
	const char *to;     /* the stage after the unit's current one */
	const char *by;     /* required: the person who decided */
	const char *note;
	int override;       /* move past a decision that is not a go... */
	const char *reason; /* ...for this reason (required with override) */
	const char *conditions_due; /* when a conditional go's failed
				     * criteria must be met (default: 30
				     * days after as_of) */
	const char *as_of;  /* the date of the move (default: the latest
			     * cycle's, else today) */
} up_advance_opts;

/*
 * Moves a unit to its next stage, one stage at a time, in one
 * transaction.  Refused (UP_EINPUT, with the decision and its reason)
 * unless the latest cycle judged the unit at its current stage and
 * decided go or conditional_go at that gate, or OPTS->override is set
 * with a reason (recorded, and shown by every later cycle).  A
 * conditional go (or an override with conditions_due) records the gate's
 * failed criteria as conditions: each still failing after its due day
 * earns a strike at most once per evaluation period, and a third strike
 * makes the unit's gate decision kill.  Prints one line per fact
 * recorded to FP (may be NULL) once it is committed.
 */
UP_API int up_advance(up_store *store, const up_program *prog,
		      const up_advance_opts *opts, FILE *fp, up_error *err);
/*
 * Each unit's stage, the stage program.yaml started it in and every
 * advance: when, by whom, on which cycle's decision, overrides and the
 * conditions they left.  A table, or with UP_PRINT_JSON one document.
 */
UP_API int up_stages_print(up_store *store, FILE *fp, unsigned flags,
			   up_error *err);

/* What up_waive() records; every field but as_of is required. */
typedef struct {
	const char *unit, *rule; /* rule: a gate criterion's id, PACK/RULE
				  * for a pack's */
	const char *reason, *by, *until;
	const char *as_of; /* the first day (default: the latest cycle's,
			    * else today) */
} up_waive_opts;

/*
 * Records a waiver: from AS_OF to UNTIL (inclusive) the criterion RULE of
 * UNIT is "waived" in every cycle, and counts as met.  The day after, the
 * rule is judged again and a follow-up is raised.  A later waiver of the
 * same unit and rule replaces it.  UP_EINPUT, with a did-you-mean, for an
 * unknown unit, person or rule, or a rule that is not a gate criterion.
 * Prints what it recorded, and a note when the unit does not face the
 * criterion's gate now, to FP (may be NULL) once it is committed.
 */
UP_API int up_waive(up_store *store, const up_program *prog,
		    const up_waive_opts *opts, FILE *fp, up_error *err);
/*
 * Lists every waiver with its state as of AS_OF (NULL = today): active,
 * upcoming, expired or replaced.  A table, or with UP_PRINT_JSON an array.
 */
UP_API int up_waivers_print(up_store *store, const char *as_of, FILE *fp,
			    unsigned flags, up_error *err);

/* ---- packs ------------------------------------------------------------- */

enum {
	UP_PACKTEST_COVERAGE = 1 << 8 /* up_pack_test: rules and lines run */
};

/*
 * Runs the test cases of each pack directory (the YAML files in
 * DIR/tests), each in its own temporary store, and prints per pack the cases that failed with
 * what was expected and what came (a table, or with UP_PRINT_JSON one
 * document), and with UP_PACKTEST_COVERAGE the share of the pack's rules
 * and rule lines that ran.  *FAILED gets the number of failed cases.
 * UP_EINPUT when a pack cannot be read or has no tests.
 */
UP_API int up_pack_test(const char *const *dirs, size_t n, unsigned flags,
			FILE *fp, size_t *failed, up_error *err);

/*
 * The packs a loaded program uses, in the order they load: name, version,
 * hex SHA-256 of their files and where they were found ("packs/x",
 * "builtin:x", a directory of UPTAKE_PACK_PATH or a path as given).
 * Borrowed strings, valid for the life of prog.  UP_EINPUT if I is past
 * the end.
 */
UP_API size_t up_program_npacks(const up_program *prog);
UP_API int up_program_pack(const up_program *prog, size_t i,
			   const char **name, const char **version,
			   const char **sha256, const char **where);

/*
 * Lists the packs on the search path of the program in DIR (NULL: none of
 * its own): DIR/packs, each directory of $UPTAKE_PACK_PATH, then the
 * packs installed with uptake; a table, or with UP_PRINT_JSON an array of
 * {name, version, title, rule_files, origin, dir, shadowed}.
 */
UP_API int up_pack_list(const char *dir, FILE *fp, unsigned flags,
			up_error *err);
/* The directory of the packs installed with uptake (static). */
UP_API const char *up_pack_builtin_dir(void);

/*
 * Writes uptake.lock in the program's directory, pinning each pack it
 * uses (name, version, where, SHA-256 of every file), and prints a line
 * per pack to FP (may be NULL).  Load the program with
 * UP_PROGRAM_UNLOCKED, or a stale lock refuses it first.
 */
UP_API int up_pack_lock(const up_program *prog, FILE *fp, up_error *err);

/*
 * Writes an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub; neither
 * is ever overwritten.  A program lists public keys under trust:, and
 * then runs only packs signed with one of them.
 */
UP_API int up_pack_keygen(const char *name, up_error *err);
/* Signs the pack in DIR with the secret key KEYFILE: writes DIR/pack.sig. */
UP_API int up_pack_sign(const char *dir, const char *keyfile, up_error *err);

/*
 * Checks the pack in DIR: its manifest, parameters and rule files
 * (compiled, declarations run).  Warnings (rules without metadata,
 * unknown ctx fields, globals written) are added to err without an error
 * code.  UP_EINPUT with every problem when it is not valid.
 */
UP_API int up_pack_check(const char *dir, up_error *err);
/* Writes a new pack in the directory DIR (which must not exist). */
UP_API int up_pack_new(const char *dir, up_error *err);

/* ---- starting a program ------------------------------------------------ */

/*
 * Writes a new program into DIR, which must not exist or be empty: without
 * FROM, a small commented program.yaml (stages, three units, people, a
 * metric, the shipped clinician-buy-in pack), rules/local.lua with one gate
 * and one check, a README.md on what to do next and a .gitignore; with
 * FROM, a copy of that example shipped with uptake (see up_examples_dir).
 * Either way it passes up_program_check() and runs a cycle as written, and
 * DIR gets a .luarc.json that points the Lua language server at
 * up_luals_dir().  UP_EINPUT for a DIR with anything in it or an unknown
 * example (with a hint); on failure nothing is left behind.
 */
UP_API int up_program_init(const char *dir, const char *from, up_error *err);
/* The directory of the examples shipped with uptake, read from the source
 * tree by a binary in the build tree (static). */
UP_API const char *up_examples_dir(void);
/* The directory of the Lua language-server (LuaLS) definitions of the rule
 * DSL and ctx (static); found as up_examples_dir() is. */
UP_API const char *up_luals_dir(void);

/*
 * The closest of the N names in CANDS to S, for a "did you mean" hint: at
 * most one edit away for names of up to four bytes, two for longer ones,
 * where an edit inserts, deletes or replaces a byte or swaps two adjacent
 * ones ('stgae' is two from 'stages').  NULL when none is close; a name
 * equal to S is never suggested.  Borrowed from CANDS.
 */
UP_API const char *up_did_you_mean(const char *s, const char *const *cands,
				   size_t n);

/* ---- dates ------------------------------------------------------------- */

/*
 * Checks that S is a real calendar date "YYYY-MM-DD" (years 1000-9999).
 * On failure returns UP_EINPUT and, if WHY is given, a static reason.
 */
UP_API int up_date_check(const char *s, const char **why);

#ifdef __cplusplus
}
#endif

#endif
