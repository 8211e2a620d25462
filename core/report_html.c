/*
 * report_html.c: the report as one self-contained HTML page: inline CSS
 * and SVG, no script, nothing fetched (its Content-Security-Policy
 * forbids it), readable on a phone and printable.
 */
#include <string.h>

#include "dashboard.h"

#define esc up_html_puts

static const char css[] =
	":root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;"
	"--panel:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\","
	"Roboto,\"Helvetica Neue\",Arial,sans-serif;color:var(--ink);"
	"background:#fff}\n"
	"header.top{background:#0b3d5c;color:#fff;padding:16px 20px}\n"
	"header.top h1{margin:0 0 4px;font-size:1.5em;line-height:1.2}\n"
	"header.top p{margin:2px 0;color:#e8f0f5}"
	"header.top code{color:#fff}\n"
	"main{max-width:1280px;margin:0 auto;padding:4px 20px 32px}\n"
	"footer{max-width:1280px;margin:0 auto;padding:8px 20px 24px;"
	"color:var(--muted);font-size:.85em}\n"
	"section{margin:24px 0}\n"
	"h2{font-size:1.3em;border-bottom:2px solid var(--line);"
	"padding-bottom:4px;margin:0 0 12px}\n"
	"h3{font-size:1.05em;margin:20px 0 8px}\n"
	"code{font-size:.88em;color:var(--muted)}\n"
	".cards{display:flex;flex-wrap:wrap;gap:10px;padding:0;margin:0;"
	"list-style:none}\n"
	".cards li{border:1px solid var(--line);border-radius:6px;"
	"padding:6px 12px;min-width:7em}"
	".cards li:not([class]){background:var(--panel)}\n"
	".cards b{display:block;font-size:1.5em}\n"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;"
	"max-width:100%}\n"
	"table{border-collapse:collapse;font-size:.92em;margin:4px 0}\n"
	"th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;"
	"vertical-align:top}\n"
	"thead th{background:var(--panel)}\n"
	"caption{text-align:left;font-weight:600;padding:4px 0}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"th[scope=row] code{white-space:nowrap}\n"
	"table.board th[scope=row]{white-space:nowrap;font-weight:normal;"
	"position:sticky;left:0;background:#fff;z-index:1}\n"
	"table.board td.cell{min-width:7.5em;text-align:center}\n"
	"table.board td.past{background:#e9edf1}\n"
	".d1{padding-left:1.4em}.d2{padding-left:2.6em}"
	".d3{padding-left:3.8em}.d4{padding-left:5em}\n"
	".dec-go{background:#d3f3da;color:#0b4a1c}\n"
	".dec-conditional_go{background:#fff0b3;color:#553e00}\n"
	".dec-hold{background:#ffdcb8;color:#652c00}\n"
	".dec-recycle{background:#ffd3d3;color:#730c0c}\n"
	".dec-kill{background:#730c0c;color:#fff}\n"
	".dec-none{background:#e9edf1;color:#24292f}\n"
	".st-met,.st-on_track{background:#d3f3da;color:#0b4a1c}\n"
	".st-at_risk,.st-baseline{background:#fff0b3;color:#553e00}\n"
	".st-off_track{background:#ffd3d3;color:#730c0c}\n"
	".st-no_data{background:#e9edf1;color:#24292f}\n"
	".pill{display:inline-block;border-radius:3px;padding:0 5px;"
	"font-weight:600}\n"
	".badge{display:inline-block;border:1px solid currentColor;"
	"border-radius:3px;padding:0 4px;margin:1px 2px;font-size:.8em;"
	"font-weight:600}\n"
	".sev-critical,.sev-high{color:#730c0c}\n"
	".legend{display:flex;flex-wrap:wrap;gap:6px 14px;list-style:none;"
	"padding:0;margin:8px 0;font-size:.88em}\n"
	".legend .pill{min-width:5.5em;text-align:center}\n"
	".key{display:inline-block;width:26px;vertical-align:middle;"
	"margin-right:4px}\n"
	".k-val{border-top:2px solid #24292f}"
	".k-plan{border-top:2px dashed #0969da}"
	".k-target{border-top:3px solid #1a7f37}"
	".k-median{border-top:2px dotted #6e7781}"
	".k-sig{width:10px;height:10px;background:#c2410c;"
	"transform:rotate(45deg);margin:0 10px 0 6px}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fill,"
	"minmax(260px,1fr));gap:12px}\n"
	"figure{margin:0;border:1px solid var(--line);border-radius:6px;"
	"padding:8px;background:#fff;break-inside:avoid}\n"
	"figure.rollup{max-width:820px;margin-bottom:12px}\n"
	"figcaption{font-size:.85em;margin-top:4px}\n"
	"figcaption .who{font-weight:600}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	".c-grid{stroke:#e4e8ec;stroke-width:1}\n"
	".c-axis{fill:#57606a}\n"
	".c-target{stroke:#1a7f37;stroke-width:2}\n"
	".c-plan{fill:none;stroke:#0969da;stroke-width:1.5;"
	"stroke-dasharray:6 4}\n"
	".c-median{stroke:#6e7781;stroke-width:1.2;stroke-dasharray:2 3}\n"
	".c-val{fill:none;stroke:#24292f;stroke-width:1.6}\n"
	".c-pt{fill:#24292f}\n"
	".c-sig{fill:#c2410c;stroke:#fff;stroke-width:.8}\n"
	".c-latest{fill:#24292f;font-weight:600}\n"
	".nodata{color:var(--muted);margin:24px 0;text-align:center}\n"
	".note{color:var(--muted);font-size:.88em}\n"
	".sr-only{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap}\n"
	"ul.why{padding-left:1.2em}ul.why ul{padding-left:1.2em}\n"
	"section>ul,figcaption{overflow-wrap:anywhere}\n"
	"@media (max-width:640px){body{font-size:14px}"
	"main,footer{padding-left:10px;padding-right:10px}"
	"header.top{padding:12px 10px}header.top h1{font-size:1.25em}"
	".charts{grid-template-columns:1fr}"
	".cards li{flex:1 1 6.5em;min-width:0}"
	"table.board th[scope=row]{white-space:normal;min-width:10em}"
	"table.board th[scope=row] code{display:block}"
	".d1{padding-left:.9em}.d2{padding-left:1.5em}"
	".d3{padding-left:2.1em}.d4{padding-left:2.7em}}\n"
	"@media print{body{font-size:10pt}"
	"header.top{background:none;color:#000;padding:0 0 6px;"
	"border-bottom:2px solid #000}"
	"header.top p,header.top code{color:#000}"
	"table{font-size:8.5pt}table.board td.cell{min-width:0}"
	"table.board th[scope=row]{white-space:normal;position:static}"
	"main,footer{max-width:none;padding:0}"
	".scroll{overflow:visible}"
	".charts{grid-template-columns:repeat(3,1fr)}"
	"h2,h3{break-after:avoid}tr,figure{break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

/* ---- small pieces ---- */

static void el(FILE *fp, const char *tag, const char *cls, const char *s)
{
	fprintf(fp, "<%s%s%s%s>", tag, cls ? " class=\"" : "", cls ? cls : "",
		cls ? "\"" : "");
	esc(fp, s);
	fprintf(fp, "</%s>", tag);
}

static void th_cols(FILE *fp, const char *const *cols, size_t n)
{
	fputs("<thead><tr>", fp);
	for (size_t i = 0; i < n; i++) {
		int num = cols[i][0] == '#';
		fprintf(fp, "<th scope=\"col\"%s>", num ? " class=\"n\"" : "");
		esc(fp, cols[i] + num);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n", fp);
}

static void pill(FILE *fp, const char *prefix, const char *word,
		 const char *text)
{
	fprintf(fp, "<span class=\"pill %s", prefix);
	esc(fp, word);
	fputs("\">", fp);
	esc(fp, text);
	fputs("</span>", fp);
}

static void status_pill(FILE *fp, const char *status)
{
	char w[64];
	up_dash_words(*status ? status : "no_data", w, sizeof w);
	pill(fp, "st-", *status ? status : "no_data", w);
}

static void decision_pill(FILE *fp, const char *decision)
{
	const char *d = decision && *decision ? decision : "none";
	pill(fp, "dec-", d, up_dash_decision_label(decision));
}

static void words_list(FILE *fp, const json_t *list)
{
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x) {
		char w[64];
		up_dash_words(json_string_value(x), w, sizeof w);
		fputs(i ? ", " : "", fp);
		esc(fp, w);
	}
}

static int depth_of(const json_t *o)
{
	long long d = up_dash_int(o, "depth");
	return d > 4 ? 4 : (int)d;
}

/* The unit's name and id in a row header, indented by its depth. */
static void unit_th(FILE *fp, const json_t *row, const char *idk)
{
	fprintf(fp, "<th scope=\"row\" class=\"d%d\">", depth_of(row));
	esc(fp, up_dash_str(row, "name"));
	fputs(" <code>", fp);
	esc(fp, up_dash_str(row, idk));
	fputs("</code></th>", fp);
}

/* ---- header and summary ---- */

static void page_head(FILE *fp, const json_t *d)
{
	const char *title = up_dash_str(d, "title");
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\""
	      "utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,"
	      " initial-scale=1\">\n<meta http-equiv=\"Content-Security-"
	      "Policy\" content=\"default-src 'none'; style-src "
	      "'unsafe-inline'\">\n<title>", fp);
	esc(fp, *title ? title : up_dash_str(d, "program"));
	fprintf(fp, ": cycle %lld</title>\n<style>\n%s</style>\n</head>\n"
		"<body>\n", up_dash_int(d, "cycle"), css);
}

