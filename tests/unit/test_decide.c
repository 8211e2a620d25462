/* test_decide.c: what people decide on a cycle's recommendation: advances
 * refused and allowed, overrides, the conditions of a conditional go and
 * their three strikes, and waivers before, on and after their end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

static const char program_yaml[] =
	"program: decide\n"
	"start: 2026-01-01\n"
	"stages: [prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, stage: prepare}\n"
	"  - {id: ward, parent: org, stage: prepare}\n"
	"people:\n"
	"  - {id: ann, unit: org, roles: [lead]}\n"
	"rules: [rules/r.lua]\n"
	"gates:\n"
	"  prepare->live: {threshold: 0.6, margin: 0.2}\n";

/* Each criterion is steered by decision events with set=WHAT in the unit:
 * with none, the must-meets pass, 'manager' passes and 'content' fails,
 * so the gate is a conditional go at 0.5. */
static const char rule_lua[] =
	"local function has(ctx, what)\n"
	"  for _, e in ipairs(ctx:events{ kind = 'decision',\n"
	"                                 unit = ctx.unit.id }) do\n"
	"    if e.attrs.set == what then return true end\n"
	"  end\n"
	"  return false\n"
	"end\n"
	"for _, of in ipairs{ 'hold', 'recycle', 'kill' } do\n"
	"  gate { id = 'no-' .. of, at = 'prepare->live', on_fail = of,\n"
	"    check = function(ctx)\n"
	"      if has(ctx, of) then return fail('told to %s', of) end\n"
	"      return pass('fine')\n"
	"    end }\n"
	"end\n"
	"gate { id = 'content', at = 'prepare->live', must = false,\n"
	"  check = function(ctx)\n"
	"    if has(ctx, 'raise') then error('broken') end\n"
	"    if has(ctx, 'content') then return pass('aligned') end\n"
	"    return fail('content not aligned')\n"
	"  end }\n"
	"gate { id = 'manager', at = 'prepare->live', must = false,\n"
	"  check = function(ctx)\n"
	"    if has(ctx, 'no-manager') then return fail('no manager') end\n"
	"    return pass('manager involved')\n"
	"  end }\n"
	"gate { id = 'kept-up', at = 'live->sustain',\n"
	"  check = function(ctx) return pass('kept up') end }\n"
	"check { id = 'looks', severity = 'low',\n"
	"  check = function(ctx) return pass('fine') end }\n";

typedef struct {
	char *dir;
	up_program *prog;
	up_store *store;
	up_error *err;
} world;

static void open_world_with(world *w, const char *yaml)
{
	w->dir = tu_mkdtemp();
	tu_write(w->dir, "program.yaml", yaml);
	tu_write(w->dir, "rules/r.lua", rule_lua);
	w->err = up_error_new();
	ck_assert_int_eq(up_program_load(&w->prog, w->dir, w->err), UP_OK);
	ck_assert_int_eq(up_store_open(&w->store, w->dir, NULL, 0, w->err),
			 UP_OK);
}

static void open_world(world *w)
{
	open_world_with(w, program_yaml);
}

static void close_world(world *w)
{
	up_store_close(w->store);
	up_program_free(w->prog);
	up_error_free(w->err);
	tu_rmtree(w->dir);
	free(w->dir);
}

/* A decision event in UNIT on DATE that sets WHAT. */
static void set(world *w, const char *unit, const char *date,
		const char *what)
{
	char attr[64];
	snprintf(attr, sizeof attr, "set=%s", what);
	const char *n[] = {"kind", "date", "unit", "attr"};
	const char *v[] = {"decision", date, unit, attr};
	ck_assert_int_eq(up_record(w->store, w->prog, "event", 4, n, v, NULL,
				   w->err), UP_OK);
}

