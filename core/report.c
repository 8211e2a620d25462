/*
 * report.c: what a person reads.  Tables for a terminal and JSON for
 * scripts, rendered from a cycle's document, so `status` and `explain`
 * show exactly what the cycle stored; explain adds each metric's series,
 * read from the store as `uptake report` reads it (dashboard_metrics.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"


/*
 * A string field made safe for a terminal: rule messages come from code
 * that may be hostile, and an escape sequence could rewrite the screen or
 * the clipboard.  C0 and C1 controls become '?', tabs and newlines a
 * space.  The text lives in a small ring of buffers, enough for one line.
 */
static const char *clean(const char *text)
{
	static char ring[8][4200];
	static unsigned next;
	const unsigned char *s = (const unsigned char *)text;
	if (!s)
		return "";
	char *out = ring[next++ % 8];
	size_t n = 0;
	for (; *s && n + 2 < sizeof ring[0]; s++) {
		if (*s == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
			out[n++] = '?';
			s++;
		} else if (*s == '\t' || *s == '\n') {
			out[n++] = ' ';
		} else {
			out[n++] = *s < 0x20 || *s == 0x7F ? '?' : (char)*s;
		}
	}
	out[n] = '\0';
	return out;
}

static const char *str(const json_t *o, const char *k)
{
	return clean(json_string_value(json_object_get(o, k)));
}

/* A string field as stored, for comparing ids: str() is for printing. */
static const char *raw(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A gate's decision as tables show it: "-" when nothing was judged. */
static const char *decision_of(const json_t *g)
{
	return g && *str(g, "decision") ? str(g, "decision") : "-";
}

/* The same in a sentence. */
static const char *decision_said(const json_t *g)
{
	return g && *str(g, "decision") ? str(g, "decision") : "none";
}

static const char *colour_of(const char *decision_or_status)
{
	static const struct {
		const char *word, *sgr;
	} map[] = {{"go", "32"}, {"pass", "32"}, {"conditional_go", "33"},
		   {"warn", "33"}, {"hold", "33"}, {"skip", "2"},
		   {"recycle", "31"}, {"kill", "1;31"}, {"fail", "31"},
		   {"error", "1;31"}, {"waived", "36"}};
	for (size_t i = 0; i < UP_COUNTOF(map); i++)
		if (!strcmp(map[i].word, decision_or_status))
			return map[i].sgr;
	return NULL;
}

/* Prints WORD padded to WIDTH, coloured when asked. */
static void word(FILE *fp, const char *w, int width, unsigned flags)
{
	const char *sgr = (flags & UP_PRINT_COLOR) ? colour_of(w) : NULL;
	if (sgr)
		fprintf(fp, "\033[%sm%s\033[0m%*s", sgr, w,
			width > (int)strlen(w) ? width - (int)strlen(w) : 0, "");
	else
		fprintf(fp, "%-*s", width, w);
}

static json_t *first_gate(const json_t *unit)
{
	return json_array_get(json_object_get(unit, "gates"), 0);
}

static void score_text(const json_t *gate, char out[16])
{
	json_t *s = json_object_get(gate, "score");
	if (json_is_number(s))
		snprintf(out, 16, "%.2f", json_number_value(s));
	else
		snprintf(out, 16, "-");
}

static void unit_table(const json_t *doc, FILE *fp, unsigned flags)
{
	int wu = 4, ws = 5, wg = 4;
	size_t i;
	json_t *u;
	json_t *units = json_object_get(doc, "units");
	json_array_foreach(units, i, u) {
		int a = (int)strlen(str(u, "id")), b = (int)strlen(str(u, "stage"));
		int c = (int)strlen(str(first_gate(u), "gate"));
		wu = a > wu ? a : wu;
		ws = b > ws ? b : ws;
		wg = c > wg ? c : wg;
	}
	fprintf(fp, "%-*s  %-*s  %-*s  %-14s  %5s  %s\n", wu, "UNIT", ws,
		"STAGE", wg, "GATE", "DECISION", "SCORE", "FINDINGS");
	json_array_foreach(units, i, u) {
		json_t *g = first_gate(u);
		char score[16];
		score_text(g, score);
		fprintf(fp, "%-*s  %-*s  %-*s  ", wu, str(u, "id"), ws,
			str(u, "stage"), wg, g ? str(g, "gate") : "-");
		word(fp, decision_of(g), 14, flags);
		fprintf(fp, "  %5s  %zu\n", score,
			json_array_size(json_object_get(u, "findings")));
	}
}

/* First, under the header: what could not be judged is what to fix. */
static void print_errors_line(const json_t *doc, FILE *fp)
{
	size_t n = json_array_size(json_object_get(doc, "errors"));
	if (!n)
		return;
	fprintf(fp, "%zu rule error%s:\n", n, n == 1 ? "" : "s");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "errors"), i, e) {
		const char *unit = str(e, "unit");
		fprintf(fp, "  %s%s%s\n", unit, *unit ? ": " : "",
			str(e, "message"));
	}
	fputc('\n', fp);
}

static void header(const json_t *doc, FILE *fp)
{
	fprintf(fp, "%s: cycle %lld as of %s\n\n", str(doc, "program"),
		(long long)json_integer_value(json_object_get(doc, "cycle")),
		str(doc, "as_of"));
}

