/*
 * report_svg.c: a run chart as inline SVG (values, median, planned path,
 * target and the points of run-chart signals), styled by the page's CSS
 * classes so the print stylesheet can restyle it.
 */
#include <math.h>
#include <string.h>

#include "dashboard.h"

void up_html_puts(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: /* controls are not allowed in HTML text */
			fputc((unsigned char)*s < 0x20 && *s != '\n' &&
			      *s != '\t' ? '?' : *s, fp);
		}
	}
}

typedef struct {
	double x0, x1, y0, y1;       /* data ranges */
	double left, right, top, bottom; /* the plot area in user units */
} frame;

static double px(const frame *f, double x)
{
	if (f->x1 <= f->x0)
		return (f->left + f->right) / 2;
	return f->left + (x - f->x0) / (f->x1 - f->x0) * (f->right - f->left);
}

static double py(const frame *f, double y)
{
	return f->bottom - (y - f->y0) / (f->y1 - f->y0) *
			   (f->bottom - f->top);
}

static double num(const json_t *o, const char *k, double dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* A step of 1, 2, 2.5 or 5 times a power of ten, near RANGE / 4. */
static double nice_step(double range)
{
	double raw = range / 4, p = pow(10, floor(log10(raw)));
	static const double m[] = {1, 2, 2.5, 5, 10};
	for (size_t i = 0; i < UP_COUNTOF(m); i++)
		if (m[i] * p >= raw)
			return m[i] * p;
	return 10 * p;
}

static void widen(double *lo, double *hi, double v)
{
	if (isfinite(v)) {
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
}

/* The data ranges: every value, plan, the target and the median. */
static void ranges(const json_t *series, int percent, frame *f)
{
	const json_t *pts = json_object_get(series, "points");
	double lo = INFINITY, hi = -INFINITY;
	size_t i;
	json_t *p;
	json_array_foreach(pts, i, p) {
		widen(&lo, &hi, num(p, "value", NAN));
		widen(&lo, &hi, num(p, "plan", NAN));
	}
	widen(&lo, &hi, num(series, "target", NAN));
	if (percent || lo > 0)
		lo = 0; /* a rate starts at zero, or the chart exaggerates */
	if (!(hi > lo))
		hi = lo + 1;
	double step = nice_step(hi - lo);
	f->y0 = floor(lo / step) * step;
	f->y1 = ceil(hi / step - 1e-9) * step;
	f->x0 = num(json_array_get(pts, 0), "x", 0);
	f->x1 = num(json_array_get(pts, json_array_size(pts) - 1), "x", 0);
}

static void tick_label(double v, int percent, char out[32])
{
	if (percent)
		snprintf(out, 32, "%g%%", round(v * 1000) / 10);
	else
		snprintf(out, 32, "%g", v);
}

static void grid(FILE *fp, const frame *f, int percent, double font)
{
	double step = nice_step(f->y1 - f->y0);
	/* ranges() made the span a whole number of steps: four or so */
	for (int k = 0; k < 12 && f->y0 + k * step <= f->y1 + step / 2; k++) {
		double v = f->y0 + k * step;
		char t[32];
		tick_label(v, percent, t);
		fprintf(fp, "<line class=\"c-grid\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>", f->left, py(f, v),
			f->right, py(f, v));
		fprintf(fp, "<text class=\"c-axis\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"end\" font-size=\"%g\">%s</text>",
			f->left - 4, py(f, v) + font / 3, font, t);
	}
}

static void x_labels(FILE *fp, const frame *f, const json_t *pts,
		     double font)
{
	size_t n = json_array_size(pts);
	const json_t *a = json_array_get(pts, 0), *b = json_array_get(pts,
								       n - 1);
	double y = f->bottom + font + 4;
	fprintf(fp, "<text class=\"c-axis\" x=\"%.1f\" y=\"%.1f\" "
		"font-size=\"%g\" text-anchor=\"%s\">", f->left, y, font,
		n > 1 ? "start" : "middle");
	up_html_puts(fp, up_dash_str(a, "period"));
	fputs("</text>", fp);
	if (n < 2)
		return;
	fprintf(fp, "<text class=\"c-axis\" x=\"%.1f\" y=\"%.1f\" "
		"font-size=\"%g\" text-anchor=\"end\">", f->right, y, font);
	up_html_puts(fp, up_dash_str(b, "period"));
	fputs("</text>", fp);
}

static void hline(FILE *fp, const frame *f, const char *cls, double v,
		  double from, double to)
{
	if (isfinite(v))
		fprintf(fp, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>", cls, from, py(f, v), to,
			py(f, v));
}

/* A polyline through the field K of every point that has one. */
static void path(FILE *fp, const frame *f, const json_t *pts, const char *k,
		 const char *cls)
{
	size_t i, drawn = 0;
	json_t *p;
	json_array_foreach(pts, i, p) {
		double v = num(p, k, NAN);
		if (!isfinite(v))
			continue;
		if (!drawn++)
			fprintf(fp, "<polyline class=\"%s\" points=\"", cls);
		else
			fputc(' ', fp);
		fprintf(fp, "%.1f,%.1f", px(f, num(p, "x", 0)), py(f, v));
	}
	if (drawn)
		fputs("\"/>", fp);
}

static void point_title(FILE *fp, const json_t *p, int percent)
{
	char v[32];
	up_dash_number(json_object_get(p, "value"), percent, v);
	fputs("<title>", fp);
	up_html_puts(fp, up_dash_str(p, "period"));
	fprintf(fp, ": %s%s</title>", v, json_object_get(p, "mark")
		? " (in the latest shift or trend)" : "");
}

/* Points: circles, and a larger diamond where a signal's run lies, so
 * the signal shows without colour. */
static void points(FILE *fp, const frame *f, const json_t *pts, int percent,
		   double r)
{
	size_t i;
	json_t *p;
	json_array_foreach(pts, i, p) {
		double x = px(f, num(p, "x", 0)), y = py(f, num(p, "value", 0));
		if (json_object_get(p, "mark"))
			fprintf(fp, "<path class=\"c-sig\" d=\"M%.1f %.1fl%.1f "
				"%.1fl%.1f %.1fl%.1f %.1fz\">", x, y - 1.8 * r,
				1.8 * r, 1.8 * r, -1.8 * r, 1.8 * r, -1.8 * r,
				-1.8 * r);
		else
			fprintf(fp, "<circle class=\"c-pt\" cx=\"%.1f\" "
				"cy=\"%.1f\" r=\"%g\">", x, y, r);
		point_title(fp, p, percent);
		fputs(json_object_get(p, "mark") ? "</path>" : "</circle>",
		      fp);
	}
}

static void latest_label(FILE *fp, const frame *f, const json_t *pts,
			 int percent, double font)
{
	const json_t *p = json_array_get(pts, json_array_size(pts) - 1);
	char v[32];
	up_dash_number(json_object_get(p, "value"), percent, v);
	double x = px(f, num(p, "x", 0)), y = py(f, num(p, "value", 0));
	int above = y - font - 4 > f->top;
	fprintf(fp, "<text class=\"c-latest\" x=\"%.1f\" y=\"%.1f\" "
		"font-size=\"%g\" text-anchor=\"end\">%s</text>",
		x - font / 2, above ? y - font * 0.7 : y + font * 1.4, font, v);
}

void up_svg_run_chart(FILE *fp, const json_t *series, int percent,
		      const char *id, const char *label, int width,
		      int height)
{
	const json_t *pts = json_object_get(series, "points");
	double font = height >= 200 ? 12 : 10, r = height >= 200 ? 3 : 2.5;
	frame f = {0, 0, 0, 1, 5 * font, width - 8 - 2 * r, 8 + font,
		   height - font - 10};
	ranges(series, percent, &f);
	fprintf(fp, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
		"preserveAspectRatio=\"xMidYMid meet\" role=\"img\" "
		"aria-label=\"", width, height);
	up_html_puts(fp, label);
	fprintf(fp, "\"><title id=\"%s\">", id);
	up_html_puts(fp, label);
	fputs("</title>", fp);
	grid(fp, &f, percent, font);
	x_labels(fp, &f, pts, font);
	hline(fp, &f, "c-target", num(series, "target", NAN), f.left,
	      f.right);
	path(fp, &f, pts, "plan", "c-plan");
	hline(fp, &f, "c-median", num(series, "median", NAN), px(&f, f.x0),
	      px(&f, f.x1));
	path(fp, &f, pts, "value", "c-val");
	points(fp, &f, pts, percent, r);
	if (height >= 200) /* a small chart's caption says it */
		latest_label(fp, &f, pts, percent, font);
	fputs("</svg>", fp);
}
