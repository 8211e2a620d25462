/*
 * test_helpers.c: the prelude's helpers for the common criteria
 * (require_people, require_event, require_trained, require_ratio,
 * require_status), each on pass and on fail with its exact message,
 * evidence and the line of the rule's call, and the error for every kind
 * of bad argument.  Every test builds its world in a fresh directory and
 * evaluates the rules as of AS_OF with the program's metrics judged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "internal.h"
#include "testutil.h"

#define AS_OF "2026-02-10"

/*
 * Southvale (evaluate) > North Clinic (live, go-live 2025-10-01),
 * East Clinic (live, 2025-12-01), West Clinic (prepare, 2026-04-01).
 * The executive and the quality lead sit at Southvale; Cy is a
 * cardiologist and an executive.  People are listed by id in every
 * message: bo, cy, erik, qa.
 */
static const char world_yaml[] =
	"program: helpers-test\n"
	"start: 2025-07-01\n"
	"stages: [evaluate, procure, prepare, live, sustain]\n"
	"units:\n"
	"  - {id: org, name: Southvale, stage: evaluate}\n"
	"  - {id: north, name: North Clinic, parent: org, stage: live,\n"
	"     go_live: 2025-10-01}\n"
	"  - {id: east, name: East Clinic, parent: org, stage: live,\n"
	"     go_live: 2025-12-01}\n"
	"  - {id: west, name: West Clinic, parent: org, stage: prepare,\n"
	"     go_live: 2026-04-01}\n"
	"people:\n"
	"  - {id: erik-exec, name: Erik Berg, unit: org, roles: [executive],\n"
	"     engagement: bought_in, since: 2025-08-01}\n"
	"  - {id: qa-lind, name: Qiu Lind, unit: org, roles: [quality_lead],\n"
	"     engagement: bought_in, since: 2025-08-15}\n"
	"  - {id: ann-card, name: Ann Holm, unit: north, roles: [cardiologist],\n"
	"     engagement: bought_in, since: 2025-09-01}\n"
	"  - {id: nils-nurse, name: Nils Ek, unit: north, roles: [nurse],\n"
	"     engagement: involved}\n"
	"  - {id: bo-card, name: Bo Sand, unit: east, roles: [cardiologist],\n"
	"     engagement: involved, since: 2025-11-01}\n"
	"  - {id: cy-card, name: Cy Dahl, unit: east,\n"
	"     roles: [cardiologist, executive], engagement: bought_in,\n"
	"     since: 2025-09-10}\n"
	"  - {id: eva-nurse, name: Eva Lund, unit: east, roles: [nurse],\n"
	"     engagement: informed}\n"
	"  - {id: di-nurse, name: Di Moberg, unit: west, roles: [nurse]}\n"
	"  - {id: fa-nurse, name: Fa Nyberg, unit: west, roles: [nurse]}\n"
	"  - {id: gus-nurse, name: Gus Olsson, unit: west, roles: [nurse]}\n"
	"  - {id: wes-card, name: Wes Ahl, unit: west, roles: [cardiologist],\n"
	"     engagement: informed, since: 2025-09-01}\n"
	"metrics:\n"
	"  monitored_share: {numerator: remote_checks, denominator: patients,\n"
	"                    target: 0.5, deadline: 2026-12-31}\n"
	"  checks: {kind: sum, series: remote_checks, target: 40,\n"
	"           per_period: true}\n"
	"  north_only: {numerator: remote_checks, denominator: patients,\n"
	"               target: 0.5, deadline: 2026-12-31, scope: [north]}\n";

/* North from October, East from December; nothing from West. */
static const char observations_csv[] =
	"unit,series,period,value\n"
	"north,patients,2025-10,100\nnorth,remote_checks,2025-10,20\n"
	"north,patients,2025-11,100\nnorth,remote_checks,2025-11,32\n"
	"north,patients,2025-12,110\nnorth,remote_checks,2025-12,40\n"
	"north,patients,2026-01,100\nnorth,remote_checks,2026-01,45\n"
	"east,patients,2025-12,80\neast,remote_checks,2025-12,16\n"
	"east,patients,2026-01,90\neast,remote_checks,2026-01,24\n";

static char *dir;
static up_error *err;
static up_program *prog;
static up_store *store;
static up_facts facts;
static int have_facts;
static up_host *host;

/* The rules of a test: ids and one-line calls, each made into a gate
 * whose `return CALL` is on line 3 * index + 2 of rules/t.lua. */
typedef struct {
	const char *id, *call;
} rule;
static const rule *rules;
static size_t nrules;

static void setup(void)
{
	dir = tu_mkdtemp();
	err = up_error_new();
	ck_assert_ptr_nonnull(err);
}

static void teardown(void)
{
	up_host_close(host);
	if (have_facts)
		up_facts_free(&facts);
	up_store_close(store);
	up_program_free(prog);
	up_error_free(err);
	tu_rmtree(dir);
	free(dir);
	host = NULL;
	have_facts = 0;
	store = NULL;
	prog = NULL;
	err = NULL;
	dir = NULL;
}

static const char *errors(void)
{
	static char text[8192];
	text[0] = '\0';
	for (size_t i = 0; i < up_error_count(err); i++) {
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "%s\n",
			 up_error_message(err, i));
	}
	return text;
}

static void record(const char *kind, const char *const names[],
		   const char *const values[], size_t n)
{
	int rc = up_record(store, prog, kind, n, names, values, NULL, err);
	ck_assert_msg(rc == UP_OK, "recording %s: %s", kind, errors());
}

static void event(const char *kind, const char *date, const char *unit,
		  const char *people, const char *attr)
{
	const char *names[5] = {"kind", "date", "unit"};
	const char *values[5] = {kind, date, unit};
	size_t n = 3;
	if (people) {
		names[n] = "people";
		values[n++] = people;
	}
	if (attr) {
		names[n] = "attr";
		values[n++] = attr;
	}
	record("event", names, values, n);
}

static void engagement(const char *person, const char *level,
		       const char *date)
{
	const char *names[] = {"person", "level", "date"};
	const char *values[] = {person, level, date};
	record("engagement", names, values, 3);
}

static void training(const char *person, const char *date,
		     const char *outcome)
{
	const char *names[] = {"person", "date", "topic", "outcome"};
	const char *values[] = {person, date, "monitoring", outcome};
	record("training", names, values, 4);
}

static void observe(const char *csv)
{
	tu_write(dir, "obs.csv", csv);
	char *path = tu_path(dir, "obs.csv");
	int rc = up_import(store, prog, "observations", path, NULL, NULL, NULL,
			   err);
	ck_assert_msg(rc == UP_OK, "importing: %s", errors());
	free(path);
}

/*
 * Writes WORLD (or the default) with RULES as rules/t.lua and EXTRA
 * program.yaml lines, opens a store and records the facts every test
 * shares: events 1-6, four training sessions and the observations.
 * The test may record more before start().
 */
