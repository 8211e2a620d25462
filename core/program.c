/*
 * program.c: loads and validates program.yaml.  Every problem is reported
 * at its node, all of them in one pass, so an admin fixes a file in one go.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric.h"
#include "pack.h"

const char *const up_levels[UP_LEVELS] = {"unaware", "informed", "consulted",
					  "involved", "bought_in"};

const char *const up_event_kinds[] = {"consultation", "meeting", "deliverable",
				      "story", "decision", "contract",
				      "plan", "budget", "assessment"};
const size_t up_nevent_kinds = UP_COUNTOF(up_event_kinds);

int up_level_index(const char *s)
{
	for (int i = 0; i < UP_LEVELS; i++)
		if (strcmp(s, up_levels[i]) == 0)
			return i;
	return -1;
}

int up_event_kind_ok(const char *s)
{
	for (size_t i = 0; i < up_nevent_kinds; i++)
		if (strcmp(s, up_event_kinds[i]) == 0)
			return 1;
	return 0;
}

enum { MAX_PROGRAM_BYTES = 4 << 20, MAX_RULE_BYTES = 1 << 20 };

static const char *const top_keys[] = {
	"program", "title", "organization", "start", "stages", "units",
	"people", "metrics", "packs", "rules", "gates", "cadence", "limits",
	"trust"};
static const char *const unit_keys[] = {"id", "name", "parent", "stage",
					"go_live", "staff", "attrs"};
static const char *const person_keys[] = {"id", "name", "unit", "roles",
					  "engagement", "since", "joined"};
static const char *const gate_keys[] = {"threshold", "margin"};
static const char *const limit_keys[] = {"instructions", "memory_mb",
					 "time_ms"};

/* ---- sections ---- */

static void load_stages(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YSEQ, "'stages'"))
		return;
	if (n->n < 2) {
		up_yv_err(v, n, "'stages' needs at least two stages");
		return;
	}
	p->stages = up_xcalloc(n->n, sizeof *p->stages);
	p->stage_line = up_xcalloc(n->n, sizeof *p->stage_line);
	p->stage_col = up_xcalloc(n->n, sizeof *p->stage_col);
	for (size_t i = 0; i < n->n; i++) {
		char *s = up_yv_id(v, n->kids[i], "stage");
		if (!s)
			continue;
		p->stage_line[p->nstages] = n->kids[i]->line;
		p->stage_col[p->nstages] = n->kids[i]->col;
		for (size_t j = 0; j < p->nstages; j++)
			if (p->stages[j] && !strcmp(p->stages[j], s)) {
				up_yv_err(v, n->kids[i], "duplicate stage '%s'", s);
				break;
			}
		p->stages[p->nstages++] = s;
	}
}

int up_stage_index(const up_program *p, const char *stage)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (!strcmp(p->stages[i], stage))
			return (int)i;
	return -1;
}

static void load_limits(up_yv *v, up_program *p, const up_ynode *n)
{
	p->instructions = UP_DEFAULT_INSTRUCTIONS;
	p->memory_bytes = (size_t)UP_DEFAULT_MEMORY_MB << 20;
	p->time_ms = UP_DEFAULT_TIME_MS;
	if (!up_yv_want(v, n, UP_YMAP, "'limits'"))
		return;
	up_yv_keys(v, n, limit_keys, UP_COUNTOF(limit_keys));
	long long x;
	if (up_yv_int(v, up_yv_get(n, "instructions"), "limits.instructions",
		    10000, 10000000000LL, &x))
		p->instructions = x;
	if (up_yv_int(v, up_yv_get(n, "memory_mb"), "limits.memory_mb", 4, 4096,
		    &x))
		p->memory_bytes = (size_t)x << 20;
	if (up_yv_int(v, up_yv_get(n, "time_ms"), "limits.time_ms", 10, 3600000,
		    &x))
		p->time_ms = x;
}

/* "from->to" with two consecutive stages; 1 if so. */
static int boundary_ok(const up_program *p, const char *b)
{
	const char *arrow = strstr(b, "->");
	if (!arrow)
		return 0;
	char from[160];
	size_t n = (size_t)(arrow - b);
	if (n >= sizeof from)
		return 0;
	memcpy(from, b, n);
	from[n] = '\0';
	int i = up_stage_index(p, from), j = up_stage_index(p, arrow + 2);
	return i >= 0 && j == i + 1;
}

static void load_gates(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "'gates'"))
		return;
	p->gates = up_xcalloc(n->n / 2 + 1, sizeof *p->gates);
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const up_ynode *k = n->kids[i], *val = n->kids[i + 1];
		if (k->kind != UP_YSCALAR) {
			up_yv_err(v, k, "keys must be scalars, not %s",
			     up_yv_kind_name(k));
			continue;
		}
		if (up_gate_config(p, k->str)) {
			up_yv_err(v, k, "duplicate key '%s'", k->str);
			continue;
		}
		if (p->nstages && !boundary_ok(p, k->str)) {
			up_yv_err(v, k, "gate '%s' is not a boundary between two "
			     "consecutive stages (write it as 'from->to')",
			     k->str);
			continue;
		}
		if (!up_yv_want(v, val, UP_YMAP, "a gate"))
			continue;
		up_yv_keys(v, val, gate_keys, UP_COUNTOF(gate_keys));
		up_gate_cfg *g = &p->gates[p->ngates++];
		g->boundary = up_xstrdup(k->str);
		g->threshold = UP_DEFAULT_THRESHOLD;
		g->margin = UP_DEFAULT_MARGIN;
		char what[220];
		snprintf(what, sizeof what, "gate '%s': 'threshold'", k->str);
		up_yv_num(v, up_yv_get(val, "threshold"), what, 0, 1, &g->threshold);
		snprintf(what, sizeof what, "gate '%s': 'margin'", k->str);
		up_yv_num(v, up_yv_get(val, "margin"), what, 0, 1, &g->margin);
	}
}

const up_gate_cfg *up_gate_config(const up_program *p, const char *boundary)
{
	for (size_t i = 0; i < p->ngates; i++)
		if (!strcmp(p->gates[i].boundary, boundary))
			return &p->gates[i];
	return NULL;
}