/* For each gate that is not a plain go: its reason and failed criteria. */
static void why_not_go(const json_t *doc, FILE *fp, unsigned flags)
{
	int any = 0;
	size_t i, k;
	json_t *u, *c;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		json_t *g = first_gate(u);
		if (!g || !strcmp(str(g, "decision"), "go"))
			continue;
		if (!any++)
			fputs("\nWhy not go:\n", fp);
		fprintf(fp, "  %s %s: ", str(u, "id"), str(g, "gate"));
		word(fp, decision_said(g), 0, flags);
		fprintf(fp, " (%s)\n", str(g, "reason"));
		json_array_foreach(json_object_get(g, "criteria"), k, c) {
			const char *st = str(c, "status");
			if (!strcmp(st, "pass") || !strcmp(st, "skip") ||
			    !strcmp(st, "waived")) /* listed under Waived */
				continue;
			fputs("    ", fp);
			word(fp, st, 6, flags);
			fprintf(fp, "%s: %s\n", str(c, "rule"),
				str(c, "message"));
		}
	}
}

static void findings_list(const json_t *doc, FILE *fp, unsigned flags)
{
	int any = 0;
	size_t i, k;
	json_t *u, *f;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		json_array_foreach(json_object_get(u, "findings"), k, f) {
			if (!any++)
				fputs("\nFindings:\n", fp);
			fprintf(fp, "  %s ", str(u, "id"));
			word(fp, str(f, "status"), 0, flags);
			fprintf(fp, " [%s] %s: %s\n", str(f, "severity"),
				str(f, "rule"), str(f, "message"));
		}
	}
}

/* A ratio shows as a percentage, anything else as a number. */
static void metric_number(const json_t *m, const char *k, char out[24])
{
	json_t *v = json_object_get(m, k);
	int ratio = !strcmp(str(m, "kind"), "ratio");
	if (!json_is_number(v))
		snprintf(out, 24, "-");
	else if (ratio)
		snprintf(out, 24, "%.1f%%", 100 * json_number_value(v));
	else
		snprintf(out, 24, "%.4g", json_number_value(v));
}

static void metric_row(FILE *fp, const char *unit, const json_t *m, int wm,
		       int wu, unsigned flags)
{
	char value[24], expected[24], target[24], behind[24] = "-";
	metric_number(m, "value", value);
	metric_number(m, "expected", expected);
	metric_number(m, "target", target);
	/* the latest period with data, even when it is too old to judge */
	const char *period = str(m, "latest_period");
	if (!*period)
		period = str(m, "period");
	json_t *b = json_object_get(m, "periods_behind");
	if (json_is_integer(b))
		snprintf(behind, sizeof behind, "%lld",
			 (long long)json_integer_value(b));
	fprintf(fp, "%-*s  %-*s  %-8s  %6s  %7s  %7s  %7s  ", wm,
		str(m, "metric"), wu, unit, *period ? period : "-", behind,
		value, expected, target);
	json_t *sigs = json_object_get(m, "signals");
	/* no padding to trail the line when no signal follows */
	word(fp, str(m, "status"), json_array_size(sigs) ? 11 : 0, flags);
	size_t i;
	json_t *sig;
	json_array_foreach(sigs, i, sig)
		fprintf(fp, "%s%s", i ? "," : "", json_string_value(sig));
	fputc('\n', fp);
}

/* The program's metrics, then each unit's, in tree order. */
static void metrics_table(const json_t *doc, FILE *fp, unsigned flags)
{
	json_t *top = json_object_get(doc, "metrics");
	if (!json_array_size(top))
		return;
	int wm = 6, wu = 9;
	size_t i, k;
	json_t *u, *m;
	json_array_foreach(top, i, m)
		wm = (int)strlen(str(m, "metric")) > wm
			? (int)strlen(str(m, "metric")) : wm;
	json_array_foreach(json_object_get(doc, "units"), i, u)
		wu = (int)strlen(str(u, "id")) > wu ? (int)strlen(str(u, "id"))
						    : wu;
	fprintf(fp, "\n%-*s  %-*s  %-8s  %6s  %7s  %7s  %7s  %-11sSIGNALS\n",
		wm, "METRIC", wu, "UNIT", "PERIOD", "BEHIND", "VALUE", "PLAN",
		"TARGET", "STATUS");
	json_array_foreach(top, i, m) {
		metric_row(fp, "(program)", m, wm, wu, flags);
		json_array_foreach(json_object_get(doc, "units"), k, u) {
			json_t *um;
			size_t j;
			json_array_foreach(json_object_get(u, "metrics"), j, um)
				if (!strcmp(str(um, "metric"), str(m, "metric")))
					metric_row(fp, str(u, "id"), um, wm, wu,
						   flags);
		}
	}
}

static int dump(const json_t *j, FILE *fp)
{
	if (json_dumpf(j, fp, UP_JSON_OUT) != 0)
		return UP_EINTERNAL;
	fputc('\n', fp);
	return UP_OK;
}

/* ---- what people decided: waivers, overrides, strikes, moves ---- */

/* The decision an override went past (a forced move may precede any
 * cycle). */
static const char *overridden(const json_t *o)
{
	return *str(o, "decision") ? str(o, "decision") : "an unjudged gate";
}

/* One line per advance recorded after the cycle ran, for UNIT or all
 * (MOVES: unit id -> [{from, to, at, by, override, reason, decision}]). */
static void move_lines(const json_t *moves, const char *unit,
		       const char *indent, FILE *fp)
{
	const char *id;
	json_t *list, *m;
	size_t i;
	json_object_foreach((json_t *)moves, id, list) {
		if (unit && strcmp(unit, id))
			continue;
		json_array_foreach(list, i, m) {
			fprintf(fp, "%s%s: %s -> %s on %s, by %s", indent, id,
				str(m, "from"), str(m, "to"), str(m, "at"),
				str(m, "by"));
			if (json_is_true(json_object_get(m, "override")))
				fprintf(fp, ", overriding %s: %s",
					overridden(m), str(m, "reason"));
			else
				fprintf(fp, " (gate: %s)", str(m, "decision"));
			fputc('\n', fp);
		}
	}
}