/* Runs a cycle as of DATE; the caller frees it. */
static up_cycle *cycle_at(world *w, const char *date)
{
	up_cycle *c = NULL;
	int rc = up_cycle_run(&c, w->store, w->prog, date, w->err);
	ck_assert_msg(rc == UP_OK, "cycle %s: %s", date,
		      up_error_message(w->err, 0));
	return c;
}

/* Unit ID's entry in cycle C. */
static const json_t *unit_in(const up_cycle *c, const char *id)
{
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(c->doc, "units"), i, u) {
		if (!strcmp(json_string_value(json_object_get(u, "id")), id))
			return u;
	}
	ck_abort_msg("no unit %s in cycle %lld", id, c->number);
	return NULL;
}

static const char *field(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static const json_t *gate_of(const up_cycle *c, const char *id)
{
	return json_array_get(json_object_get(unit_in(c, id), "gates"), 0);
}

static const char *decision(const up_cycle *c, const char *id)
{
	return field(gate_of(c, id), "decision");
}

static const json_t *criterion(const up_cycle *c, const char *id,
			       const char *rule)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(gate_of(c, id), "criteria"), i, x) {
		if (!strcmp(field(x, "rule"), rule))
			return x;
	}
	ck_abort_msg("no criterion %s for %s", rule, id);
	return NULL;
}

/* The decision at DATE for the ward (the cycle is freed). */
static void expect_decision(world *w, const char *date, const char *want)
{
	up_cycle *c = cycle_at(w, date);
	ck_assert_msg(!strcmp(decision(c, "ward"), want), "%s: %s, want %s",
		      date, decision(c, "ward"), want);
	up_cycle_free(c);
}

static int advance(world *w, const char *to, int override,
		   const char *reason, const char *due)
{
	up_advance_opts o = {"ward", to, "ann", NULL, override, reason, due,
			     NULL};
	up_error_clear(w->err);
	return up_advance(w->store, w->prog, &o, NULL, w->err);
}

static int waive(world *w, const char *unit, const char *rule,
		 const char *by, const char *until)
{
	up_waive_opts o = {unit, rule, "agreed at the steering group", by,
			   until, NULL};
	up_error_clear(w->err);
	return up_waive(w->store, w->prog, &o, NULL, w->err);
}

/* Whether any message of ERR holds NEEDLE. */
static int said(const up_error *err, const char *needle)
{
	for (size_t i = 0; i < up_error_count(err); i++)
		if (strstr(up_error_message(err, i), needle))
			return 1;
	return 0;
}