static json_t *load_attrs(up_yv *v, const up_ynode *n)
{
	json_t *o = json_object();
	if (!n || !up_yv_want(v, n, UP_YMAP, "'attrs'"))
		return o;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const up_ynode *k = n->kids[i], *val = n->kids[i + 1];
		char *key = up_yv_id(v, k, "attribute name");
		char *s = up_yv_str(v, val, "an attribute value");
		if (key && s)
			json_object_set_new(o, key, json_string(s));
		free(key);
		free(s);
	}
	return o;
}

static void load_unit(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YMAP, "a unit"))
		return;
	up_yv_keys(v, n, unit_keys, UP_COUNTOF(unit_keys));
	const up_ynode *idn = up_yv_get(n, "id");
	if (!idn) {
		up_yv_err(v, n, "a unit needs an 'id'");
		return;
	}
	char *id = up_yv_id(v, idn, "unit id");
	if (!id)
		return;
	if (up_strmap_get(&p->unit_ids, id) >= 0) {
		up_yv_err(v, idn, "duplicate unit id '%s'", id);
		free(id);
		return;
	}
	up_strmap_put(&p->unit_ids, id, (int)p->nunits);
	up_unit_def *u = &p->units[p->nunits++];
	u->id = id;
	u->staff = -1;
	u->parent_ix = u->stage_ix = -1;
	const up_ynode *name = up_yv_get(n, "name");
	u->name = name ? up_yv_str(v, name, "'name'") : NULL;
	if (!u->name)
		u->name = up_xstrdup(id);
	const up_ynode *parent = up_yv_get(n, "parent");
	if (parent && !up_yv_null(parent))
		u->parent = up_yv_id(v, parent, "parent");
	const up_ynode *stage = up_yv_get(n, "stage");
	if (!stage)
		up_yv_err(v, n, "unit '%s' needs a 'stage'", id);
	else if ((u->stage = up_yv_str(v, stage, "'stage'")) &&
		 p->nstages &&
		 (u->stage_ix = up_stage_index(p, u->stage)) < 0) {
		char owner[200];
		snprintf(owner, sizeof owner, "unit '%s': ", id);
		up_yv_unknown(v, stage, owner, "stage", u->stage,
			    (const char *const *)p->stages, p->nstages);
	}
	const up_ynode *gl = up_yv_get(n, "go_live");
	if (gl && !up_yv_null(gl))
		u->go_live = up_yv_date(v, gl, "'go_live'");
	char what[200];
	snprintf(what, sizeof what, "unit '%s': 'staff'", id);
	up_yv_int(v, up_yv_get(n, "staff"), what, 0, 10000000, &u->staff);
	u->attrs = load_attrs(v, up_yv_get(n, "attrs"));
}

static const char **unit_ids(const up_program *p)
{
	const char **ids = up_xcalloc(p->nunits + 1, sizeof *ids);
	for (size_t i = 0; i < p->nunits; i++)
		ids[i] = p->units[i].id;
	return ids;
}

static int unit_index(const up_program *p, const char *id)
{
	return up_strmap_get(&p->unit_ids, id);
}

/* Resolves parents, then walks up from each unit looking for a loop. */
static void link_units(up_yv *v, up_program *p, const up_ynode *seq)
{
	const char **ids = unit_ids(p);
	int root = -1;
	for (size_t i = 0; i < p->nunits; i++) {
		up_unit_def *u = &p->units[i];
		const up_ynode *un = seq->kids[i];
		const up_ynode *pn = up_yv_get(un, "parent");
		if (!u->parent) {
			if (root < 0)
				root = (int)i;
			else if (!pn || up_yv_null(pn))
				up_yv_err(v, un, "unit '%s' has no parent; only the "
				     "root unit '%s' may omit it", u->id,
				     p->units[root].id);
			continue;
		}
		u->parent_ix = unit_index(p, u->parent);
		if (u->parent_ix < 0) {
			char owner[200];
			snprintf(owner, sizeof owner, "unit '%s': ", u->id);
			up_yv_unknown(v, pn, owner, "parent unit", u->parent,
				    ids, p->nunits);
		}
	}
	for (size_t i = 0; i < p->nunits; i++) {
		size_t steps = 0;
		int at = p->units[i].parent_ix;
		while (at >= 0 && at != (int)i && steps++ <= p->nunits)
			at = p->units[at].parent_ix;
		if (at == (int)i)
			up_yv_err(v, up_yv_get(seq->kids[i], "parent"),
			     "unit '%s' is its own ancestor (the unit tree "
			     "has a cycle)", p->units[i].id);
	}
	if (root < 0 && p->nunits)
		up_yv_err(v, seq, "no root unit: the first unit without a "
		     "'parent' is the organisation");
	free(ids);
}

/* Units whose entries are not mappings are skipped, so keep the node list
 * aligned with p->units for link_units(). */
static void load_units(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YSEQ, "'units'"))
		return;
	if (n->n == 0) {
		up_yv_err(v, n, "'units' needs at least the root unit");
		return;
	}
	p->units = up_xcalloc(n->n, sizeof *p->units);
	up_ynode kept = *n;
	kept.kids = up_xcalloc(n->n, sizeof *kept.kids);
	kept.n = 0;
	for (size_t i = 0; i < n->n; i++) {
		size_t before = p->nunits;
		load_unit(v, p, n->kids[i]);
		if (p->nunits > before)
			kept.kids[kept.n++] = n->kids[i];
	}
	link_units(v, p, &kept);
	free(kept.kids);
}

static void load_roles(up_yv *v, up_person_def *pd, const up_ynode *n)
{
	if (!n)
		return;
	if (!up_yv_want(v, n, UP_YSEQ, "'roles'"))
		return;
	pd->roles = up_xcalloc(n->n + 1, sizeof *pd->roles);
	for (size_t i = 0; i < n->n; i++) {
		char *r = up_yv_id(v, n->kids[i], "role");
		if (r)
			pd->roles[pd->nroles++] = r;
	}
}