static int moved(const json_t *moves, const char *unit)
{
	return unit ? json_object_get(moves, unit) != NULL
		    : json_object_size(moves) > 0;
}

/* "  UNIT RULE until DAY, by PERSON: REASON" per waived criterion. */
static int waived_notes(const json_t *u, int any, FILE *fp)
{
	size_t k;
	json_t *x;
	json_array_foreach(json_object_get(first_gate(u), "criteria"), k, x) {
		json_t *w = json_object_get(x, "waiver");
		if (w)
			fprintf(fp, "%s  %s %s until %s, by %s: %s\n",
				any++ ? "" : "\nWaived:\n", str(u, "id"),
				str(x, "rule"), str(w, "until"), str(w, "by"),
				str(w, "reason"));
	}
	return any;
}

static int override_notes(const json_t *u, int any, FILE *fp)
{
	json_t *ov = json_object_get(u, "override");
	if (!ov)
		return any;
	fprintf(fp, "%s  %s in %s since %s, by %s, overriding %s: %s\n",
		any ? "" : "\nOverrides:\n", str(u, "id"), str(u, "stage"),
		str(ov, "at"), str(ov, "by"), overridden(ov),
		str(ov, "reason"));
	return any + 1;
}

static int strike_notes(const json_t *u, int any, FILE *fp)
{
	size_t k, j;
	json_t *x, *d;
	json_array_foreach(json_object_get(u, "strikes"), k, x) {
		long long n = json_integer_value(json_object_get(x, "count"));
		fprintf(fp, "%s  %s %s (due %s): %lld strike%s: ",
			any++ ? "" : "\nStrikes:\n", str(u, "id"),
			str(x, "rule"), str(x, "due"), n, n == 1 ? "" : "s");
		json_array_foreach(json_object_get(x, "dates"), j, d)
			fprintf(fp, "%s%s", j ? ", " : "",
				json_string_value(d));
		fputc('\n', fp);
	}
	return any;
}

/* Each unit's waived criteria, forced stage and strikes, then the
 * advances recorded since the cycle (for UNIT only when given). */
static void recorded_notes(const json_t *doc, const json_t *moves,
			   const char *unit, FILE *fp)
{
	int (*const parts[])(const json_t *, int, FILE *) = {
		waived_notes, override_notes, strike_notes};
	for (size_t p = 0; p < UP_COUNTOF(parts); p++) {
		int any = 0;
		size_t i;
		json_t *u;
		json_array_foreach(json_object_get(doc, "units"), i, u)
			any = parts[p](u, any, fp);
	}
	if (!moved(moves, unit))
		return;
	fprintf(fp, "\nAdvanced since cycle %lld (a cycle judges their next "
		"gates):\n", (long long)json_integer_value(
			json_object_get(doc, "cycle")));
	move_lines(moves, unit, "  ", fp);
}

int up_cycle_print(const up_cycle *c, FILE *fp, unsigned flags)
{
	if (flags & UP_PRINT_JSON)
		return dump(c->doc, fp);
	header(c->doc, fp);
	print_errors_line(c->doc, fp);
	unit_table(c->doc, fp, flags);
	metrics_table(c->doc, fp, flags);
	why_not_go(c->doc, fp, flags);
	findings_list(c->doc, fp, flags);
	recorded_notes(c->doc, c->moves, NULL, fp);
	return UP_OK;
}

/* What people decided about unit U, for status --json: the criteria it
 * waived, its override, its strikes and its advances since the cycle. */
static void decided_json(json_t *out, const json_t *u, const json_t *moves)
{
	json_t *waived = json_array(), *x;
	size_t k;
	json_array_foreach(json_object_get(first_gate(u), "criteria"), k, x) {
		if (json_object_get(x, "waiver"))
			json_array_append_new(waived, UP_JSON(json_pack(
				"{s:O, s:O}", "rule",
				json_object_get(x, "rule"), "waiver",
				json_object_get(x, "waiver"))));
	}
	if (json_array_size(waived))
		json_object_set(out, "waived", waived);
	json_decref(waived);
	static const char *const keys[] = {"override", "strikes"};
	for (size_t i = 0; i < UP_COUNTOF(keys); i++)
		if ((x = json_object_get(u, keys[i])) &&
		    !(json_is_array(x) && !json_array_size(x)))
			json_object_set(out, keys[i], x);
	if ((x = json_object_get(moves, raw(u, "id"))))
		json_object_set(out, "advanced_since", x);
}

static json_t *status_json(const json_t *doc, const json_t *moves)
{
	json_t *units = json_array();
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(doc, "units"), i, u) {
		json_t *g = first_gate(u);
		json_t *j = UP_JSON(json_pack(
			"{s:s, s:s, s:s?, s:s?, s:O?, s:I, s:O?}", "id",
			str(u, "id"), "stage", str(u, "stage"), "gate",
			g ? str(g, "gate") : NULL, "decision",
			g ? str(g, "decision") : NULL, "score",
			g ? json_object_get(g, "score") : NULL, "findings",
			(json_int_t)json_array_size(
				json_object_get(u, "findings")), "metrics",
			json_object_get(u, "metrics")));
		decided_json(j, u, moves);
		json_array_append_new(units, j);
	}
	return UP_JSON(json_pack("{s:O, s:O, s:O, s:o, s:O?, s:I}", "program",
			 json_object_get(doc, "program"), "cycle",
			 json_object_get(doc, "cycle"), "as_of",
			 json_object_get(doc, "as_of"), "units", units,
			 "metrics", json_object_get(doc, "metrics"),
			 "errors", (json_int_t)json_array_size(
				 json_object_get(doc, "errors"))));
}