static long long count(world *w, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(up_store_db(w->store), sql, -1,
					    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- advance ---- */

static const struct refusal {
	const char *set, *decision, *reason;
} refusals[] = {
	{"hold", "hold", "must-meet 'no-hold' failed"},
	{"recycle", "recycle", "must-meet 'no-recycle' failed"},
	{"kill", "kill", "must-meet 'no-kill' failed"},
};

START_TEST(advance_refused_unless_go)
{
	const struct refusal *r = &refusals[_i];
	world w;
	open_world(&w);
	set(&w, "ward", "2026-02-01", r->set);
	expect_decision(&w, "2026-02-10", r->decision);
	ck_assert_int_eq(advance(&w, "live", 0, NULL, NULL), UP_EINPUT);
	char want[128];
	snprintf(want, sizeof want, "decided %s at prepare->live",
		 r->decision);
	ck_assert_msg(said(w.err, want), "%s", up_error_message(w.err, 0));
	ck_assert_msg(said(w.err, r->reason), "%s",
		      up_error_message(w.err, 0));
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM stage_history"), 0);
	up_cycle *c = cycle_at(&w, "2026-02-11");
	ck_assert_str_eq(field(unit_in(c, "ward"), "stage"), "prepare");
	up_cycle_free(c);
	close_world(&w);
}
END_TEST

START_TEST(advance_refused_without_a_cycle)
{
	world w;
	open_world(&w);
	ck_assert_int_eq(advance(&w, "live", 0, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "no cycle has judged 'ward' yet"));
	close_world(&w);
}
END_TEST

START_TEST(advance_one_stage_at_a_time)
{
	world w;
	open_world(&w);
	set(&w, "ward", "2026-02-01", "content");
	expect_decision(&w, "2026-02-10", "go");
	ck_assert_int_eq(advance(&w, "sustain", 0, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "one stage at a time, and the next is 'live'"));
	/* an override forces a decision, never a skipped gate */
	ck_assert_int_eq(advance(&w, "sustain", 1, "in a hurry", NULL),
			 UP_EINPUT);
	ck_assert_int_eq(advance(&w, "prepare", 0, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "already in stage 'prepare'"));
	ck_assert_int_eq(advance(&w, "lve", 0, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "unknown stage 'lve' (did you mean 'live'?)"));
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM stage_history"), 0);
	/* and back is never forward */
	ck_assert_int_eq(advance(&w, "live", 0, NULL, NULL), UP_OK);
	expect_decision(&w, "2026-02-10", "go");
	ck_assert_int_eq(advance(&w, "prepare", 0, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "stages only move forward"));
	close_world(&w);
}
END_TEST

START_TEST(advance_on_go)
{
	world w;
	open_world(&w);
	set(&w, "ward", "2026-02-01", "content");
	expect_decision(&w, "2026-02-10", "go");
	ck_assert_int_eq(advance(&w, "live", 0, NULL, NULL), UP_OK);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM stage_history WHERE"
			       " unit = 'ward' AND from_stage = 'prepare' AND"
			       " to_stage = 'live' AND at = '2026-02-10' AND"
			       " decision = 'go' AND cycle = 1 AND NOT override"
			       " AND by = 'ann'"), 1);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM conditions"), 0);
	/* the next cycle judges the next gate; program.yaml's stage stays
	 * the starting stage, and a sync leaves the move alone */
	up_cycle *c = cycle_at(&w, "2026-02-11");
	ck_assert_str_eq(field(unit_in(c, "ward"), "stage"), "live");
	ck_assert_str_eq(field(gate_of(c, "ward"), "gate"), "live->sustain");
	ck_assert_ptr_null(json_object_get(unit_in(c, "ward"), "override"));
	ck_assert_str_eq(field(unit_in(c, "org"), "stage"), "prepare");
	up_cycle_free(c);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM units WHERE id ="
			       " 'ward' AND stage = 'prepare'"), 1);
	/* a cycle dated before the move judges the stage of its day */
	c = cycle_at(&w, "2026-02-09");
	ck_assert_str_eq(field(unit_in(c, "ward"), "stage"), "prepare");
	up_cycle_free(c);
	/* a move dated before the last one is refused */
	expect_decision(&w, "2026-02-12", "go");
	up_advance_opts o = {"ward", "sustain", "ann", NULL, 0, NULL, NULL,
			     "2026-02-01"};
	up_error_clear(w.err);
	ck_assert_int_eq(up_advance(w.store, w.prog, &o, NULL, w.err),
			 UP_EINPUT);
	ck_assert(said(w.err, "--as-of 2026-02-01 is before cycle 4"));
	close_world(&w);
}
END_TEST

START_TEST(advance_on_conditional_go_records_conditions)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-02-10", "conditional_go");
	ck_assert_int_eq(advance(&w, "live", 0, NULL, NULL), UP_OK);
	/* the failed criterion, due 30 days after the move */
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM conditions WHERE"
			       " unit = 'ward' AND rule = 'content' AND gate ="
			       " 'prepare->live' AND due = '2026-03-12' AND"
			       " status = 'open'"), 1);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM conditions"), 1);
	/* --conditions-due on a go is a mistake */
	set(&w, "org", "2026-02-01", "content");
	up_cycle *c = cycle_at(&w, "2026-02-10");
	ck_assert_str_eq(decision(c, "org"), "go");
	up_cycle_free(c);
	up_advance_opts o = {"org", "live", "ann", NULL, 0, NULL,
			     "2026-03-01", NULL};
	up_error_clear(w.err);
	ck_assert_int_eq(up_advance(w.store, w.prog, &o, NULL, w.err),
			 UP_EINPUT);
	ck_assert(said(w.err, "leaves no conditions"));
	close_world(&w);
}
END_TEST