static void load_person(up_yv *v, up_program *p, const up_ynode *n,
			const char **ids)
{
	if (!up_yv_want(v, n, UP_YMAP, "a person"))
		return;
	up_yv_keys(v, n, person_keys, UP_COUNTOF(person_keys));
	const up_ynode *idn = up_yv_get(n, "id");
	if (!idn) {
		up_yv_err(v, n, "a person needs an 'id'");
		return;
	}
	char *id = up_yv_id(v, idn, "person id");
	if (!id)
		return;
	if (up_strmap_get(&p->person_ids, id) >= 0) {
		up_yv_err(v, idn, "duplicate person id '%s'", id);
		free(id);
		return;
	}
	up_strmap_put(&p->person_ids, id, (int)p->npeople);
	up_person_def *pd = &p->people[p->npeople++];
	pd->id = id;
	pd->engagement = -1;
	char owner[200];
	snprintf(owner, sizeof owner, "person '%s': ", id);
	const up_ynode *name = up_yv_get(n, "name");
	pd->name = name ? up_yv_str(v, name, "'name'") : up_xstrdup(id);
	const up_ynode *un = up_yv_get(n, "unit");
	/* With no units loaded the units section is already reported. */
	if (un && !up_yv_null(un) && (pd->unit = up_yv_str(v, un, "'unit'")) &&
	    p->nunits > 0 && unit_index(p, pd->unit) < 0)
		up_yv_unknown(v, un, owner, "unit", pd->unit, ids, p->nunits);
	load_roles(v, pd, up_yv_get(n, "roles"));
	const up_ynode *en = up_yv_get(n, "engagement");
	char *level = en ? up_yv_str(v, en, "'engagement'") : NULL;
	if (level && (pd->engagement = up_level_index(level)) < 0) {
		const char *hint = up_did_you_mean(level, up_levels, UP_LEVELS);
		if (hint)
			up_yv_err(v, en, "%sengagement level '%s' is not on the "
			     "ladder (did you mean '%s'?)", owner, level, hint);
		else
			up_yv_err(v, en, "%sengagement level '%s' is not on the "
			     "ladder (unaware, informed, consulted, involved, "
			     "bought_in)", owner, level);
	}
	free(level);
	const up_ynode *since = up_yv_get(n, "since");
	if (since)
		pd->since = up_yv_date(v, since, "'since'");
	if (since && !en)
		up_yv_err(v, since, "%s'since' dates an 'engagement', which is "
		     "missing", owner);
	const up_ynode *joined = up_yv_get(n, "joined");
	if (joined)
		pd->joined = up_yv_date(v, joined, "'joined'");
}

static void load_people(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YSEQ, "'people'"))
		return;
	p->people = up_xcalloc(n->n + 1, sizeof *p->people);
	const char **ids = unit_ids(p);
	for (size_t i = 0; i < n->n; i++)
		load_person(v, p, n->kids[i], ids);
	free(ids);
}

static void load_rule_file(up_yv *v, up_program *p, const up_ynode *n)
{
	char *path = up_yv_str(v, n, "a rule file");
	if (!path)
		return;
	if (path[0] == '/' || strstr(path, "..")) {
		up_yv_err(v, n, "rule file '%s' must be a path inside the program "
		     "directory", path);
		free(path);
		return;
	}
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].path, path)) {
			up_yv_err(v, n, "rule file '%s' is listed twice", path);
			free(path);
			return;
		}
	const char *base = p->swap && p->swap->rules_dir
		? p->swap->rules_dir : p->dir;
	char *full = up_xasprintf("%s/%s", base, path);
	up_error *e = up_error_new();
	p->rules = up_xrealloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
	up_rule_file *r = &p->rules[p->nrules];
	memset(r, 0, sizeof *r);
	r->pack = -1;
	if (up_read_file(full, MAX_RULE_BYTES, &r->src, &r->len, e) != UP_OK) {
		const char *m = up_error_message(e, 0);
		const char *why = m ? strstr(m, "error: ") : NULL;
		up_yv_err(v, n, "rule file '%s'%s%s: %s", path,
		     base == p->dir ? "" : " in ", base == p->dir ? "" : base,
		     why ? why + 7 : "cannot read");
		free(path);
	} else {
		r->path = path;
		up_sha256_hex(r->src, r->len, r->hash);
		p->nrules++;
	}
	up_error_free(e);
	free(full);
}

static void load_rules(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!up_yv_want(v, n, UP_YSEQ, "'rules'"))
		return;
	for (size_t i = 0; i < n->n; i++)
		load_rule_file(v, p, n->kids[i]);
}

/* ---- metrics ---- */

static const char *const metric_keys[] = {
	"title", "kind", "series", "numerator", "denominator",
	"numerator_exclusions", "denominator_exclusions",
	"denominator_exceptions", "target", "direction", "baseline",
	"deadline", "period", "tolerance", "unit_targets", "scope",
	"per_period", "baseline_points"};

/* A series name or a list of them. */
static void load_series_list(up_yv *v, const up_ynode *n, const char *what,
			     up_strv *out)
{
	if (!n)
		return;
	if (n->kind == UP_YSCALAR) {
		out->v = up_xcalloc(2, sizeof *out->v);
		if ((out->v[0] = up_yv_id(v, n, what)))
			out->n = 1;
		return;
	}
	if (!up_yv_want(v, n, UP_YSEQ, what))
		return;
	out->v = up_xcalloc(n->n + 1, sizeof *out->v);
	for (size_t i = 0; i < n->n; i++)
		if ((out->v[out->n] = up_yv_id(v, n->kids[i], what)))
			out->n++;
}

/* A unit id that must exist; "" owner prefix for messages. */
static char *get_unit_ref(up_yv *v, up_program *p, const up_ynode *n,
			  const char *owner)
{
	char *id = up_yv_id(v, n, "unit");
	if (id && p->nunits && up_strmap_get(&p->unit_ids, id) < 0) {
		const char **ids = unit_ids(p);
		up_yv_unknown(v, n, owner, "unit", id, ids, p->nunits);
		free(ids);
		free(id);
		return NULL;
	}
	return id;
}

