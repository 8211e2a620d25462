/*
 * test_history.c: the list of stored cycles and what changed between two.
 *
 * What is pinned: a crafted pair of cycle documents with every kind of
 * change (decisions, criteria, findings, metrics, stages, files, packs)
 * gives exactly the expected diff, in the later document's unit order
 * and then by rule; the same document gives an empty one; the table
 * names what changed and never lets a rule's control characters through;
 * real cycles on a small program list their counts and hashes, and a
 * recorded fact between them shows as a decision and a criterion that
 * moved, under the cycle's board as "Since cycle N:"; a cycle that does
 * not exist is UP_EINPUT naming the range that does.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "internal.h"
#include "testutil.h"

/* ---- helpers ---- */

/* JSON written with ' for ", so documents read as documents here. */
static json_t *J(const char *text)
{
	char *s = up_xstrdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	ck_assert_msg(j != NULL, "bad test JSON at %d: %s", e.position,
		      e.text);
	free(s);
	return j;
}

static void expect_json(const json_t *got, const json_t *want)
{
	if (json_equal((json_t *)got, (json_t *)want))
		return;
	char *g = json_dumps(got, JSON_INDENT(1));
	char *w = json_dumps(want, JSON_INDENT(1));
	ck_abort_msg("got:\n%s\nwant:\n%s", g, w);
	free(g);
	free(w);
}

typedef struct {
	char *buf;
	size_t len;
	FILE *fp;
} capture;

static void cap_open(capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->fp);
}

/* The text written since cap_open (the caller frees it). */
static char *cap_close(capture *c)
{
	fclose(c->fp);
	return c->buf;
}

static void expect_text(const char *got, const char *want)
{
	ck_assert_msg(!strcmp(got, want), "got:\n%s\nwant:\n%s", got, want);
}

static const char *message0(const up_error *err)
{
	const char *m = up_error_message(err, 0);
	return m ? m : "(none)";
}

/* ---- a crafted pair of documents ---- */

/* Cycle 1: org holds at the contract; ward is go at go-live; a unit that
 * will leave the program; two packs. */
static const char doc_a[] =
	"{'program': 'p', 'cycle': 1, 'as_of': '2026-01-15',"
	" 'units': ["
	"  {'id': 'org', 'stage': 'evaluate',"
	"   'gates': [{'gate': 'evaluate->procure', 'decision': 'hold',"
	"    'criteria': ["
	"     {'rule': 'sponsor', 'status': 'pass', 'message': 'sponsor ok'},"
	"     {'rule': 'champion', 'status': 'fail',"
	"      'message': 'no champion \\u001b[31m'},"
	"     {'rule': 'old-rule', 'status': 'pass', 'message': 'x'},"
	"     {'rule': 'budget', 'status': 'pass', 'message': 'funded'}]}],"
	"   'findings': ["
	"     {'rule': 'stale-plan', 'status': 'warn', 'severity': 'low',"
	"      'message': 'plan old'},"
	"     {'rule': 'exec-only', 'status': 'warn', 'severity': 'high',"
	"      'message': 'execs only'}],"
	"   'metrics': [{'metric': 'share', 'status': 'on_track'}]},"
	"  {'id': 'ward', 'stage': 'prepare',"
	"   'gates': [{'gate': 'prepare->live', 'decision': 'go',"
	"    'criteria': [{'rule': 'trained', 'status': 'pass'}]}],"
	"   'findings': [],"
	"   'metrics': [{'metric': 'share', 'status': 'at_risk'}]},"
	"  {'id': 'gone', 'stage': 'prepare',"
	"   'gates': [{'gate': 'prepare->live', 'decision': 'hold',"
	"    'criteria': []}], 'findings': [], 'metrics': []}],"
	" 'metrics': [{'metric': 'share', 'status': 'on_track'},"
	"             {'metric': 'leads', 'status': 'met'}],"
	" 'errors': [],"
	" 'files': [{'path': 'program.yaml', 'sha256': '11111111aa'},"
	"           {'path': 'rules/a.lua', 'sha256': 'bbbbbbbbbb01'},"
	"           {'path': 'rules/old.lua', 'sha256': 'cccccccccc01'}],"
	" 'packs': [{'name': 'p1', 'version': '1.0.0', 'sha256': 'dddddddd01'},"
	"           {'name': 'p2', 'version': '2.0.0',"
	"            'sha256': 'eeeeeeee01'}]}";