static const json_t *find_unit(const json_t *doc, const char *id,
			       up_error *err);

/* The document narrowed to one unit, for status --unit. */
static json_t *only_unit(const json_t *doc, const json_t *unit)
{
	json_t *d = json_copy((json_t *)doc);
	json_t *units = json_array();
	json_array_append(units, (json_t *)unit);
	json_object_set_new(d, "units", units);
	return d;
}

int up_status_print(const up_cycle *c, const char *unit, FILE *fp,
		    unsigned flags, up_error *err)
{
	const json_t *u = unit ? find_unit(c->doc, unit, err) : NULL;
	if (unit && !u)
		return UP_EINPUT;
	json_t *doc = u ? only_unit(c->doc, u) : json_incref(c->doc);
	int rc = UP_OK;
	if (flags & UP_PRINT_JSON) {
		json_t *j = status_json(doc, c->moves);
		rc = dump(j, fp);
		json_decref(j);
	} else {
		header(doc, fp);
		print_errors_line(doc, fp);
		unit_table(doc, fp, flags);
		metrics_table(doc, fp, flags);
		recorded_notes(doc, c->moves, unit, fp);
	}
	json_decref(doc);
	return rc;
}

/* ---- explain ---- */

/* The rule's entry in the cycle's rules[]: what it says of itself. */
static const json_t *rule_meta(const json_t *doc, const char *rule)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(doc, "rules"), i, r) {
		if (!strcmp(raw(r, "rule"), rule))
			return r;
	}
	return NULL;
}

static void print_meta(FILE *fp, const json_t *meta)
{
	static const char *const keys[] = {"rationale", "source",
					   "remediation", "owner"};
	static const char *const labels[] = {"why", "source", "to do",
					     "owner"};
	for (size_t i = 0; meta && i < UP_COUNTOF(keys); i++)
		if (json_is_string(json_object_get(meta, keys[i])))
			fprintf(fp, "         %s: %s\n", labels[i],
				str(meta, keys[i]));
}

static void print_item(FILE *fp, const json_t *doc, const json_t *c,
		       const char *kind, unsigned flags)
{
	fputs("  ", fp);
	word(fp, str(c, "status"), 6, flags);
	fprintf(fp, " %s (%s)\n", str(c, "rule"), kind);
	if (strcmp(str(c, "title"), str(c, "rule")))
		fprintf(fp, "         %s\n", str(c, "title"));
	if (*str(c, "message"))
		fprintf(fp, "         %s\n", str(c, "message"));
	json_t *ev = json_object_get(c, "evidence");
	if (ev && !(json_is_object(ev) && json_object_size(ev) == 0)) {
		char *s = json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY |
					 JSON_REAL_PRECISION(12));
		fprintf(fp, "         evidence: %s\n", s ? s : "?");
		free(s);
	}
	json_t *w = json_object_get(c, "waiver");
	if (w) /* what the rule said stays visible under the waiver */
		fprintf(fp, "         waived by %s until %s: %s (the rule "
			"says %s)\n", str(w, "by"), str(w, "until"),
			str(w, "reason"), str(c, "judged"));
	print_meta(fp, rule_meta(doc, raw(c, "rule")));
	fprintf(fp, "         at %s\n", str(c, "source"));
}

static const char *criterion_kind(const json_t *c, char buf[64])
{
	if (json_is_true(json_object_get(c, "must")))
		return "must-meet";
	json_t *sc = json_object_get(c, "score");
	if (json_is_number(sc))
		snprintf(buf, 64, "should-meet, weight %g, score %g/10",
			 json_number_value(json_object_get(c, "weight")),
			 json_number_value(sc));
	else
		snprintf(buf, 64, "should-meet, weight %g",
			 json_number_value(json_object_get(c, "weight")));
	return buf;
}

static void print_gate(FILE *fp, const json_t *doc, const json_t *g,
		       const char *rule, unsigned flags)
{
	int whole = !rule || !strcmp(rule, str(g, "gate"));
	if (whole) {
		char score[16];
		score_text(g, score);
		fprintf(fp, "gate %s: ", str(g, "gate"));
		word(fp, decision_said(g), 0, flags);
		fprintf(fp, "\n  because %s\n", str(g, "reason"));
		if (*str(g, "criteria_decision"))
			fprintf(fp, "  (the criteria alone: %s)\n",
				str(g, "criteria_decision"));
		fprintf(fp, "  threshold %.2f, should-meet score %s\n\n",
			json_number_value(json_object_get(g, "threshold")),
			score);
	}
	size_t k;
	json_t *c;
	json_array_foreach(json_object_get(g, "criteria"), k, c) {
		if (!whole && strcmp(rule, str(c, "rule")))
			continue;
		char buf[64];
		print_item(fp, doc, c, criterion_kind(c, buf), flags);
	}
}

static void print_findings(FILE *fp, const json_t *doc, const json_t *u,
			   const char *rule, unsigned flags)
{
	int shown = 0;
	size_t k;
	json_t *f;
	json_array_foreach(json_object_get(u, "findings"), k, f) {
		if (rule && strcmp(rule, str(f, "rule")))
			continue;
		if (!shown++)
			fputs(rule ? "" : "\nfindings:\n", fp);
		char kind[64];
		snprintf(kind, sizeof kind, "check, severity %s",
			 str(f, "severity"));
		print_item(fp, doc, f, kind, flags);
	}
}