static void packs_line(FILE *fp, const json_t *d)
{
	const json_t *packs = json_object_get(d, "packs");
	if (!json_array_size(packs))
		return;
	fputs("<p>Packs: ", fp);
	size_t i;
	json_t *k;
	json_array_foreach(packs, i, k) {
		fputs(i ? ", " : "", fp);
		esc(fp, up_dash_str(k, "name"));
		fputc(' ', fp);
		esc(fp, up_dash_str(k, "version"));
	}
	fputs("</p>\n", fp);
}

static void top(FILE *fp, const json_t *d)
{
	const char *title = up_dash_str(d, "title");
	const char *org = up_dash_str(d, "organization");
	fputs("<header class=\"top\">\n", fp);
	el(fp, "h1", NULL, *title ? title : up_dash_str(d, "program"));
	fputs("\n<p>", fp);
	if (*org) {
		esc(fp, org);
		fputs(" &middot; ", fp);
	}
	fputs("program <code>", fp);
	esc(fp, up_dash_str(d, "program"));
	fprintf(fp, "</code> &middot; cycle %lld as of <time>",
		up_dash_int(d, "cycle"));
	esc(fp, up_dash_str(d, "as_of"));
	fputs("</time> (run ", fp);
	esc(fp, up_dash_str(d, "ran_at"));
	fputs(")</p>\n", fp);
	packs_line(fp, d);
	fputs("</header>\n<main>\n", fp);
}