static void prepare_world(const char *world, const rule *r, size_t n,
			  const char *extra)
{
	rules = r;
	nrules = n;
	char *text = up_xasprintf("%srules: [rules/t.lua]\n%s",
				  world ? world : world_yaml, extra);
	tu_write(dir, "program.yaml", text);
	free(text);
	up_buf lua = {0};
	for (size_t i = 0; i < n; i++)
		up_buf_printf(&lua, "gate { id = '%s', at = 'evaluate->procure',"
			      " check = function(ctx)\n  return %s\nend }\n",
			      r[i].id, r[i].call);
	tu_write(dir, "rules/t.lua", lua.buf ? lua.buf : "");
	up_buf_free(&lua);
	int rc = up_program_load(&prog, dir, err);
	ck_assert_msg(rc == UP_OK, "loading the program: %s", errors());
	rc = up_store_open(&store, dir, NULL, 0, err);
	ck_assert_msg(rc == UP_OK, "opening the store: %s", errors());
	ck_assert_int_eq(up_store_begin(store, err), UP_OK);
	rc = up_store_sync(store, prog, err);
	ck_assert_msg(rc == UP_OK, "syncing: %s", errors());
	ck_assert_int_eq(up_store_commit(store, err), UP_OK);
	if (world)
		return;
	event("consultation", "2025-11-20", "north", "ann-card,nils-nurse",
	      NULL);
	event("consultation", "2025-12-05", "east", "eva-nurse", NULL);
	event("consultation", "2026-01-20", "east", "bo-card", NULL);
	event("contract", "2026-01-10", "org", NULL, NULL);
	event("meeting", "2026-02-01", "west", NULL, "topic=rehearsal");
	event("meeting", "2026-01-15", "west", NULL, "topic=budget");
	training("di-nurse", "2026-01-20", "passed");
	training("fa-nurse", "2025-10-01", "passed");
	training("gus-nurse", "2026-02-01", "failed");
	training("nils-nurse", "2026-01-05", "passed");
	observe(observations_csv);
}

/* Loads the facts as of AS_OF, judges the metrics, opens the host. */
static void start(void)
{
	int32_t day;
	ck_assert_int_eq(up_date_parse(AS_OF, &day, NULL), UP_OK);
	int rc = up_facts_load(&facts, store, day, err);
	ck_assert_msg(rc == UP_OK, "loading facts: %s", errors());
	have_facts = 1;
	json_decref(up_metrics_eval(prog, &facts));
	rc = up_host_open(&host, prog, err);
	ck_assert_msg(rc == UP_OK, "opening the host: %s", errors());
}

static void boot(const rule *r, size_t n)
{
	prepare_world(NULL, r, n, "");
	start();
}

#define BOOT(r) boot(r, sizeof r / sizeof *r)
#define PREPARE(r) prepare_world(NULL, r, sizeof r / sizeof *r, "")

static size_t rule_index(const char *id)
{
	for (size_t i = 0; i < nrules; i++)
		if (!strcmp(rules[i].id, id))
			return i;
	ck_abort_msg("no rule '%s' in the test", id);
	return 0;
}

static const up_decl *decl(const char *id)
{
	for (size_t i = 0; i < up_host_ndecls(host); i++)
		if (!strcmp(up_host_decl(host, i)->id, id))
			return up_host_decl(host, i);
	ck_abort_msg("no rule '%s' declared", id);
	return NULL;
}

static const char *const status_names[] = {"pass", "fail", "warn", "score",
					   "skip", "error"};

static void eval(const char *id, const char *unit, up_result *r)
{
	int ui = up_facts_unit(&facts, unit);
	ck_assert_msg(ui >= 0, "no unit '%s'", unit);
	up_host_eval(host, decl(id), &facts, ui, r);
}

/*
 * Rule ID on UNIT: status WANT, exactly message MSG, evidence exactly
 * EVIDENCE (compact JSON, keys sorted, reals to 6 digits; NULL: none)
 * and the line of the rule's call.
 */
static void expect(const char *id, const char *unit, up_res_status want,
		   const char *msg, const char *evidence)
{
	up_result r;
	eval(id, unit, &r);
	ck_assert_msg(r.status == want, "%s on %s: %s (%s), expected %s", id,
		      unit, status_names[r.status],
		      r.message ? r.message : "", status_names[want]);
	ck_assert_msg(r.message && !strcmp(r.message, msg),
		      "%s on %s: message\n  '%s'\nexpected\n  '%s'", id, unit,
		      r.message, msg);
	char *ev = r.evidence ? json_dumps(r.evidence, JSON_COMPACT |
					   JSON_SORT_KEYS |
					   JSON_REAL_PRECISION(6))
			      : NULL;
	ck_assert_msg((!ev && !evidence) || (ev && evidence &&
					     !strcmp(ev, evidence)),
		      "%s on %s: evidence\n  %s\nexpected\n  %s", id, unit,
		      ev ? ev : "(none)", evidence ? evidence : "(none)");
	free(ev);
	if (want != UP_RES_ERROR) {
		char at[64];
		snprintf(at, sizeof at, "rules/t.lua:%zu",
			 3 * rule_index(id) + 2);
		ck_assert_msg(r.at && !strcmp(r.at, at), "%s on %s: at %s, "
			      "expected %s", id, unit, r.at ? r.at : "(none)",
			      at);
	}
	up_result_free(&r);
}

/* An error: the rule's line, then MSG. */
static void expect_error(const char *id, const char *unit, const char *msg)
{
	char full[1024];
	snprintf(full, sizeof full, "rules/t.lua:%zu: %s",
		 3 * rule_index(id) + 2, msg);
	expect(id, unit, UP_RES_ERROR, full, NULL);
}

/* ------------------------------------------------------------------ */
/* require_people                                                       */
/* ------------------------------------------------------------------ */

static const rule cardiologists[] = {
	{"every-clinic", "require_people(ctx, { role = 'cardiologist', "
	 "level = 'bought_in', each = 'child', not_counting = "
	 "{ 'executive', 'quality_lead' } })"},
};

START_TEST(people_in_every_clinic_fail_naming_who_does_not_count)
{
	BOOT(cardiologists);
	expect("every-clinic", "org", UP_RES_FAIL,
	       "no bought-in cardiologist in 2 of the 3 units of Southvale: "
	       "East Clinic (below bought_in: Bo Sand (bo-card, involved)); "
	       "West Clinic (below bought_in: Wes Ahl (wes-card, informed)); "
	       "not counting: Cy Dahl (cy-card, cardiologist/executive, "
	       "bought_in), Erik Berg (erik-exec, executive, bought_in), "
	       "Qiu Lind (qa-lind, quality_lead, bought_in)",
	       "{\"failing\":[\"east\",\"west\"],\"needed\":1,"
	       "\"not_counting\":[\"cy-card\",\"erik-exec\",\"qa-lind\"],"
	       "\"units\":{\"east\":{\"below\":[\"bo-card\"],\"counted\":[]},"
	       "\"north\":{\"counted\":[\"ann-card\"]},"
	       "\"west\":{\"below\":[\"wes-card\"],\"counted\":[]}}}");
	/* a unit with no child is judged itself */
	expect("every-clinic", "east", UP_RES_FAIL,
	       "no bought-in cardiologist in East Clinic; below bought_in: "
	       "Bo Sand (bo-card, involved); not counting: Cy Dahl (cy-card, "
	       "cardiologist/executive, bought_in), Erik Berg (erik-exec, "
	       "executive, bought_in), Qiu Lind (qa-lind, quality_lead, "
	       "bought_in)",
	       "{\"failing\":[\"east\"],\"needed\":1,\"not_counting\":"
	       "[\"cy-card\",\"erik-exec\",\"qa-lind\"],\"units\":{\"east\":"
	       "{\"below\":[\"bo-card\"],\"counted\":[]}}}");
}
END_TEST

