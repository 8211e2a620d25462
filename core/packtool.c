/*
 * packtool.c: the library side of `uptake pack new|check|list|lock|keygen`:
 * scaffolding, static checks of a pack, the list of packs on the search
 * path, and writing uptake.lock.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "host_priv.h"
#include "pack.h"

/* ---- lock ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const up_lock_entry *)a)->name,
		      ((const up_lock_entry *)b)->name);
}

int up_pack_lock(const up_program *p, FILE *fp, up_error *err)
{
	if (!p->npacks)
		return up_err(err, UP_EINPUT, "program.yaml uses no packs: "
			      "there is nothing to lock");
	up_lock lk = {"uptake.lock", up_xcalloc(p->npacks, sizeof *lk.e),
		      p->npacks};
	char **where = up_xcalloc(p->npacks, sizeof *where);
	for (size_t i = 0; i < p->npacks; i++) {
		const up_pack_use *u = &p->packs[i];
		/* the same lock on every machine: no directory of one */
		where[i] = !strcmp(u->origin, "path")
			? up_xasprintf("$UPTAKE_PACK_PATH/%s", u->pack->name)
			: up_xstrdup(u->shown);
		lk.e[i].name = u->pack->name;
		lk.e[i].version = u->pack->version_s;
		lk.e[i].path = where[i];
		lk.e[i].digest = u->digest; /* borrowed: not freed here */
	}
	qsort(lk.e, lk.n, sizeof *lk.e, by_name);
	char *path = up_xasprintf("%s/uptake.lock", p->dir);
	int rc = up_lock_write(path, &lk, err);
	for (size_t i = 0; rc == UP_OK && fp && i < p->npacks; i++)
		fprintf(fp, "locked %s %s sha256:%.16s... (%s)\n",
			p->packs[i].pack->name, p->packs[i].pack->version_s,
			p->packs[i].digest.sha256, p->packs[i].shown);
	free(path);
	free(lk.e);
	for (size_t i = 0; i < p->npacks; i++)
		free(where[i]);
	free(where);
	return rc;
}

int up_pack_keygen(const char *name, up_error *err)
{
	return up_key_generate(name, err);
}

/* ---- list ---- */

static int host_program(const char *dir, up_program **out, up_error *err);

/* The rules the pack in DIR declares, or -1 when it does not load. */
static json_int_t count_rules(const char *dir)
{
	up_error *e = up_error_new();
	up_program *p = NULL;
	up_host *h = NULL;
	json_int_t n = -1;
	if (host_program(dir, &p, e) == UP_OK &&
	    up_host_open(&h, p, e) == UP_OK)
		for (size_t i = n = 0; i < up_host_ndecls(h); i++)
			n += up_host_decl(h, i)->pack == 0;
	up_host_close(h);
	up_program_free(p);
	up_error_free(e);
	return n;
}

static json_t *list_entry(const char *dir, const char *name,
			  const char *origin, const char *shadowed_by,
			  up_error *err)
{
	char *pdir = up_xasprintf("%s/%s", dir, name);
	up_pack *pk = NULL;
	json_t *j = NULL;
	if (up_pack_load(&pk, pdir, err) == UP_OK) {
		json_int_t rules = count_rules(pdir);
		j = UP_JSON(json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:b}",
			"name", pk->name, "version", pk->version_s, "title",
			pk->title, "rules", rules >= 0 ? json_integer(rules)
			: json_null(), "rule_files", (json_int_t)pk->nrules,
			"origin", origin, "dir", pdir, "shadowed",
			shadowed_by != NULL));
		if (shadowed_by) /* the first on the path wins a plain use: */
			json_object_set_new(j, "shadowed_by",
					    json_string(shadowed_by));
	}
	up_pack_free(pk);
	free(pdir);
	return j;
}

static void print_list(const json_t *list, FILE *fp)
{
	size_t i;
	json_t *x;
	int wn = 24, wv = 10; /* at least these, wider for longer names */
	json_array_foreach(list, i, x) {
		int n = (int)strlen(json_string_value(json_object_get(x,
								      "name")));
		int v = (int)strlen(json_string_value(json_object_get(x,
							"version")));
		wn = n > wn ? n : wn;
		wv = v > wv ? v : wv;
	}
	fprintf(fp, "%-*s %-*s %5s  %s\n", wn, "PACK", wv, "VERSION",
		"RULES", "WHERE");
	json_array_foreach(list, i, x) {
		json_t *n = json_object_get(x, "rules");
		char rules[24] = "?"; /* does not load: pack check says why */
		if (json_is_integer(n))
			snprintf(rules, sizeof rules, "%lld",
				 (long long)json_integer_value(n));
		fprintf(fp, "%-*s %-*s %5s  %s%s%s%s\n", wn,
			json_string_value(json_object_get(x, "name")), wv,
			json_string_value(json_object_get(x, "version")), rules,
			json_string_value(json_object_get(x, "dir")),
			json_object_get(x, "shadowed_by") ? " (after " : "",
			json_object_get(x, "shadowed_by")
				? json_string_value(json_object_get(x,
						"shadowed_by")) : "",
			json_object_get(x, "shadowed_by") ? ")" : "");
	}
}