START_TEST(override_is_recorded_and_shown)
{
	world w;
	open_world(&w);
	set(&w, "ward", "2026-02-01", "hold");
	expect_decision(&w, "2026-02-10", "hold");
	ck_assert_int_eq(advance(&w, "live", 1, NULL, NULL), UP_EINPUT);
	ck_assert(said(w.err, "--override needs --reason TEXT"));
	ck_assert_int_eq(advance(&w, "live", 1, "the vendor's slot", NULL),
			 UP_OK);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM stage_history WHERE"
			       " override AND reason = 'the vendor''s slot'"
			       " AND decision = 'hold'"), 1);
	up_cycle *c = cycle_at(&w, "2026-02-20");
	const json_t *ov = json_object_get(unit_in(c, "ward"), "override");
	ck_assert_ptr_nonnull(ov);
	ck_assert_str_eq(field(ov, "by"), "ann");
	ck_assert_str_eq(field(ov, "reason"), "the vendor's slot");
	ck_assert_str_eq(field(ov, "at"), "2026-02-10");
	ck_assert_str_eq(field(ov, "decision"), "hold");
	/* explain and status say it */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_int_eq(up_explain_print(c, "ward", NULL, fp, 0, w.err),
			 UP_OK);
	ck_assert_int_eq(up_status_print(c, NULL, fp, 0, w.err), UP_OK);
	fclose(fp);
	ck_assert_msg(strstr(buf, "in live since 2026-02-10 by override of "
			     "hold, by ann: the vendor's slot"), "%s", buf);
	ck_assert_msg(strstr(buf, "Overrides:\n  ward in live since "
			     "2026-02-10, by ann, overriding hold"), "%s", buf);
	free(buf);
	up_cycle_free(c);
	/* an override a go does not need is refused */
	expect_decision(&w, "2026-02-20", "go");
	ck_assert_int_eq(advance(&w, "sustain", 1, "why not", NULL),
			 UP_EINPUT);
	ck_assert(said(w.err, "no override is needed"));
	close_world(&w);
}
END_TEST

/* The strikes of the ward's first strike entry in cycle C, or 0. */
static long long strikes(const up_cycle *c)
{
	const json_t *s = json_array_get(json_object_get(unit_in(c, "ward"),
							 "strikes"), 0);
	return json_integer_value(json_object_get(s, "count"));
}

