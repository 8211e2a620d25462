/*
 * due_message.c: `uptake due` as a message a manager can be sent as it
 * is (plain text or Markdown), and its per-unit summary as a table.  The
 * same document and date give the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *s_(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* TEXT for a Markdown paragraph: its punctuation taken literally. */
static void md_escape(up_buf *b, const char *text)
{
	for (const char *c = text; *c; c++) {
		if (strchr("\\`*_[]<>#|~", *c))
			up_buf_add(b, "\\", 1);
		up_buf_add(b, c, 1);
	}
}

static void put(up_buf *b, const char *text, int md)
{
	if (md)
		md_escape(b, text);
	else
		up_buf_puts(b, text);
}

/* The sections of a unit, most urgent first. */
static const struct {
	const char *state, *title, *why;
} sections[] = {
	{"lapsed", "Lapsed", "two sessions missed in a row; the next session "
			     "restarts the plan"},
	{"escalated", "Escalated", "a failed check restarted the plan"},
	{"overdue", "Overdue", NULL},
	{"due", "Due now", NULL},
	{"snoozed", "Snoozed", NULL},
	{"pending", "Coming up", "within 14 days"},
};

/* "Nora Lind", or "You" in the message to her. */
static const char *who_of(const json_t *doc, const json_t *it)
{
	if (!*s_(it, "person"))
		return NULL;
	if (!strcmp(s_(it, "person"), s_(doc, "person")))
		return "You";
	return *s_(it, "name") ? s_(it, "name") : s_(it, "person");
}

static void training_line(up_buf *b, const json_t *it, int md)
{
	const char *state = s_(it, "state");
	put(b, s_(it, "note"), md);
	if (!strcmp(state, "due") && *s_(it, "closes"))
		up_buf_printf(b, ", due %s, at the latest by %s", s_(it, "due"),
			      s_(it, "closes"));
	else if (!strcmp(state, "overdue") && *s_(it, "closes"))
		up_buf_printf(b, ", moved to %s after a missed session, last "
			      "day %s", s_(it, "due"), s_(it, "closes"));
	else
		up_buf_printf(b, ", %s", s_(it, "due"));
}

/* One item in words. */
static void describe(up_buf *b, const json_t *doc, const json_t *unit,
		     const json_t *it, int md)
{
	const char *kind = s_(it, "kind"), *who = who_of(doc, it);
	if (!strcmp(kind, "escalation")) {
		put(b, who ? who : s_(it, "person"), md);
		if (!strcmp(s_(it, "state"), "lapsed"))
			up_buf_printf(b, ": lapsed on plan %s since %s",
				      s_(it, "plan"), s_(it, "due"));
		else
			up_buf_printf(b, ": failed a check on %s; plan %s "
				      "restarted", s_(it, "due"),
				      s_(it, "plan"));
		if (json_is_true(json_object_get(it, "acknowledged")))
			up_buf_puts(b, " (acknowledged)");
		return;
	}
	if (!strcmp(kind, "training_refresher")) {
		put(b, who, md);
		up_buf_puts(b, ": ");
		training_line(b, it, md);
		return;
	}
	if (!strcmp(kind, "followup")) {
		const char *note = s_(it, "note");
		if (!strcmp(note, "routine evaluation") || !*note) {
			up_buf_puts(b, "Routine evaluation of ");
			put(b, s_(unit, "name"), md);
		} else {
			up_buf_puts(b, "Follow-up: ");
			put(b, note, md);
		}
		up_buf_printf(b, ", %s", s_(it, "due"));
		return;
	}
	if (!strcmp(kind, "deliverable")) {
		up_buf_puts(b, "Deliverable \"");
		put(b, s_(it, "note"), md);
		up_buf_printf(b, "\", due %s", s_(it, "due"));
	} else {
		put(b, *s_(it, "note") ? s_(it, "note") : "Reminder", md);
		up_buf_printf(b, ", due %s", s_(it, "due"));
	}
	if (who && strcmp(who, "You")) {
		up_buf_puts(b, " (");
		put(b, who, md);
		up_buf_puts(b, ")");
	}
}

static void line(FILE *fp, const up_buf *b)
{
	up_print_text(fp, "%s\n", b->len ? b->buf : "");
}

/* A section's title: "  Lapsed (why):" or "**Lapsed** (why)". */
static void section_title(FILE *fp, size_t k, int md)
{
	const char *why = sections[k].why;
	if (md)
		fprintf(fp, "\n**%s**%s%s%s\n\n", sections[k].title,
			why ? " (" : "", why ? why : "", why ? ")" : "");
	else
		fprintf(fp, "  %s%s%s%s:\n", sections[k].title,
			why ? " (" : "", why ? why : "", why ? ")" : "");
}