/* A number and what it counts; a decision's count in its colour. */
static void card(FILE *fp, long long n, const char *decision,
		 const char *what)
{
	fputs(decision ? "<li class=\"dec-" : "<li", fp);
	esc(fp, decision);
	fprintf(fp, "%s><b>%lld</b>", decision ? "\"" : "", n);
	esc(fp, what);
	fputs("</li>", fp);
}

static void summary(FILE *fp, const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	fputs("<section id=\"summary\" aria-labelledby=\"h-summary\">\n"
	      "<h2 id=\"h-summary\">Summary</h2>\n<ul class=\"cards\">", fp);
	card(fp, up_dash_int(s, "units"), NULL, "units");
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(s, "decisions"), k, v)
		card(fp, json_integer_value(v), k, up_dash_decision_label(k));
	json_object_foreach(json_object_get(s, "findings"), k, v) {
		char w[80];
		snprintf(w, sizeof w, "%s-severity findings", k);
		card(fp, json_integer_value(v), NULL, w);
	}
	card(fp, up_dash_int(s, "errors"), NULL, "rule errors");
	fputs("</ul>\n</section>\n", fp);
}

/* ---- why not go ---- */

static void why_items(FILE *fp, const json_t *row)
{
	size_t i;
	json_t *c;
	fputs("<ul>", fp);
	json_array_foreach(json_object_get(row, "failed"), i, c) {
		fputs("<li>", fp);
		el(fp, "strong", NULL, up_dash_str(c, "status"));
		fputs(json_is_true(json_object_get(c, "must"))
		      ? " must-meet " : " should-meet ", fp);
		el(fp, "code", NULL, up_dash_str(c, "rule"));
		fputs(": ", fp);
		esc(fp, up_dash_str(c, "message"));
		fputs("</li>", fp);
	}
	json_array_foreach(json_object_get(row, "waivers"), i, c) {
		fputs("<li><strong>waived</strong> ", fp);
		el(fp, "code", NULL, up_dash_str(c, "rule"));
		up_dash_who_why(fp, c, up_html_puts);
		fputs("</li>", fp);
	}
	if (json_object_get(row, "override")) {
		fputs("<li><strong>override</strong>", fp);
		up_dash_who_why(fp, json_object_get(row, "override"),
				up_html_puts);
		fputs("</li>", fp);
	}
	json_array_foreach(json_object_get(row, "conditions"), i, c) {
		long long n = up_dash_int(c, "strikes");
		fputs("<li><strong>condition</strong> ", fp);
		el(fp, "code", NULL, up_dash_str(c, "rule"));
		fputs(" due ", fp);
		esc(fp, up_dash_str(c, "due"));
		if (*up_dash_str(c, "status")) {
			fputs(" (", fp);
			esc(fp, up_dash_str(c, "status"));
			fputc(')', fp);
		}
		fprintf(fp, ": %lld strike%s</li>", n,
			n == 1 ? "" : "s");
	}
	fputs("</ul>", fp);
}