static void load_metric_kind(up_yv *v, up_metric_def *m, const up_ynode *n,
			     const char *owner)
{
	static const char *const kinds[] = {"ratio", "count", "sum", "mean",
					    "latest"};
	const up_ynode *kn = up_yv_get(n, "kind");
	const up_ynode *num = up_yv_get(n, "numerator");
	const up_ynode *den = up_yv_get(n, "denominator");
	char *k = kn ? up_yv_str(v, kn, "'kind'") : NULL;
	m->kind = num || den ? UP_MK_RATIO : UP_MK_SUM;
	for (size_t i = 0; k && i < UP_COUNTOF(kinds); i++)
		if (!strcmp(k, kinds[i]))
			m->kind = (up_metric_kind)i;
	if (k && strcmp(k, kinds[m->kind]))
		up_yv_err(v, kn, "%s'kind' must be ratio, count, sum, mean or "
		     "latest, not '%s'", owner, k);
	else if (!kn && !num && !den)
		up_yv_err(v, n, "%sgive 'numerator' and 'denominator', or 'kind' "
		     "and 'series'", owner);
	free(k);
	if (m->kind == UP_MK_RATIO) {
		if (!num || !den)
			up_yv_err(v, n, "%sa ratio needs both 'numerator' and "
			     "'denominator'", owner);
		m->numerator = num ? up_yv_id(v, num, "'numerator'") : NULL;
		m->denominator = den ? up_yv_id(v, den, "'denominator'") : NULL;
		if (up_yv_get(n, "series"))
			up_yv_err(v, up_yv_get(n, "series"), "%sa ratio takes "
			     "'numerator' and 'denominator', not 'series'",
			     owner);
	} else {
		const up_ynode *s = up_yv_get(n, "series");
		if (!s)
			up_yv_err(v, n, "%s'series' is required for kind '%s'",
			     owner, kinds[m->kind]);
		m->series = s ? up_yv_id(v, s, "'series'") : NULL;
		if (num || den)
			up_yv_err(v, num ? num : den, "%s'numerator' and "
			     "'denominator' make a ratio; drop 'kind'", owner);
	}
	load_series_list(v, up_yv_get(n, "numerator_exclusions"),
			 "'numerator_exclusions'", &m->num_excl);
	load_series_list(v, up_yv_get(n, "denominator_exclusions"),
			 "'denominator_exclusions'", &m->den_excl);
	load_series_list(v, up_yv_get(n, "denominator_exceptions"),
			 "'denominator_exceptions'", &m->den_exc);
}

static void load_metric_timing(up_yv *v, up_program *p, up_metric_def *m,
			       const up_ynode *n, const char *owner)
{
	char what[300];
	const up_ynode *pn = up_yv_get(n, "period");
	m->period = UP_PERIOD_MONTH;
	char *per = pn ? up_yv_str(v, pn, "'period'") : NULL;
	if (per && ((m->period = up_period_kind_parse(per)) < 0 ||
		    m->period == UP_PERIOD_DAY)) {
		up_yv_err(v, pn, "%s'period' must be week, month or quarter, not "
		     "'%s'", owner, per);
		m->period = UP_PERIOD_MONTH;
	}
	free(per);
	up_yv_bool(v, up_yv_get(n, "per_period"), "'per_period'", &m->per_period);
	const up_ynode *dn = up_yv_get(n, "deadline");
	if (!dn && !m->per_period)
		up_yv_err(v, n, "%s'deadline' is required (a date, or +2y, +18m, "
		     "+6w, +90d after 'start'), unless 'per_period: true'",
		     owner);
	char *d = dn ? up_yv_str(v, dn, "'deadline'") : NULL;
	int32_t start;
	const char *why;
	if (d && p->start && up_date_parse(p->start, &start, NULL) == UP_OK &&
	    up_deadline_parse(d, start, &m->deadline, &why) != 0)
		up_yv_err(v, dn, "%s'deadline': '%s' %s", owner, d, why);
	else if (d && p->start && m->deadline <= start)
		up_yv_err(v, dn, "%s'deadline' %s is not after 'start'", owner, d);
	free(d);
	snprintf(what, sizeof what, "%s'tolerance'", owner);
	up_yv_num(v, up_yv_get(n, "tolerance"), what, 0, 1e15, &m->tolerance);
}

static void load_metric_targets(up_yv *v, up_program *p, up_metric_def *m,
				const up_ynode *n, const char *owner)
{
	char what[300];
	snprintf(what, sizeof what, "%s'target'", owner);
	if (!up_yv_get(n, "target"))
		up_yv_err(v, n, "%s'target' is required", owner);
	up_yv_num(v, up_yv_get(n, "target"), what, -1e15, 1e15, &m->target);
	const up_ynode *dir = up_yv_get(n, "direction");
	char *ds = dir ? up_yv_str(v, dir, "'direction'") : NULL;
	m->increase = !ds || !strcmp(ds, "increase");
	if (ds && strcmp(ds, "increase") && strcmp(ds, "decrease"))
		up_yv_err(v, dir, "%s'direction' must be increase or decrease, not "
		     "'%s'", owner, ds);
	free(ds);
	const up_ynode *bn = up_yv_get(n, "baseline");
	m->baseline_auto = !bn || (bn->kind == UP_YSCALAR &&
				   !strcmp(bn->str, "auto"));
	snprintf(what, sizeof what, "%s'baseline' (a number or auto)", owner);
	if (!m->baseline_auto)
		up_yv_num(v, bn, what, -1e15, 1e15, &m->baseline);
	/* An automatic baseline is measured over the first points: until
	 * there are this many, the status is baseline. */
	const up_ynode *bp = up_yv_get(n, "baseline_points");
	long long points = 3;
	snprintf(what, sizeof what, "%s'baseline_points'", owner);
	if (bp && !m->baseline_auto)
		up_yv_err(v, bp, "%s'baseline_points' counts the points of an "
		     "automatic baseline; drop it or set 'baseline: auto'",
		     owner);
	else if (bp)
		up_yv_int(v, bp, what, 1, 60, &points);
	m->baseline_points = (size_t)points;
	const up_ynode *ut = up_yv_get(n, "unit_targets");
	if (ut && up_yv_want(v, ut, UP_YMAP, "'unit_targets'")) {
		m->unit_targets = up_xcalloc(ut->n / 2 + 1,
					     sizeof *m->unit_targets);
		for (size_t i = 0; i + 1 < ut->n; i += 2) {
			char *unit = get_unit_ref(v, p, ut->kids[i], owner);
			double t;
			snprintf(what, sizeof what, "%sunit target", owner);
			if (up_yv_num(v, ut->kids[i + 1], what, -1e15, 1e15, &t) &&
			    unit) {
				up_unit_target *x =
					&m->unit_targets[m->nunit_targets++];
				x->unit = unit;
				x->target = t;
			} else {
				free(unit);
			}
		}
	}
	const up_ynode *sc = up_yv_get(n, "scope");
	if (!sc)
		return;
	up_ynode one = {.kind = UP_YSEQ, .n = 1};
	const up_ynode *list = sc;
	if (sc->kind == UP_YSCALAR) {
		one.kids = (up_ynode **)&sc;
		list = &one;
	}
	if (!up_yv_want(v, list, UP_YSEQ, "'scope'"))
		return;
	m->scope.v = up_xcalloc(list->n + 1, sizeof *m->scope.v);
	for (size_t i = 0; i < list->n; i++)
		if ((m->scope.v[m->scope.n] = get_unit_ref(v, p, list->kids[i],
							   owner)))
			m->scope.n++;
}