static const json_t *find_unit(const json_t *doc, const char *id,
			       up_error *err)
{
	size_t i, n = 0;
	json_t *u;
	json_t *units = json_object_get(doc, "units");
	const char **ids = up_xcalloc(json_array_size(units) + 1, sizeof *ids);
	json_array_foreach(units, i, u) {
		if (!strcmp(str(u, "id"), id)) {
			free(ids);
			return u;
		}
		/* a damaged record may hold a unit without an id */
		const char *uid = json_string_value(json_object_get(u, "id"));
		if (uid)
			ids[n++] = uid;
	}
	const char *hint = up_did_you_mean(id, ids, n);
	if (hint)
		up_err(err, UP_EINPUT, "unknown unit '%s' (did you mean "
		       "'%s'?)", id, hint);
	else
		up_err(err, UP_EINPUT, "unknown unit '%s'", id);
	free(ids);
	return NULL;
}

/* Does RULE name the unit's gate, one of its criteria or a finding? */
static int names_something(const json_t *u, const char *rule)
{
	json_t *g = first_gate(u);
	if (g && !strcmp(rule, str(g, "gate")))
		return 1;
	size_t k;
	json_t *c;
	json_array_foreach(json_object_get(g, "criteria"), k, c) {
		if (!strcmp(rule, str(c, "rule")))
			return 1;
	}
	json_array_foreach(json_object_get(u, "findings"), k, c) {
		if (!strcmp(rule, str(c, "rule")))
			return 1;
	}
	return 0;
}

/* Does RULE name one of the unit's metrics? */
static int names_metric(const json_t *u, const char *rule)
{
	return up_dash_item(json_object_get(u, "metrics"), "metric", rule) !=
	       NULL;
}

/* What RULE may have meant among what the unit shows (its metrics too
 * when METRICS): a pack's rule named without its pack, or a near miss.
 * Borrowed from DOC or U, or NULL. */
static const char *closest_rule(const json_t *doc, const json_t *u,
				const char *rule, int metrics)
{
	size_t i, n = 0, len = strlen(rule);
	json_t *x, *list = json_object_get(doc, "rules");
	json_t *mlist = json_object_get(u, "metrics");
	const char **ids = up_xcalloc(json_array_size(list) +
				      json_array_size(mlist) + 2, sizeof *ids);
	json_array_foreach(list, i, x) {
		const char *id = raw(x, "rule");
		size_t il = strlen(id);
		int shown = names_something(u, id) ||
			    (metrics && names_metric(u, id));
		if (il > len && id[il - len - 1] == '/' &&
		    !strcmp(id + il - len, rule) && shown) {
			free(ids);
			return id;
		}
		if (shown)
			ids[n++] = id;
	}
	json_array_foreach(metrics ? mlist : NULL, i, x)
		ids[n++] = raw(x, "metric"); /* a rule's metric{} twice: fine */
	json_t *g = first_gate(u);
	if (g)
		ids[n++] = raw(g, "gate");
	const char *hint = up_did_you_mean(rule, ids, n);
	free(ids);
	return hint;
}

/* The unit narrowed to RULE: the whole gate if RULE names it, else only
 * the matching criterion and findings. */
static json_t *narrowed(const json_t *u, const char *rule)
{
	json_t *out = json_deep_copy(u);
	json_t *gates = json_object_get(out, "gates");
	json_t *g = json_array_get(gates, 0);
	if (g && strcmp(rule, str(g, "gate"))) {
		json_t *crit = json_object_get(g, "criteria");
		for (size_t k = json_array_size(crit); k-- > 0;)
			if (strcmp(rule, str(json_array_get(crit, k), "rule")))
				json_array_remove(crit, k);
		if (json_array_size(crit) == 0)
			json_array_clear(gates);
	}
	json_t *fs = json_object_get(out, "findings");
	for (size_t k = json_array_size(fs); k-- > 0;)
		if (strcmp(rule, str(json_array_get(fs, k), "rule")))
			json_array_remove(fs, k);
	return out;
}

/* Adds "about" (rationale, source, remediation, owner) to each result
 * whose rule says any of them. */
static void annotate_list(const json_t *doc, json_t *list)
{
	static const char *const keys[] = {"rationale", "source",
					   "remediation", "owner"};
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		const json_t *m = rule_meta(doc, raw(x, "rule"));
		json_t *about = json_object();
		for (size_t k = 0; m && k < UP_COUNTOF(keys); k++)
			if (json_is_string(json_object_get(m, keys[k])))
				json_object_set(about, keys[k],
						json_object_get(m, keys[k]));
		if (json_object_size(about))
			json_object_set(x, "about", about);
		json_decref(about);
	}
}

static void annotate(const json_t *doc, json_t *u)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(u, "gates"), i, g)
		annotate_list(doc, json_object_get(g, "criteria"));
	annotate_list(doc, json_object_get(u, "findings"));
}

/* Under the heading: how the unit got to its stage when a person forced
 * it, and any advance since the cycle. */
static void explain_decided(FILE *fp, const up_cycle *c, const json_t *u)
{
	json_t *ov = json_object_get(u, "override");
	if (ov)
		fprintf(fp, "  in %s since %s by override of %s, by %s: %s\n",
			str(u, "stage"), str(ov, "at"), overridden(ov),
			str(ov, "by"), str(ov, "reason"));
	if (json_object_get(c->moves, raw(u, "id"))) {
		fputs("  advanced since this cycle (a cycle judges its next "
		      "gate):\n", fp);
		move_lines(c->moves, raw(u, "id"), "    ", fp);
	}
	fputc('\n', fp);
}

/* The strike days of RULE's condition, from the unit's strikes[]. */
static void strike_dates(FILE *fp, const json_t *u, const char *rule)
{
	size_t i, k;
	json_t *x, *d;
	json_array_foreach(json_object_get(u, "strikes"), i, x) {
		if (strcmp(raw(x, "rule"), rule))
			continue;
		json_array_foreach(json_object_get(x, "dates"), k, d)
			fprintf(fp, "%s%s", k ? ", " : ": ",
				json_string_value(d));
	}
}