static int worth_explaining(const json_t *row)
{
	const char *dec = up_dash_str(row, "decision");
	return (*dec && strcmp(dec, "go")) ||
	       json_array_size(json_object_get(row, "waivers")) ||
	       json_object_get(row, "override") ||
	       json_array_size(json_object_get(row, "conditions"));
}

static void why_not_go(FILE *fp, const json_t *d)
{
	size_t i, n = 0;
	json_t *row;
	json_array_foreach(json_object_get(d, "board"), i, row) {
		if (!worth_explaining(row))
			continue;
		if (!n++)
			fputs("<h3>Why not go, waivers, overrides and "
			      "conditions</h3>\n<ul class=\"why\">\n", fp);
		fputs("<li>", fp);
		el(fp, "strong", NULL, up_dash_str(row, "name"));
		fputs(" <code>", fp);
		esc(fp, up_dash_str(row, "id"));
		fputs("</code> ", fp);
		decision_pill(fp, up_dash_str(row, "decision"));
		if (*up_dash_str(row, "gate")) {
			fputs(" at ", fp);
			el(fp, "code", NULL, up_dash_str(row, "gate"));
			fputs(": ", fp);
			esc(fp, up_dash_str(row, "reason"));
		}
		why_items(fp, row);
		fputs("</li>\n", fp);
	}
	if (n)
		fputs("</ul>\n", fp);
}

/* ---- the gate board ---- */

static void marks(FILE *fp, const json_t *row)
{
	size_t nw = json_array_size(json_object_get(row, "waivers"));
	long long strikes = up_dash_int(row, "strikes");
	if (nw)
		fprintf(fp, " <span class=\"badge\">%zu waived</span>", nw);
	if (json_object_get(row, "override"))
		fputs(" <span class=\"badge\">override</span>", fp);
	if (strikes)
		fprintf(fp, " <span class=\"badge\">%lld strike%s</span>",
			strikes, strikes == 1 ? "" : "s");
}

/* The decision in the unit's stage; STAGE names a stage the program no
 * longer lists. */
static void current_cell(FILE *fp, const json_t *row, const char *stage)
{
	const char *dec = up_dash_str(row, "decision");
	json_t *score = json_object_get(row, "score");
	fputs("<td class=\"cell dec-", fp);
	esc(fp, *dec ? dec : "none");
	fputs("\">", fp);
	if (stage) {
		esc(fp, stage);
		fputs(": ", fp);
	}
	fputs("<strong>", fp);
	esc(fp, up_dash_decision_label(dec));
	fputs("</strong>", fp);
	if (json_is_number(score))
		fprintf(fp, " %.2f", json_number_value(score));
	marks(fp, row);
	fputs("</td>", fp);
}

static void board_row(FILE *fp, const json_t *row, const json_t *stages)
{
	const char *stage = up_dash_str(row, "stage");
	size_t cur = json_array_size(stages), i;
	json_t *s;
	json_array_foreach(stages, i, s)
		if (!strcmp(json_string_value(s), stage))
			cur = i;
	fputs("<tr>", fp);
	unit_th(fp, row, "id");
	json_array_foreach(stages, i, s) {
		if (i < cur)
			fputs("<td class=\"past\"><span class=\"sr-only\">"
			      "earlier stage</span></td>", fp);
		else if (i == cur)
			current_cell(fp, row, NULL);
		else
			fputs("<td></td>", fp);
	}
	if (cur == json_array_size(stages))
		current_cell(fp, row, stage);
	fprintf(fp, "<td class=\"n\">%lld</td></tr>\n",
		up_dash_int(row, "findings"));
}