int up_pack_list(const char *program_dir, FILE *fp, unsigned flags,
		 up_error *err)
{
	size_t nd;
	int rc = UP_OK;
	up_search_dir *dirs = up_pack_search_path(program_dir, &nd);
	json_t *list = json_array(), *seen = json_object();
	for (size_t i = 0; i < nd; i++) {
		size_t n;
		char **names = up_pack_names_in(dirs[i].dir, &n);
		for (size_t k = 0; k < n; k++) {
			const char *first = json_string_value(
				json_object_get(seen, names[k]));
			size_t before = up_error_count(err);
			json_t *j = list_entry(dirs[i].dir, names[k],
					       dirs[i].origin, first, err);
			if (j)
				json_array_append_new(list, j);
			if (up_error_count(err) > before)
				rc = UP_EINPUT; /* listed, but not loadable */
			if (j && !first)
				json_object_set(seen, names[k],
						json_object_get(j, "dir"));
			free(names[k]);
		}
		free(names);
	}
	up_pack_search_path_free(dirs, nd);
	json_decref(seen);
	if (flags & UP_PRINT_JSON) {
		json_dumpf(list, fp, JSON_INDENT(2));
		fputc('\n', fp);
	} else {
		print_list(list, fp);
	}
	json_decref(list);
	return rc;
}

/* ---- check ---- */

static const char *const ctx_fields[] = {
	"now", "unit", "program", "params", "people", "events", "units",
	"metric", "series", "days_between", "add_days", "follow_up", "remind",
	"trainings", "coverage"};

static int line_of(const char *src, const char *at)
{
	int line = 1;
	for (const char *s = src; s < at; s++)
		line += *s == '\n';
	return line;
}

/* ctx.x and ctx:x in the text of a rule file that ctx does not have. */
static void warn_ctx_fields(const up_rule_file *rf, up_error *err)
{
	regex_t rx;
	if (regcomp(&rx, "ctx[.:]([A-Za-z_][A-Za-z0-9_]*)", REG_EXTENDED))
		return;
	regmatch_t m[2];
	for (const char *s = rf->src; regexec(&rx, s, 2, m, 0) == 0;
	     s += m[0].rm_eo) {
		char name[64];
		int len = (int)(m[1].rm_eo - m[1].rm_so);
		snprintf(name, sizeof name, "%.*s", len, s + m[1].rm_so);
		size_t k = 0;
		while (k < UP_COUNTOF(ctx_fields) && strcmp(ctx_fields[k], name))
			k++;
		if (k < UP_COUNTOF(ctx_fields))
			continue;
		const char *hint = up_did_you_mean(name, ctx_fields,
						   UP_COUNTOF(ctx_fields));
		up_warn_at(err, rf->path, line_of(rf->src, s + m[0].rm_so), 0,
			   "ctx has no field '%s'%s%s%s", name,
			   hint ? " (did you mean '" : "", hint ? hint : "",
			   hint ? "'?)" : "");
	}
	regfree(&rx);
}

/* Globals a rule file set at its top level: locals were meant. */
static int by_global_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted by name: lua_next() follows Lua's per-process string hash. */
static void warn_globals(up_sandbox *sb, up_error *err)
{
	lua_State *L = sb->L;
	if (sb->env_ref == LUA_NOREF || !lua_checkstack(L, 4))
		return;
	char **names = NULL;
	size_t n = 0;
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->env_ref);
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING
			? lua_tostring(L, -2) : NULL;
		if (k && strcmp(k, "_G") && strcmp(k, "params")) {
			names = up_xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = up_xstrdup(k);
		}
	}
	lua_pop(L, 1);
	if (n)
		qsort(names, n, sizeof *names, by_global_name);
	for (size_t i = 0; i < n; i++) {
		up_warn_at(err, sb->file, 0, 0, "writes the global '%s' "
			   "(declare it local)", names[i]);
		free(names[i]);
	}
	free(names);
}

