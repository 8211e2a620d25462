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
	{"check", "[--db PATH]",
	 "validate program.yaml and compile the rule files",
	 "Validates program.yaml and compiles every rule file in the sandbox,\n"
	 "running its declarations but no rule.  Exit status 0 when valid, 65\n"
	 "with every problem listed otherwise.  Nothing is written.\n",
	 cmd_check},
	{"record", "engagement|event|training --field VALUE ...",
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
	 "                  the person's plan again from its first interval\n",
	 cmd_record},
	{"import", "KIND FILE [--db PATH]",
	 "load a CSV export: units, people, engagements, events, observations",
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
	 "                   hold, recycle, kill, error, warn, fail\n",
	 cmd_cycle},
	{"status", "[--unit U] [--json] [--db PATH]",
	 "show the last cycle's decisions per unit",
	 "Shows the last cycle's stage, gate decision, score and number of\n"
	 "findings per unit.\n", cmd_status},
	{"explain", "UNIT [GATE-or-RULE] [--json] [--db PATH]",
	 "explain why a unit's gate decided as it did",
	 "Explains a unit's gate decision in the last cycle: every criterion\n"
	 "with its status, message, evidence and source location, then the\n"
	 "unit's findings.  GATE-or-RULE narrows it to one gate or rule.\n",
	 cmd_explain},
	{"due", "[--as-of DATE] [--unit U] [--person P] [--json] [--db PATH]",
	 "list the reminders and follow-ups to act on",
	 "Lists reminders as of DATE (default: today): training refreshers,\n"
	 "follow-ups, escalations, and rules' reminders that are due, overdue,\n"
	 "escalated or snoozed, or due within 14 days.  A cycle raises them.\n",
	 cmd_due},
	{"calendar", "[--as-of DATE] [-o FILE] [--db PATH]",
	 "export reminders and follow-ups as iCalendar",
	 "Writes every reminder (training refreshers, escalations, rules'\n"
	 "reminders, follow-ups) as an iCalendar (RFC 5545) to-do with a stable\n"
	 "UID, to standard output or FILE.  DTSTAMP is DATE, so the same store\n"
	 "and date give the same file.  Done items are COMPLETED, cancelled\n"
	 "ones CANCELLED.\n"
	 "\n  --as-of DATE        the export's date (default: today, UTC)\n"
	 "  -o, --output FILE   write FILE (via FILE.tmp, renamed when whole)\n",
	 cmd_calendar},
	{"ack", "ID [--db PATH]", "mark a reminder done",
	 "Marks the reminder ID (from uptake due) done.  An unknown id exits "
	 "65.\n", cmd_ack},
	{"snooze", "ID --days N [--as-of DATE] [--db PATH]",
	 "hide a reminder for N days",
	 "Hides the reminder ID for N days (1-365) from DATE (default: "
	 "today).\n", cmd_snooze},
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
	 "\nRun 'uptake pack COMMAND --help' for one of them.\n",
	 cmd_pack},
	{"help", "[COMMAND]", "show help for uptake or one command",
	 "Shows help for uptake, or for one command.\n", cmd_help},
};

const command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
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
	      "\nRun 'uptake COMMAND --help' for a command's options.\n", fp);
}

static int cmd_help(globals *g, int argc, char **argv)
{
	(void)g;
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!cli_find_command(argv[1]))
		return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
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
			return cli_usage_error(NULL, "unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	const command *c = cli_find_command(argv[i]);
	if (!c)
		return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
	const char *nc = getenv("NO_COLOR");
	if (isatty(STDOUT_FILENO) && !(nc && *nc))
		g.flags |= UP_PRINT_COLOR;
	return c->run(&g, argc - i, argv + i);
}
