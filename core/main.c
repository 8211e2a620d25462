/*
 * main.c: the uptake command line: the table of commands, the global
 * options and the dispatch.  The commands live in cmd_*.c, their shared
 * helpers in cli.c; none holds logic the library lacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_help(globals *g, int argc, char **argv);

/* summary: one line for the command list; help: the rest of --help.
 * Adding a command: a row here and its cmd_NAME prototype in cli.h. */
static const command commands[] = {
	{"init", "DIR [--from EXAMPLE]",
	 "start a program directory that passes check and cycle",
	 "Writes a new program into DIR, which must not exist or be empty: a\n"
	 "small commented program.yaml (stages, units, people, a metric and the\n"
	 "shipped clinician-buy-in pack), rules/local.lua with one gate and one\n"
	 "check, a README.md on what to do next, a .gitignore for the state\n"
	 "and a .luarc.json that points the Lua language server at uptake's\n"
	 "definitions of the rule DSL.  It passes check and cycle as written.\n"
	 "A relative DIR is below -C's directory, as with git -C.\n"
	 "\n  --from EXAMPLE   copy a shipped example instead: "
	 "surgical-journey,\n"
	 "                   regional-rollout or partnership\n"
	 "\nExamples:\n"
	 "  uptake init my-hospital && cd my-hospital && uptake cycle\n"
	 "  uptake init rollout --from regional-rollout\n",
	 cmd_init},
	{"check", "[--db PATH]",
	 "validate program.yaml and compile the rule files",
	 "Validates program.yaml and compiles every rule file in the sandbox,\n"
	 "running its declarations but no rule.  Exit status 0 when valid, 65\n"
	 "with every problem listed otherwise.  Nothing is written.\n"
	 "\nExamples:\n"
	 "  uptake check\n"
	 "  uptake -C examples/surgical-journey check\n",
	 cmd_check},
	{"record", "engagement|event|training|leave|role|move --field VALUE "
	 "...",
	 "record one dated fact",
	 "Records one dated fact in the store, in one transaction.  Bad values\n"
	 "exit 65 and write nothing.\n"
	 "\nuptake record engagement:\n"
	 "  --person ID     a person of the program\n"
	 "  --level LEVEL   unaware, informed, consulted, involved, bought_in\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --note TEXT\n"
	 "\nuptake record event:\n"
	 "  --kind KIND     consultation, meeting, deliverable, story, "
	 "decision,\n"
	 "                  contract, plan, budget, assessment\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --unit ID       the unit it concerns\n"
	 "  --people A,B    the people who took part\n"
	 "  --note TEXT\n"
	 "  --attr K=V      an attribute; repeatable.  Checked: "
	 "proposed_by=us|them,\n"
	 "                  outcome=held|cancelled|no_show, in_person=yes|no,\n"
	 "                  owner=PERSON, due=DATE, done=DATE,\n"
	 "                  rating=simple|complicated|complex\n"
	 "\nuptake record training:\n"
	 "  --person ID     who attended\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --topic TEXT\n"
	 "  --outcome O     passed (default) or failed: a failed check starts\n"
	 "                  the person's plan again from its first interval\n"
	 "\nuptake record leave:\n"
	 "  --person ID     a person of the program\n"
	 "  --date DATE     the first day they are gone: from then on no rule,\n"
	 "                  plan or coverage counts them, and their open\n"
	 "                  reminders close with the reason\n"
	 "  --note TEXT\n"
	 "\nuptake record role:\n"
	 "  --person ID     a person of the program\n"
	 "  --add ROLE      the role taken on from DATE on, or\n"
	 "  --remove ROLE   the role given up from DATE on\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --note TEXT\n"
	 "\nuptake record move:\n"
	 "  --person ID     a person of the program\n"
	 "  --unit ID       the unit they are in from DATE on\n"
	 "  --date DATE     YYYY-MM-DD\n"
	 "  --note TEXT\n"
	 "\nLeave, role and move never change what came before: a cycle as of\n"
	 "an earlier day sees the person as they were.\n"
	 "\nExamples:\n"
	 "  uptake record engagement --person lars-nilsson --level consulted "
	 "\\\n"
	 "         --date 2026-01-10 --note 'evaluation workshop'\n"
	 "  uptake record event --kind consultation --date 2026-01-12 "
	 "\\\n"
	 "         --unit orthopaedics --people lars-nilsson,maja-lund "
	 "\\\n"
	 "         --attr in_person=yes\n"
	 "  uptake record training --person maja-lund --date 2026-03-20 "
	 "--topic journey\n"
	 "  uptake record role --person maja-lund --add ambassador "
	 "--date 2026-04-01\n"
	 "  uptake record leave --person lars-nilsson --date 2026-06-30 "
	 "--note retired\n",
	 cmd_record},
	{"import", "KIND FILE [--map OURS=THEIRS,...] [--ignore COL,...] "
	 "[--wide] [--dry-run]\n"
	 "                     [--as-of DATE] [--db PATH]",
	 "load a CSV export: units, people, people_changes, observations, "
	 "...",
	 NULL, cmd_import},
	{"cycle", "[--as-of DATE] [--json] [--fail-on LIST] [--db PATH]",
	 "judge every unit's next gate and every check",
	 "Evaluates every unit's next gate and every check as of DATE and\n"
	 "stores the results in one transaction.\n"
	 "\n  --as-of DATE     judge the facts known on DATE (default: today, "
	 "UTC)\n"
	 "  --json           print the cycle as JSON\n"
	 "  --fail-on LIST   exit 1 if any of these occurs: go, "
	 "conditional_go,\n"
	 "                   hold, recycle, kill, error, warn, fail\n"
	 "\nExamples:\n"
	 "  uptake cycle --as-of 2026-01-15\n"
	 "  uptake cycle --json >cycle.json\n"
	 "  uptake cycle --fail-on hold,kill,error    # for CI and timers\n",
	 cmd_cycle},
	{"status", "[--unit U] [--cycle N] [--json] [--db PATH]",
	 "show the last cycle's decisions per unit",
	 "Shows the last cycle's stage, gate decision, score and number of\n"
	 "findings per unit, and the advances recorded since it ran.\n"
	 "\n  --unit U    that unit only\n"
	 "  --cycle N   the stored cycle N instead of the last (see 'uptake\n"
	 "              history'); exit 65, naming those stored, if there is\n"
	 "              none\n"
	 "  --json      print JSON instead of a table\n"
	 "\nExamples:\n"
	 "  uptake status\n"
	 "  uptake status --cycle 1\n"
	 "  uptake status --unit orthopaedics --json\n", cmd_status},
	{"explain", "UNIT [GATE-or-RULE-or-METRIC] [--cycle N] [--json] "
	 "[--db PATH]",
	 "explain why a unit's gate decided as it did",
	 "Explains a unit's gate decision in the last cycle: every criterion\n"
	 "with its status, message, evidence and source location, then the\n"
	 "unit's findings, then each of its metrics: status, latest value,\n"
	 "plan, target and direction, the series with each period's value,\n"
	 "plan and the run-chart signals the point is part of (shift, trend),\n"
	 "and the signals in words.  The series are read from the store as of\n"
	 "the cycle's date and judged with program.yaml's metric definitions,\n"
	 "as 'uptake report' draws them; a rule's metric{} has a point per\n"
	 "stored cycle.  GATE-or-RULE narrows it to one gate or rule, without\n"
	 "the metrics; METRIC to that metric alone.\n"
	 "\n  --cycle N   the stored cycle N instead of the last (see 'uptake\n"
	 "              history'); exit 65, naming those stored, if there is\n"
	 "              none\n"
	 "  --json      the unit as the cycle stored it, each of its metrics[]\n"
	 "              with title, direction, percent, source, median, runs,\n"
	 "              series[] (period, value, plan, marks[]), signal_text[]\n"
	 "              and differs (see man uptake)\n"
	 "\nExamples:\n"
	 "  uptake explain northfield\n"
	 "  uptake explain northfield 'evaluate->procure'\n"
	 "  uptake explain a-cardiology digital_share --cycle 3\n"
	 "  uptake explain orthopaedics \\\n"
	 "         clinician-buy-in/champion-active-before-go-live --json\n",
	 cmd_explain},
	{"due", "[--as-of DATE] [--for PERSON] [--unit U] [--person P] "
	 "[--summary] [--format text|md] [--json] [--db PATH]",
	 "list the reminders and follow-ups to act on",
	 "Lists reminders as of DATE (default: today): training refreshers,\n"
	 "follow-ups, escalations, deliverables and rules' reminders that are\n"
	 "due, overdue, escalated, lapsed or snoozed, or due within 14 days,\n"
	 "each with who acts on it (TO).  A cycle raises them.\n"
	 "\n  --as-of DATE     the day to list as of (default: today, UTC)\n"
	 "  --for PERSON     what PERSON must act on, grouped by unit: their own\n"
	 "                   slots, deliverables and reminders, escalations\n"
	 "                   addressed to them and their staff's slots due or\n"
	 "                   overdue, the follow-ups of the units they act for\n"
	 "  --unit U         unit U and every unit below it\n"
	 "  --person P       reminders about person P\n"
	 "  --summary        per unit: people on a training plan, trained in\n"
	 "                   the last 90 days, reminders due, overdue, lapsed\n"
	 "  --format F       table (the default), or a message to send as it\n"
	 "                   is: text or md (Markdown)\n"
	 "  --json           one JSON document (docs/cli.md gives its fields)\n"
	 "\nExamples:\n"
	 "  uptake due\n"
	 "  uptake due --as-of 2026-03-01 --person maja-lund --json\n"
	 "  uptake due --for mona-berg --format text >mona.txt\n"
	 "  uptake due --summary --unit hospital-a\n",
	 cmd_due},
	{"plan", "--person P [--as-of DATE] [--json] [--db PATH]",
	 "show a person's training plans, slot by slot",
	 "Shows each training plan person P is on as of DATE (default:\n"
	 "today): every slot with its due day and window, the session that\n"
	 "satisfied it (on time or late), missed, moved or cancelled and why,\n"
	 "every lapse or failed check with whom it was escalated to and how it\n"
	 "closed, and the plans P is not on with why.  It is worked out from\n"
	 "the facts, no cycle needed; the ids are the reminders' ids.\n"
	 "\n  --person P     the person (required)\n"
	 "  --as-of DATE   the day (default: today, UTC)\n"
	 "  --json         one JSON document (docs/cli.md gives its fields)\n"
	 "\nExamples:\n"
	 "  uptake plan --person maja-lund\n"
	 "  uptake plan --person maja-lund --as-of 2026-06-01 --json\n",
	 cmd_plan},
	{"calendar", "[--as-of DATE] [--unit U] [--for PERSON] [-o FILE] "
	 "[--db PATH]",
	 "export reminders and follow-ups as iCalendar",
	 "Writes every reminder (training refreshers, escalations, rules'\n"
	 "reminders, follow-ups) as an iCalendar (RFC 5545) to-do with a stable\n"
	 "UID, to standard output or FILE.  DTSTAMP is DATE, so the same store\n"
	 "and date give the same file.  Done items are COMPLETED, cancelled\n"
	 "ones CANCELLED.\n"
	 "\n  --as-of DATE        the export's date (default: today, UTC)\n"
	 "  --unit U            the items of unit U and every unit below it\n"
	 "  --for PERSON        the items PERSON acts on: their own, escalations\n"
	 "                      addressed to them, their units' follow-ups\n"
	 "  -o, --output FILE   write FILE (via FILE.tmp, renamed when whole)\n"
	 "\nExamples:\n"
	 "  uptake calendar -o uptake.ics\n"
	 "  uptake calendar --for mona-berg -o mona.ics\n",
	 cmd_calendar},
	{"ack", "ID [--db PATH]", "mark a reminder done",
	 "Marks the reminder ID (from uptake due) done.  An unknown id exits "
	 "65.\n"
	 "\nExample:\n"
	 "  uptake ack 78d0828ee8b20fb6\n", cmd_ack},
	{"snooze", "ID --days N [--as-of DATE] [--db PATH]",
	 "hide a reminder for N days",
	 "Hides the reminder ID for N days (1-365) from DATE (default: "
	 "today).\n"
	 "\nExample:\n"
	 "  uptake snooze 78d0828ee8b20fb6 --days 7\n", cmd_snooze},
	{"pack", "new|check|test|list|lock|keygen|sign ...",
	 "write, test, pin and sign rule packs",
	 "Rule packs: versioned, tested and signed directories of rules.\n"
	 "\n"
	 "  new NAME                     write a pack scaffold that passes its "
	 "tests\n"
	 "  check DIR...                 validate manifests, compile rules, "
	 "warn\n"
	 "  test DIR... [--coverage]     run the packs' test cases\n"
	 "  list [--json]                the packs on the search path\n"
	 "  lock                         write uptake.lock for the program's "
	 "packs\n"
	 "  keygen NAME                  write NAME.key and NAME.pub "
	 "(Ed25519)\n"
	 "  sign DIR --key NAME.key      write DIR/pack.sig\n"
	 "\nRun 'uptake pack COMMAND --help' for one of them.\n"
	 "\nExamples:\n"
	 "  uptake pack new my-pack\n"
	 "  uptake pack test my-pack --coverage\n",
	 cmd_pack},
	{"history", "[--diff A B] [--json] [--db PATH]",
	 "list the stored cycles, or what changed between two",
	 "Lists every stored cycle: its number, as-of date, when it ran (UTC),\n"
	 "the hash of program.yaml, each pack as name@version:hash, and how\n"
	 "many gates decided go, conditional_go (COND), hold, recycle and\n"
	 "kill, with the cycle's findings and rule errors.\n"
	 "\n  --diff A B   what changed from cycle A to cycle B: decisions that\n"
	 "               moved, criteria that flipped (with their messages),\n"
	 "               findings that appeared or were resolved, metric\n"
	 "               statuses that moved, stages, file and pack hashes\n"
	 "  --json       print JSON instead of a table\n"
	 "\nExamples:\n"
	 "  uptake history\n"
	 "  uptake history --diff 1 2\n",
	 cmd_history},
	{"replay", "--from CYCLE [--to CYCLE] [--rules DIR] "
	 "[--pack NAME=PATH] [--known-at WHEN] [--json]",
	 "judge stored cycles again with other rules: what would flip",
	 "Judges stored cycles again, each with the facts as of its date as\n"
	 "they were known when it ran (corrections imported since are undone),\n"
	 "with other rules or the program as it is, and lists what would flip\n"
	 "against what the cycle stored: gate decisions, criteria (with both\n"
	 "messages), findings and metric statuses, and rule errors only the\n"
	 "other rules raise.  Each cycle also says whether the program as it\n"
	 "is still gives what it stored.  Nothing is written to the store.\n"
	 "\n  --from CYCLE       the first stored cycle to judge again\n"
	 "  --to CYCLE         the last (default: the latest)\n"
	 "  --rules DIR        read the rule files program.yaml lists from DIR\n"
	 "                     (another checkout of the program, say)\n"
	 "  --pack NAME=PATH   use the pack in PATH in place of NAME, whatever\n"
	 "                     its version and uptake.lock say (trust: still\n"
	 "                     applies)\n"
	 "  --known-at WHEN    the facts as known at WHEN: now, a date (its\n"
	 "                     end, UTC) or YYYY-MM-DDTHH:MM:SSZ\n"
	 "  --json             print JSON instead of a table\n"
	 "\nExamples:\n"
	 "  uptake replay --from 1 --pack clinician-buy-in=../packs/cbi-2.0\n"
	 "  uptake replay --from 3 --to 5 --rules ../program-next --json\n"
	 "  uptake replay --from 1 --known-at now   # with every correction\n",
	 cmd_replay},
	{"report", "--html FILE | --md FILE [--cycle N] [--db PATH]",
	 "write the dashboard of the last cycle as HTML or Markdown",
	 "Writes the report of the last stored cycle (or cycle N): the gate\n"
	 "board, what changed since the cycle before, a run chart per metric\n"
	 "and unit, training coverage and reminders, findings by severity.\n"
	 "The HTML is one self-contained page (inline CSS and SVG, no script,\n"
	 "nothing fetched) for a browser, a phone or a printer; the Markdown\n"
	 "holds the same for email.  Each FILE is replaced whole or not at\n"
	 "all; '-' writes to standard output.\n"
	 "\n  --html FILE   the HTML page\n"
	 "  --md FILE     the Markdown\n"
	 "  --cycle N     another stored cycle (see uptake history)\n"
	 "\nExamples:\n"
	 "  uptake report --html report.html --md report.md\n"
	 "  uptake report --md - --cycle 3 >cycle-3.md\n",
	 cmd_report},
	{"advance", "UNIT --to STAGE --by PERSON [--note TEXT]\n"
	 "                      [--override --reason TEXT] "
	 "[--conditions-due DATE]\n"
	 "                      [--as-of DATE] [--db PATH]",
	 "move a unit to its next stage on the gate's decision",
	 "Records that PERSON moved UNIT to STAGE, the stage after its current\n"
	 "one.  Refused (exit 65, with the decision and its reason) unless the\n"
	 "latest cycle decided go or conditional_go at that gate.  A\n"
	 "conditional go records the gate's failed criteria as conditions: one\n"
	 "still failing after its due day earns a strike per evaluation period\n"
	 "(cadence.evaluation; a month without one), and the third strike makes\n"
	 "the unit's gate decision kill.\n"
	 "\n  --to STAGE             the next stage (one stage at a time)\n"
	 "  --by PERSON            who decided: a person of the program\n"
	 "  --note TEXT            why, for the record\n"
	 "  --override             move despite the decision...\n"
	 "  --reason TEXT          ...for this reason (required; shown in every\n"
	 "                         later cycle, status and explanation)\n"
	 "  --conditions-due DATE  when the conditions must be met (default: 30\n"
	 "                         days after the move); with --override, makes\n"
	 "                         the failed criteria conditions too\n"
	 "  --as-of DATE           the day of the move (default: the latest\n"
	 "                         cycle's date)\n"
	 "\nExamples:\n"
	 "  uptake advance orthopaedics --to live --by eva-strand\n"
	 "  uptake advance urology --to live --by karin-berg --override \\\n"
	 "         --reason 'the vendor contract starts on 1 April'\n",
	 cmd_advance},
	{"stages", "[--json] [--db PATH]",
	 "show each unit's stage and who moved it, when, and on what",
	 "Shows each unit's stage, the stage program.yaml starts it in, and\n"
	 "every advance: its date, who decided, on which cycle's decision,\n"
	 "overrides with their reasons, and the conditions they left with\n"
	 "their strikes.\n"
	 "\nExample:\n"
	 "  uptake stages --json\n", cmd_stages},
	{"waive", "UNIT RULE --reason TEXT --by PERSON --until DATE\n"
	 "                    [--as-of DATE] [--db PATH]",
	 "let one gate criterion count as met for a unit until a date",
	 "Records a waiver: from DATE (default: the latest cycle's date) to\n"
	 "--until, RULE (a gate criterion; PACK/RULE for a pack's) shows as\n"
	 "'waived' for UNIT and counts as met, with who waived it and why.  The\n"
	 "day after, the rule is judged again and a follow-up is raised.  A\n"
	 "later waiver of the same unit and rule replaces it.\n"
	 "\nExample:\n"
	 "  uptake waive urology first-line-manager-involved --by anna-holm \\\n"
	 "         --until 2026-04-30 --reason 'the new manager starts in April'\n",
	 cmd_waive},
	{"waivers", "[--as-of DATE] [--json] [--db PATH]",
	 "list the waivers and whether each is in force",
	 "Lists every waiver with its state as of DATE (default: today):\n"
	 "active, upcoming, expired, or replaced by a later one.\n"
	 "\nExample:\n"
	 "  uptake waivers --as-of 2026-04-01\n", cmd_waivers},
	{"help", "[COMMAND]", "show help for uptake or one command",
	 "Shows help for uptake, or for one command.\n"
	 "\nExample:\n"
	 "  uptake help cycle\n", cmd_help},
};