static void load_metrics(up_yv *v, up_program *p, const up_ynode *n)
{
	if (!n || !up_yv_want(v, n, UP_YMAP, "'metrics'"))
		return;
	p->metrics = up_xcalloc(n->n / 2 + 1, sizeof *p->metrics);
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const up_ynode *k = n->kids[i], *def = n->kids[i + 1];
		char *id = up_yv_id(v, k, "metric id");
		if (!id || !up_yv_want(v, def, UP_YMAP, "a metric")) {
			free(id);
			continue;
		}
		up_yv_keys(v, def, metric_keys, UP_COUNTOF(metric_keys));
		up_metric_def *m = &p->metrics[p->nmetrics++];
		m->id = id;
		m->line = k->line;
		m->col = k->col;
		char owner[200];
		snprintf(owner, sizeof owner, "metric '%s': ", id);
		const up_ynode *t = up_yv_get(def, "title");
		m->title = t ? up_yv_str(v, t, "'title'") : up_xstrdup(id);
		load_metric_kind(v, m, def, owner);
		load_metric_timing(v, p, m, def, owner);
		load_metric_targets(v, p, m, def, owner);
	}
}

/* ---- cadence ---- */

static const char *const cadence_keys[] = {"evaluation", "training",
					   "followups_to"};
/* cadence.training as one mapping: one plan for everyone (first-line
 * managers get their own offsets) */
static const char *const training_keys[] = {
	"window_days", "offsets_days", "grace_days", "reschedule_days",
	"escalate_to", "first_line_manager"};
static const char *const manager_keys[] = {"offsets_days"};
/* cadence.training as a list: plans by audience */
static const char *const plan_keys[] = {
	"id", "roles", "units", "topic", "anchor", "window_days",
	"offsets_days", "grace_days", "reschedule_days", "escalate_to"};

/* The defaults from the habit literature: expanding intervals over ~300 days, and
 * first-line managers trained before go-live, then monthly to day 90. */
static const int default_offsets[] = {0, 7, 21, 45, 90, 150, 210, 300};
static const int default_manager_offsets[] = {-14, 0, 30, 60, 90};

/* A list of whole days, ascending, within [LO, 3650]. */
static int *load_days(up_yv *v, const up_ynode *n, const char *what, int lo,
		      size_t *count)
{
	*count = 0;
	if (!up_yv_want(v, n, UP_YSEQ, what))
		return NULL;
	if (!n->n) {
		up_yv_err(v, n, "%s needs at least one day", what);
		return NULL;
	}
	int *days = up_xcalloc(n->n, sizeof *days);
	for (size_t i = 0; i < n->n; i++) {
		long long d;
		if (!up_yv_int(v, n->kids[i], what, lo, 3650, &d))
			continue;
		if (*count && d <= days[*count - 1])
			up_yv_err(v, n->kids[i], "%s must ascend, and %lld does not",
			     what, d);
		days[(*count)++] = (int)d;
	}
	return days;
}

static int *copy_days(const int *d, size_t n, size_t *count)
{
	int *out = up_xcalloc(n, sizeof *out);
	memcpy(out, d, n * sizeof *out);
	*count = n;
	return out;
}

static void load_evaluation(up_yv *v, up_cadence *c, const up_ynode *n)
{
	if (!n)
		return;
	if (n->kind == UP_YSEQ) {
		c->evaluation = UP_EVAL_OFFSETS;
		c->eval_offsets = load_days(v, n, "cadence.evaluation", 1,
					    &c->neval_offsets);
		return;
	}
	static const char *const names[] = {"weekly", "monthly", "quarterly"};
	for (size_t i = 0; n->kind == UP_YSCALAR && i < 3; i++)
		if (!strcmp(n->str, names[i])) {
			c->evaluation = (up_eval_cadence)(UP_EVAL_WEEKLY + i);
			return;
		}
	up_yv_err(v, n, "cadence.evaluation must be weekly, monthly, quarterly or "
	     "a list of days after go-live");
}

static up_plan_def *add_plan(up_cadence *c, const char *id)
{
	c->plans = up_xrealloc(c->plans, (c->nplans + 1) * sizeof *c->plans);
	up_plan_def *pl = &c->plans[c->nplans++];
	*pl = (up_plan_def){.id = up_xstrdup(id), .window_days = 300,
			    .grace_days = 7, .reschedule_days = 7};
	return pl;
}

