/*
 * cli.h: what the uptake command files share: the global options, a row of
 * the command table, and the helpers that parse options and report errors.
 * Adding a command: its cmd_NAME prototype below and a row in main.c.
 */
#ifndef UP_CLI_H
#define UP_CLI_H

#include <getopt.h>

#include "uptake.h"

/* Exit statuses of the CLI itself; the library's map through cli_report. */
enum { EXIT_FAILON = 1, EXIT_USAGE = 2 };

typedef struct {
	const char *dir; /* -C */
	const char *db;  /* --db */
	unsigned flags;  /* UP_PRINT_* */
} globals;

/* A row of main.c's table: help is the rest of --help after the usage line
 * (NULL: cli_help_of builds it); run gets argv[0] == name. */
typedef struct {
	const char *name, *args, *summary, *help;
	int (*run)(globals *g, int argc, char **argv);
} command;

/* The row of main.c's table called NAME, or NULL. */
const command *cli_find_command(const char *name);

/* Prints "uptake: error: ..." and the --help hint for CMD (NULL: uptake
 * itself) on stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3)))
int cli_usage_error(const char *cmd, const char *fmt, ...);

/* Prints every message of ERR on stderr; returns RC's exit status. */
int cli_report(up_error *err, int rc);

/* Called by cli_parse_opts per option with its long name and value (NULL
 * without one); nonzero stops parsing (after printing the error). */
typedef int (*cli_opt_fn)(globals *g, void *ctx, const char *name,
			  const char *val);

/* getopt_long over argv for CMD: the first operand's index, -2 for --help
 * or -h, -1 after a usage error (already printed). */
int cli_parse_opts(globals *g, const char *cmd, int argc, char **argv,
		   const struct option *opts, cli_opt_fn fn, void *ctx);

/* Takes --db and --json into G: 0 if NAME was one of them, else 1. */
int cli_common_opt(globals *g, const char *name, const char *val);

/* cli_common_opt as a cli_opt_fn, for commands with no options of their
 * own. */
int cli_common_opt_cb(globals *g, void *ctx, const char *name,
		      const char *val);

/* 1 and *OUT when S is a cycle number: digits only, 1 or more (whether
 * that cycle exists is for the store to say). */
int cli_cycle_number(const char *s, long long *out);

/* Prints CMD's --help on stdout; returns 0. */
int cli_help_of(const char *cmd);

/* cli_parse_opts for a command whose only options are --db, --help and,
 * when JSON_OK, --json. */
int cli_simple_opts(globals *g, const char *cmd, int argc, char **argv,
		    int json_ok);

/* Options of a command that takes no operands: -1 to go on, or the exit
 * status to return (help printed, or a usage error). */
int cli_options_only(globals *g, const char *cmd, int argc, char **argv,
		     const struct option *opts, cli_opt_fn fn, void *ctx);

/* Loads the program in -C's directory. */
int cli_load(globals *g, up_program **prog, up_error *err);
/* ...without its packs, for commands that judge nothing: recording a fact
 * never waits on a pack's lock or signature. */
int cli_load_facts(globals *g, up_program **prog, up_error *err);

/* Opens the store read-only and reads cycle NUMBER, or its last cycle
 * when NUMBER is 0; with UNIT, that unit's record alone. */
int cli_with_cycle(globals *g, long long number, const char *unit,
		   up_cycle **cycle, up_store **store, up_error *err);

/* ---- commands: one cmd_NAME per row of main.c's table ---- */

int cmd_check(globals *g, int argc, char **argv);    /* cmd_check.c */
int cmd_record(globals *g, int argc, char **argv);   /* cmd_record.c */
int cmd_import(globals *g, int argc, char **argv);
int cmd_cycle(globals *g, int argc, char **argv);    /* cmd_cycle.c */
int cmd_status(globals *g, int argc, char **argv);   /* cmd_show.c */
int cmd_explain(globals *g, int argc, char **argv);
int cmd_due(globals *g, int argc, char **argv);      /* cmd_schedule.c */
int cmd_calendar(globals *g, int argc, char **argv);
int cmd_ack(globals *g, int argc, char **argv);
int cmd_snooze(globals *g, int argc, char **argv);
int cmd_plan(globals *g, int argc, char **argv);
int cmd_pack(globals *g, int argc, char **argv);     /* cmd_pack.c */
int cmd_advance(globals *g, int argc, char **argv);  /* cmd_decide.c */
int cmd_stages(globals *g, int argc, char **argv);
int cmd_waive(globals *g, int argc, char **argv);
int cmd_waivers(globals *g, int argc, char **argv);
int cmd_init(globals *g, int argc, char **argv);     /* cmd_init.c */
int cmd_history(globals *g, int argc, char **argv);  /* cmd_history.c */
int cmd_replay(globals *g, int argc, char **argv);   /* cmd_history.c */
int cmd_report(globals *g, int argc, char **argv);   /* cmd_report.c */

#endif
