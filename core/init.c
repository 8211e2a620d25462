/*
 * init.c: `uptake init`: a new program directory, either a small commented
 * program that passes check and cycle as written or a copy of a shipped
 * example, and the .luarc.json that points editors at the rule DSL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- where the shipped files are ---- */

/* A binary in the build tree reads the source tree, as the packs do
 * (up_pack_builtin_dir): a test never needs `meson install`. */
static int in_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t root = strlen(UP_BUILD_ROOT);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return !strncmp(exe, UP_BUILD_ROOT, root) && exe[root] == '/';
}

const char *up_examples_dir(void)
{
	return in_build_tree() ? UP_SOURCE_EXAMPLEDIR : UP_INSTALLED_EXAMPLEDIR;
}

const char *up_luals_dir(void)
{
	return in_build_tree() ? UP_SOURCE_LUALSDIR : UP_INSTALLED_LUALSDIR;
}

/* ---- the scaffold ---- */

/* The program id, then the start date. */
static const char scaffold_program[] =
	"# program.yaml: what uptake judges.  Describe your own rollout here;\n"
	"# `uptake check` validates every change, with the line and column of\n"
	"# each problem.  README.md beside this file says what to do next.\n"
	"\n"
	"# An id (letters, digits, _ - .) and the day the implementation began\n"
	"program: %s\n"
	"title: A digital service, from evaluation to daily use\n"
	"organization: Your organisation\n"
	"start: %s\n"
	"\n"
	"# Every unit goes through these stages; a gate guards each step.\n"
	"stages: [evaluate, procure, prepare, live, sustain]\n"
	"\n"
	"# The tree of units.  The first without a parent is the root: the\n"
	"# whole organisation, where the contract is decided.\n"
	"units:\n"
	"  - {id: hospital, name: The hospital, stage: evaluate}\n"
	"  - {id: ward-a, name: Ward A, parent: hospital, stage: prepare, "
	"staff: 30}\n"
	"  - {id: ward-b, name: Ward B, parent: hospital, stage: prepare, "
	"staff: 25}\n"
	"\n"
	"# The people whose engagement the rules weigh, on the ladder\n"
	"# unaware < informed < consulted < involved < bought_in (as of start;\n"
	"# `uptake record engagement` adds to the history).\n"
	"people:\n"
	"  - {id: sponsor, name: The executive sponsor, unit: hospital,\n"
	"     roles: [executive], engagement: bought_in}\n"
	"  - {id: dr-a, name: Dr A, unit: ward-a, roles: [physician],\n"
	"     engagement: informed}\n"
	"  - {id: nurse-b, name: Nurse B, unit: ward-b,\n"
	"     roles: [nurse, first_line_manager], engagement: consulted}\n"
	"\n"
	"# What success means, from your own monthly exports\n"
	"# (`uptake import observations FILE`: unit,series,period,value).\n"
	"metrics:\n"
	"  digital_share:\n"
	"    numerator: digital_visits\n"
	"    denominator: visits\n"
	"    target: 0.30\n"
	"    deadline: +1y                   # a year after start\n"
	"    period: month\n"
	"\n"
	"# A pack of rules that ships with uptake: clinicians consulted and a\n"
	"# champion bought in before the contract and before each go-live.\n"
	"packs:\n"
	"  - use: clinician-buy-in\n"
	"    version: \"^1.0\"\n"
	"    # with: sets the pack's parameters, each checked against its type\n"
	"    # and bounds; its README lists them all (`uptake pack list` says\n"
	"    # where it is).  Here: a champion counts as active when seen in\n"
	"    # the last 90 days.\n"
	"    with: {champion_active_days: 90}\n"
	"\n"
	"# The program's own rules, beside the pack's.\n"
	"rules: [rules/local.lua]\n";