static void legend(FILE *fp)
{
	static const char *const d[] = {"go", "conditional_go", "hold",
					"recycle", "kill", "none"};
	fputs("<ul class=\"legend\" aria-label=\"Legend\">", fp);
	for (size_t i = 0; i < UP_COUNTOF(d); i++) {
		fputs("<li>", fp);
		decision_pill(fp, strcmp(d[i], "none") ? d[i] : NULL);
		fputs("</li>", fp);
	}
	fputs("<li><span class=\"pill dec-none\">&nbsp;</span> grey cells: "
	      "stages behind the unit</li><li>the number: should-meet "
	      "score</li><li><span class=\"badge\">waived</span> criteria "
	      "waived</li><li><span class=\"badge\">override</span> advanced "
	      "against the gate</li><li><span class=\"badge\">strikes"
	      "</span> conditions missed after their date</li></ul>\n", fp);
}

static void board(FILE *fp, const json_t *d)
{
	const json_t *stages = json_object_get(d, "stages");
	fputs("<section id=\"board\" aria-labelledby=\"h-board\">\n"
	      "<h2 id=\"h-board\">Gate board</h2>\n", fp);
	legend(fp);
	fputs("<div class=\"scroll\">\n<table class=\"board\">\n<caption>"
	      "Current stage and decision at the next gate</caption>\n"
	      "<thead><tr><th scope=\"col\">Unit</th>", fp);
	size_t i;
	json_t *s, *row;
	json_array_foreach(stages, i, s) {
		fputs("<th scope=\"col\">", fp);
		esc(fp, json_string_value(s));
		fputs("</th>", fp);
	}
	fputs("<th scope=\"col\" class=\"n\">Findings</th></tr></thead>\n"
	      "<tbody>\n", fp);
	json_array_foreach(json_object_get(d, "board"), i, row)
		board_row(fp, row, stages);
	fputs("</tbody>\n</table>\n</div>\n", fp);
	why_not_go(fp, d);
	fputs("</section>\n", fp);
}

/* ---- what changed ---- */

static void change_cell(FILE *fp, const json_t *x, const up_dash_column *c)
{
	char head[13];
	const char *s = up_dash_change_text(x, c, head);
	if (c->kind == UP_COL_UNIT && !s)
		fputs("organisation", fp);
	else if (!s)
		fputs("<span class=\"note\">none</span>", fp);
	else if (c->kind == UP_COL_DECISION)
		decision_pill(fp, s);
	else if (c->kind == UP_COL_STATUS)
		status_pill(fp, s);
	else if (c->kind == UP_COL_TEXT)
		esc(fp, s);
	else
		el(fp, "code", NULL, s);
}

