/*
 * report_md.c: the report as Markdown, for email: the same content as the
 * HTML page, with each run chart as one line of text (a sparkline, the
 * latest value, plan, target, status and signals).
 */
#include <string.h>

#include "dashboard.h"

enum { SPARK_MAX = 24 };

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

/* Whether the character at S (in T) would format, link, open HTML or end
 * a table cell.  '_' inside a word and '&' before no name are plain
 * text, and stay unescaped for whoever reads the Markdown as text. */
static int special(const char *t, const char *s)
{
	if (strchr("\\`*[]<|#", *s))
		return 1;
	if (*s == '_')
		return s == t || !word_char(s[-1]) || !word_char(s[1]);
	if (*s == '&')
		return word_char(s[1]) || s[1] == '#';
	return *s == '>' && s == t;
}

/* Text escaped for Markdown; line breaks become spaces. */
static void md(FILE *fp, const char *t)
{
	for (const char *s = t; s && *s; s++) {
		if (special(t, s))
			fputc('\\', fp);
		fputc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, fp);
	}
}

/* An id in a code span: nothing in it may end the span or the cell. */
static void code(FILE *fp, const char *s)
{
	fputc('`', fp);
	for (; s && *s; s++)
		fputc(strchr("`|\n\r", *s) ? '?' : *s, fp);
	fputc('`', fp);
}

static void cols(FILE *fp, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "| %s ", names[i] + (names[i][0] == '#'));
	fputs("|\n", fp);
	for (size_t i = 0; i < n; i++)
		fputs(names[i][0] == '#' ? "|--:" : "|---", fp);
	fputs("|\n", fp);
}

/* The unit's name and id, indented by its depth in the tree. */
static void unit_cell(FILE *fp, const json_t *row, const char *idk)
{
	long long d = up_dash_int(row, "depth");
	fputs("| ", fp);
	for (long long i = 1; i < d && i < 5; i++)
		fputs("\xc2\xa0\xc2\xa0", fp); /* no-break spaces survive */
	if (d)
		fputs("\xe2\x86\xb3 ", fp); /* an arrow: below the one above */
	md(fp, up_dash_str(row, "name"));
	if (idk && *up_dash_str(row, idk)) {
		fputc(' ', fp);
		code(fp, up_dash_str(row, idk));
	}
	fputc(' ', fp);
}

static void words(FILE *fp, const char *s)
{
	char w[64];
	up_dash_words(s, w, sizeof w);
	md(fp, w);
}

static void words_list(FILE *fp, const json_t *list)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		fputs(i ? ", " : "", fp);
		words(fp, json_string_value(x));
	}
}

/* ---- header and summary ---- */

static void top(FILE *fp, const json_t *d)
{
	const char *title = up_dash_str(d, "title");
	const char *org = up_dash_str(d, "organization");
	fputs("# ", fp);
	md(fp, *title ? title : up_dash_str(d, "program"));
	fputs("\n\n", fp);
	if (*org) { /* bold: no organisation's name may start a list */
		fputs("**", fp);
		md(fp, org);
		fputs("** · ", fp);
	}
	fputs("program ", fp);
	code(fp, up_dash_str(d, "program"));
	fprintf(fp, " · cycle %lld as of ", up_dash_int(d, "cycle"));
	md(fp, up_dash_str(d, "as_of"));
	fputs(" (run ", fp);
	md(fp, up_dash_str(d, "ran_at"));
	fputs(")\n", fp);
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(d, "packs"), i, k) {
		fputs(i ? ", " : "\nPacks: ", fp);
		md(fp, up_dash_str(k, "name"));
		fputc(' ', fp);
		md(fp, up_dash_str(k, "version"));
	}
	fputs(json_array_size(json_object_get(d, "packs")) ? "\n" : "", fp);
}

static void summary(FILE *fp, const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	fprintf(fp, "\n## Summary\n\n- %lld units",
		up_dash_int(s, "units"));
	const char *k;
	json_t *v;
	int i = 0;
	json_object_foreach(json_object_get(s, "decisions"), k, v)
		fprintf(fp, "%s %lld %s", i++ ? "," : ":",
			(long long)json_integer_value(v),
			up_dash_decision_label(k));
	i = 0;
	json_object_foreach(json_object_get(s, "findings"), k, v) {
		fprintf(fp, "%s%lld ", i++ ? ", " : "\n- findings: ",
			(long long)json_integer_value(v));
		md(fp, k);
	}
	if (!i)
		fputs("\n- no findings", fp);
	fprintf(fp, "\n- %lld rule errors\n", up_dash_int(s, "errors"));
}