static const char scaffold_rules[] =
	"-- local.lua: this program's own rules, beside the clinician-buy-in\n"
	"-- pack.  A gate judges a unit at one stage boundary; a check flags a\n"
	"-- risk at the stages it names.  With the Lua language server, the\n"
	"-- .luarc.json beside program.yaml completes gate{}, check{} and ctx.\n"
	"\n"
	"gate {\n"
	"  id = \"first-line-manager-involved\",\n"
	"  at = \"prepare->live\",\n"
	"  must = false,                     -- should-meet: weighed, not a "
	"knock-out\n"
	"  weight = 1,\n"
	"  title = \"The unit's first-line manager is involved before "
	"go-live\",\n"
	"  rationale = \"First-line managers turn a decision into rosters, "
	"time for\"\n"
	"           .. \" training and daily routines; without them a go-live "
	"stalls.\",\n"
	"  source = \"Birken et al. 2012, middle managers' role in "
	"implementation\",\n"
	"  remediation = \"Involve the unit's first-line manager in planning "
	"the go-live.\",\n"
	"  owner = \"quality_lead\",\n"
	"  check = function(ctx)\n"
	"    -- a helper for a common criterion: docs/rules.md lists them\n"
	"    return require_people(ctx, { role = \"first_line_manager\",\n"
	"                                 level = \"involved\", "
	"scope = \"unit\" })\n"
	"  end,\n"
	"}\n"
	"\n"
	"-- Every boundary between stages needs a gate: without one a unit\n"
	"-- there gets no decision (uptake check warns).\n"
	"gate {\n"
	"  id = \"implementation-plan\",\n"
	"  at = \"procure->prepare\",\n"
	"  title = \"An implementation plan is agreed before preparing "
	"go-live\",\n"
	"  remediation = \"Record it: uptake record event --kind plan "
	"--unit hospital\",\n"
	"  check = function(ctx)\n"
	"    return require_event(ctx, { kind = \"plan\" })\n"
	"  end,\n"
	"}\n"
	"\n"
	"gate {\n"
	"  id = \"share-on-track\",\n"
	"  at = \"live->sustain\",\n"
	"  title = \"The digital share is on track for its target\",\n"
	"  check = function(ctx)\n"
	"    return require_status(ctx, { metric = \"digital_share\" })\n"
	"  end,\n"
	"}\n"
	"\n"
	"check {\n"
	"  id = \"go-live-date-planned\",\n"
	"  severity = \"medium\",\n"
	"  stages = { \"prepare\" },\n"
	"  title = \"A unit preparing its go-live has a date for it\",\n"
	"  rationale = \"A gate decides the date of the next one; a unit "
	"preparing\"\n"
	"           .. \" without a date cannot plan training before it.\",\n"
	"  source = \"Cooper, Stage-Gate: each gate sets the next gate's "
	"date\",\n"
	"  remediation = \"Agree a go-live date and set go_live on the unit "
	"in program.yaml.\",\n"
	"  owner = \"first_line_manager\",\n"
	"  check = function(ctx)\n"
	"    if not ctx.unit.go_live then\n"
	"      return warn(\"no go-live date planned for %%s\", "
	"ctx.unit.name)\n"
	"    end\n"
	"    return pass(\"go-live %%s\", ctx.unit.go_live)\n"
	"  end,\n"
	"}\n";

static const char scaffold_readme[] =
	"# A new uptake program\n"
	"\n"
	"`uptake init` wrote this directory: `program.yaml` (the stages, the\n"
	"units, the people, a success metric and the shipped clinician-buy-in\n"
	"pack), `rules/local.lua` (one gate and one check of the program's "
	"own)\n"
	"and `.luarc.json` (for editors with the Lua language server).\n"
	"\n"
	"## What to do next\n"
	"\n"
	"1. In this directory, check it and judge every unit's next gate as of\n"
	"   today:\n"
	"\n"
	"   ```sh\n"
	"   uptake check\n"
	"   uptake cycle\n"
	"   uptake explain hospital\n"
	"   ```\n"
	"\n"
	"   The contract gate (`evaluate->procure` of `hospital`) holds until\n"
	"   the clinicians of each ward are consulted and a clinician champion\n"
	"   is bought in; `uptake explain` says what to record.\n"
	"\n"
	"2. Describe your own rollout in `program.yaml`: your stages, units,\n"
	"   people and metrics.  `uptake check` names every problem with its\n"
	"   line and column.\n"
	"\n"
	"3. Record what happens, and run a cycle whenever you meet:\n"
	"\n"
	"   ```sh\n"
	"   uptake record engagement --person dr-a --level consulted "
	"--date 2026-02-01\n"
	"   uptake import observations visits.csv\n"
	"   uptake cycle --fail-on hold,kill,error\n"
	"   ```\n"
	"\n"
	"4. Write your own rules in `rules/local.lua`, and tune or add packs\n"
	"   (`uptake pack list` shows the shipped ones; `uptake pack new` "
	"writes\n"
	"   your own).\n"
	"\n"
	"Keep this directory under version control, all but `.uptake/`: the\n"
	"state database, which `.gitignore` leaves out.  `uptake --help` and\n"
	"`man uptake` list every command.\n";