static void change_table(FILE *fp, const json_t *list,
			 const up_dash_table *t)
{
	size_t rows = json_array_size(list);
	if (!rows)
		return;
	fputs("<div class=\"scroll\"><table>\n<caption>", fp);
	esc(fp, t->title);
	fprintf(fp, " (%zu)</caption>\n<thead><tr>", rows);
	for (size_t k = 0; k < t->ncols; k++)
		fprintf(fp, "<th scope=\"col\">%s</th>", t->cols[k].head);
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t i = 0; i < rows && i < UP_DASH_MAX_CHANGES; i++) {
		for (size_t k = 0; k < t->ncols; k++) {
			fputs(k ? "<td>" : "<tr><th scope=\"row\">", fp);
			change_cell(fp, json_array_get(list, i), &t->cols[k]);
			fputs(k ? "</td>" : "</th>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table></div>\n", fp);
	if (rows > UP_DASH_MAX_CHANGES)
		fprintf(fp, "<p class=\"note\">and %zu more: see uptake "
			"history --diff.</p>\n", rows - UP_DASH_MAX_CHANGES);
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
	fputs("<section id=\"changes\" aria-labelledby=\"h-changes\">\n", fp);
	if (!json_is_object(c)) {
		fputs("<h2 id=\"h-changes\">What changed</h2>\n<p>This is the "
		      "first stored cycle: there is nothing to compare it "
		      "with.</p>\n</section>\n", fp);
		return;
	}
	const json_t *from = json_object_get(c, "from");
	fprintf(fp, "<h2 id=\"h-changes\">What changed since cycle %lld "
		"(as of ", up_dash_int(from, "cycle"));
	esc(fp, up_dash_str(from, "as_of"));
	fputs(")</h2>\n", fp);
	if (nothing_changed(c))
		fputs("<p>Nothing changed.</p>\n", fp);
	for (size_t i = 0; i < up_dash_nchange_tables; i++)
		change_table(fp, json_object_get(c,
			     up_dash_change_tables[i].list),
			     &up_dash_change_tables[i]);
	fputs("</section>\n", fp);
}

/* ---- metrics ---- */

static void chart_legend(FILE *fp)
{
	fputs("<ul class=\"legend\" aria-label=\"Chart legend\">"
	      "<li><span class=\"key k-val\"></span>value per period</li>"
	      "<li><span class=\"key k-sig\"></span>a point in the latest "
	      "shift (six or more on one side of the median) or trend (five "
	      "or more rising or falling)</li>"
	      "<li><span class=\"key k-median\"></span>median</li>"
	      "<li><span class=\"key k-plan\"></span>planned path</li>"
	      "<li><span class=\"key k-target\"></span>target</li></ul>\n",
	      fp);
}

/* "27.7% in 2026-10, plan 27.4%, target 30.0%". */
static void headline(const json_t *s, int percent, char *out, size_t n)
{
	char v[32], e[32], t[32];
	up_dash_number(json_object_get(s, "value"), percent, v);
	up_dash_number(json_object_get(s, "expected"), percent, e);
	up_dash_number(json_object_get(s, "target"), percent, t);
	const char *period = up_dash_str(s, "period");
	if (!json_is_number(json_object_get(s, "value")))
		snprintf(out, n, "no value; target %s", t);
	else
		snprintf(out, n, "%s%s%s, plan %s, target %s", v,
			 *period ? " in " : "", period, e, t);
}

static void caption(FILE *fp, const json_t *s, int percent)
{
	char h[160];
	headline(s, percent, h, sizeof h);
	fputs("<figcaption><span class=\"who\">", fp);
	esc(fp, up_dash_str(s, "name"));
	fputs("</span> ", fp);
	status_pill(fp, up_dash_str(s, "status"));
	fputs("<br>", fp);
	esc(fp, h);
	if (json_array_size(json_object_get(s, "signals"))) {
		fputs("<br>signals: ", fp);
		words_list(fp, json_object_get(s, "signals"));
	}
	if (json_is_true(json_object_get(s, "differs")))
		fputs("<br><span class=\"note\">The points are judged again "
		      "with program.yaml as it is now, which no longer gives "
		      "what the cycle stored.</span>", fp);
	fputs("</figcaption>", fp);
}

static void chart_label(const json_t *m, const json_t *s, int percent,
			char *out, size_t n)
{
	char h[160], st[64];
	headline(s, percent, h, sizeof h);
	up_dash_words(up_dash_str(s, "status"), st, sizeof st);
	snprintf(out, n, "Run chart of %s for %s: %zu points; "
		 "latest %s; %s", up_dash_str(m, "metric"), up_dash_str(s,
		 "name"), json_array_size(json_object_get(s, "points")), h,
		 st);
}

static void figure(FILE *fp, const json_t *m, const json_t *s, size_t mi,
		   size_t si)
{
	int percent = json_is_true(json_object_get(m, "percent"));
	int rollup = si == 0;
	fprintf(fp, "<figure%s>", rollup ? " class=\"rollup\"" : "");
	if (!json_array_size(json_object_get(s, "points"))) {
		fputs("<p class=\"nodata\">No data</p>", fp);
	} else {
		char id[48], label[600];
		snprintf(id, sizeof id, "chart-%zu-%zu", mi, si);
		chart_label(m, s, percent, label, sizeof label);
		up_svg_run_chart(fp, s, percent, id, label, rollup ? 640 : 320,
				 rollup ? 220 : 160);
	}
	caption(fp, s, percent);
	fputs("</figure>\n", fp);
}

static void source_note(FILE *fp, const json_t *m, const json_t *d)
{
	fputs("<p class=\"note\">", fp);
	if (!strcmp(up_dash_str(m, "kind"), "computed")) {
		fputs("Computed by a rule: one point per stored cycle up to "
		      "this one.", fp);
	} else {
		fputs("Points: the observations in the store, summed per "
		      "period and rolled up the unit tree as the cycle does, "
		      "as of ", fp);
		esc(fp, up_dash_str(d, "as_of"));
		fputs("; only complete periods count.", fp);
	}
	fputs("</p>\n", fp);
}

static void metric(FILE *fp, const json_t *d, const json_t *m, size_t mi)
{
	const char *title = up_dash_str(m, "title");
	fprintf(fp, "<section class=\"metric\" aria-labelledby=\"h-m%zu\">\n"
		"<h3 id=\"h-m%zu\">", mi, mi);
	if (*title) {
		esc(fp, title);
		fputc(' ', fp);
	}
	el(fp, "code", NULL, up_dash_str(m, "metric"));
	fputs("</h3>\n", fp);
	source_note(fp, m, d);
	const json_t *series = json_object_get(m, "series");
	figure(fp, m, json_array_get(series, 0), mi, 0);
	if (json_array_size(series) > 1)
		fputs("<div class=\"charts\">\n", fp);
	for (size_t si = 1; si < json_array_size(series); si++)
		figure(fp, m, json_array_get(series, si), mi, si);
	if (json_array_size(series) > 1)
		fputs("</div>\n", fp);
	fputs("</section>\n", fp);
}

static void metrics(FILE *fp, const json_t *d)
{
	const json_t *list = json_object_get(d, "metrics");
	if (!json_array_size(list))
		return;
	fputs("<section id=\"metrics\" aria-labelledby=\"h-metrics\">\n"
	      "<h2 id=\"h-metrics\">Success metrics</h2>\n", fp);
	chart_legend(fp);
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
		metric(fp, d, m, i);
	fputs("</section>\n", fp);
}

/* ---- training ---- */

static void coverage_table(FILE *fp, const json_t *t)
{
	static const char *const cols[] = {"Unit", "#People", "#Trained",
		"#Coverage", "#Due", "#Overdue", "#Escalated"};
	fprintf(fp, "<div class=\"scroll\"><table>\n<caption>People of each "
		"unit and the units below it, and those with a session in "
		"the last %lld days</caption>\n", up_dash_int(t, "days"));
	th_cols(fp, cols, UP_COUNTOF(cols));
	fputs("<tbody>\n", fp);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(t, "units"), i, r) {
		char share[32];
		up_dash_number(json_object_get(r, "share"), 1, share);
		fputs("<tr>", fp);
		unit_th(fp, r, "unit");
		fprintf(fp, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			"<td class=\"n\">%s</td><td class=\"n\">%lld</td>"
			"<td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			"</tr>\n",
			up_dash_int(r, "people"),
			up_dash_int(r, "trained"),
			share,
			up_dash_int(r, "due"),
			up_dash_int(r, "overdue"),
			up_dash_int(r, "escalated"));
	}
	fputs("</tbody>\n</table></div>\n", fp);
}