/* ---- the gate board ---- */

static void marks(FILE *fp, const json_t *row)
{
	size_t nw = json_array_size(json_object_get(row, "waivers"));
	long long strikes = up_dash_int(row, "strikes");
	if (nw)
		fprintf(fp, " \\[%zu waived\\]", nw);
	if (json_object_get(row, "override"))
		fputs(" \\[override\\]", fp);
	if (strikes)
		fprintf(fp, " \\[%lld strike%s\\]", strikes,
			strikes == 1 ? "" : "s");
}

/* The decision in the unit's stage; STAGE names a stage the program no
 * longer lists. */
static void current_cell(FILE *fp, const json_t *row, const char *stage)
{
	json_t *score = json_object_get(row, "score");
	fputs("| ", fp);
	if (stage) {
		md(fp, stage);
		fputs(": ", fp);
	}
	fputs("**", fp);
	md(fp, up_dash_decision_label(up_dash_str(row, "decision")));
	fputs("**", fp);
	if (json_is_number(score))
		fprintf(fp, " %.2f", json_number_value(score));
	marks(fp, row);
	fputc(' ', fp);
}

static void board_row(FILE *fp, const json_t *row, const json_t *stages)
{
	const char *stage = up_dash_str(row, "stage");
	size_t cur = json_array_size(stages), i;
	json_t *s;
	json_array_foreach(stages, i, s)
		if (!strcmp(json_string_value(s), stage))
			cur = i;
	unit_cell(fp, row, "id");
	for (i = 0; i < json_array_size(stages); i++) {
		if (i == cur)
			current_cell(fp, row, NULL);
		else
			fputs(i < cur ? "| · " : "| ", fp);
	}
	if (cur == json_array_size(stages))
		current_cell(fp, row, stage);
	fprintf(fp, "| %lld |\n", up_dash_int(row, "findings"));
}

static void board(FILE *fp, const json_t *d)
{
	const json_t *stages = json_object_get(d, "stages");
	fputs("\n## Gate board\n\nEach unit's current stage holds the decision"
	      " at its next gate and the should-meet score; · marks the "
	      "stages behind it; \\[waived\\], \\[override\\] and "
	      "\\[strikes\\] mark criteria waived, advances against the gate "
	      "and conditions missed after their date.\n\n| Unit ", fp);
	size_t i;
	json_t *s, *row;
	json_array_foreach(stages, i, s) {
		fputs("| ", fp);
		md(fp, json_string_value(s));
		fputc(' ', fp);
	}
	fputs("| Findings |\n|---", fp);
	for (i = 0; i < json_array_size(stages); i++)
		fputs("|---", fp);
	fputs("|--:|\n", fp);
	json_array_foreach(json_object_get(d, "board"), i, row)
		board_row(fp, row, stages);
}

/* ---- why not go ---- */

static void why_items(FILE *fp, const json_t *row)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(row, "failed"), i, c) {
		fputs("  - ", fp);
		md(fp, up_dash_str(c, "status"));
		fputs(json_is_true(json_object_get(c, "must"))
		      ? " must-meet " : " should-meet ", fp);
		code(fp, up_dash_str(c, "rule"));
		fputs(": ", fp);
		md(fp, up_dash_str(c, "message"));
		fputc('\n', fp);
	}
	json_array_foreach(json_object_get(row, "waivers"), i, c) {
		fputs("  - waived ", fp);
		code(fp, up_dash_str(c, "rule"));
		up_dash_who_why(fp, c, md);
		fputc('\n', fp);
	}
	if (json_object_get(row, "override")) {
		fputs("  - override", fp);
		up_dash_who_why(fp, json_object_get(row, "override"),
				md);
		fputc('\n', fp);
	}
	json_array_foreach(json_object_get(row, "conditions"), i, c) {
		long long n = up_dash_int(c, "strikes");
		fputs("  - condition ", fp);
		code(fp, up_dash_str(c, "rule"));
		fputs(" due ", fp);
		md(fp, up_dash_str(c, "due"));
		if (*up_dash_str(c, "status")) {
			fputs(" (", fp);
			md(fp, up_dash_str(c, "status"));
			fputc(')', fp);
		}
		fprintf(fp, ": %lld strike%s\n", n,
			n == 1 ? "" : "s");
	}
}