static const char scaffold_gitignore[] =
	"# the state database: facts and cycles, not configuration\n"
	".uptake/\n";

/* ---- files ---- */

static int write_new(const char *path, const char *text, up_error *err)
{
	FILE *fp = fopen(path, "wx");
	if (!fp)
		return up_err_at(err, UP_EINPUT, path, 0, 0, "cannot write: %s",
				 strerror(errno));
	int ok = fputs(text, fp) >= 0;
	ok = fclose(fp) == 0 && ok;
	return ok ? UP_OK : up_err_at(err, UP_EINTERNAL, path, 0, 0,
				      "cannot write: %s", strerror(errno));
}

int up_luarc_write(const char *dir, up_error *err)
{
	/* The sandbox has no io, os, package, debug or coroutine: disabled,
	 * the language server flags a rule that reaches for them. */
	json_t *j = UP_JSON(json_pack(
		"{s:s, s:[s], s:b, s:{s:s, s:s, s:s, s:s, s:s}, "
		"s:[s, s, s, s, s, s, s, s, s]}",
		"runtime.version", "Lua 5.4",
		"workspace.library", up_luals_dir(),
		"workspace.checkThirdParty", 0,
		"runtime.builtin", "io", "disable", "os", "disable", "package",
		"disable", "debug", "disable", "coroutine", "disable",
		"diagnostics.globals", "gate", "check", "metric", "pass",
		"fail", "warn", "score", "skip", "params"));
	char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	if (!text)
		return up_err(err, UP_ENOMEM, "out of memory");
	char *path = up_xasprintf("%s/.luarc.json", dir);
	char *body = up_xasprintf("%s\n", text);
	int rc = write_new(path, body, err);
	free(body);
	free(path);
	free(text);
	return rc;
}

static void remove_tree(const char *dir);

/* Removes everything below DIR; what cannot go stays. */
static void empty_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *path = up_xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
}

static void remove_tree(const char *dir)
{
	empty_tree(dir);
	rmdir(dir);
}

static int copy_file(const char *from, const char *to, mode_t mode,
		     up_error *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc = up_read_file(from, 64u << 20, &data, &len, err);
	if (rc != UP_OK)
		return rc;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL, mode & 0777);
	if (fd < 0 || up_write_all(fd, data, len) != 0)
		rc = up_err_at(err, UP_EINPUT, to, 0, 0, "cannot write: %s",
			       strerror(errno));
	if (fd >= 0 && close(fd) != 0 && rc == UP_OK)
		rc = up_err_at(err, UP_EINPUT, to, 0, 0, "cannot write: %s",
			       strerror(errno));
	free(data);
	return rc;
}

/* Copies the files and directories below FROM into TO (which exists),
 * leaving out hidden ones: a .uptake/ state left by a run of the
 * example is not part of it. */