static void warn_metadata(const up_decl *d, up_error *err)
{
	const char *missing[5];
	size_t n = 0;
	if (!strcmp(d->title, d->id + d->local))
		missing[n++] = "title";
	if (!d->rationale)
		missing[n++] = "rationale";
	if (!d->cite)
		missing[n++] = "source";
	if (!d->remediation)
		missing[n++] = "remediation";
	if (!d->owner)
		missing[n++] = "owner";
	up_buf b = {0};
	for (size_t i = 0; i < n; i++)
		up_buf_printf(&b, "%s%s", i ? ", " : "", missing[i]);
	if (n)
		up_warn_at(err, d->file, d->line, 0, "rule '%s' does not say "
			   "its %s", d->id + d->local, b.buf);
	up_buf_free(&b);
}

/* A program that only hosts the pack: stages are the user's to give. */
static int host_program(const char *dir, up_program **out, up_error *err)
{
	static const char yaml[] =
		"program: pack-check\nstart: 2026-01-01\nstages: [a, b]\n"
		"units: [{id: root, name: Root, stage: a}]\n";
	up_ynode *root = NULL;
	int rc = up_yaml_parse(yaml, sizeof yaml - 1, "pack-check", &root,
			       err);
	if (rc == UP_OK)
		rc = up_program_from_tree(out, "/nonexistent", root,
					  "pack-check", UP_PROGRAM_UNLOCKED,
					  err);
	up_yaml_free(root);
	if (rc != UP_OK)
		return rc;
	(*out)->any_stage = 1;
	up_yv v = {dir, err, 0};
	up_ynode at = {0};
	return up_packs_add_dir(&v, *out, dir, &at, NULL, NULL);
}

int up_pack_check(const char *dir, up_error *err)
{
	up_program *p = NULL;
	int rc = host_program(dir, &p, err);
	up_host *h = NULL;
	if (rc == UP_OK)
		rc = up_host_open(&h, p, err);
	for (size_t i = 0; h && i < p->nrules; i++) {
		if (p->rules[i].pack != 0)
			continue; /* a dependency: checked on its own */
		warn_ctx_fields(&p->rules[i], err);
		warn_globals(&h->sb[i], err);
	}
	for (size_t i = 0; h && i < h->ndecls; i++)
		if (h->decls[i].pack == 0)
			warn_metadata(&h->decls[i], err);
	up_host_close(h);
	up_program_free(p);
	return rc;
}

/* ---- new ---- */

static const char scaffold_manifest[] =
	"name: %s\n"
	"version: 0.1.0\n"
	"title: %s\n"
	"description: What this pack checks, and for whom.\n"
	"authors: [you]\n"
	"license: MIT\n"
	"requires: \"%s\"\n"
	"rules: [rules.lua]\n"
	"params:\n"
	"  gate:\n"
	"    type: string\n"
	"    default: \"evaluate->procure\"\n"
	"    doc: The stage boundary the pack's gate guards\n"
	"  min_champions:\n"
	"    type: integer\n"
	"    default: 1\n"
	"    min: 0\n"
	"    max: 50\n"
	"    doc: Bought-in clinician champions needed at the gate\n";

static const char scaffold_rules[] =
	"-- rules.lua: one gate and one check, to start from.\n"
	"\n"
	"gate {\n"
	"  id = \"champions\",\n"
	"  at = params.gate,\n"
	"  title = \"Enough bought-in clinician champions\",\n"
	"  rationale = \"An implementation without a front-line champion "
	"rarely survives its pilot.\",\n"
	"  source = \"Damschroder et al. 2009 (CFIR): champions\",\n"
	"  remediation = \"Find a clinician who will lead the change and "
	"involve them now.\",\n"
	"  owner = \"quality_lead\",\n"
	"  check = function(ctx)\n"
	"    local champions = ctx:people{ within = ctx.unit.id, role = "
	"\"clinician_champion\",\n"
	"                                  min_engagement = \"bought_in\" }\n"
	"    if #champions < ctx.params.min_champions then\n"
	"      return fail(\"%%d bought-in champion(s), %%d needed\", "
	"#champions, ctx.params.min_champions)\n"
	"    end\n"
	"    return pass(\"%%d bought-in champion(s)\", #champions)\n"
	"  end,\n"
	"}\n"
	"\n"
	"check {\n"
	"  id = \"no-engaged-clinician\",\n"
	"  severity = \"medium\",\n"
	"  title = \"No clinician of the unit is even consulted\",\n"
	"  rationale = \"Clinicians who were never asked push back at "
	"go-live.\",\n"
	"  source = \"Powell et al. 2015 (ERIC): conduct local consensus "
	"discussions\",\n"
	"  remediation = \"Consult the unit's clinicians before planning "
	"further.\",\n"
	"  owner = \"first_line_manager\",\n"
	"  check = function(ctx)\n"
	"    local engaged = ctx:people{ unit = ctx.unit.id, min_engagement "
	"= \"consulted\" }\n"
	"    if #engaged == 0 then return warn(\"nobody in %%s is consulted "
	"yet\", ctx.unit.name) end\n"
	"    return pass(\"%%d consulted\", #engaged)\n"
	"  end,\n"
	"}\n";