/* Cycle 2: ward was advanced to live (and comes first now), org's
 * champion passes and a rule replaced another, findings appeared,
 * changed and were resolved, metrics moved, a unit joined, a file and a
 * pack changed, one pack was added and one dropped. */
static const char doc_b[] =
	"{'program': 'p', 'cycle': 2, 'as_of': '2026-03-15',"
	" 'units': ["
	"  {'id': 'ward', 'stage': 'live',"
	"   'gates': [{'gate': 'live->sustain', 'decision': 'hold',"
	"    'criteria': [{'rule': 'used', 'status': 'fail'}]}],"
	"   'findings': [{'rule': 'low-use', 'status': 'fail',"
	"     'severity': 'medium', 'message': 'use fell'}],"
	"   'metrics': [{'metric': 'share', 'status': 'off_track'}]},"
	"  {'id': 'org', 'stage': 'evaluate',"
	"   'gates': [{'gate': 'evaluate->procure', 'decision': 'go',"
	"    'criteria': ["
	"     {'rule': 'sponsor', 'status': 'pass', 'message': 'sponsor ok'},"
	"     {'rule': 'champion', 'status': 'pass', 'message': '1 champion'},"
	"     {'rule': 'budget', 'status': 'fail', 'message': 'cut'},"
	"     {'rule': 'new-rule', 'status': 'pass', 'message': 'y'}]}],"
	"   'findings': ["
	"     {'rule': 'stale-plan', 'status': 'fail', 'severity': 'low',"
	"      'message': 'plan very old'}],"
	"   'metrics': [{'metric': 'share', 'status': 'on_track'}]},"
	"  {'id': 'fresh', 'stage': 'evaluate',"
	"   'gates': [{'gate': 'evaluate->procure', 'decision': 'hold',"
	"    'criteria': []}], 'findings': [], 'metrics': []}],"
	" 'metrics': [{'metric': 'share', 'status': 'at_risk'},"
	"             {'metric': 'leads', 'status': 'met'}],"
	" 'errors': [],"
	" 'files': [{'path': 'program.yaml', 'sha256': '22222222aa'},"
	"           {'path': 'rules/a.lua', 'sha256': 'bbbbbbbbbb01'},"
	"           {'path': 'rules/new.lua', 'sha256': 'ffffffffff01'}],"
	" 'packs': [{'name': 'p1', 'version': '1.1.0', 'sha256': 'd2dddddd02'},"
	"           {'name': 'p3', 'version': '0.1.0',"
	"            'sha256': '9999999901'}]}";