static void strv_add(up_strv *s, const char *v)
{
	s->v = up_xrealloc(s->v, (s->n + 2) * sizeof *s->v);
	s->v[s->n++] = up_xstrdup(v);
	s->v[s->n] = NULL;
}

/* window_days, grace_days, reschedule_days and escalate_to of N into PL;
 * OWNER prefixes messages ("" or "plan 'x': "). */
static void load_plan_timing(up_yv *v, up_plan_def *pl, const up_ynode *n,
			     const char *owner)
{
	char what[160];
	long long x;
	snprintf(what, sizeof what, "%swindow_days", owner);
	if (up_yv_int(v, up_yv_get(n, "window_days"), what, 1, 3650, &x))
		pl->window_days = (int)x;
	snprintf(what, sizeof what, "%sgrace_days", owner);
	if (up_yv_int(v, up_yv_get(n, "grace_days"), what, 0, 90, &x))
		pl->grace_days = (int)x;
	snprintf(what, sizeof what, "%sreschedule_days", owner);
	if (up_yv_int(v, up_yv_get(n, "reschedule_days"), what, 1, 365, &x))
		pl->reschedule_days = (int)x;
	const up_ynode *e = up_yv_get(n, "escalate_to");
	snprintf(what, sizeof what, "%sescalate_to", owner);
	pl->escalate_to = e ? up_yv_id(v, e, what) : NULL;
	if (!pl->escalate_to)
		pl->escalate_to = up_xstrdup("first_line_manager");
}

/* The key node KEY of MAP, for messages about the key itself. */
static const up_ynode *key_node(const up_ynode *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == UP_YSCALAR &&
		    !strcmp(map->kids[i]->str, key))
			return map->kids[i];
	return NULL;
}

/*
 * The single-map form: one plan for everyone, with first-line managers on
 * their own offsets.  It becomes two ordinary plans, "staff" (everyone
 * but first-line managers) and "first_line_manager", whose reminders keep
 * the ids they had before plans by audience.
 */
static void load_training_map(up_yv *v, up_cadence *c, const up_ynode *n)
{
	up_plan_def *staff = add_plan(c, "staff");
	strv_add(&staff->except, "first_line_manager");
	staff->legacy = 1;
	const up_ynode *o = NULL, *mo = NULL;
	if (n) {
		/* a plan's audience in the single map: say how to write it */
		static const char *const listed[] = {"id", "roles", "units",
						     "topic", "anchor"};
		const char *keys[UP_COUNTOF(training_keys) +
				 UP_COUNTOF(listed)];
		size_t nk = 0;
		for (size_t i = 0; i < UP_COUNTOF(training_keys); i++)
			keys[nk++] = training_keys[i];
		for (size_t i = 0; i < UP_COUNTOF(listed); i++) {
			keys[nk++] = listed[i];
			const up_ynode *k = key_node(n, listed[i]);
			if (k)
				up_yv_err(v, k, "'%s' is a key of a plan by "
					  "audience: write cadence.training as "
					  "a list of plans, each with an id",
					  listed[i]);
		}
		up_yv_keys(v, n, keys, nk);
		c->training = 1;
		load_plan_timing(v, staff, n, "");
		o = up_yv_get(n, "offsets_days");
		const up_ynode *m = up_yv_get(n, "first_line_manager");
		if (m && up_yv_want(v, m, UP_YMAP, "first_line_manager")) {
			up_yv_keys(v, m, manager_keys,
				   UP_COUNTOF(manager_keys));
			mo = up_yv_get(m, "offsets_days");
		}
	} else {
		staff->escalate_to = up_xstrdup("first_line_manager");
	}
	staff->offsets = o ? load_days(v, o, "offsets_days", 0,
				       &staff->noffsets) : NULL;
	if (!staff->offsets)
		staff->offsets = copy_days(default_offsets,
					   UP_COUNTOF(default_offsets),
					   &staff->noffsets);
	up_plan_def *mgr = add_plan(c, "first_line_manager");
	staff = &c->plans[0]; /* add_plan may have moved it */
	strv_add(&mgr->roles, "first_line_manager");
	mgr->legacy = 1;
	mgr->window_days = staff->window_days;
	mgr->grace_days = staff->grace_days;
	mgr->reschedule_days = staff->reschedule_days;
	mgr->escalate_to = up_xstrdup(staff->escalate_to);
	mgr->offsets = mo ? load_days(v, mo, "offsets_days", -365,
				      &mgr->noffsets) : NULL;
	if (!mgr->offsets)
		mgr->offsets = copy_days(default_manager_offsets,
					 UP_COUNTOF(default_manager_offsets),
					 &mgr->noffsets);
}

/* An id or a list of ids into OUT; with OWNER (a message prefix), unit
 * ids that must exist. */
static void load_id_list(up_yv *v, up_program *p, const up_ynode *n,
			 const char *what, const char *owner, up_strv *out)
{
	if (!n)
		return;
	up_ynode one = {.kind = UP_YSEQ, .n = 1};
	const up_ynode *list = n;
	if (n->kind == UP_YSCALAR) {
		one.kids = (up_ynode **)&n;
		list = &one;
	}
	if (!up_yv_want(v, list, UP_YSEQ, what))
		return;
	if (!list->n)
		up_yv_err(v, list, "%s needs at least one", what);
	out->v = up_xcalloc(list->n + 1, sizeof *out->v);
	for (size_t i = 0; i < list->n; i++) {
		char *id = owner ? get_unit_ref(v, p, list->kids[i], owner)
				 : up_yv_id(v, list->kids[i], what);
		if (id)
			out->v[out->n++] = id;
	}
}

/* anchor: go_live (the default), joined, or a date. */
static void load_anchor(up_yv *v, up_plan_def *pl, const up_ynode *n,
			const char *owner)
{
	if (!n)
		return;
	if (n->kind == UP_YSCALAR && !strcmp(n->str, "go_live"))
		return;
	if (n->kind == UP_YSCALAR && !strcmp(n->str, "joined")) {
		pl->anchor = UP_ANCHOR_JOINED;
		return;
	}
	const char *why = NULL;
	if (n->kind == UP_YSCALAR &&
	    up_date_parse(n->str, &pl->anchor_day, &why) == UP_OK) {
		pl->anchor = UP_ANCHOR_DATE;
		return;
	}
	if (why && n->str[0] >= '0' && n->str[0] <= '9')
		up_yv_err(v, n, "%sanchor: invalid date '%s': %s", owner,
			  n->str, why);
	else
		up_yv_err(v, n, "%sanchor must be go_live, joined or a date "
			  "(YYYY-MM-DD)", owner);
}