START_TEST(three_strikes_kill)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-02-01", "conditional_go");
	/* content due 2026-03-03 */
	ck_assert_int_eq(advance(&w, "live", 0, NULL, "2026-03-03"), UP_OK);
	/* daily cycles: one strike per month after the due day, the third
	 * kills; before it the gate's own decision stands */
	static const struct {
		const char *day;
		long long strikes;
		const char *decision;
	} days[] = {
		{"2026-03-03", 0, "go"}, {"2026-03-04", 1, "go"},
		{"2026-03-05", 1, "go"}, {"2026-04-03", 1, "go"},
		{"2026-04-04", 2, "go"}, {"2026-04-05", 2, "go"},
		{"2026-05-03", 2, "go"}, {"2026-05-04", 3, "kill"},
		{"2026-05-05", 3, "kill"}, {"2026-05-05", 3, "kill"},
	};
	for (size_t i = 0; i < UP_COUNTOF(days); i++) {
		up_cycle *c = cycle_at(&w, days[i].day);
		ck_assert_msg(strikes(c) == days[i].strikes, "%s: %lld strikes",
			      days[i].day, strikes(c));
		ck_assert_msg(!strcmp(decision(c, "ward"), days[i].decision),
			      "%s: %s", days[i].day, decision(c, "ward"));
		up_cycle_free(c);
	}
	up_cycle *c = cycle_at(&w, "2026-05-06");
	const json_t *g = gate_of(c, "ward");
	ck_assert_str_eq(field(g, "criteria_decision"), "go");
	ck_assert_str_eq(field(g, "reason"), "three strikes: condition "
			 "'content' (due 2026-03-03) unmet at 2026-03-04, "
			 "2026-04-04, 2026-05-04");
	const json_t *s = json_array_get(json_object_get(unit_in(c, "ward"),
							 "strikes"), 0);
	ck_assert_str_eq(field(s, "rule"), "content");
	ck_assert_str_eq(field(s, "due"), "2026-03-03");
	up_cycle_free(c);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM decisions WHERE"
			       " unit = 'ward' AND decision = 'kill'"), 4);
	/* a cycle replaying a day before the strikes sees none, and
	 * records none */
	c = cycle_at(&w, "2026-03-10");
	ck_assert_int_eq(strikes(c), 1);
	up_cycle_free(c);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM condition_strikes"),
			 3);
	/* met at last: the strikes stop and the kill goes */
	set(&w, "ward", "2026-05-10", "content");
	c = cycle_at(&w, "2026-05-10");
	ck_assert_str_eq(decision(c, "ward"), "go");
	ck_assert_int_eq(json_array_size(json_object_get(unit_in(c, "ward"),
							 "strikes")), 0);
	ck_assert_str_eq(field(json_array_get(json_object_get(unit_in(c,
		"ward"), "conditions"), 0), "status"), "met");
	up_cycle_free(c);
	expect_decision(&w, "2026-07-10", "go");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM conditions WHERE"
			       " status = 'met' AND met_on = '2026-05-10'"), 1);
	close_world(&w);
}
END_TEST

/* A condition whose rule raises is shown as an error and earns no
 * strike: the rule's bug is not the unit's failing. */
START_TEST(a_raising_condition_earns_no_strike)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-02-01", "conditional_go");
	ck_assert_int_eq(advance(&w, "live", 0, NULL, "2026-02-10"), UP_OK);
	set(&w, "ward", "2026-02-05", "raise");
	static const char *const days[] = {"2026-02-11", "2026-03-11",
					   "2026-04-11"};
	for (size_t i = 0; i < UP_COUNTOF(days); i++) {
		up_cycle *c = cycle_at(&w, days[i]);
		const json_t *x = json_array_get(json_object_get(
			unit_in(c, "ward"), "conditions"), 0);
		ck_assert_str_eq(field(x, "status"), "error");
		ck_assert_ptr_nonnull(strstr(field(x, "message"), "broken"));
		ck_assert_str_eq(decision(c, "ward"), "go");
		up_cycle_free(c);
	}
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM condition_strikes"),
			 0);
	close_world(&w);
}
END_TEST

START_TEST(strikes_follow_the_evaluation_cadence)
{
	world w;
	char *yaml = up_xasprintf("%scadence: {evaluation: weekly}\n",
				  program_yaml);
	open_world_with(&w, yaml);
	free(yaml);
	expect_decision(&w, "2026-02-01", "conditional_go");
	ck_assert_int_eq(advance(&w, "live", 0, NULL, "2026-02-10"), UP_OK);
	static const char *const daily[] = {"2026-02-11", "2026-02-12",
		"2026-02-17", "2026-02-18", "2026-02-24"};
	for (size_t i = 0; i < UP_COUNTOF(daily); i++)
		up_cycle_free(cycle_at(&w, daily[i]));
	/* weekly reviews: 02-11, 02-18, then not before 02-25 */
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM condition_strikes"),
			 2);
	expect_decision(&w, "2026-02-24", "go");
	expect_decision(&w, "2026-02-25", "kill");
	close_world(&w);
}
END_TEST