static void unit_sections(FILE *fp, const json_t *doc, const json_t *unit,
			  int md)
{
	const json_t *items = json_object_get(unit, "items");
	for (size_t k = 0; k < UP_COUNTOF(sections); k++) {
		int any = 0;
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			if (strcmp(s_(it, "state"), sections[k].state))
				continue;
			if (!any++)
				section_title(fp, k, md);
			up_buf b = {0};
			up_buf_puts(&b, md ? "- " : "    - ");
			describe(&b, doc, unit, it, md);
			line(fp, &b);
			up_buf_free(&b);
		}
	}
}

void up_print_due_message(const json_t *doc, FILE *fp, int md)
{
	up_buf h = {0};
	const char *person = s_(doc, "person");
	const json_t *units = json_object_get(doc, "units");
	if (md)
		up_buf_puts(&h, "# ");
	if (!json_array_size(units)) {
		up_buf_puts(&h, "Nothing to act on");
		if (*person) {
			up_buf_puts(&h, " for ");
			put(&h, s_(doc, "name"), md);
		}
		up_buf_printf(&h, " as of %s", s_(doc, "as_of"));
		line(fp, &h);
		up_buf_free(&h);
		return;
	}
	up_buf_puts(&h, "Training and follow-ups");
	if (*person) {
		up_buf_puts(&h, " for ");
		put(&h, s_(doc, "name"), md);
	}
	up_buf_printf(&h, " as of %s", s_(doc, "as_of"));
	line(fp, &h);
	up_buf_free(&h);
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u) {
		up_buf b = {0};
		fputc('\n', fp);
		if (md)
			up_buf_puts(&b, "## ");
		put(&b, s_(u, "name"), md);
		line(fp, &b);
		up_buf_free(&b);
		unit_sections(fp, doc, u, md);
	}
}

/* ---- the summary ---- */

static void share_text(const json_t *row, char out[16])
{
	json_t *s = json_object_get(row, "share");
	if (json_is_number(s))
		snprintf(out, 16, "%.0f%%", 100.0 * json_number_value(s));
	else
		snprintf(out, 16, "-");
}

static json_int_t n_(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

void up_print_due_summary(const json_t *sum, FILE *fp, int md)
{
	const json_t *rows = json_object_get(sum, "units");
	size_t i;
	json_t *r;
	if (md) {
		fprintf(fp, "| unit | people | trained in %lld days | share | "
			"due | overdue | lapsed |\n|---|--:|--:|--:|--:|--:|"
			"--:|\n", (long long)n_(sum, "days"));
		json_int_t top = -1;
		json_array_foreach(rows, i, r)
			if (top < 0 || n_(r, "depth") < top)
				top = n_(r, "depth");
		json_array_foreach(rows, i, r) {
			char share[16];
			share_text(r, share);
			up_buf b = {0};
			up_buf_puts(&b, "| ");
			for (json_int_t d = top; d < n_(r, "depth"); d++)
				up_buf_puts(&b, "&nbsp;&nbsp;");
			md_escape(&b, s_(r, "name"));
			up_buf_printf(&b, " | %lld | %lld | %s | %lld | %lld | "
				      "%lld |", (long long)n_(r, "people"),
				      (long long)n_(r, "trained"), share,
				      (long long)n_(r, "due"),
				      (long long)n_(r, "overdue"),
				      (long long)n_(r, "lapsed"));
			line(fp, &b);
			up_buf_free(&b);
		}
		return;
	}
	/* indented from the shallowest unit listed */
	json_int_t top = -1;
	json_array_foreach(rows, i, r)
		if (top < 0 || n_(r, "depth") < top)
			top = n_(r, "depth");
	int w = 4;
	json_array_foreach(rows, i, r) {
		int n = 2 * (int)(n_(r, "depth") - top) +
			(int)strlen(s_(r, "unit"));
		w = n > w ? n : w;
	}
	fprintf(fp, "%-*s  %6s  %7s  %5s  %5s  %7s  %6s\n", w, "UNIT",
		"PEOPLE", "TRAINED", "SHARE", "DUE", "OVERDUE", "LAPSED");
	json_array_foreach(rows, i, r) {
		char share[16];
		share_text(r, share);
		int d = 2 * (int)(n_(r, "depth") - top);
		up_print_text(fp, "%*s%-*s  %6lld  %7lld  %5s  %5lld  %7lld  "
			      "%6lld\n", d, "", w - d, s_(r, "unit"),
			      (long long)n_(r, "people"),
			      (long long)n_(r, "trained"), share,
			      (long long)n_(r, "due"),
			      (long long)n_(r, "overdue"),
			      (long long)n_(r, "lapsed"));
	}
}