static void why_not_go(FILE *fp, const json_t *d)
{
	size_t i, n = 0;
	json_t *row;
	json_array_foreach(json_object_get(d, "board"), i, row) {
		const char *dec = up_dash_str(row, "decision");
		if (!((*dec && strcmp(dec, "go")) ||
		      json_array_size(json_object_get(row, "waivers")) ||
		      json_object_get(row, "override") ||
		      json_array_size(json_object_get(row, "conditions"))))
			continue;
		fputs(n++ ? "- **" : "\n### Why not go, waivers, overrides "
		      "and conditions\n\n- **", fp);
		md(fp, up_dash_str(row, "name"));
		fputs("** ", fp);
		code(fp, up_dash_str(row, "id"));
		fputs(": **", fp);
		md(fp, up_dash_decision_label(dec));
		fputs("**", fp);
		if (*up_dash_str(row, "gate")) {
			fputs(" at ", fp);
			code(fp, up_dash_str(row, "gate"));
			fputs(": ", fp);
			md(fp, up_dash_str(row, "reason"));
		}
		fputc('\n', fp);
		why_items(fp, row);
	}
}

/* ---- what changed ---- */

static void change_cell(FILE *fp, const json_t *x, const up_dash_column *c)
{
	char head[13];
	const char *s = up_dash_change_text(x, c, head);
	fputs("| ", fp);
	if (c->kind == UP_COL_UNIT && !s)
		fputs("organisation", fp);
	else if (!s)
		fputs("none", fp);
	else if (c->kind == UP_COL_DECISION)
		md(fp, up_dash_decision_label(s));
	else if (c->kind == UP_COL_STATUS)
		words(fp, s);
	else if (c->kind == UP_COL_TEXT)
		md(fp, s);
	else
		code(fp, s);
	fputc(' ', fp);
}

static void change_table(FILE *fp, const json_t *list,
			 const up_dash_table *t)
{
	size_t rows = json_array_size(list);
	if (!rows)
		return;
	fprintf(fp, "\n### %s (%zu)\n\n", t->title, rows);
	for (size_t k = 0; k < t->ncols; k++)
		fprintf(fp, "| %s ", t->cols[k].head);
	fputs("|\n", fp);
	for (size_t k = 0; k < t->ncols; k++)
		fputs("|---", fp);
	fputs("|\n", fp);
	for (size_t i = 0; i < rows && i < UP_DASH_MAX_CHANGES; i++) {
		for (size_t k = 0; k < t->ncols; k++)
			change_cell(fp, json_array_get(list, i), &t->cols[k]);
		fputs("|\n", fp);
	}
	if (rows > UP_DASH_MAX_CHANGES)
		fprintf(fp, "\nand %zu more: see `uptake history --diff`.\n",
			rows - UP_DASH_MAX_CHANGES);
}

static int nothing_changed(const json_t *c)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)c, k, v)
		if (json_is_array(v) && json_array_size(v))
			return 0;
	return 1;
}

static void changes(FILE *fp, const json_t *d)
{
	const json_t *c = json_object_get(d, "changes");
	if (!json_is_object(c)) {
		fputs("\n## What changed\n\nThis is the first stored cycle: "
		      "there is nothing to compare it with.\n", fp);
		return;
	}
	const json_t *from = json_object_get(c, "from");
	fprintf(fp, "\n## What changed since cycle %lld (as of ",
		up_dash_int(from, "cycle"));
	md(fp, up_dash_str(from, "as_of"));
	fputs(")\n", fp);
	if (nothing_changed(c))
		fputs("\nNothing changed.\n", fp);
	for (size_t i = 0; i < up_dash_nchange_tables; i++)
		change_table(fp, json_object_get(c,
			     up_dash_change_tables[i].list),
			     &up_dash_change_tables[i]);
}

/* ---- metrics ---- */