START_TEST(people_in_every_clinic_pass)
{
	PREPARE(cardiologists);
	engagement("bo-card", "bought_in", "2026-02-01");
	engagement("wes-card", "bought_in", "2026-02-05");
	start();
	expect("every-clinic", "org", UP_RES_PASS,
	       "a bought-in cardiologist in each of the 3 units of Southvale: "
	       "North Clinic: Ann Holm (ann-card); East Clinic: Bo Sand "
	       "(bo-card); West Clinic: Wes Ahl (wes-card)",
	       "{\"needed\":1,\"not_counting\":[\"cy-card\",\"erik-exec\","
	       "\"qa-lind\"],\"units\":{\"east\":{\"counted\":[\"bo-card\"]},"
	       "\"north\":{\"counted\":[\"ann-card\"]},\"west\":{\"counted\":"
	       "[\"wes-card\"]}}}");
	expect("every-clinic", "north", UP_RES_PASS,
	       "1 bought-in cardiologist in North Clinic: Ann Holm (ann-card)",
	       "{\"needed\":1,\"not_counting\":[\"erik-exec\",\"qa-lind\"],"
	       "\"units\":{\"north\":{\"counted\":[\"ann-card\"]}}}");
}
END_TEST

static const rule champions[] = {
	{"by-go-live", "require_people(ctx, { role = 'cardiologist', "
	 "level = 'bought_in', by = 'go_live', not_counting = 'executive' })"},
	{"before-live", "require_people(ctx, { role = 'cardiologist', "
	 "level = 'bought_in', before = { stage = 'live' } })"},
	{"before-contract", "require_people(ctx, { role = 'cardiologist', "
	 "level = 'bought_in', before = { event = 'contract' } })"},
	{"before-prepare", "require_people(ctx, { role = 'cardiologist', "
	 "level = 'bought_in', by = { stage = 'prepare' } })"},
};

/* The level reached by a deadline: the day the latest level was reached
 * must be on or before it. */
START_TEST(people_engaged_by_a_deadline)
{
	PREPARE(champions);
	engagement("bo-card", "bought_in", "2026-02-01");
	start();
	expect("by-go-live", "north", UP_RES_PASS,
	       "1 bought-in cardiologist in North Clinic by go-live on "
	       "2025-10-01: Ann Holm (ann-card)",
	       "{\"needed\":1,\"not_counting\":[\"erik-exec\"],\"units\":"
	       "{\"north\":{\"counted\":[\"ann-card\"],\"cutoff\":"
	       "\"2025-10-01\"}}}");
	expect("by-go-live", "east", UP_RES_FAIL,
	       "no bought-in cardiologist in East Clinic by go-live on "
	       "2025-12-01; reached bought_in too late: Bo Sand (bo-card, "
	       "bought_in on 2026-02-01); not counting: Cy Dahl (cy-card, "
	       "cardiologist/executive, bought_in), Erik Berg (erik-exec, "
	       "executive, bought_in)",
	       "{\"failing\":[\"east\"],\"needed\":1,\"not_counting\":"
	       "[\"cy-card\",\"erik-exec\"],\"units\":{\"east\":{\"counted\":"
	       "[],\"cutoff\":\"2025-12-01\",\"late\":[\"bo-card\"]}}}");
	/* a deadline still ahead: what is recorded so far counts */
	expect("by-go-live", "west", UP_RES_FAIL,
	       "no bought-in cardiologist in West Clinic by go-live on "
	       "2026-04-01 (50 days left); below bought_in: Wes Ahl "
	       "(wes-card, informed); not counting: Erik Berg (erik-exec, "
	       "executive, bought_in)",
	       "{\"failing\":[\"west\"],\"needed\":1,\"not_counting\":"
	       "[\"erik-exec\"],\"units\":{\"west\":{\"below\":[\"wes-card\"],"
	       "\"counted\":[],\"cutoff\":\"2026-02-10\"}}}");
	/* before a stage: judged while the unit has not reached it */
	expect("before-live", "west", UP_RES_FAIL,
	       "no bought-in cardiologist in West Clinic before stage live; "
	       "below bought_in: Wes Ahl (wes-card, informed)",
	       "{\"failing\":[\"west\"],\"needed\":1,\"units\":{\"west\":"
	       "{\"below\":[\"wes-card\"],\"counted\":[],\"cutoff\":"
	       "\"2026-02-10\"}}}");
	expect("before-live", "north", UP_RES_FAIL,
	       "cannot judge: North Clinic is at live already and rules cannot "
	       "see when it reached live; give a date or { event = KIND } "
	       "instead",
	       "{\"failing\":[\"north\"],\"needed\":1,\"units\":{\"north\":"
	       "{\"cannot_judge\":true}}}");
	expect("before-prepare", "east", UP_RES_FAIL,
	       "cannot judge: East Clinic is at live, past prepare, and rules "
	       "cannot see when it reached prepare; give a date or "
	       "{ event = KIND } instead",
	       "{\"failing\":[\"east\"],\"needed\":1,\"units\":{\"east\":"
	       "{\"cannot_judge\":true}}}");
	/* before the contract recorded at Southvale, above the clinic:
	 * strictly before its day */
	expect("before-contract", "east", UP_RES_PASS,
	       "1 bought-in cardiologist in East Clinic before the contract "
	       "of 2026-01-10: Cy Dahl (cy-card)",
	       "{\"needed\":1,\"units\":{\"east\":{\"counted\":[\"cy-card\"],"
	       "\"cutoff\":\"2026-01-09\",\"late\":[\"bo-card\"]}}}");
}
END_TEST

static const rule counts[] = {
	{"two", "require_people(ctx, { role = 'cardiologist', at_least = 2 })"},
	{"typo", "require_people(ctx, { role = 'cardiolgist', "
	 "level = 'bought_in' })"},
	{"own", "require_people(ctx, { level = 'involved', scope = 'unit' })"},
	{"leaves", "require_people(ctx, { role = 'nurse', each = 'leaf' })"},
	{"related", "require_people(ctx, { role = 'executive', "
	 "level = 'bought_in', scope = 'related' })"},
	{"all-nurses", "require_people(ctx, { role = 'nurse' })"},
	{"none", "require_people(ctx, { role = { 'pharmacist', 'nurse' },"
	 " level = 'consulted', at_least = 2, each = 'child' })"},
};