const command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* A usage error naming the nearest command, when one is near. */
static int unknown_command(const char *name)
{
	const char *names[sizeof commands / sizeof *commands];
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		names[i] = commands[i].name;
	const char *hint = up_did_you_mean(name, names,
					   sizeof names / sizeof *names);
	if (hint)
		return cli_usage_error(NULL, "unknown command '%s' (did you "
				       "mean '%s'?)", name, hint);
	return cli_usage_error(NULL, "unknown command '%s'", name);
}

static void main_usage(FILE *fp)
{
	fputs("usage: uptake [-C DIR] [--db PATH] COMMAND [ARGS]\n\n"
	      "Executable stage gates for taking digital health from pilot to "
	      "daily use.\n\ncommands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\noptions:\n"
	      "  -C DIR      the program directory (default: .)\n"
	      "  --db PATH   the state database (default: DIR/.uptake/"
	      "state.db)\n"
	      "  --version   print the version\n"
	      "\nRun 'uptake COMMAND --help' for a command's options.\n"
	      "The reference: docs/ in the source, share/doc/uptake once "
	      "installed.\n", fp);
}

static int cmd_help(globals *g, int argc, char **argv)
{
	(void)g;
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cli_help_of("help");
	if (!cli_find_command(argv[1]))
		return unknown_command(argv[1]);
	return cli_help_of(argv[1]);
}

int main(int argc, char **argv)
{
	globals g = {".", NULL, 0};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version")) {
			printf("uptake %s\n", UP_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			main_usage(stdout);
			return 0;
		} else if (!strcmp(a, "-C") || !strcmp(a, "--db")) {
			if (i + 1 >= argc)
				return cli_usage_error(NULL, "option '%s' "
						       "needs a value", a);
			*(a[1] == 'C' ? &g.dir : &g.db) = argv[++i];
		} else {
			static const char *const global[] = {"--db",
				"--version", "--help"};
			const char *hint = up_did_you_mean(a, global, 3);
			return cli_usage_error(NULL, "unknown option '%s'%s%s%s",
					       a, hint ? " (did you mean '" : "",
					       hint ? hint : "",
					       hint ? "'?)" : "");
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	const command *c = cli_find_command(argv[i]);
	if (!c)
		return unknown_command(argv[i]);
	const char *nc = getenv("NO_COLOR");
	if (isatty(STDOUT_FILENO) && !(nc && *nc))
		g.flags |= UP_PRINT_COLOR;
	return c->run(&g, argc - i, argv + i);
}