/* One plan of the list form. */
static void load_plan(up_yv *v, up_program *p, const up_ynode *n,
		      up_strmap *seen)
{
	if (!up_yv_want(v, n, UP_YMAP, "a training plan"))
		return;
	up_yv_keys(v, n, plan_keys, UP_COUNTOF(plan_keys));
	const up_ynode *idn = up_yv_get(n, "id");
	if (!idn) {
		up_yv_err(v, n, "a training plan needs an 'id'");
		return;
	}
	char *id = up_yv_id(v, idn, "plan id");
	if (!id)
		return;
	if (up_strmap_get(seen, id) >= 0) {
		up_yv_err(v, idn, "duplicate training plan id '%s'", id);
		free(id);
		return;
	}
	up_plan_def *pl = add_plan(&p->cadence, id);
	up_strmap_put(seen, pl->id, 1); /* keys are borrowed */
	char owner[160];
	snprintf(owner, sizeof owner, "plan '%s': ", id);
	free(id);
	char what[200];
	snprintf(what, sizeof what, "%s'roles'", owner);
	load_id_list(v, p, up_yv_get(n, "roles"), what, NULL, &pl->roles);
	snprintf(what, sizeof what, "%s'units'", owner);
	load_id_list(v, p, up_yv_get(n, "units"), what, owner, &pl->units);
	const up_ynode *t = up_yv_get(n, "topic");
	snprintf(what, sizeof what, "%s'topic'", owner);
	if (t && t->kind == UP_YSEQ) {
		if (!t->n)
			up_yv_err(v, t, "%s needs at least one", what);
		for (size_t i = 0; i < t->n; i++) {
			char *s = up_yv_str(v, t->kids[i], what);
			if (s)
				strv_add(&pl->topics, s);
			free(s);
		}
	} else if (t) {
		char *s = up_yv_str(v, t, what);
		if (s)
			strv_add(&pl->topics, s);
		free(s);
	}
	load_anchor(v, pl, up_yv_get(n, "anchor"), owner);
	load_plan_timing(v, pl, n, owner);
	const up_ynode *o = up_yv_get(n, "offsets_days");
	snprintf(what, sizeof what, "%soffsets_days", owner);
	pl->offsets = o ? load_days(v, o, what, -365, &pl->noffsets) : NULL;
	if (!pl->offsets)
		pl->offsets = copy_days(default_offsets,
					UP_COUNTOF(default_offsets),
					&pl->noffsets);
}

static void load_training(up_yv *v, up_program *p, const up_ynode *n)
{
	up_cadence *c = &p->cadence;
	if (n && n->kind == UP_YSEQ) {
		c->training = 1;
		up_strmap seen = {0};
		for (size_t i = 0; i < n->n; i++)
			load_plan(v, p, n->kids[i], &seen);
		up_strmap_free(&seen);
	} else if (n && !up_yv_null(n)) {
		if (n->kind == UP_YMAP)
			load_training_map(v, c, n);
		else
			up_yv_err(v, n, "cadence.training must be a mapping or "
				  "a list of plans, not %s",
				  up_yv_kind_name(n));
	} else {
		load_training_map(v, c, NULL);
	}
	/* reminders stored without a window are read with this grace */
	c->grace_days = c->nplans ? c->plans[0].grace_days : 7;
}

static void load_cadence(up_yv *v, up_program *p, const up_ynode *n)
{
	up_cadence *c = &p->cadence;
	const up_ynode *f = NULL;
	if (n && up_yv_want(v, n, UP_YMAP, "'cadence'")) {
		up_yv_keys(v, n, cadence_keys, UP_COUNTOF(cadence_keys));
		load_evaluation(v, c, up_yv_get(n, "evaluation"));
		load_training(v, p, up_yv_get(n, "training"));
		f = up_yv_get(n, "followups_to");
	} else {
		load_training(v, p, NULL);
	}
	c->followups_to = f ? up_yv_id(v, f, "cadence.followups_to") : NULL;
	if (!c->followups_to)
		c->followups_to = up_xstrdup("first_line_manager");
}

static void load_top(up_yv *v, up_program *p, const up_ynode *root,
		     unsigned flags)
{
	up_yv_keys(v, root, top_keys, UP_COUNTOF(top_keys));
	static const char *const required[] = {"program", "start", "stages",
					       "units"};
	for (size_t i = 0; i < UP_COUNTOF(required); i++)
		if (!up_yv_get(root, required[i]))
			up_yv_err(v, root, "missing required key '%s'",
			     required[i]);
	p->id = up_yv_id(v, up_yv_get(root, "program"), "'program'");
	const up_ynode *t = up_yv_get(root, "title");
	p->title = t ? up_yv_str(v, t, "'title'") : NULL;
	const up_ynode *o = up_yv_get(root, "organization");
	p->organization = o ? up_yv_str(v, o, "'organization'") : NULL;
	p->start = up_yv_date(v, up_yv_get(root, "start"), "'start'");
	load_stages(v, p, up_yv_get(root, "stages"));
	load_limits(v, p, up_yv_get(root, "limits"));
	load_gates(v, p, up_yv_get(root, "gates"));
	load_units(v, p, up_yv_get(root, "units"));
	load_people(v, p, up_yv_get(root, "people"));
	/* Trust first: nothing of a pack is read before it is verified.
	 * Pack rules come before the program's own, in packs: order. */
	p->no_packs = !!(flags & UP_PROGRAM_NO_PACKS);
	if (!p->no_packs) {
		up_trust_load(v, p, up_yv_get(root, "trust"));
		up_packs_load(v, p, up_yv_get(root, "packs"),
			      flags & UP_PROGRAM_UNLOCKED);
	}
	load_rules(v, p, up_yv_get(root, "rules"));
	load_metrics(v, p, up_yv_get(root, "metrics"));
	load_cadence(v, p, up_yv_get(root, "cadence"));
}