static const char want_diff[] =
	"{'program': 'p',"
	" 'from': {'cycle': 1, 'as_of': '2026-01-15'},"
	" 'to': {'cycle': 2, 'as_of': '2026-03-15'},"
	" 'decisions': ["
	"  {'unit': 'ward', 'gate': 'live->sustain', 'from': null,"
	"   'to': 'hold'},"
	"  {'unit': 'ward', 'gate': 'prepare->live', 'from': 'go', 'to': null},"
	"  {'unit': 'org', 'gate': 'evaluate->procure', 'from': 'hold',"
	"   'to': 'go'},"
	"  {'unit': 'fresh', 'gate': 'evaluate->procure', 'from': null,"
	"   'to': 'hold'},"
	"  {'unit': 'gone', 'gate': 'prepare->live', 'from': 'hold',"
	"   'to': null}],"
	" 'criteria': ["
	"  {'unit': 'org', 'gate': 'evaluate->procure', 'rule': 'budget',"
	"   'from': 'pass', 'to': 'fail', 'from_message': 'funded',"
	"   'to_message': 'cut'},"
	"  {'unit': 'org', 'gate': 'evaluate->procure', 'rule': 'champion',"
	"   'from': 'fail', 'to': 'pass',"
	"   'from_message': 'no champion \\u001b[31m',"
	"   'to_message': '1 champion'},"
	"  {'unit': 'org', 'gate': 'evaluate->procure', 'rule': 'new-rule',"
	"   'from': null, 'to': 'pass', 'from_message': null,"
	"   'to_message': 'y'},"
	"  {'unit': 'org', 'gate': 'evaluate->procure', 'rule': 'old-rule',"
	"   'from': 'pass', 'to': null, 'from_message': 'x',"
	"   'to_message': null}],"
	" 'findings': ["
	"  {'unit': 'ward', 'rule': 'low-use', 'severity': 'medium',"
	"   'change': 'appeared', 'from': null, 'to': 'fail',"
	"   'message': 'use fell'},"
	"  {'unit': 'org', 'rule': 'exec-only', 'severity': 'high',"
	"   'change': 'resolved', 'from': 'warn', 'to': null,"
	"   'message': 'execs only'},"
	"  {'unit': 'org', 'rule': 'stale-plan', 'severity': 'low',"
	"   'change': 'changed', 'from': 'warn', 'to': 'fail',"
	"   'message': 'plan very old'}],"
	" 'metrics': ["
	"  {'unit': null, 'metric': 'share', 'from': 'on_track',"
	"   'to': 'at_risk'},"
	"  {'unit': 'ward', 'metric': 'share', 'from': 'at_risk',"
	"   'to': 'off_track'}],"
	" 'stages': ["
	"  {'unit': 'ward', 'from': 'prepare', 'to': 'live'},"
	"  {'unit': 'fresh', 'from': null, 'to': 'evaluate'},"
	"  {'unit': 'gone', 'from': 'prepare', 'to': null}],"
	" 'files': ["
	"  {'path': 'program.yaml', 'from': '11111111aa',"
	"   'to': '22222222aa'},"
	"  {'path': 'rules/new.lua', 'from': null, 'to': 'ffffffffff01'},"
	"  {'path': 'rules/old.lua', 'from': 'cccccccccc01', 'to': null}],"
	" 'packs': ["
	"  {'name': 'p1', 'from': {'version': '1.0.0', 'sha256': 'dddddddd01'},"
	"   'to': {'version': '1.1.0', 'sha256': 'd2dddddd02'}},"
	"  {'name': 'p3', 'from': null,"
	"   'to': {'version': '0.1.0', 'sha256': '9999999901'}},"
	"  {'name': 'p2', 'from': {'version': '2.0.0', 'sha256': 'eeeeeeee01'},"
	"   'to': null}]}";

START_TEST(every_kind_of_change)
{
	json_t *a = J(doc_a), *b = J(doc_b), *want = J(want_diff);
	json_t *d = up_history_diff(a, b);
	expect_json(d, want);
	json_decref(d);
	json_decref(want);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(same_document_no_change)
{
	json_t *a = J(doc_a);
	json_t *d = up_history_diff(a, a);
	static const char *const kinds[] = {"decisions", "criteria",
		"findings", "metrics", "stages", "files", "packs"};
	for (size_t i = 0; i < UP_COUNTOF(kinds); i++) {
		json_t *list = json_object_get(d, kinds[i]);
		ck_assert_msg(json_is_array(list) && json_array_size(list) == 0,
			      "%s is not an empty array", kinds[i]);
	}
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
		d, "to"), "cycle")), 1);
	json_decref(d);
	json_decref(a);
}
END_TEST

/* ---- the crafted pair in a real store ---- */

typedef struct {
	char *dir;
	up_store *store;
	up_error *err;
} fixture;

static void open_store(fixture *fx)
{
	fx->dir = tu_mkdtemp();
	fx->err = up_error_new();
	int rc = up_store_open(&fx->store, fx->dir, NULL, 0, fx->err);
	ck_assert_msg(rc == UP_OK, "open: %s", message0(fx->err));
}

static void close_store(fixture *fx)
{
	up_store_close(fx->store);
	up_error_free(fx->err);
	tu_rmtree(fx->dir);
	free(fx->dir);
}

/* Stores DOC as cycle N, as if a cycle had written it. */
static void insert_cycle(up_store *s, long long n, const char *doc)
{
	json_t *j = J(doc);
	char *text = json_dumps(j, JSON_COMPACT);
	sqlite3_stmt *st;
	sqlite3 *db = up_store_db(s);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO cycles(id, as_of,"
		" ran_at, program_hash, doc) VALUES (?, ?, "
		"'2026-04-01T08:00:00Z', 'feed', ?)", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(j,
			  "as_of")), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(text);
	json_decref(j);
}