/* The series' shape in block characters, lowest to highest value. */
static void sparkline(FILE *fp, const json_t *points)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆",
					   "▇", "█"};
	size_t n = json_array_size(points), from = n > SPARK_MAX
		? n - SPARK_MAX : 0;
	double lo = 0, hi = 0;
	for (size_t i = from; i < n; i++) {
		double v = json_number_value(json_object_get(
			json_array_get(points, i), "value"));
		lo = i == from || v < lo ? v : lo;
		hi = i == from || v > hi ? v : hi;
	}
	if (from)
		fputs("…", fp);
	for (size_t i = from; i < n; i++) {
		double v = json_number_value(json_object_get(
			json_array_get(points, i), "value"));
		int k = hi > lo ? (int)((v - lo) / (hi - lo) * 7 + 0.5) : 3;
		fputs(bars[k < 0 ? 0 : k > 7 ? 7 : k], fp);
	}
}

static void series_row(FILE *fp, const json_t *s, int percent)
{
	char v[32], e[32], t[32];
	up_dash_number(json_object_get(s, "value"), percent, v);
	up_dash_number(json_object_get(s, "expected"), percent, e);
	up_dash_number(json_object_get(s, "target"), percent, t);
	unit_cell(fp, s, "unit");
	fputs("| ", fp);
	sparkline(fp, json_object_get(s, "points"));
	fprintf(fp, " | %s", v);
	if (*up_dash_str(s, "period") &&
	    json_is_number(json_object_get(s, "value"))) {
		fputs(" (", fp);
		md(fp, up_dash_str(s, "period"));
		fputc(')', fp);
	}
	fprintf(fp, " | %s | %s | ", e, t);
	words(fp, *up_dash_str(s, "status") ? up_dash_str(s, "status")
	      : "no_data");
	fputs(" | ", fp);
	words_list(fp, json_object_get(s, "signals"));
	fputs(json_is_true(json_object_get(s, "differs"))
	      ? " (judged again with program.yaml as it is now: differs "
		"from the cycle)" : "", fp);
	fputs(" |\n", fp);
}

static void metric(FILE *fp, const json_t *d, const json_t *m)
{
	static const char *const names[] = {"Unit", "Trend", "#Latest",
		"#Plan", "#Target", "Status", "Signals"};
	const char *title = up_dash_str(m, "title");
	fputs("\n### ", fp);
	if (*title) {
		md(fp, title);
		fputc(' ', fp);
	}
	code(fp, up_dash_str(m, "metric"));
	if (!strcmp(up_dash_str(m, "kind"), "computed")) {
		fputs("\n\nComputed by a rule: one point per stored cycle up "
		      "to this one.\n\n", fp);
	} else {
		fputs("\n\nPoints: the observations in the store, summed per "
		      "period and rolled up the unit tree as the cycle does, as"
		      " of ", fp);
		md(fp, up_dash_str(d, "as_of"));
		fputs("; only complete periods count.\n\n", fp);
	}
	cols(fp, names, UP_COUNTOF(names));
	int percent = json_is_true(json_object_get(m, "percent"));
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(m, "series"), i, s)
		series_row(fp, s, percent);
}

static void metrics(FILE *fp, const json_t *d)
{
	const json_t *list = json_object_get(d, "metrics");
	if (!json_array_size(list))
		return;
	fprintf(fp, "\n## Success metrics\n\nEach series as text: its trend "
		"(the last %d points at most, lowest ▁ to highest █), the "
		"latest value, the plan for that period, the target, the "
		"status and the run-chart signals. The organisation comes "
		"first.\n", SPARK_MAX);
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
		metric(fp, d, m);
}

/* ---- training ---- */

static void coverage_table(FILE *fp, const json_t *t)
{
	static const char *const names[] = {"Unit", "#People", "#Trained",
		"#Coverage", "#Due", "#Overdue", "#Escalated"};
	fprintf(fp, "\n## Training coverage and reminders\n\nPeople of each "
		"unit and the units below it, and those with a session in "
		"the last %lld days.\n\n", up_dash_int(t, "days"));
	cols(fp, names, UP_COUNTOF(names));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(t, "units"), i, r) {
		char share[32];
		up_dash_number(json_object_get(r, "share"), 1, share);
		unit_cell(fp, r, "unit");
		fprintf(fp, "| %lld | %lld | %s | %lld | %lld | %lld |\n",
			up_dash_int(r, "people"),
			up_dash_int(r, "trained"),
			share,
			up_dash_int(r, "due"),
			up_dash_int(r, "overdue"),
			up_dash_int(r, "escalated"));
	}
}