static void reminders(FILE *fp, const json_t *t)
{
	static const char *const cols[] = {"Due", "State", "Kind", "Who",
					   "Unit", "Note"};
	const json_t *list = json_object_get(t, "reminders");
	if (!json_array_size(list)) {
		fputs("<p>Nothing due, overdue or escalated.</p>\n", fp);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<caption>Due, overdue and "
	      "escalated (uptake due lists them, uptake ack ID closes one)"
	      "</caption>\n", fp);
	th_cols(fp, cols, UP_COUNTOF(cols));
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r) {
		const char *who = *up_dash_str(r, "person")
			? up_dash_str(r, "person") : up_dash_str(r, "role");
		char kind[64];
		up_dash_words(up_dash_str(r, "kind"), kind, sizeof kind);
		fputs("<tr><th scope=\"row\">", fp);
		esc(fp, up_dash_str(r, "due"));
		fputs("</th><td><strong>", fp);
		esc(fp, up_dash_str(r, "state"));
		fputs("</strong></td><td>", fp);
		esc(fp, kind);
		fputs("</td><td>", fp);
		esc(fp, who);
		fputs("</td><td>", fp);
		esc(fp, up_dash_str(r, "unit"));
		fputs("</td><td>", fp);
		esc(fp, up_dash_str(r, "note"));
		fputs("</td></tr>\n", fp);
	}
	fputs("</table></div>\n", fp);
	long long more = up_dash_int(t, "more");
	if (more)
		fprintf(fp, "<p class=\"note\">and %lld more: see uptake due."
			"</p>\n", more);
}

