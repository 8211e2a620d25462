/*
 * dashboard.h: the content of `uptake report`, built once from a stored
 * cycle (dashboard.c, its metric series in dashboard_metrics.c) and
 * rendered as HTML (report_html.c, with the run charts of report_svg.c)
 * or as Markdown (report_md.c).
 */
#ifndef UP_DASHBOARD_H
#define UP_DASHBOARD_H

#include <stdio.h>

#include "internal.h"

/*
 * The report's content as one JSON document: the header, the gate board,
 * what changed since the previous stored cycle, every metric's series per
 * unit, training coverage and reminders, findings by severity and rule
 * errors.  CYCLE 0 is the latest.  A new reference, or NULL with err set.
 */
json_t *up_dashboard_build(up_store *s, const up_program *p, long long cycle,
			   up_error *err);

/* The renderers: they read only the document, and print every string
 * from it escaped for their format. */
int up_dashboard_html(const json_t *dash, FILE *fp);
int up_dashboard_md(const json_t *dash, FILE *fp);

/*
 * Every metric of the cycle document DOC (cycle NUMBER): per metric its
 * title, kind, direction (null for a rule's metric{}), whether its target
 * holds every period (per_period: its points have no plan) and whether it
 * is a percentage, and a series for the organisation, then for each unit
 * (dashboard_metrics.c).  A series holds what the cycle stored (period,
 * value, target, expected, status, signals) and its points (period, x,
 * value, plan, mark); once judged, its median and runs (off_median,
 * longest_run, run_limit, crossings, crossings_min: up_signals').
 */
json_t *up_dash_metrics(up_store *s, const up_program *p, up_facts *f,
			const json_t *doc, long long number, up_error *err);
/* The same for the metrics of UNIT alone, in the unit's order, each with
 * the unit's series only, from the facts as of DOC's date (explain). */
json_t *up_dash_unit_metrics(up_store *s, const up_program *p,
			     const json_t *doc, long long number,
			     const char *unit, up_error *err);
/* The unit's depth in the tree (0 for a root or an unknown unit). */
int up_dash_depth(const up_facts *f, const char *id);
/* The first object of LIST whose string KEY is VAL, or NULL. */
const json_t *up_dash_item(const json_t *list, const char *key,
			   const char *val);

/* ---- shared by both renderers (dashboard.c) ---- */

/* A string field, or "" (never NULL); an integer field, or 0. */
const char *up_dash_str(const json_t *o, const char *k);
long long up_dash_int(const json_t *o, const char *k);
/* "Go", "Conditional go", "Hold", ...; "No decision" for NULL or "" (a gate nothing judged, or none). */
const char *up_dash_decision_label(const char *decision);
/* Writes text escaped for the renderer's format. */
typedef void (*up_dash_put)(FILE *fp, const char *s);
/* Who decided, until or at when, and why, of a waiver or an override
 * (an override says what it overrode), with text through PUT. */
void up_dash_who_why(FILE *fp, const json_t *w, up_dash_put put);
/* "on track", "no data": a status or signal with spaces for '_'. */
void up_dash_words(const char *s, char *out, size_t n);
/* A metric value as the report shows it: "27.7%" when PERCENT, else up
 * to four significant digits; "-" for null. */
void up_dash_number(const json_t *v, int percent, char out[32]);

/* The tables of what changed since the previous cycle (the entries of a
 * history diff, one table per list): a column shows one field of an
 * entry as an id, text, a decision, a status, a unit (null: the
 * organisation), a hash or a pack's version. */
typedef enum { UP_COL_CODE, UP_COL_TEXT, UP_COL_DECISION, UP_COL_STATUS,
	       UP_COL_UNIT, UP_COL_HASH, UP_COL_VERSION } up_dash_col_kind;
typedef struct {
	const char *head, *key;
	up_dash_col_kind kind;
} up_dash_column;
typedef struct {
	const char *list, *title;
	const up_dash_column *cols;
	size_t ncols;
} up_dash_table;
extern const up_dash_table up_dash_change_tables[];
extern const size_t up_dash_nchange_tables;
/* Rows shown per table; the rest are counted. */
enum { UP_DASH_MAX_CHANGES = 30 };
/* The text of column C of ENTRY (a hash cut into HEAD), or NULL when
 * that side is missing. */
const char *up_dash_change_text(const json_t *entry,
				const up_dash_column *c, char head[13]);

/* Bits of a point's "mark": the run-chart rule it belongs to. */
enum { UP_MARK_SHIFT = 1, UP_MARK_TREND = 2 };

/*
 * Marks the points of Y in the latest signal of each kind, as
 * metric_math.c finds them: the latest run of six or more on one side of
 * MEDIAN (points on it are skipped) and the latest five or more rising or
 * falling (equal neighbours are skipped), the runs whose direction the
 * cycle's signals name (dashboard_metrics.c).
 */
void up_dash_marks(const double *y, size_t n, double median,
		   unsigned char *marks);

/* ---- the run chart (report_svg.c) ---- */

/*
 * Writes SERIES (a dashboard series: points, target, median, status) as
 * an inline SVG run chart, WIDTH x HEIGHT user units, scaled to its box.
 * ID makes its element ids unique in the page; LABEL is its accessible
 * name.
 */
void up_svg_run_chart(FILE *fp, const json_t *series, int percent,
		      const char *id, const char *label, int width,
		      int height);
/* Writes S escaped for HTML text and attribute values; NULL writes
 * nothing. */
void up_html_puts(FILE *fp, const char *s);

#endif