/* The conditions earlier conditional gos left, with their strikes; GAP:
 * a blank line first. */
static void print_conditions(FILE *fp, const json_t *u, int gap,
			     unsigned flags)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(u, "conditions"), i, x) {
		if (!i)
			fprintf(fp, "%sconditions of an earlier conditional go "
				"(a third strike kills):\n", gap ? "\n" : "");
		fputs("  ", fp);
		word(fp, str(x, "status"), 8, flags);
		long long n = json_integer_value(json_object_get(x, "strikes"));
		fprintf(fp, " %s (from %s on %s, due %s): %lld strike%s",
			str(x, "rule"), str(x, "gate"), str(x, "set_on"),
			str(x, "due"), n, n == 1 ? "" : "s");
		strike_dates(fp, u, raw(x, "rule"));
		fputc('\n', fp);
		if (*str(x, "message"))
			fprintf(fp, "           %s\n", str(x, "message"));
	}
}

/* ---- explain: the unit's metrics ---- */

static json_t *or_null(json_t *j)
{
	return j ? j : json_null();
}

/* The run-chart signals point PT is part of: "shift", "trend". */
static json_t *mark_names(const json_t *pt)
{
	json_int_t mark = json_integer_value(json_object_get(pt, "mark"));
	json_t *out = json_array();
	if (mark & UP_MARK_SHIFT)
		json_array_append_new(out, json_string("shift"));
	if (mark & UP_MARK_TREND)
		json_array_append_new(out, json_string("trend"));
	return out;
}

/* How many points of SERIES are marked BIT, with the first and last. */
static size_t marked(const json_t *series, int bit, const json_t **first,
		     const json_t **last)
{
	size_t i, n = 0;
	json_t *pt;
	*first = *last = NULL;
	json_array_foreach(json_object_get(series, "points"), i, pt) {
		if (!(json_integer_value(json_object_get(pt, "mark")) & bit))
			continue;
		*first = *first ? *first : pt;
		*last = pt;
		n++;
	}
	return n;
}

/* Signal SIG of SERIES (a dashboard series) in words, or NULL when the
 * series no longer shows it (then its name says it). */
static char *signal_words(const char *sig, const json_t *series,
			  int percent)
{
	const json_t *a, *b;
	const json_t *runs = json_object_get(series, "runs");
	long long off = json_integer_value(json_object_get(runs,
							   "off_median"));
	long long longest = json_integer_value(json_object_get(runs,
							       "longest_run"));
	long long limit = json_integer_value(json_object_get(runs,
							     "run_limit"));
	long long cross = json_integer_value(json_object_get(runs,
							     "crossings"));
	long long least = json_integer_value(json_object_get(runs,
							     "crossings_min"));
	int up = strstr(sig, "_up") != NULL;
	size_t n;
	char median[32];
	if (!strncmp(sig, "shift_", 6) &&
	    (n = marked(series, UP_MARK_SHIFT, &a, &b))) {
		up_dash_number(json_object_get(series, "median"), percent,
			       median);
		return up_xasprintf("shift: %zu points %s the median (%s), "
				    "%s to %s", n, up ? "above" : "below",
				    median, raw(a, "period"),
				    raw(b, "period"));
	}
	if (!strncmp(sig, "trend_", 6) &&
	    (n = marked(series, UP_MARK_TREND, &a, &b)))
		return up_xasprintf("trend: %zu points %s, %s to %s", n,
				    up ? "rising" : "falling",
				    raw(a, "period"), raw(b, "period"));
	if (!strcmp(sig, "long_run") && runs)
		return up_xasprintf("long run: %lld points in a row on one "
				    "side of the median, where %lld points off "
				    "it allow at most %lld", longest, off,
				    limit);
	if (!strcmp(sig, "few_crossings") && runs)
		return up_xasprintf("few crossings: the series crosses its "
				    "median %lld time%s, where %lld points off "
				    "it should cross it at least %lld times",
				    cross, cross == 1 ? "" : "s", off, least);
	return NULL;
}

static json_t *signal_texts(const json_t *m, const json_t *series,
			    int percent)
{
	json_t *out = json_array();
	size_t i;
	json_t *sig;
	json_array_foreach(json_object_get(m, "signals"), i, sig) {
		const char *name = json_string_value(sig);
		char *text = name ? signal_words(name, series, percent) : NULL;
		char words[64];
		up_dash_words(name, words, sizeof words);
		json_array_append_new(out, json_string(text ? text : words));
		free(text);
	}
	return out;
}

/*
 * Metric M of the unit as the cycle stored it, with what explain adds
 * from E, its entry from up_dash_unit_metrics (or NULL): title,
 * direction, percent, source, median, runs, series[] (period, value,
 * plan, marks[]), signal_text[] and differs.  A new reference.
 */