static const char scaffold_tests[] =
	"program:\n"
	"  program: %s-tests\n"
	"  start: 2026-01-01\n"
	"  stages: [evaluate, procure, pilot]\n"
	"  units:\n"
	"    - {id: hospital, name: Hospital, stage: evaluate}\n"
	"  people:\n"
	"    - {id: dr-a, name: Dr A, unit: hospital, roles: "
	"[clinician_champion], engagement: informed}\n"
	"cases:\n"
	"  - name: no champion holds the gate\n"
	"    as_of: 2026-02-01\n"
	"    expect:\n"
	"      - {rule: champions, unit: hospital, status: fail, message: "
	"\"0 bought-in\"}\n"
	"      - {rule: no-engaged-clinician, unit: hospital, status: warn}\n"
	"      - {gate: evaluate->procure, unit: hospital, decision: hold}\n"
	"  - name: a bought-in champion lets it go\n"
	"    as_of: 2026-02-01\n"
	"    facts:\n"
	"      engagements:\n"
	"        - {person: dr-a, level: bought_in, date: 2026-01-15}\n"
	"    expect:\n"
	"      - {rule: champions, unit: hospital, status: pass}\n"
	"      - {rule: no-engaged-clinician, unit: hospital, status: pass}\n"
	"      - {gate: evaluate->procure, unit: hospital, decision: go}\n"
	"  - name: with no champion needed the gate goes\n"
	"    as_of: 2026-02-01\n"
	"    with: {min_champions: 0}\n"
	"    expect:\n"
	"      - {rule: champions, unit: hospital, status: pass}\n";

static const char scaffold_readme[] =
	"# %s\n"
	"\n"
	"What this pack checks, for whom, and why.\n"
	"\n"
	"| rule | kind | what it checks |\n"
	"|---|---|---|\n"
	"| `%s/champions` | gate at `gate` | enough bought-in clinician "
	"champions |\n"
	"| `%s/no-engaged-clinician` | check | someone in the unit is "
	"consulted |\n"
	"\n"
	"Parameters: `gate` (default `evaluate->procure`), `min_champions` "
	"(default 1).\n"
	"\n"
	"```sh\n"
	"uptake pack check %s && uptake pack test %s --coverage\n"
	"```\n";

static int new_pack(const char *dir, up_error *err);

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

int up_pack_new(const char *path, up_error *err)
{
	char *dir = up_xstrdup(path);
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0'; /* new/ names the pack new */
	int rc = new_pack(dir, err);
	free(dir);
	return rc;
}

static int new_pack(const char *dir, up_error *err)
{
	const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	if (!up_is_id(name) || strchr(name, '.'))
		return up_err(err, UP_EINPUT, "'%s' is not a pack name (use "
			      "letters, digits, '_' and '-')", name);
	if (mkdir(dir, 0777))
		return up_err_at(err, UP_EINPUT, dir, 0, 0, "cannot create: %s",
				 strerror(errno));
	/* this uptake's compatible versions: ^0.2 while 0.x, ^1 from 1.0 */
	up_semver self;
	char requires[64] = "*";
	if (up_semver_parse(UP_VERSION, &self, NULL) == 0)
		snprintf(requires, sizeof requires, self.major
			 ? "^%lld" : "^0.%lld", self.major ? self.major
			 : self.minor);
	char *tests = up_xasprintf("%s/tests", dir);
	int rc = mkdir(tests, 0777) ? up_err_at(err, UP_EINPUT, tests, 0, 0,
		"cannot create: %s", strerror(errno)) : UP_OK;
	char *text[4] = {
		up_xasprintf(scaffold_manifest, name, name, requires),
		up_xasprintf(scaffold_rules),
		up_xasprintf(scaffold_tests, name),
		up_xasprintf(scaffold_readme, name, name, name, dir, dir)};
	static const char *const files[] = {"pack.yaml", "rules.lua",
					    "tests/rules.yaml", "README.md"};
	for (size_t i = 0; i < 4; i++) {
		char *path = up_xasprintf("%s/%s", dir, files[i]);
		if (rc == UP_OK)
			rc = write_new(path, text[i], err);
		free(path);
		free(text[i]);
	}
	free(tests);
	return rc == UP_OK ? up_luarc_write(dir, err) : rc;
}