START_TEST(people_counts_scopes_and_unknown_roles)
{
	BOOT(counts);
	expect("two", "east", UP_RES_PASS,
	       "2 cardiologists in East Clinic, 2 needed: Bo Sand (bo-card), "
	       "Cy Dahl (cy-card)",
	       "{\"needed\":2,\"units\":{\"east\":{\"counted\":[\"bo-card\","
	       "\"cy-card\"]}}}");
	expect("two", "north", UP_RES_FAIL,
	       "only 1 cardiologist in North Clinic, 2 needed: Ann Holm "
	       "(ann-card)",
	       "{\"failing\":[\"north\"],\"needed\":2,\"units\":{\"north\":"
	       "{\"counted\":[\"ann-card\"]}}}");
	expect("typo", "north", UP_RES_FAIL,
	       "no bought-in cardiolgist in North Clinic; no cardiolgist at "
	       "all; nobody in the program has the role 'cardiolgist' (did "
	       "you mean 'cardiologist'?)",
	       "{\"failing\":[\"north\"],\"needed\":1,\"units\":{\"north\":"
	       "{\"counted\":[]}}}");
	expect("own", "org", UP_RES_PASS,
	       "2 people (at least involved) in Southvale: Erik Berg "
	       "(erik-exec), Qiu Lind (qa-lind)",
	       "{\"needed\":1,\"units\":{\"org\":{\"counted\":[\"erik-exec\","
	       "\"qa-lind\"]}}}");
	expect("leaves", "org", UP_RES_PASS,
	       "a nurse in each of the 3 units of Southvale: North Clinic: "
	       "Nils Ek (nils-nurse); East Clinic: Eva Lund (eva-nurse); West "
	       "Clinic: Di Moberg (di-nurse), Fa Nyberg (fa-nurse), Gus Olsson "
	       "(gus-nurse)",
	       "{\"needed\":1,\"units\":{\"east\":{\"counted\":"
	       "[\"eva-nurse\"]},\"north\":{\"counted\":[\"nils-nurse\"]},"
	       "\"west\":{\"counted\":[\"di-nurse\",\"fa-nurse\","
	       "\"gus-nurse\"]}}}");
	/* related: the clinic, the units above it (Southvale's executive)
	 * and nobody without a unit */
	expect("related", "north", UP_RES_PASS,
	       "1 bought-in executive in North Clinic: Erik Berg (erik-exec)",
	       "{\"needed\":1,\"units\":{\"north\":{\"counted\":"
	       "[\"erik-exec\"]}}}");
	/* by id, not in the units' order */
	expect("all-nurses", "org", UP_RES_PASS,
	       "5 nurses in Southvale: Di Moberg (di-nurse), Eva Lund "
	       "(eva-nurse), Fa Nyberg (fa-nurse), Gus Olsson (gus-nurse), Nils "
	       "Ek (nils-nurse)",
	       "{\"needed\":1,\"units\":{\"org\":{\"counted\":[\"di-nurse\","
	       "\"eva-nurse\",\"fa-nurse\",\"gus-nurse\",\"nils-nurse\"]}}}");
	/* no hint for 'pharmacist': a list (a pack's parameter) may name
	 * roles a program does not have, and 'nurse' is there */
	expect("none", "org", UP_RES_FAIL,
	       "fewer than 2 pharmacists or nurses (at least consulted) in 3 "
	       "of the 3 units of Southvale: North Clinic (1: Nils Ek "
	       "(nils-nurse)); East Clinic (below consulted: Eva Lund "
	       "(eva-nurse, informed)); West Clinic (below consulted: Di "
	       "Moberg (di-nurse, no engagement), Fa Nyberg (fa-nurse, no "
	       "engagement), Gus Olsson (gus-nurse, no engagement))",
	       "{\"failing\":[\"north\",\"east\",\"west\"],\"needed\":2,"
	       "\"units\":{\"east\":{\"below\":[\"eva-nurse\"],\"counted\":[]},"
	       "\"north\":{\"counted\":[\"nils-nurse\"]},\"west\":{\"below\":"
	       "[\"di-nurse\",\"fa-nurse\",\"gus-nurse\"],\"counted\":[]}}}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* require_event                                                        */
/* ------------------------------------------------------------------ */

static const rule consulted[] = {
	{"before-contract", "require_event(ctx, { kind = 'consultation', "
	 "attended_by = 'cardiologist', each = 'child', before = "
	 "{ event = 'contract' } })"},
};

START_TEST(event_before_the_contract_fail)
{
	BOOT(consulted);
	expect("before-contract", "org", UP_RES_FAIL,
	       "no consultation with a cardiologist in 2 of the 3 units of "
	       "Southvale before the contract of 2026-01-10: East Clinic (1 "
	       "later: 2026-01-20; 1 without a cardiologist: 2025-12-05); "
	       "West Clinic",
	       "{\"failing\":[\"east\",\"west\"],\"needed\":1,\"units\":"
	       "{\"east\":{\"cutoff\":\"2026-01-09\",\"events\":[],\"later\":"
	       "[\"2026-01-20\"]},\"north\":{\"cutoff\":\"2026-01-09\","
	       "\"events\":[{\"date\":\"2025-11-20\",\"id\":1}]},\"west\":"
	       "{\"cutoff\":\"2026-01-09\",\"events\":[]}}}");
}
END_TEST

START_TEST(event_before_the_contract_pass)
{
	PREPARE(consulted);
	event("consultation", "2025-12-20", "east", "bo-card", NULL);
	event("consultation", "2026-01-09", "west", "wes-card,di-nurse",
	      NULL);
	start();
	expect("before-contract", "org", UP_RES_PASS,
	       "a consultation with a cardiologist in each of the 3 units of "
	       "Southvale before the contract of 2026-01-10: North Clinic: "
	       "2025-11-20; East Clinic: 2025-12-20; West Clinic: 2026-01-09",
	       "{\"needed\":1,\"units\":{\"east\":{\"cutoff\":\"2026-01-09\","
	       "\"events\":[{\"date\":\"2025-12-20\",\"id\":7}],\"later\":"
	       "[\"2026-01-20\"]},\"north\":{\"cutoff\":\"2026-01-09\","
	       "\"events\":[{\"date\":\"2025-11-20\",\"id\":1}]},\"west\":"
	       "{\"cutoff\":\"2026-01-09\",\"events\":[{\"date\":"
	       "\"2026-01-09\",\"id\":8}]}}}");
}
END_TEST

static const rule meetings[] = {
	{"month", "require_event(ctx, { kind = 'meeting', attrs = "
	 "{ topic = 'rehearsal' }, days = 30 })"},
	{"week", "require_event(ctx, { kind = 'meeting', attrs = "
	 "{ topic = { 'rehearsal', 'drill' } }, days = 5 })"},
	{"two", "require_event(ctx, { kind = 'meeting', attrs = "
	 "{ topic = 'rehearsal' }, at_least = 2 })"},
	{"typo", "require_event(ctx, { kind = 'consultaton' })"},
	{"contract", "require_event(ctx, { kind = 'contract', "
	 "scope = 'related' })"},
	{"own", "require_event(ctx, { kind = 'consultation', scope = 'unit',"
	 " by = '2026-03-01' })"},
};

START_TEST(event_attributes_windows_and_scopes)
{
	BOOT(meetings);
	expect("month", "west", UP_RES_PASS,
	       "1 meeting (topic=rehearsal) in West Clinic in the last 30 "
	       "days: 2026-02-01",
	       "{\"needed\":1,\"units\":{\"west\":{\"events\":[{\"date\":"
	       "\"2026-02-01\",\"id\":5}],\"since\":\"2026-01-12\"}}}");
	expect("week", "west", UP_RES_FAIL,
	       "no meeting (topic=rehearsal or drill) in West Clinic in the "
	       "last 5 days; the latest before that: 2026-02-01",
	       "{\"failing\":[\"west\"],\"needed\":1,\"units\":{\"west\":"
	       "{\"events\":[],\"since\":\"2026-02-06\"}}}");
	expect("two", "west", UP_RES_FAIL,
	       "only 1 meeting (topic=rehearsal) in West Clinic, 2 needed: "
	       "2026-02-01; 1 other meeting (not topic=rehearsal)",
	       "{\"failing\":[\"west\"],\"needed\":2,\"units\":{\"west\":"
	       "{\"events\":[{\"date\":\"2026-02-01\",\"id\":5}]}}}");
	expect("typo", "north", UP_RES_FAIL,
	       "no consultaton in North Clinic; no 'consultaton' event is "
	       "recorded anywhere (did you mean 'consultation'?)",
	       "{\"failing\":[\"north\"],\"needed\":1,\"units\":{\"north\":"
	       "{\"events\":[]}}}");
	/* related: Southvale's contract counts for its clinics */
	expect("contract", "west", UP_RES_PASS,
	       "1 contract in West Clinic: 2026-01-10",
	       "{\"needed\":1,\"units\":{\"west\":{\"events\":[{\"date\":"
	       "\"2026-01-10\",\"id\":4}]}}}");
	/* unit: the clinics' consultations are not Southvale's own */
	expect("own", "org", UP_RES_FAIL,
	       "no consultation in Southvale by 2026-03-01 (19 days left)",
	       "{\"failing\":[\"org\"],\"needed\":1,\"units\":{\"org\":"
	       "{\"cutoff\":\"2026-02-10\",\"events\":[]}}}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* require_trained                                                      */
/* ------------------------------------------------------------------ */

static const rule nurses[] = {
	{"before-go-live", "require_trained(ctx, { role = 'nurse', "
	 "share = 0.6, days = 90, before = 'go_live' })"},
	{"everyone", "require_trained(ctx, { role = 'nurse', days = 60, "
	 "each = 'child' })"},
	{"nobody", "require_trained(ctx, { role = 'pharmacist' })"},
	{"topic", "require_trained(ctx, { topic = 'triage', scope = 'unit' })"},
};

START_TEST(trained_fail)
{
	BOOT(nurses);
	/* Fa trained before the 90 days, Gus failed his check */
	expect("before-go-live", "west", UP_RES_FAIL,
	       "1 of 3 nurses of West Clinic trained in the 90 days before "
	       "go-live on 2026-04-01 (50 days left): 33.3%, 60% needed (1 "
	       "more); not trained: Fa Nyberg (fa-nurse, last trained "
	       "2025-10-01), Gus Olsson (gus-nurse, failed on 2026-02-01)",
	       "{\"failing\":[\"west\"],\"needed\":0.6,\"units\":{\"west\":"
	       "{\"cutoff\":\"2026-02-10\",\"not_trained\":[\"fa-nurse\","
	       "\"gus-nurse\"],\"share\":0.333333,\"since\":\"2026-01-01\","
	       "\"trained\":[\"di-nurse\"]}}}");
	expect("everyone", "org", UP_RES_FAIL,
	       "not all nurses trained in 2 of the 3 units of Southvale in "
	       "the last 60 days: East Clinic (0 of 1 (0%); not trained: Eva "
	       "Lund (eva-nurse, never trained)); West Clinic (1 of 3 "
	       "(33.3%); not trained: Fa Nyberg (fa-nurse, last trained "
	       "2025-10-01), Gus Olsson (gus-nurse, failed on 2026-02-01))",
	       "{\"failing\":[\"east\",\"west\"],\"needed\":1,\"units\":"
	       "{\"east\":{\"not_trained\":[\"eva-nurse\"],\"share\":0.0,"
	       "\"since\":\"2025-12-13\",\"trained\":[]},\"north\":{\"share\":"
	       "1.0,\"since\":\"2025-12-13\",\"trained\":[\"nils-nurse\"]},"
	       "\"west\":{\"not_trained\":[\"fa-nurse\",\"gus-nurse\"],"
	       "\"share\":0.333333,\"since\":\"2025-12-13\",\"trained\":"
	       "[\"di-nurse\"]}}}");
	expect("nobody", "west", UP_RES_FAIL,
	       "no pharmacist in West Clinic to train; nobody in the program "
	       "has the role 'pharmacist'",
	       "{\"failing\":[\"west\"],\"needed\":1,\"units\":{\"west\":"
	       "{\"trained\":[]}}}");
	expect("topic", "north", UP_RES_FAIL,
	       "0 of 2 people of North Clinic trained on triage: 0%, 100% "
	       "needed (2 more); not trained: Ann Holm (ann-card, never "
	       "trained), Nils Ek (nils-nurse, never trained)",
	       "{\"failing\":[\"north\"],\"needed\":1,\"units\":{\"north\":"
	       "{\"not_trained\":[\"ann-card\",\"nils-nurse\"],\"share\":0.0,"
	       "\"trained\":[]}}}");
}
END_TEST

START_TEST(trained_pass)
{
	PREPARE(nurses);
	training("gus-nurse", "2026-02-05", "passed");
	training("eva-nurse", "2026-01-30", "passed");
	training("fa-nurse", "2026-02-09", "passed");
	start();
	expect("before-go-live", "west", UP_RES_PASS,
	       "3 of 3 nurses of West Clinic trained in the 90 days before "
	       "go-live on 2026-04-01 (50 days left): 100%, 60% needed",
	       "{\"needed\":0.6,\"units\":{\"west\":{\"cutoff\":\"2026-02-10\","
	       "\"share\":1.0,\"since\":\"2026-01-01\",\"trained\":[\"di-nurse\","
	       "\"fa-nurse\",\"gus-nurse\"]}}}");
	expect("everyone", "org", UP_RES_PASS,
	       "all nurses trained in each of the 3 units of Southvale in the "
	       "last 60 days: North Clinic: 1 of 1 (100%); East Clinic: 1 of 1 "
	       "(100%); West Clinic: 3 of 3 (100%)",
	       "{\"needed\":1,\"units\":{\"east\":{\"share\":1.0,\"since\":"
	       "\"2025-12-13\",\"trained\":[\"eva-nurse\"]},\"north\":"
	       "{\"share\":1.0,\"since\":\"2025-12-13\",\"trained\":"
	       "[\"nils-nurse\"]},\"west\":{\"share\":1.0,\"since\":"
	       "\"2025-12-13\",\"trained\":[\"di-nurse\",\"fa-nurse\","
	       "\"gus-nurse\"]}}}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* require_ratio                                                        */
/* ------------------------------------------------------------------ */

static const rule ratios[] = {
	{"three", "require_ratio(ctx, { numerator = 'remote_checks', "
	 "denominator = 'patients', at_least = 0.3, periods = 3 })"},
	{"weekly", "require_ratio(ctx, { numerator = 'remote_checks', "
	 "denominator = 'patients', at_least = 0.3, period = 'week' })"},
	{"quarter", "require_ratio(ctx, { numerator = 'remote_checks', "
	 "denominator = 'patients', at_most = 0.3, period = 'quarter' })"},
	{"metric", "require_ratio(ctx, { metric = 'monitored_share', "
	 "at_least = 0.4 })"},
	{"count", "require_ratio(ctx, { metric = 'checks', at_most = 40 })"},
	{"each", "require_ratio(ctx, { numerator = 'remote_checks', "
	 "denominator = 'patients', at_least = 0.2, each = 'child' })"},
};

START_TEST(ratio_over_the_last_periods)
{
	BOOT(ratios);
	expect("three", "north", UP_RES_PASS,
	       "remote_checks/patients in North Clinic at or above 30% in each "
	       "of the last 3 months: 2025-11 32% (32 of 100), 2025-12 36.4% "
	       "(40 of 110), 2026-01 45% (45 of 100)",
	       "{\"at_least\":0.3,\"units\":{\"north\":{\"latest_period\":"
	       "\"2026-01\",\"periods\":[{\"denominator\":100.0,\"numerator\":"
	       "32.0,\"period\":\"2025-11\",\"value\":0.32},{\"denominator\":"
	       "110.0,\"numerator\":40.0,\"period\":\"2025-12\",\"value\":"
	       "0.363636},{\"denominator\":100.0,\"numerator\":45.0,"
	       "\"period\":\"2026-01\",\"value\":0.45}],\"periods_behind\":"
	       "0}}}");
	/* East has two months of data: the third is missing */
	expect("three", "east", UP_RES_FAIL,
	       "remote_checks/patients in East Clinic not at or above 30% in "
	       "2025-11, 2025-12 and 2026-01 of the last 3 months: 2025-11 no "
	       "data, 2025-12 20% (16 of 80), 2026-01 26.7% (24 of 90)",
	       "{\"at_least\":0.3,\"failing\":[\"east\"],\"units\":{\"east\":"
	       "{\"latest_period\":\"2026-01\",\"periods\":[{\"period\":"
	       "\"2025-11\"},{\"denominator\":80.0,\"numerator\":16.0,"
	       "\"period\":\"2025-12\",\"value\":0.2},{\"denominator\":90.0,"
	       "\"numerator\":24.0,\"period\":\"2026-01\",\"value\":0.266667}],"
	       "\"periods_behind\":0}}}");
	expect("three", "west", UP_RES_FAIL,
	       "no patients data for West Clinic",
	       "{\"at_least\":0.3,\"failing\":[\"west\"],\"units\":{\"west\":"
	       "{\"no_data\":true}}}");
	/* by ISO week, North's January is week 1 of 2026: five weeks old */
	expect("weekly", "north", UP_RES_FAIL,
	       "the latest remote_checks/patients data for North Clinic is "
	       "for 2026-W01, 5 weeks behind as of 2026-02-10 (at most 1)",
	       "{\"at_least\":0.3,\"failing\":[\"north\"],\"units\":{\"north\":"
	       "{\"latest_period\":\"2026-W01\",\"periods\":[{\"denominator\":"
	       "100.0,\"numerator\":45.0,\"period\":\"2026-W01\",\"value\":"
	       "0.45}],\"periods_behind\":5}}}");
	/* the subtree's counts add up: (20+32+40+16) / (100+100+110+80) */
	expect("quarter", "org", UP_RES_PASS,
	       "remote_checks/patients in Southvale at or below 30% in "
	       "2025-Q4: 27.7% (108 of 390)",
	       "{\"at_most\":0.3,\"units\":{\"org\":{\"latest_period\":"
	       "\"2025-Q4\",\"periods\":[{\"denominator\":390.0,\"numerator\":"
	       "108.0,\"period\":\"2025-Q4\",\"value\":0.276923}],"
	       "\"periods_behind\":0}}}");
	expect("metric", "north", UP_RES_PASS,
	       "monitored_share in North Clinic at or above 40% in 2026-01: 45% "
	       "(45 of 100)",
	       "{\"at_least\":0.4,\"units\":{\"north\":{\"latest_period\":"
	       "\"2026-01\",\"periods\":[{\"denominator\":100.0,\"numerator\":45.0,"
	       "\"period\":\"2026-01\",\"value\":0.45}],\"periods_behind\":"
	       "0}}}");
	expect("metric", "east", UP_RES_FAIL,
	       "monitored_share in East Clinic below 40% in 2026-01: 26.7% (24 "
	       "of 90)",
	       "{\"at_least\":0.4,\"failing\":[\"east\"],\"units\":{\"east\":"
	       "{\"latest_period\":\"2026-01\",\"periods\":[{\"denominator\":"
	       "90.0,\"numerator\":24.0,\"period\":\"2026-01\",\"value\":0.266667}"
	       "],\"periods_behind\":0}}}");
	expect("metric", "west", UP_RES_FAIL,
	       "no data for monitored_share in West Clinic at all",
	       "{\"at_least\":0.4,\"failing\":[\"west\"],\"units\":{\"west\":"
	       "{\"no_data\":true}}}");
	expect("count", "north", UP_RES_FAIL,
	       "checks in North Clinic above 40 in 2026-01: 45",
	       "{\"at_most\":40,\"failing\":[\"north\"],\"units\":{\"north\":"
	       "{\"latest_period\":\"2026-01\",\"periods\":[{\"period\":"
	       "\"2026-01\",\"value\":45.0}],\"periods_behind\":0}}}");
	expect("each", "org", UP_RES_FAIL,
	       "remote_checks/patients not at or above 20% in the latest month "
	       "in 1 of the 3 units of Southvale: West Clinic (no data)",
	       "{\"at_least\":0.2,\"failing\":[\"west\"],\"units\":{\"east\":"
	       "{\"latest_period\":\"2026-01\",\"periods\":[{\"denominator\":"
	       "90.0,\"numerator\":24.0,\"period\":\"2026-01\",\"value\":"
	       "0.266667}],\"periods_behind\":0},\"north\":{\"latest_period\":"
	       "\"2026-01\",\"periods\":[{\"denominator\":100.0,\"numerator\":"
	       "45.0,\"period\":\"2026-01\",\"value\":0.45}],"
	       "\"periods_behind\":0},\"west\":{\"no_data\":true}}}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* require_status                                                       */
/* ------------------------------------------------------------------ */

static const rule statuses[] = {
	{"on-track", "require_status(ctx, { metric = 'monitored_share' })"},
	{"met", "require_status(ctx, { metric = 'monitored_share', "
	 "at_least = 'met' })"},
	{"lenient", "require_status(ctx, { metric = 'monitored_share', "
	 "baseline = 'skip', no_data = 'skip' })"},
	{"each", "require_status(ctx, { metric = 'monitored_share', "
	 "at_least = 'on_track', each = 'child' })"},
	{"scoped", "require_status(ctx, { metric = 'north_only' })"},
	{"count", "require_status(ctx, { metric = 'checks', at_least = 'met' })"},
};

START_TEST(status_at_least)
{
	BOOT(statuses);
	expect("on-track", "north", UP_RES_PASS,
	       "monitored_share in North Clinic is on_track: 45% in 2026-01, "
	       "plan 26.5%, target 50%",
	       "{\"needed\":\"on_track\",\"units\":{\"north\":{\"expected\":"
	       "0.264789,\"latest_period\":\"2026-01\",\"period\":\"2026-01\","
	       "\"periods_behind\":0,\"points\":4,\"status\":\"on_track\","
	       "\"target\":0.5,\"value\":0.45}}}");
	expect("met", "north", UP_RES_FAIL,
	       "monitored_share in North Clinic is on_track, at least met "
	       "needed: 45% in 2026-01, plan 26.5%, target 50%",
	       "{\"failing\":[\"north\"],\"needed\":\"met\",\"units\":{\"north\":"
	       "{\"expected\":0.264789,\"latest_period\":\"2026-01\","
	       "\"period\":\"2026-01\",\"periods_behind\":0,\"points\":4,"
	       "\"status\":\"on_track\",\"target\":0.5,\"value\":0.45}}}");
	/* the baseline cannot be judged: a fail that says so, or a skip */
	expect("on-track", "east", UP_RES_FAIL,
	       "cannot judge yet: monitored_share in East Clinic is still "
	       "measuring its baseline (2 points so far, latest 26.7% in "
	       "2026-01)",
	       "{\"failing\":[\"east\"],\"needed\":\"on_track\",\"units\":"
	       "{\"east\":{\"expected\":0.225479,\"latest_period\":\"2026-01\","
	       "\"period\":\"2026-01\",\"periods_behind\":0,\"points\":2,"
	       "\"status\":\"baseline\",\"target\":0.5,\"value\":0.266667}}}");
	expect("lenient", "east", UP_RES_SKIP,
	       "cannot judge yet: monitored_share in East Clinic is still "
	       "measuring its baseline (2 points so far, latest 26.7% in "
	       "2026-01)",
	       "{\"needed\":\"on_track\",\"units\":{\"east\":{\"expected\":"
	       "0.225479,\"latest_period\":\"2026-01\",\"period\":\"2026-01\","
	       "\"periods_behind\":0,\"points\":2,\"status\":\"baseline\","
	       "\"target\":0.5,\"value\":0.266667}}}");
	expect("on-track", "west", UP_RES_FAIL,
	       "no data for monitored_share in West Clinic at all",
	       "{\"failing\":[\"west\"],\"needed\":\"on_track\",\"units\":"
	       "{\"west\":{\"points\":0,\"status\":\"no_data\",\"target\":"
	       "0.5}}}");
	expect("lenient", "west", UP_RES_SKIP,
	       "no data for monitored_share in West Clinic at all",
	       "{\"needed\":\"on_track\",\"units\":{\"west\":{\"points\":0,"
	       "\"status\":\"no_data\",\"target\":0.5}}}");
	expect("each", "org", UP_RES_FAIL,
	       "monitored_share not at least on_track in 2 of the 3 units of "
	       "Southvale: East Clinic (cannot judge yet: baseline, 2 points); "
	       "West Clinic (no data)",
	       "{\"failing\":[\"east\",\"west\"],\"needed\":\"on_track\","
	       "\"units\":{\"east\":{\"expected\":0.225479,\"latest_period\":"
	       "\"2026-01\",\"period\":\"2026-01\",\"periods_behind\":0,"
	       "\"points\":2,\"status\":\"baseline\",\"target\":0.5,\"value\":"
	       "0.266667},\"north\":{\"expected\":0.264789,\"latest_period\":"
	       "\"2026-01\",\"period\":\"2026-01\",\"periods_behind\":0,"
	       "\"points\":4,\"status\":\"on_track\",\"target\":0.5,\"value\":"
	       "0.45},\"west\":{\"points\":0,\"status\":\"no_data\",\"target\":"
	       "0.5}}}");
	expect("scoped", "east", UP_RES_FAIL,
	       "East Clinic is outside the scope of north_only",
	       "{\"failing\":[\"east\"],\"needed\":\"on_track\",\"units\":"
	       "{\"east\":{\"status\":false}}}");
	expect("count", "north", UP_RES_PASS,
	       "checks in North Clinic is met: 45 in 2026-01, plan 40, "
	       "target 40",
	       "{\"needed\":\"met\",\"units\":{\"north\":{\"expected\":40.0,"
	       "\"latest_period\":\"2026-01\",\"period\":\"2026-01\","
	       "\"periods_behind\":0,\"points\":4,\"status\":\"met\","
	       "\"target\":40.0,\"value\":45.0}}}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lists are bounded, the work is counted                               */
/* ------------------------------------------------------------------ */

static const rule everyone[] = {
	{"all", "require_trained(ctx, { role = 'nurse' })"},
};

START_TEST(messages_list_ten_and_evidence_all)
{
	up_buf w = {0};
	up_buf_printf(&w, "program: big\nstart: 2025-01-01\n"
		      "stages: [evaluate, procure]\nunits:\n"
		      "  - {id: ward, name: Big Ward, stage: evaluate}\npeople:\n");
	/* listed out of order: messages sort by id */
	for (int i = 13; i >= 1; i--)
		up_buf_printf(&w, "  - {id: n%02d, name: Nurse %d, unit: ward,"
			      " roles: [nurse]}\n", i, i);
	prepare_world(w.buf, everyone, 1, "");
	up_buf_free(&w);
	start();
	expect("all", "ward", UP_RES_FAIL,
	       "0 of 13 nurses of Big Ward trained: 0%, 100% needed (13 "
	       "more); not trained: Nurse 1 (n01, never trained), Nurse 2 "
	       "(n02, never trained), Nurse 3 (n03, never trained), Nurse 4 "
	       "(n04, never trained), Nurse 5 (n05, never trained), Nurse 6 "
	       "(n06, never trained), Nurse 7 (n07, never trained), Nurse 8 "
	       "(n08, never trained), Nurse 9 (n09, never trained), Nurse 10 "
	       "(n10, never trained) and 3 more",
	       "{\"failing\":[\"ward\"],\"needed\":1,\"units\":{\"ward\":"
	       "{\"not_trained\":[\"n01\",\"n02\",\"n03\",\"n04\",\"n05\","
	       "\"n06\",\"n07\",\"n08\",\"n09\",\"n10\",\"n11\",\"n12\","
	       "\"n13\"],\"share\":0.0,\"trained\":[]}}}");
}
END_TEST

static const rule busy[] = {
	{"helpers", "(function() for i = 1, 50 do require_people(ctx, "
	 "{ role = 'cardiologist', each = 'child' }) end return pass() "
	 "end)()"},
	{"control", "(function() local x for i = 1, 50 do x = ctx.unit.id "
	 "end return pass() end)()"},
};

/* The helpers run in the sandbox: their instructions are the rule's. */
START_TEST(helpers_count_against_the_budget)
{
	prepare_world(NULL, busy, 2, "limits: {instructions: 10000}\n");
	start();
	up_result r;
	eval("helpers", "org", &r);
	ck_assert_msg(r.status == UP_RES_ERROR && strstr(r.message,
		      "instruction limit exceeded (10000)"), "%s: %s",
		      status_names[r.status], r.message);
	/* named at the rule's line that called the helper */
	ck_assert_msg(!strncmp(r.message, "rules/", 6), "%s", r.message);
	up_result_free(&r);
	eval("control", "org", &r);
	ck_assert_msg(r.status == UP_RES_PASS, "control: %s",
		      status_names[r.status]);
	up_result_free(&r);
}
END_TEST

/* A rule's own failing result keeps its line; the helper's gets the
 * line of the call, also when a rule looks at it before returning it. */
static const rule composed[] = {
	{"kept", "(function() local r = require_status(ctx, "
	 "{ metric = 'monitored_share' }) if r.status == 'fail' then "
	 "return fail('%s; ask for the export', r.message) end return r "
	 "end)()"},
};

START_TEST(results_can_be_read_and_composed)
{
	boot(composed, 1);
	expect("kept", "north", UP_RES_PASS,
	       "monitored_share in North Clinic is on_track: 45% in 2026-01, "
	       "plan 26.5%, target 50%",
	       "{\"needed\":\"on_track\",\"units\":{\"north\":{\"expected\":"
	       "0.264789,\"latest_period\":\"2026-01\",\"period\":\"2026-01\","
	       "\"periods_behind\":0,\"points\":4,\"status\":\"on_track\","
	       "\"target\":0.5,\"value\":0.45}}}");
	expect("kept", "west", UP_RES_FAIL,
	       "no data for monitored_share in West Clinic at all; ask for the "
	       "export", NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad arguments                                                        */
/* ------------------------------------------------------------------ */

static const struct {
	const char *call, *error;
} bad_args[] = {
	{"require_people(ctx, { rol = 'cardiologist' })",
	 "require_people: unknown key 'rol' (did you mean 'role'?)"},
	{"require_people(ctx, { role = 'x', levl = 'bought_in' })",
	 "require_people: unknown key 'levl' (did you mean 'level'?)"},
	{"require_people(ctx, { role = 'x', colour = 'red' })",
	 "require_people: unknown key 'colour'"},
	{"require_people(ctx, { role = 'x', level = 'bougth_in' })",
	 "require_people: 'level' must be 'unaware', 'informed', 'consulted', "
	 "'involved' or 'bought_in', not 'bougth_in' (did you mean "
	 "'bought_in'?)"},
	{"require_people(ctx, { role = 'x', each = 'children' })",
	 "require_people: 'each' must be 'child' or 'leaf', not 'children'"},
	{"require_people(ctx, { role = 'x', scope = 'tree' })",
	 "require_people: 'scope' must be 'subtree', 'unit' or 'related', "
	 "not 'tree'"},
	{"require_people{ role = 'cardiologist' }",
	 "require_people: the first argument must be ctx: check = "
	 "function(ctx) return require_people(ctx, { ... }) end"},
	{"require_people(ctx, 'cardiologist')",
	 "require_people: the second argument must be a table of named keys: "
	 "require_people(ctx, { ... }), not 'cardiologist'"},
	{"require_people(ctx, { 'cardiologist' })",
	 "require_people: every value needs a name (key = value); found "
	 "'cardiologist' at [1]"},
	{"require_people(ctx, { role = { 'a', 3 } })",
	 "require_people: 'role' must list strings; item 2 is 3"},
	{"require_people(ctx, { role = {} })",
	 "require_people: 'role' is an empty list"},
	{"require_people(ctx, { role = 7 })",
	 "require_people: 'role' must be a string or a list of strings, not 7"},
	{"require_people(ctx, { role = 'x', at_least = 0 })",
	 "require_people: 'at_least' must be a whole number from 1 to 10000, "
	 "not 0"},
	{"require_people(ctx, { role = 'x', at_least = 1.5 })",
	 "require_people: 'at_least' must be a whole number from 1 to 10000, "
	 "not 1.5"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = '2026-02-30' })",
	 "require_people: 'before' must be a date (YYYY-MM-DD), \"go_live\", "
	 "{ event = KIND } or { stage = STAGE }; '2026-02-30' is not a date "
	 "(no such day in that month)"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', by = 3 })",
	 "require_people: 'by' must be a date (YYYY-MM-DD), \"go_live\", "
	 "{ event = KIND } or { stage = STAGE }, not 3"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = { evnt = 'contract' } })",
	 "require_people: 'before': unknown key 'evnt' (did you mean "
	 "'event'?)"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = { stage = 'prepar' } })",
	 "require_people: 'before.stage' must be 'evaluate', 'procure', "
	 "'prepare', 'live' or 'sustain', not 'prepar' (did you mean "
	 "'prepare'?)"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = { event = 'contract', stage = 'live' } })",
	 "require_people: 'before' takes { event = KIND } or "
	 "{ stage = STAGE }"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = { stage = 'live', attrs = { a = 'b' } } })",
	 "require_people: 'before': 'attrs' goes with 'event'"},
	{"require_people(ctx, { role = 'x', before = 'go_live' })",
	 "require_people: 'before' needs 'level': it is the day by which the "
	 "level is reached"},
	{"require_people(ctx, { role = 'x', level = 'bought_in', "
	 "before = '2026-01-01', by = '2026-01-01' })",
	 "require_people: give 'before' or 'by', not both"},
	{"require_event(ctx, { attrs = { topic = 'x' } })",
	 "require_event: 'kind' is required: the kind of event, e.g. "
	 "kind = \"consultation\""},
	{"require_event(ctx, { kind = 'meeting', days = 0 })",
	 "require_event: 'days' must be a whole number from 1 to 3650, not 0"},
	{"require_event(ctx, { kind = 'meeting', attrs = { 'x' } })",
	 "require_event: 'attrs' must name each attribute: "
	 "{ topic = \"content\" }"},
	{"require_event(ctx, { kind = 'meeting', attrs = {} })",
	 "require_event: 'attrs' is empty"},
	{"require_event(ctx, { kind = 'meeting', attrs = { topic = 1 } })",
	 "require_event: 'attrs.topic' must be a string or a list of "
	 "strings, not 1"},
	{"require_event(ctx, { kind = 'meeting', attendedby = 'nurse' })",
	 "require_event: unknown key 'attendedby' (did you mean "
	 "'attended_by'?)"},
	{"require_trained(ctx, { role = 'nurse', share = 80 })",
	 "require_trained: 'share' must be a number from 0 to 1 (0.8 for "
	 "80%), not 80"},
	{"require_trained(ctx, { role = 'nurse', share = 0 })",
	 "require_trained: 'share' must be more than 0"},
	{"require_trained(ctx, { role = 'nurse', scope = 'related' })",
	 "require_trained: 'scope' must be 'subtree' or 'unit', not "
	 "'related'"},
	{"require_trained(ctx, { role = 'nurse', day = 30 })",
	 "require_trained: unknown key 'day' (did you mean 'days'?)"},
	{"require_ratio(ctx, { numerator = 'a', at_least = 0.3 })",
	 "require_ratio: give 'numerator' and 'denominator' (series names), "
	 "or 'metric'; 'denominator' is nil"},
	{"require_ratio(ctx, { numerator = 'a', denominator = 'b' })",
	 "require_ratio: give one of 'at_least' and 'at_most'"},
	{"require_ratio(ctx, { numerator = 'a', denominator = 'b', "
	 "at_least = 0.3, at_most = 0.5 })",
	 "require_ratio: give one of 'at_least' and 'at_most'"},
	{"require_ratio(ctx, { numerator = 'a', denominator = 'b', "
	 "at_least = 30 })",
	 "require_ratio: 'at_least' must be a number from 0 to 1 (a share: "
	 "0.3 for 30%), not 30"},
	{"require_ratio(ctx, { metric = 'checks', at_least = 'x' })",
	 "require_ratio: 'at_least' must be a number, not 'x'"},
	{"require_ratio(ctx, { metric = 'monitored_shar', at_least = 0.3 })",
	 "require_ratio: unknown metric 'monitored_shar' (did you mean "
	 "'monitored_share'?)"},
	{"require_ratio(ctx, { metric = 'checks', numerator = 'a', "
	 "at_least = 1 })",
	 "require_ratio: give 'metric' or 'numerator' and 'denominator', "
	 "not both"},
	{"require_ratio(ctx, { metric = 'monitored_share', at_least = 0.3, "
	 "periods = 3 })",
	 "require_ratio: 'periods' needs 'numerator' and 'denominator': "
	 "ctx:metric gives a metric's latest period only"},
	{"require_ratio(ctx, { numerator = 'a', denominator = 'b', "
	 "at_least = 0.3, period = 'months' })",
	 "require_ratio: 'period' must be 'day', 'week', 'month' or "
	 "'quarter', not 'months' (did you mean 'month'?)"},
	{"require_ratio(ctx, { numerator = 'a', denominator = 'b', "
	 "at_least = 0.3, periods = 0 })",
	 "require_ratio: 'periods' must be a whole number from 1 to 120, "
	 "not 0"},
	{"require_status(ctx, { metric = 'monitored_share', "
	 "at_least = 'ontrack' })",
	 "require_status: 'at_least' must be 'off_track', 'at_risk', "
	 "'on_track' or 'met', not 'ontrack' (did you mean 'on_track'?)"},
	{"require_status(ctx, { at_least = 'on_track' })",
	 "require_status: 'metric' is required: the id of a metric, e.g. "
	 "metric = \"digital_share\""},
	{"require_status(ctx, { metric = 'monitored_share', "
	 "baseline = 'pass' })",
	 "require_status: 'baseline' must be 'fail' or 'skip', not 'pass'"},
	{"require_status(ctx, { metric = 'monitored_share', nodata = 'skip' })",
	 "require_status: unknown key 'nodata' (did you mean 'no_data'?)"},
	{"require_status(ctx, { metric = 'sales' })",
	 "require_status: unknown metric 'sales'"},
};

START_TEST(bad_arguments_are_errors_at_the_call)
{
	rule r[] = {{"bad", bad_args[_i].call}};
	boot(r, 1);
	expect_error("bad", "north", bad_args[_i].error);
}
END_TEST

static Suite *helpers_suite(void)
{
	Suite *s = suite_create("helpers");
	TCase *tc = tcase_create("helpers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, people_in_every_clinic_fail_naming_who_does_not_count);
	tcase_add_test(tc, people_in_every_clinic_pass);
	tcase_add_test(tc, people_engaged_by_a_deadline);
	tcase_add_test(tc, people_counts_scopes_and_unknown_roles);
	tcase_add_test(tc, event_before_the_contract_fail);
	tcase_add_test(tc, event_before_the_contract_pass);
	tcase_add_test(tc, event_attributes_windows_and_scopes);
	tcase_add_test(tc, trained_fail);
	tcase_add_test(tc, trained_pass);
	tcase_add_test(tc, ratio_over_the_last_periods);
	tcase_add_test(tc, status_at_least);
	tcase_add_test(tc, messages_list_ten_and_evidence_all);
	tcase_add_test(tc, helpers_count_against_the_budget);
	tcase_add_test(tc, results_can_be_read_and_composed);
	tcase_add_loop_test(tc, bad_arguments_are_errors_at_the_call, 0,
			    (int)(sizeof bad_args / sizeof *bad_args));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(helpers_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