START_TEST(diff_table)
{
	fixture fx;
	open_store(&fx);
	insert_cycle(fx.store, 1, doc_a);
	insert_cycle(fx.store, 2, doc_b);
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_history_diff_print(fx.store, 1, 2, c.fp, 0,
					       fx.err), UP_OK);
	char *got = cap_close(&c);
	/* The escape a rule put in its message reaches no terminal. */
	expect_text(got,
		"p: cycle 1 as of 2026-01-15 -> cycle 2 as of 2026-03-15\n"
		"\nDecisions:\n"
		"  ward live->sustain: none -> hold\n"
		"  ward prepare->live: go -> none\n"
		"  org evaluate->procure: hold -> go\n"
		"  fresh evaluate->procure: none -> hold\n"
		"  gone prepare->live: hold -> none\n"
		"\nCriteria:\n"
		"  org budget: pass -> fail\n"
		"    was: funded\n"
		"    now: cut\n"
		"  org champion: fail -> pass\n"
		"    was: no champion ?[31m\n"
		"    now: 1 champion\n"
		"  org new-rule: none -> pass\n"
		"    now: y\n"
		"  org old-rule: pass -> none\n"
		"    was: x\n"
		"\nFindings:\n"
		"  ward low-use [medium]: none -> fail (appeared)\n"
		"    now: use fell\n"
		"  org exec-only [high]: warn -> none (resolved)\n"
		"    was: execs only\n"
		"  org stale-plan [low]: warn -> fail\n"
		"    now: plan very old\n"
		"\nMetrics:\n"
		"  (program) share: on_track -> at_risk\n"
		"  ward share: at_risk -> off_track\n"
		"\nStages:\n"
		"  ward: prepare -> live\n"
		"  fresh: none -> evaluate\n"
		"  gone: prepare -> none\n"
		"\nFiles:\n"
		"  program.yaml: 11111111 -> 22222222\n"
		"  rules/new.lua: none -> ffffffff\n"
		"  rules/old.lua: cccccccc -> none\n"
		"\nPacks:\n"
		"  p1: 1.0.0:dddddddd -> 1.1.0:d2dddddd\n"
		"  p3: none -> 0.1.0:99999999\n"
		"  p2: 2.0.0:eeeeeeee -> none\n");
	free(got);

	/* --json prints the diff itself. */
	cap_open(&c);
	ck_assert_int_eq(up_history_diff_print(fx.store, 1, 2, c.fp,
					       UP_PRINT_JSON, fx.err), UP_OK);
	got = cap_close(&c);
	json_t *printed = json_loads(got, 0, NULL), *want = J(want_diff);
	expect_json(printed, want);
	json_decref(printed);
	json_decref(want);
	free(got);

	cap_open(&c);
	ck_assert_int_eq(up_history_diff_print(fx.store, 2, 2, c.fp, 0,
					       fx.err), UP_OK);
	got = cap_close(&c);
	expect_text(got, "p: cycle 2 as of 2026-03-15 -> cycle 2 as of "
		    "2026-03-15\n\nNothing changed.\n");
	free(got);
	close_store(&fx);
}
END_TEST

/* Many changes of a kind: three lines, then how many more; four take
 * the four lines. */
START_TEST(since_is_short)
{
	fixture fx;
	open_store(&fx);
	insert_cycle(fx.store, 1, doc_a);
	insert_cycle(fx.store, 2, doc_b);
	up_cycle c2 = {.doc = J(doc_b), .number = 2};
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_cycle_print_since(&c2, fx.store, c.fp, 0, fx.err),
			 UP_OK);
	char *got = cap_close(&c);
	const char *since = strstr(got, "\nSince cycle");
	ck_assert_ptr_nonnull(since);
	expect_text(since,
		"\nSince cycle 1:\n"
		"  decision   ward live->sustain: none -> hold\n"
		"  decision   ward prepare->live: go -> none\n"
		"  decision   org evaluate->procure: hold -> go\n"
		"  ... and 2 more decisions\n"
		"  criterion  org budget: pass -> fail\n"
		"  criterion  org champion: fail -> pass\n"
		"  criterion  org new-rule: none -> pass\n"
		"  criterion  org old-rule: pass -> none\n"
		"  finding    ward low-use [medium]: none -> fail (appeared)\n"
		"  finding    org exec-only [high]: warn -> none (resolved)\n"
		"  finding    org stale-plan [low]: warn -> fail\n"
		"  metric     (program) share: on_track -> at_risk\n"
		"  metric     ward share: at_risk -> off_track\n"
		"  stage      ward: prepare -> live\n"
		"  stage      fresh: none -> evaluate\n"
		"  stage      gone: prepare -> none\n"
		"  file       program.yaml: 11111111 -> 22222222\n"
		"  file       rules/new.lua: none -> ffffffff\n"
		"  file       rules/old.lua: cccccccc -> none\n"
		"  pack       p1: 1.0.0:dddddddd -> 1.1.0:d2dddddd\n"
		"  pack       p3: none -> 0.1.0:99999999\n"
		"  pack       p2: 2.0.0:eeeeeeee -> none\n");
	/* The board itself is up_cycle_print's, unchanged. */
	capture plain;
	cap_open(&plain);
	ck_assert_int_eq(up_cycle_print(&c2, plain.fp, 0), UP_OK);
	char *board = cap_close(&plain);
	ck_assert_int_eq(since - got, (long)strlen(board));
	ck_assert(!strncmp(got, board, strlen(board)));
	free(board);
	free(got);
	json_decref(c2.doc);
	close_store(&fx);
}
END_TEST