static void reminders(FILE *fp, const json_t *t)
{
	static const char *const names[] = {"Due", "State", "Kind", "Who",
					    "Unit", "Note"};
	const json_t *list = json_object_get(t, "reminders");
	if (!json_array_size(list)) {
		fputs("\nNothing due, overdue or escalated.\n", fp);
		return;
	}
	fputs("\n### Due, overdue and escalated\n\n", fp);
	cols(fp, names, UP_COUNTOF(names));
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		const char *who = *up_dash_str(r, "person")
			? up_dash_str(r, "person") : up_dash_str(r, "role");
		fputs("| ", fp);
		md(fp, up_dash_str(r, "due"));
		fputs(" | **", fp);
		md(fp, up_dash_str(r, "state"));
		fputs("** | ", fp);
		words(fp, up_dash_str(r, "kind"));
		fputs(" | ", fp);
		md(fp, who);
		fputs(" | ", fp);
		code(fp, up_dash_str(r, "unit"));
		fputs(" | ", fp);
		md(fp, up_dash_str(r, "note"));
		fputs(" |\n", fp);
	}
	long long more = up_dash_int(t, "more");
	if (more)
		fprintf(fp, "\nand %lld more: see `uptake due`.\n",
			more);
}

/* ---- findings and errors ---- */

static void finding_rows(FILE *fp, const json_t *items)
{
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) {
		fputs("| ", fp);
		code(fp, up_dash_str(x, "unit"));
		fputs(" | ", fp);
		md(fp, up_dash_str(x, "title"));
		fputs(*up_dash_str(x, "title") ? " " : "", fp);
		code(fp, up_dash_str(x, "rule"));
		fputs(" | ", fp);
		md(fp, up_dash_str(x, "status"));
		fputs(json_object_get(x, "waived") ? " \\[waived\\]" : "", fp);
		fputs(" | ", fp);
		md(fp, up_dash_str(x, "message"));
		fputs(" |\n", fp);
	}
}

static void findings(FILE *fp, const json_t *d)
{
	static const char *const names[] = {"Unit", "Check", "Status",
					    "Message"};
	const json_t *groups = json_object_get(d, "findings");
	fputs("\n## Findings by severity\n", fp);
	if (!json_array_size(groups))
		fputs("\nNo findings.\n", fp);
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g) {
		const json_t *items = json_object_get(g, "items");
		fputs("\n### Severity ", fp);
		md(fp, up_dash_str(g, "severity"));
		fprintf(fp, " (%zu)\n\n", json_array_size(items));
		cols(fp, names, UP_COUNTOF(names));
		finding_rows(fp, items);
	}
}

static void errors(FILE *fp, const json_t *d)
{
	static const char *const names[] = {"Unit", "Rule", "Message"};
	const json_t *list = json_object_get(d, "errors");
	if (!json_array_size(list))
		return;
	fputs("\n## Rule errors\n\nRules that failed to run: their criteria "
	      "count as errors.\n\n", fp);
	cols(fp, names, UP_COUNTOF(names));
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		fputs("| ", fp);
		md(fp, up_dash_str(e, "unit"));
		fputs(" | ", fp);
		code(fp, up_dash_str(e, "rule"));
		fputs(" | ", fp);
		md(fp, up_dash_str(e, "message"));
		fputs(" |\n", fp);
	}
}

int up_dashboard_md(const json_t *d, FILE *fp)
{
	top(fp, d);
	summary(fp, d);
	board(fp, d);
	why_not_go(fp, d);
	changes(fp, d);
	metrics(fp, d);
	coverage_table(fp, json_object_get(d, "training"));
	reminders(fp, json_object_get(d, "training"));
	findings(fp, d);
	errors(fp, d);
	fprintf(fp, "\n---\n\nWritten by uptake from cycle %lld of ",
		up_dash_int(d, "cycle"));
	code(fp, up_dash_str(d, "program"));
	fputs(".\n", fp);
	return ferror(fp) ? UP_EINTERNAL : UP_OK;
}