static void training(FILE *fp, const json_t *d)
{
	const json_t *t = json_object_get(d, "training");
	fputs("<section id=\"training\" aria-labelledby=\"h-training\">\n"
	      "<h2 id=\"h-training\">Training coverage and reminders</h2>\n",
	      fp);
	coverage_table(fp, t);
	reminders(fp, t);
	fputs("</section>\n", fp);
}

/* ---- findings and errors ---- */

static void finding_rows(FILE *fp, const json_t *items)
{
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) {
		fputs("<tr><th scope=\"row\"><code>", fp);
		esc(fp, up_dash_str(x, "unit"));
		fputs("</code></th><td>", fp);
		esc(fp, up_dash_str(x, "title"));
		fputs(*up_dash_str(x, "title") ? " <code>" : "<code>", fp);
		esc(fp, up_dash_str(x, "rule"));
		fputs("</code></td><td>", fp);
		esc(fp, up_dash_str(x, "status"));
		if (json_object_get(x, "waived"))
			fputs(" <span class=\"badge\">waived</span>", fp);
		fputs("</td><td>", fp);
		esc(fp, up_dash_str(x, "message"));
		fputs("</td></tr>\n", fp);
	}
}

static void findings(FILE *fp, const json_t *d)
{
	static const char *const cols[] = {"Unit", "Check", "Status",
					   "Message"};
	const json_t *groups = json_object_get(d, "findings");
	fputs("<section id=\"findings\" aria-labelledby=\"h-findings\">\n"
	      "<h2 id=\"h-findings\">Findings by severity</h2>\n", fp);
	if (!json_array_size(groups))
		fputs("<p>No findings.</p>\n", fp);
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g) {
		const char *sev = up_dash_str(g, "severity");
		const json_t *items = json_object_get(g, "items");
		fputs("<div class=\"scroll\"><table>\n<caption class=\"sev-",
		      fp);
		esc(fp, sev);
		fputs("\">Severity ", fp);
		esc(fp, sev);
		fprintf(fp, " (%zu)</caption>\n", json_array_size(items));
		th_cols(fp, cols, UP_COUNTOF(cols));
		finding_rows(fp, items);
		fputs("</table></div>\n", fp);
	}
	fputs("</section>\n", fp);
}

static void errors(FILE *fp, const json_t *d)
{
	static const char *const cols[] = {"Unit", "Rule", "Message"};
	const json_t *list = json_object_get(d, "errors");
	if (!json_array_size(list))
		return;
	fputs("<section id=\"errors\" aria-labelledby=\"h-errors\">\n"
	      "<h2 id=\"h-errors\">Rule errors</h2>\n<div class=\"scroll\">"
	      "<table>\n<caption>Rules that failed to run: their criteria "
	      "count as errors</caption>\n", fp);
	th_cols(fp, cols, UP_COUNTOF(cols));
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		fputs("<tr><th scope=\"row\">", fp);
		esc(fp, up_dash_str(e, "unit"));
		fputs("</th><td><code>", fp);
		esc(fp, up_dash_str(e, "rule"));
		fputs("</code></td><td>", fp);
		esc(fp, up_dash_str(e, "message"));
		fputs("</td></tr>\n", fp);
	}
	fputs("</table></div>\n</section>\n", fp);
}

static void page_foot(FILE *fp, const json_t *d)
{
	fprintf(fp, "</main>\n<footer><p>Written by uptake from cycle %lld "
		"of <code>", up_dash_int(d, "cycle"));
	esc(fp, up_dash_str(d, "program"));
	fputs("</code>. One file: no script, nothing fetched.</p></footer>\n"
	      "</body>\n</html>\n", fp);
}

int up_dashboard_html(const json_t *d, FILE *fp)
{
	page_head(fp, d);
	top(fp, d);
	summary(fp, d);
	board(fp, d);
	changes(fp, d);
	metrics(fp, d);
	training(fp, d);
	findings(fp, d);
	errors(fp, d);
	page_foot(fp, d);
	return ferror(fp) ? UP_EINTERNAL : UP_OK;
}