/* ---- waivers ---- */

START_TEST(waiver_before_on_and_after_its_end)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-03-01", "conditional_go");
	ck_assert_int_eq(waive(&w, "ward", "content", "ann", "2026-03-10"),
			 UP_OK);
	static const struct {
		const char *day, *status, *decision;
	} days[] = {
		{"2026-03-01", "waived", "go"},  /* the first day */
		{"2026-03-09", "waived", "go"},  /* before the end */
		{"2026-03-10", "waived", "go"},  /* on it */
		{"2026-03-11", "fail", "conditional_go"}, /* after it */
	};
	for (size_t i = 0; i < UP_COUNTOF(days); i++) {
		up_cycle *c = cycle_at(&w, days[i].day);
		const json_t *cr = criterion(c, "ward", "content");
		ck_assert_msg(!strcmp(field(cr, "status"), days[i].status),
			      "%s: %s", days[i].day, field(cr, "status"));
		ck_assert_str_eq(decision(c, "ward"), days[i].decision);
		const json_t *wv = json_object_get(cr, "waiver");
		if (!strcmp(days[i].status, "waived")) {
			ck_assert_str_eq(field(wv, "by"), "ann");
			ck_assert_str_eq(field(wv, "until"), "2026-03-10");
			ck_assert_str_eq(field(wv, "reason"),
					 "agreed at the steering group");
			ck_assert_str_eq(field(cr, "judged"), "fail");
			ck_assert_str_eq(field(cr, "message"),
					 "content not aligned");
		} else {
			ck_assert_ptr_null(wv);
		}
		/* the other unit is never touched by the ward's waiver */
		ck_assert_str_eq(field(criterion(c, "org", "content"),
				       "status"), "fail");
		up_cycle_free(c);
	}
	/* the day after, the rule was judged again as a follow-up */
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM followups WHERE"
			       " source = 'waiver' AND rule = 'content' AND"
			       " unit = 'ward' AND due = '2026-03-11' AND"
			       " ran_in = 5 AND json_extract(result,"
			       " '$.status') = 'fail'"), 1);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM reminders WHERE"
			       " kind = 'followup' AND due = '2026-03-11'"), 1);
	/* and a cycle dated before the waiver began ignores it */
	expect_decision(&w, "2026-02-28", "conditional_go");
	close_world(&w);
}
END_TEST

START_TEST(a_later_waiver_replaces_and_moves_the_followup)
{
	world w;
	open_world(&w);
	set(&w, "ward", "2026-02-01", "hold");
	expect_decision(&w, "2026-03-01", "hold");
	ck_assert_int_eq(waive(&w, "ward", "no-hold", "ann", "2026-03-10"),
			 UP_OK);
	expect_decision(&w, "2026-03-02", "conditional_go");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM followups WHERE"
			       " source = 'waiver' AND due = '2026-03-11'"), 1);
	ck_assert_int_eq(waive(&w, "ward", "no-hold", "ann", "2026-04-30"),
			 UP_OK);
	expect_decision(&w, "2026-03-20", "conditional_go");
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM followups WHERE"
			       " source = 'waiver'"), 1);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM followups WHERE"
			       " source = 'waiver' AND due = '2026-05-01' AND"
			       " ran_in IS NULL"), 1);
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM reminders WHERE"
			       " kind = 'followup' AND due = '2026-03-11' AND"
			       " cancelled"), 1);
	expect_decision(&w, "2026-05-01", "hold");
	close_world(&w);
}
END_TEST