START_TEST(missing_cycles)
{
	fixture fx;
	open_store(&fx);
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_history_diff_print(fx.store, 1, 2, c.fp, 0,
					       fx.err), UP_EINPUT);
	ck_assert_str_eq(message0(fx.err), "error: no cycle 1 (no cycle has "
			 "run yet: run 'uptake cycle')");
	up_error_clear(fx.err);
	insert_cycle(fx.store, 1, doc_a);
	ck_assert_int_eq(up_history_diff_print(fx.store, 1, 2, c.fp, 0,
					       fx.err), UP_EINPUT);
	ck_assert_str_eq(message0(fx.err), "error: no cycle 2 (only cycle 1 "
			 "exists)");
	up_error_clear(fx.err);
	insert_cycle(fx.store, 2, doc_b);
	insert_cycle(fx.store, 3, doc_b);
	ck_assert_int_eq(up_history_diff_print(fx.store, 9, 1, c.fp,
		UP_PRINT_JSON, fx.err), UP_EINPUT);
	ck_assert_str_eq(message0(fx.err), "error: no cycle 9 (cycles 1 to 3 "
			 "exist)");
	ck_assert_int_eq(up_error_count(fx.err), 1);
	char *got = cap_close(&c);
	ck_assert_str_eq(got, ""); /* nothing half printed */
	free(got);
	close_store(&fx);
}
END_TEST

/* ---- real cycles ---- */

static const char program_yaml[] =
	"program: p\n"
	"start: 2026-01-01\n"
	"stages: [evaluate, procure, pilot, scale]\n"
	"units:\n"
	"  - {id: org, name: Org, stage: evaluate}\n"
	"  - {id: ward, name: Ward, parent: org, stage: pilot}\n"
	"people:\n"
	"  - {id: dr-lind, name: Dr Lind, unit: ward, "
	"roles: [clinician_champion], engagement: consulted}\n"
	"rules: [rules/champion.lua]\n";

static const char champion_lua[] =
	"gate {\n"
	"  id = \"champion\", at = \"evaluate->procure\",\n"
	"  check = function(ctx)\n"
	"    local champs = ctx:people{ role = \"clinician_champion\",\n"
	"      min_engagement = \"bought_in\", within = ctx.unit.id }\n"
	"    if #champs == 0 then return fail(\"no champion\") end\n"
	"    return pass(\"%d champion(s)\", #champs)\n"
	"  end,\n"
	"}\n"
	"check {\n"
	"  id = \"pilot-meetings\", severity = \"low\",\n"
	"  stages = { \"pilot\" },\n"
	"  check = function(ctx) return warn(\"no meeting yet\") end,\n"
	"}\n";

typedef struct {
	fixture s;
	up_program *prog;
} program_fx;

static void open_program(program_fx *fx)
{
	open_store(&fx->s);
	tu_write(fx->s.dir, "program.yaml", program_yaml);
	tu_write(fx->s.dir, "rules/champion.lua", champion_lua);
	int rc = up_program_load(&fx->prog, fx->s.dir, fx->s.err);
	ck_assert_msg(rc == UP_OK, "load: %s", message0(fx->s.err));
}

static void close_program(program_fx *fx)
{
	up_program_free(fx->prog);
	close_store(&fx->s);
}