static up_program *program_new(const char *dir, const char *file)
{
	up_program *p = up_xcalloc(1, sizeof *p);
	p->dir = up_xstrdup(dir && *dir ? dir : ".");
	p->file = up_xstrdup(file);
	p->instructions = UP_DEFAULT_INSTRUCTIONS;
	p->memory_bytes = (size_t)UP_DEFAULT_MEMORY_MB << 20;
	p->time_ms = UP_DEFAULT_TIME_MS;
	return p;
}

/* Validates ROOT into P; errors in file order, like a compiler. */
static int load_tree(up_program *p, const up_ynode *root, unsigned flags,
		     up_error *err)
{
	size_t first = up_error_count(err);
	up_yv v = {p->file, err, 0};
	if (up_yv_want(&v, root, UP_YMAP, p->file))
		load_top(&v, p, root, flags);
	up_error_sort(err, first);
	return v.bad ? UP_EINPUT : UP_OK;
}

int up_program_from_tree(up_program **out, const char *dir,
			 const up_ynode *root, const char *file,
			 unsigned flags, up_error *err)
{
	*out = NULL;
	up_program *p = program_new(dir, file);
	if (load_tree(p, root, flags, err) != UP_OK) {
		up_program_free(p);
		return UP_EINPUT;
	}
	*out = p;
	return UP_OK;
}

static int parse(up_program **out, const char *dir, const char *buf,
		 size_t len, unsigned flags, const up_swap *swap, up_error *err)
{
	*out = NULL;
	up_program *p = program_new(dir, "program.yaml");
	up_sha256_hex(buf, len, p->hash);
	p->swap = swap;
	up_ynode *root = NULL;
	int rc = up_yaml_parse(buf, len, p->file, &root, err);
	if (rc == UP_OK)
		rc = load_tree(p, root, flags, err);
	up_yaml_free(root);
	p->swap = NULL; /* borrowed for the loading only */
	if (rc != UP_OK) {
		up_program_free(p);
		return rc;
	}
	*out = p;
	return UP_OK;
}

int up_program_parse(up_program **out, const char *dir, const char *buf,
		     size_t len, unsigned flags, up_error *err)
{
	return parse(out, dir, buf, len, flags, NULL, err);
}

static int open_program(up_program **out, const char *dir, unsigned flags,
			const up_swap *swap, up_error *err)
{
	*out = NULL;
	char *path = up_xasprintf("%s/program.yaml", dir && *dir ? dir : ".");
	char *buf = NULL;
	size_t len = 0;
	int rc = up_read_file(path, MAX_PROGRAM_BYTES, &buf, &len, err);
	free(path);
	if (rc == UP_OK)
		rc = parse(out, dir, buf, len, flags, swap, err);
	free(buf);
	return rc;
}

int up_program_load(up_program **out, const char *dir, up_error *err)
{
	return open_program(out, dir, 0, NULL, err);
}

int up_program_open(up_program **out, const char *dir, unsigned flags,
		    up_error *err)
{
	return open_program(out, dir, flags, NULL, err);
}

int up_program_open_swap(up_program **out, const char *dir,
			 const up_swap *swap, up_error *err)
{
	return open_program(out, dir, 0, swap, err);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void metric_free(up_metric_def *m)
{
	free(m->id);
	free(m->title);
	free(m->numerator);
	free(m->denominator);
	free(m->series);
	free_strv(m->num_excl.v, m->num_excl.n);
	free_strv(m->den_excl.v, m->den_excl.n);
	free_strv(m->den_exc.v, m->den_exc.n);
	free_strv(m->scope.v, m->scope.n);
	for (size_t i = 0; i < m->nunit_targets; i++)
		free(m->unit_targets[i].unit);
	free(m->unit_targets);
}

void up_program_free(up_program *p)
{
	if (!p)
		return;
	free(p->dir);
	free(p->file);
	free(p->id);
	free(p->title);
	free(p->organization);
	free(p->start);
	free_strv(p->stages, p->nstages);
	free(p->stage_line);
	free(p->stage_col);
	for (size_t i = 0; i < p->nunits; i++) {
		up_unit_def *u = &p->units[i];
		free(u->id);
		free(u->name);
		free(u->parent);
		free(u->stage);
		free(u->go_live);
		json_decref(u->attrs);
	}
	free(p->units);
	for (size_t i = 0; i < p->npeople; i++) {
		up_person_def *d = &p->people[i];
		free(d->id);
		free(d->name);
		free(d->unit);
		free(d->since);
		free(d->joined);
		free_strv(d->roles, d->nroles);
	}
	free(p->people);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].path);
		free(p->rules[i].src);
	}
	free(p->rules);
	up_packs_free(p);
	for (size_t i = 0; i < p->ngates; i++)
		free(p->gates[i].boundary);
	free(p->gates);
	for (size_t i = 0; i < p->nmetrics; i++)
		metric_free(&p->metrics[i]);
	free(p->metrics);
	free(p->cadence.eval_offsets);
	for (size_t i = 0; i < p->cadence.nplans; i++) {
		up_plan_def *pl = &p->cadence.plans[i];
		free(pl->id);
		free_strv(pl->roles.v, pl->roles.n);
		free_strv(pl->except.v, pl->except.n);
		free_strv(pl->units.v, pl->units.n);
		free_strv(pl->topics.v, pl->topics.n);
		free(pl->offsets);
		free(pl->escalate_to);
	}
	free(p->cadence.plans);
	free(p->cadence.followups_to);
	up_strmap_free(&p->unit_ids);
	up_strmap_free(&p->person_ids);
	free(p);
}

const char *up_program_id(const up_program *p)
{
	return p->id;
}

const char *up_program_dir(const up_program *p)
{
	return p->dir;
}

const char *up_program_hash(const up_program *p)
{
	return p->hash;
}