START_TEST(waive_refuses_what_does_not_exist)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-03-01", "conditional_go");
	ck_assert_int_eq(waive(&w, "wrd", "content", "ann", "2026-03-10"),
			 UP_EINPUT);
	ck_assert(said(w.err, "unknown unit 'wrd' (did you mean 'ward'?)"));
	ck_assert_int_eq(waive(&w, "ward", "contnet", "ann", "2026-03-10"),
			 UP_EINPUT);
	ck_assert(said(w.err, "unknown rule 'contnet' (did you mean "
		       "'content'?)"));
	ck_assert_int_eq(waive(&w, "ward", "content", "an", "2026-03-10"),
			 UP_EINPUT);
	ck_assert(said(w.err, "unknown person 'an' (did you mean 'ann'?)"));
	ck_assert_int_eq(waive(&w, "ward", "looks", "ann", "2026-03-10"),
			 UP_EINPUT);
	ck_assert(said(w.err, "'looks' is a check, not a gate criterion"));
	ck_assert_int_eq(waive(&w, "ward", "content", "ann", "2026-02-10"),
			 UP_EINPUT);
	ck_assert(said(w.err, "before the waiver starts (2026-03-01)"));
	ck_assert_int_eq(count(&w, "SELECT count(*) FROM waivers"), 0);
	close_world(&w);
}
END_TEST

START_TEST(waivers_list_their_state)
{
	world w;
	open_world(&w);
	expect_decision(&w, "2026-03-01", "conditional_go");
	ck_assert_int_eq(waive(&w, "ward", "content", "ann", "2026-03-10"),
			 UP_OK);
	ck_assert_int_eq(waive(&w, "org", "content", "ann", "2026-03-05"),
			 UP_OK);
	up_waive_opts o = {"ward", "content", "extended", "ann", "2026-04-10",
			   "2026-03-08"};
	ck_assert_int_eq(up_waive(w.store, w.prog, &o, NULL, w.err), UP_OK);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	ck_assert_int_eq(up_waivers_print(w.store, "2026-03-07", fp,
					  UP_PRINT_JSON, w.err), UP_OK);
	ck_assert_int_eq(up_waivers_print(w.store, "2026-03-09", fp,
					  UP_PRINT_JSON, w.err), UP_OK);
	fclose(fp);
	json_error_t je;
	json_t *a = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, &je);
	json_t *b = json_loads(buf + je.position, 0, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	/* by unit, rule, then as recorded: org's, then ward's two */
	static const char *const on7[] = {"expired", "active", "upcoming"};
	static const char *const on9[] = {"expired", "replaced", "active"};
	for (size_t i = 0; i < 3; i++) {
		json_t *x = json_array_get(json_object_get(a, "waivers"), i);
		json_t *y = json_array_get(json_object_get(b, "waivers"), i);
		ck_assert_str_eq(field(x, "state"), on7[i]);
		ck_assert_str_eq(field(y, "state"), on9[i]);
	}
	json_decref(a);
	json_decref(b);
	free(buf);
	close_world(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decide");
	TCase *adv = tcase_create("advance");
	tcase_add_loop_test(adv, advance_refused_unless_go, 0,
			    (int)UP_COUNTOF(refusals));
	tcase_add_test(adv, advance_refused_without_a_cycle);
	tcase_add_test(adv, advance_one_stage_at_a_time);
	tcase_add_test(adv, advance_on_go);
	tcase_add_test(adv, advance_on_conditional_go_records_conditions);
	tcase_add_test(adv, override_is_recorded_and_shown);
	tcase_add_test(adv, three_strikes_kill);
	tcase_add_test(adv, a_raising_condition_earns_no_strike);
	tcase_add_test(adv, strikes_follow_the_evaluation_cadence);
	tcase_set_timeout(adv, 60);
	suite_add_tcase(s, adv);
	TCase *wv = tcase_create("waivers");
	tcase_add_test(wv, waiver_before_on_and_after_its_end);
	tcase_add_test(wv, a_later_waiver_replaces_and_moves_the_followup);
	tcase_add_test(wv, waive_refuses_what_does_not_exist);
	tcase_add_test(wv, waivers_list_their_state);
	tcase_set_timeout(wv, 60);
	suite_add_tcase(s, wv);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