/* Runs a cycle and returns what `uptake cycle` prints (caller frees). */
static char *cycle_text(program_fx *fx, const char *as_of, unsigned flags,
			up_cycle **out)
{
	up_cycle *cy;
	int rc = up_cycle_run(&cy, fx->s.store, fx->prog, as_of, fx->s.err);
	ck_assert_msg(rc == UP_OK, "cycle: %s", message0(fx->s.err));
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_cycle_print_since(cy, fx->s.store, c.fp, flags,
					      fx->s.err), UP_OK);
	char *text = cap_close(&c);
	if (out)
		*out = cy;
	else
		up_cycle_free(cy);
	return text;
}

static char *board_of(const up_cycle *cy, unsigned flags)
{
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_cycle_print(cy, c.fp, flags), UP_OK);
	return cap_close(&c);
}

static void record_buy_in(program_fx *fx)
{
	static const char *const names[] = {"person", "level", "date"};
	static const char *const values[] = {"dr-lind", "bought_in",
					     "2026-02-10"};
	int rc = up_record(fx->s.store, fx->prog, "engagement", 3, names,
			   values, NULL, fx->s.err);
	ck_assert_msg(rc == UP_OK, "record: %s", message0(fx->s.err));
}

START_TEST(since_after_a_recorded_fact)
{
	program_fx fx;
	open_program(&fx);
	up_cycle *c1;
	char *t1 = cycle_text(&fx, "2026-02-01", 0, &c1);
	char *b1 = board_of(c1, 0);
	expect_text(t1, b1); /* the first cycle has nothing to compare */
	ck_assert_ptr_null(strstr(t1, "Since"));
	free(b1);
	free(t1);
	up_cycle_free(c1);

	record_buy_in(&fx);
	up_cycle *c2;
	char *t2 = cycle_text(&fx, "2026-02-28", 0, &c2);
	char *b2 = board_of(c2, 0);
	ck_assert(!strncmp(t2, b2, strlen(b2)));
	expect_text(t2 + strlen(b2),
		    "\nSince cycle 1:\n"
		    "  decision   org evaluate->procure: hold -> go\n"
		    "  criterion  org champion: fail -> pass\n");
	free(b2);
	free(t2);

	/* JSON is the cycle's document alone, as up_cycle_print's. */
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_cycle_print_since(c2, fx.s.store, c.fp,
		UP_PRINT_JSON, fx.s.err), UP_OK);
	char *j = cap_close(&c);
	char *bj = board_of(c2, UP_PRINT_JSON);
	expect_text(j, bj);
	free(bj);
	free(j);
	up_cycle_free(c2);

	char *t3 = cycle_text(&fx, "2026-02-28", 0, NULL);
	const char *tail = strstr(t3, "\nSince cycle");
	ck_assert_ptr_nonnull(tail);
	expect_text(tail, "\nSince cycle 2: nothing changed.\n");
	free(t3);

	/* Replaying January compares with cycle 3, the one numbered below. */
	char *t4 = cycle_text(&fx, "2026-02-01", 0, NULL);
	tail = strstr(t4, "\nSince cycle");
	ck_assert_ptr_nonnull(tail);
	expect_text(tail, "\nSince cycle 3:\n"
		    "  decision   org evaluate->procure: go -> hold\n"
		    "  criterion  org champion: pass -> fail\n");
	free(t4);
	close_program(&fx);
}
END_TEST