static json_t *explained_metric(const json_t *m, const json_t *e)
{
	const json_t *s = json_array_get(json_object_get(e, "series"), 0);
	int percent = json_is_true(json_object_get(e, "percent"));
	/* a target that holds every period is the plan of each; the one
	 * point of a metric program.yaml no longer judges has the cycle's */
	json_t *every = json_is_true(json_object_get(e, "per_period"))
		? json_object_get(m, "target")
		: !strcmp(raw(s, "source"), "cycle")
		? json_object_get(m, "expected") : NULL;
	json_t *series = json_array();
	size_t i;
	json_t *pt;
	json_array_foreach(json_object_get(s, "points"), i, pt) {
		json_t *plan = json_object_get(pt, "plan");
		json_array_append_new(series, UP_JSON(json_pack(
			"{s:O, s:O, s:O, s:o}", "period", or_null(
			json_object_get(pt, "period")), "value", or_null(
			json_object_get(pt, "value")), "plan", or_null(plan
			? plan : every), "marks", mark_names(pt))));
	}
	json_t *x = json_deep_copy(m);
	json_object_set(x, "title", or_null(json_object_get(e, "title")));
	json_object_set(x, "direction", or_null(json_object_get(e,
								"direction")));
	json_object_set_new(x, "percent", json_boolean(percent));
	json_object_set_new(x, "source", json_string(s ? raw(s, "source")
							: "cycle"));
	json_object_set(x, "median", or_null(json_object_get(s, "median")));
	json_object_set(x, "runs", or_null(json_object_get(s, "runs")));
	json_object_set_new(x, "series", series);
	json_object_set_new(x, "signal_text", signal_texts(m, s, percent));
	json_object_set_new(x, "differs", json_boolean(json_is_true(
		json_object_get(s, "differs"))));
	return x;
}

/* The unit's metrics (only ONLY, when given) for explain, or NULL with
 * ERR set. */
static json_t *explained_metrics(const up_cycle *c, up_store *s,
				 const up_program *p, const json_t *u,
				 const char *only, up_error *err)
{
	json_t *entries = up_dash_unit_metrics(s, p, c->doc, c->number,
					       raw(u, "id"), err);
	if (!entries)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(u, "metrics"), i, m) {
		if (only && strcmp(raw(m, "metric"), only))
			continue;
		json_array_append_new(out, explained_metric(m, up_dash_item(
			entries, "metric", raw(m, "metric"))));
	}
	json_decref(entries);
	return out;
}

static int wider(int w, const char *s)
{
	return (int)strlen(s) > w ? (int)strlen(s) : w;
}

/* The series as a table: period, value, plan, and the signals a point is
 * part of. */
static void series_table(FILE *fp, const json_t *series, int percent)
{
	int wp = 6, wv = 5, wpl = 4, marks = 0;
	size_t i, k;
	json_t *pt, *mk;
	char v[32], pl[32];
	json_array_foreach(series, i, pt) {
		up_dash_number(json_object_get(pt, "value"), percent, v);
		up_dash_number(json_object_get(pt, "plan"), percent, pl);
		wp = wider(wp, str(pt, "period"));
		wv = wider(wv, v);
		wpl = wider(wpl, pl);
		marks |= json_array_size(json_object_get(pt, "marks")) > 0;
	}
	fprintf(fp, "    %-*s  %*s  %*s%s\n", wp, "PERIOD", wv, "VALUE", wpl,
		"PLAN", marks ? "  SIGNAL" : "");
	json_array_foreach(series, i, pt) {
		up_dash_number(json_object_get(pt, "value"), percent, v);
		up_dash_number(json_object_get(pt, "plan"), percent, pl);
		fprintf(fp, "    %-*s  %*s  %*s", wp, str(pt, "period"), wv, v,
			wpl, pl);
		json_array_foreach(json_object_get(pt, "marks"), k, mk)
			fprintf(fp, "%s%s", k ? ", " : "  ",
				json_string_value(mk));
		fputc('\n', fp);
	}
}

static void print_metric(FILE *fp, const json_t *x, unsigned flags)
{
	int percent = json_is_true(json_object_get(x, "percent"));
	const char *status = *str(x, "status") ? str(x, "status") : "no_data";
	fprintf(fp, "  %s: ", str(x, "metric"));
	word(fp, status, 0, flags);
	fputc('\n', fp);
	if (*str(x, "title") && strcmp(str(x, "title"), str(x, "metric")))
		fprintf(fp, "    %s\n", str(x, "title"));
	char v[32], e[32], t[32];
	up_dash_number(json_object_get(x, "value"), percent, v);
	up_dash_number(json_object_get(x, "expected"), percent, e);
	up_dash_number(json_object_get(x, "target"), percent, t);
	fprintf(fp, "    latest %s", v);
	if (*str(x, "period") && json_is_number(json_object_get(x, "value")))
		fprintf(fp, " (%s)", str(x, "period"));
	fprintf(fp, ", plan %s, target %s", e, t);
	if (*str(x, "direction"))
		fprintf(fp, ", direction %s", str(x, "direction"));
	fputc('\n', fp);
	if (!strcmp(str(x, "source"), "cycles"))
		fputs("    computed by a rule: a point per stored cycle up to "
		      "this one\n", fp);
	else if (!strcmp(str(x, "source"), "cycle"))
		fputs("    only what the cycle stored: program.yaml as it is "
		      "now does not define this metric, or does not load\n",
		      fp);
	if (json_is_true(json_object_get(x, "differs")))
		fputs("    judged again with program.yaml as it is now, which "
		      "no longer gives what the cycle stored\n", fp);
	const json_t *series = json_object_get(x, "series");
	if (json_array_size(series))
		series_table(fp, series, percent);
	const json_t *texts = json_object_get(x, "signal_text");
	if (!json_array_size(texts)) {
		fputs("    signals: none\n", fp);
		return;
	}
	fputs("    signals:\n", fp);
	size_t i;
	json_t *sig;
	json_array_foreach(texts, i, sig)
		fprintf(fp, "      %s\n", clean(json_string_value(sig)));
}

/* Each metric, a blank line apart, after HEAD. */
static void print_metrics(FILE *fp, const json_t *metrics, const char *head,
			  unsigned flags)
{
	size_t i;
	json_t *x;
	json_array_foreach(metrics, i, x) {
		fputs(i ? "\n" : head, fp);
		print_metric(fp, x, flags);
	}
}