static int copy_tree(const char *from, const char *to, up_error *err)
{
	DIR *d = opendir(from);
	if (!d)
		return up_err_at(err, UP_EINTERNAL, from, 0, 0,
				 "cannot read: %s", strerror(errno));
	int rc = UP_OK;
	struct dirent *e;
	while (rc == UP_OK && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *src = up_xasprintf("%s/%s", from, e->d_name);
		char *dst = up_xasprintf("%s/%s", to, e->d_name);
		struct stat st;
		if (lstat(src, &st) != 0)
			rc = up_err_at(err, UP_EINTERNAL, src, 0, 0,
				       "cannot read: %s", strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = mkdir(dst, 0777) ? up_err_at(err, UP_EINPUT, dst,
				0, 0, "cannot create: %s", strerror(errno))
				: copy_tree(src, dst, err);
		else if (S_ISREG(st.st_mode))
			rc = copy_file(src, dst, st.st_mode, err);
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

/* ---- init ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The examples shipped with uptake: directories with a program.yaml. */
static char **example_names(size_t *n)
{
	*n = 0;
	DIR *d = opendir(up_examples_dir());
	if (!d)
		return NULL;
	char **out = NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *f = up_xasprintf("%s/%s/program.yaml", up_examples_dir(),
				       e->d_name);
		struct stat st;
		if (stat(f, &st) == 0 && S_ISREG(st.st_mode)) {
			out = up_xrealloc(out, (*n + 1) * sizeof *out);
			out[(*n)++] = up_xstrdup(e->d_name);
		}
		free(f);
	}
	closedir(d);
	if (*n)
		qsort(out, *n, sizeof *out, cmp_str);
	return out;
}

/* UP_OK if FROM names a shipped example; else an error listing them. */
static int find_example(const char *from, up_error *err)
{
	size_t n;
	char **names = example_names(&n);
	int found = 0;
	up_buf list = {0};
	for (size_t i = 0; i < n; i++) {
		found |= !strcmp(names[i], from);
		up_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	}
	const char *hint = found ? NULL
		: up_did_you_mean(from, (const char *const *)names, n);
	int rc = UP_OK;
	if (!found && hint)
		rc = up_err(err, UP_EINPUT, "unknown example '%s' (did you "
			    "mean '%s'?)", from, hint);
	else if (!found)
		rc = up_err(err, UP_EINPUT, "unknown example '%s' (the "
			    "examples: %s)", from, n ? list.buf
			    : "none are installed");
	up_buf_free(&list);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* 1 when DIR must be made, 0 when it is an empty directory, else an
 * error: init never writes over anything. */
static int absent_or_empty(const char *dir, up_error *err)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 1 : up_err_at(err, UP_EINPUT, dir, 0,
			0, "cannot use: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return up_err_at(err, UP_EINPUT, dir, 0, 0, "exists and is "
				 "not a directory");
	DIR *d = opendir(dir);
	if (!d)
		return up_err_at(err, UP_EINPUT, dir, 0, 0, "cannot read: %s",
				 strerror(errno));
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)) != NULL)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty ? 0 : up_err_at(err, UP_EINPUT, dir, 0, 0, "exists and "
				     "is not empty: init writes only into a "
				     "new or empty directory");
}

/* The program id: DIR's own name when it is one, else "program". */
static char *program_id(const char *dir)
{
	char real[PATH_MAX];
	const char *name = realpath(dir, real) ? real : dir;
	const char *slash = strrchr(name, '/');
	name = slash ? slash + 1 : name;
	return up_xstrdup(up_is_id(name) && strcmp(name, ".") &&
			  strcmp(name, "..") ? name : "program");
}

static int write_scaffold(const char *dir, up_error *err)
{
	char today[11];
	up_date_format(up_date_today(), today);
	char *id = program_id(dir);
	char *rules = up_xasprintf("%s/rules", dir);
	int rc = mkdir(rules, 0777) ? up_err_at(err, UP_EINPUT, rules, 0, 0,
		"cannot create: %s", strerror(errno)) : UP_OK;
	static const char *const files[] = {"program.yaml", "rules/local.lua",
					    "README.md", ".gitignore"};
	char *text[] = {up_xasprintf(scaffold_program, id, today),
			up_xasprintf(scaffold_rules),
			up_xstrdup(scaffold_readme),
			up_xstrdup(scaffold_gitignore)};
	for (size_t i = 0; i < UP_COUNTOF(files); i++) {
		char *path = up_xasprintf("%s/%s", dir, files[i]);
		if (rc == UP_OK)
			rc = write_new(path, text[i], err);
		free(path);
		free(text[i]);
	}
	free(rules);
	free(id);
	return rc;
}

/* The new program in DIR, which exists and is empty. */
static int fill(const char *dir, const char *from, up_error *err)
{
	int rc;
	if (from) {
		char *src = up_xasprintf("%s/%s", up_examples_dir(), from);
		rc = copy_tree(src, dir, err);
		free(src);
	} else {
		rc = write_scaffold(dir, err);
	}
	return rc == UP_OK ? up_luarc_write(dir, err) : rc;
}

int up_program_init(const char *path, const char *from, up_error *err)
{
	char *dir = up_xstrdup(path);
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0'; /* new/ is the directory new */
	int make = absent_or_empty(dir, err);
	int rc = make < 0 ? make : from ? find_example(from, err) : UP_OK;
	if (rc == UP_OK && make && mkdir(dir, 0777))
		rc = up_err_at(err, UP_EINPUT, dir, 0, 0, "cannot create: %s",
			       strerror(errno));
	else if (rc == UP_OK && (rc = fill(dir, from, err)) != UP_OK)
		(make ? remove_tree : empty_tree)(dir); /* all or nothing */
	free(dir);
	return rc;
}