START_TEST(history_of_real_cycles)
{
	program_fx fx;
	open_program(&fx);
	free(cycle_text(&fx, "2026-02-01", 0, NULL));
	record_buy_in(&fx);
	free(cycle_text(&fx, "2026-02-28", 0, NULL));

	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_history_print(fx.s.store, c.fp, UP_PRINT_JSON,
					  fx.s.err), UP_OK);
	char *text = cap_close(&c);
	json_t *list = json_loads(text, 0, NULL);
	free(text);
	ck_assert_int_eq(json_array_size(list), 2);
	/* Cycle 1: org holds; cycle 2: org goes.  No rule covers the
	 * ward's gate: it has no decision, counted nowhere.  ran_at is the
	 * wall clock: only its shape is pinned. */
	const char *hash = up_program_hash(fx.prog);
	static const char *const as_of[] = {"2026-02-01", "2026-02-28"};
	static const int go[] = {0, 1}, hold[] = {1, 0};
	for (size_t i = 0; i < 2; i++) {
		json_t *r = json_array_get(list, i);
		const char *ran = json_string_value(json_object_get(r,
								   "ran_at"));
		ck_assert_msg(ran && strlen(ran) == 20 && ran[10] == 'T' &&
			      ran[19] == 'Z', "ran_at %s", ran ? ran : "null");
		json_object_del(r, "ran_at");
		json_t *want = json_pack("{s:I, s:s, s:s, s:[], s:{s:i, s:i, "
			"s:i, s:i, s:i}, s:i, s:i}", "cycle",
			(json_int_t)i + 1, "as_of", as_of[i], "program_sha256",
			hash, "packs", "decisions", "go", go[i],
			"conditional_go", 0, "hold", hold[i], "recycle", 0,
			"kill", 0, "findings", 1, "errors", 0);
		expect_json(r, want);
		json_decref(want);
	}
	json_decref(list);

	/* The table: ran_at to the minute, hashes cut short. */
	cap_open(&c);
	ck_assert_int_eq(up_history_print(fx.s.store, c.fp, 0, fx.s.err),
			 UP_OK);
	text = cap_close(&c);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(up_store_db(fx.s.store),
		"SELECT group_concat(replace(substr(ran_at, 1, 16), 'T', ' '),"
		" '|') FROM (SELECT ran_at FROM cycles ORDER BY id)", -1, &st,
		NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	char ran[2][17];
	sscanf((const char *)sqlite3_column_text(st, 0), "%16[^|]|%16[^|]",
	       ran[0], ran[1]);
	sqlite3_finalize(st);
	char *want = up_xasprintf(
		"CYCLE  AS OF       RAN AT (UTC)      PROGRAM     GO  COND  "
		"HOLD  RECYCLE  KILL  FINDINGS  ERRORS  PACKS\n"
		"    1  2026-02-01  %s  %.8s     0     0     1        0     0"
		"         1       0  -\n"
		"    2  2026-02-28  %s  %.8s     1     0     0        0     0"
		"         1       0  -\n", ran[0], hash, ran[1], hash);
	expect_text(text, want);
	free(want);
	free(text);

	cap_open(&c);
	ck_assert_int_eq(up_history_diff_print(fx.s.store, 1, 2, c.fp,
		UP_PRINT_JSON, fx.s.err), UP_OK);
	text = cap_close(&c);
	json_t *diff = json_loads(text, 0, NULL);
	free(text);
	json_t *wantj = J(
		"{'program': 'p',"
		" 'from': {'cycle': 1, 'as_of': '2026-02-01'},"
		" 'to': {'cycle': 2, 'as_of': '2026-02-28'},"
		" 'decisions': [{'unit': 'org', 'gate': 'evaluate->procure',"
		"   'from': 'hold', 'to': 'go'}],"
		" 'criteria': [{'unit': 'org', 'gate': 'evaluate->procure',"
		"   'rule': 'champion', 'from': 'fail', 'to': 'pass',"
		"   'from_message': 'no champion',"
		"   'to_message': '1 champion(s)'}],"
		" 'findings': [], 'metrics': [], 'stages': [], 'files': [],"
		" 'packs': []}");
	expect_json(diff, wantj);
	json_decref(wantj);
	json_decref(diff);
	close_program(&fx);
}
END_TEST

START_TEST(empty_history)
{
	fixture fx;
	open_store(&fx);
	capture c;
	cap_open(&c);
	ck_assert_int_eq(up_history_print(fx.store, c.fp, 0, fx.err), UP_OK);
	char *text = cap_close(&c);
	expect_text(text, "no cycle has run yet (run 'uptake cycle')\n");
	free(text);
	cap_open(&c);
	ck_assert_int_eq(up_history_print(fx.store, c.fp, UP_PRINT_JSON,
					  fx.err), UP_OK);
	text = cap_close(&c);
	expect_text(text, "[]\n");
	free(text);
	close_store(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("diff");
	tcase_add_test(tc, every_kind_of_change);
	tcase_add_test(tc, same_document_no_change);
	tcase_add_test(tc, diff_table);
	tcase_add_test(tc, since_is_short);
	tcase_add_test(tc, missing_cycles);
	suite_add_tcase(s, tc);
	tc = tcase_create("cycles");
	tcase_add_test(tc, since_after_a_recorded_fact);
	tcase_add_test(tc, history_of_real_cycles);
	tcase_add_test(tc, empty_history);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