/* Whether explain's text of unit U ends in a blank line before its
 * metrics: a gate without criteria, and nothing after it. */
static int ends_in_gap(const json_t *u, const json_t *g)
{
	return g && !json_array_size(json_object_get(g, "criteria")) &&
	       !json_array_size(json_object_get(u, "conditions")) &&
	       !json_array_size(json_object_get(u, "findings"));
}

/* explain; with the unit's metrics too when S is given. */
static int explain(const up_cycle *c, up_store *s, const up_program *p,
		   const char *unit, const char *rule, FILE *fp,
		   unsigned flags, up_error *err)
{
	const json_t *u = find_unit(c->doc, unit, err);
	if (!u)
		return UP_EINPUT;
	/* a rule's metric{} is no criterion: RULE names the metric */
	int metric = s && rule && !names_something(u, rule) &&
		     names_metric(u, rule);
	if (rule && !names_something(u, rule) && !metric) {
		const char *hint = closest_rule(c->doc, u, rule, s != NULL);
		return up_err(err, UP_EINPUT, "unit '%s' has no %s '%s' in "
			      "cycle %lld%s%s%s", unit, s ? "gate, rule or "
			      "metric" : "gate or rule", rule,
			      (long long)c->number, hint ? " (did you mean '"
			      : "", hint ? hint : "", hint ? "'?)" : "");
	}
	json_t *metrics = NULL;
	if (s && (!rule || metric)) {
		metrics = explained_metrics(c, s, p, u, rule, err);
		if (!metrics)
			return up_error_code(err) ? up_error_code(err)
						  : UP_EINTERNAL;
	}
	if (flags & UP_PRINT_JSON) {
		json_t *j = rule ? narrowed(u, rule) : json_deep_copy(u);
		annotate(c->doc, j);
		if (metrics)
			json_object_set(j, "metrics", metrics);
		json_t *mv = json_object_get(c->moves, unit);
		if (mv)
			json_object_set(j, "advanced_since", mv);
		int rc = dump(j, fp);
		json_decref(j);
		json_decref(metrics);
		return rc;
	}
	fprintf(fp, "%s (%s), stage %s: cycle %lld as of %s\n",
		str(u, "id"), str(u, "name"), str(u, "stage"),
		(long long)c->number, str(c->doc, "as_of"));
	explain_decided(fp, c, u);
	json_t *g = first_gate(u);
	if (!metric) { /* else the metric alone */
		if (g)
			print_gate(fp, c->doc, g, rule, flags);
		else if (!rule)
			fputs("no gate: the unit is in the last stage\n", fp);
		if (!rule) /* a gate without criteria ended in a gap */
			print_conditions(fp, u, !g || json_array_size(
				json_object_get(g, "criteria")), flags);
		print_findings(fp, c->doc, u, rule, flags);
	}
	print_metrics(fp, metrics, metric ? "" : ends_in_gap(u, g)
		      ? "metrics:\n" : "\nmetrics:\n", flags);
	json_decref(metrics);
	return UP_OK;
}

int up_explain_print(const up_cycle *c, const char *unit, const char *rule,
		     FILE *fp, unsigned flags, up_error *err)
{
	return explain(c, NULL, NULL, unit, rule, fp, flags, err);
}

int up_explain_print_metrics(const up_cycle *c, up_store *s,
			     const up_program *p, const char *unit,
			     const char *rule, FILE *fp, unsigned flags,
			     up_error *err)
{
	return explain(c, s, p, unit, rule, fp, flags, err);
}

/* ---- due ---- */

/* Who acts on reminder R, when that is not the person it is about: the
 * addressees of an escalation, a follow-up or a role's reminder. */
static char *due_to(const json_t *r)
{
	up_buf b = {0};
	up_buf_add(&b, "", 0);
	const json_t *to = json_object_get(r, "to");
	if (json_array_size(to) == 1 &&
	    !strcmp(json_string_value(json_array_get(to, 0)),
		    str(r, "person")))
		return b.buf;
	size_t i;
	json_t *v;
	json_array_foreach(to, i, v)
		up_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(v));
	return b.buf;
}

void up_print_due(const json_t *list, FILE *fp, unsigned flags)
{
	if (!json_array_size(list)) {
		fputs("nothing due\n", fp);
		return;
	}
	size_t i;
	json_t *r;
	int ww = 20, uw = 4; /* ids are free text; other columns are bounded */
	json_array_foreach(list, i, r) {
		int n = (int)strlen(*str(r, "person") ? str(r, "person")
						      : str(r, "role"));
		ww = n > ww ? n : ww;
		n = (int)strlen(str(r, "unit"));
		uw = n > uw ? n : uw;
	}
	fprintf(fp, "%-16s  %-10s  %-10s  %-18s  %-*s  %-*s  %s\n", "ID", "DUE",
		"STATE", "KIND", ww, "WHO", uw, "UNIT", "TO");
	json_array_foreach(list, i, r) {
		const char *who = *str(r, "person") ? str(r, "person")
						    : str(r, "role");
		char *to = due_to(r);
		fprintf(fp, "%-16s  %-10s  ", str(r, "id"), str(r, "due"));
		word(fp, str(r, "state"), 10, flags);
		/* no padding after the last column */
		if (*to)
			up_print_text(fp, "  %-18s  %-*s  %-*s  %s\n",
				      str(r, "kind"), ww, who, uw,
				      str(r, "unit"), to);
		else
			up_print_text(fp, "  %-18s  %-*s  %s\n", str(r, "kind"),
				      ww, who, str(r, "unit"));
		free(to);
	}
}
