/*
 * waiver.c: uptake waive and uptake waivers.  A waiver is a recorded,
 * expiring exception: one gate criterion of one unit counts as met from
 * one day to another, and who granted it and why travel with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

static int need_text(const char *v, const char *name, up_error *err)
{
	if (!v)
		return up_err(err, UP_EINPUT, "--%s is required", name);
	if (!*v || strlen(v) > 4000 || !up_utf8_valid(v, strlen(v)))
		return up_err(err, UP_EINPUT, "--%s: give 1 to 4000 bytes of "
			      "UTF-8 text", name);
	return UP_OK;
}

static int need_date(const char *v, const char *name, int32_t *day,
		     up_error *err)
{
	const char *why;
	if (v && up_date_parse(v, day, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "--%s: invalid date '%s': %s",
			      name, v, why);
	return UP_OK;
}

/* What RULE may have meant among the gate criteria: a pack's rule named
 * without its pack first, then a near miss.  Borrowed from H, or NULL. */
static const char *closest_gate_rule(const up_host *h, const char *rule)
{
	size_t n = up_host_ndecls(h), k = 0, len = strlen(rule);
	const char **ids = up_xcalloc(n + 1, sizeof *ids);
	const char *hint = NULL;
	for (size_t i = 0; i < n; i++) {
		const up_decl *d = up_host_decl(h, i);
		size_t il = strlen(d->id);
		if (d->kind != UP_DECL_GATE)
			continue;
		if (!hint && il > len && d->id[il - len - 1] == '/' &&
		    !strcmp(d->id + il - len, rule))
			hint = d->id;
		ids[k++] = d->id;
	}
	if (!hint)
		hint = up_did_you_mean(rule, ids, k);
	free(ids);
	return hint;
}

/* RULE must be a gate criterion of the program; the declaration's
 * boundary goes to *at (borrowed from H). */
static int check_rule(const up_host *h, const up_error *lerr,
		      const char *rule, const char **at, up_error *err)
{
	static const char *const kinds[] = {"gate", "check", "metric"};
	const up_decl *d = up_host_find(h, rule);
	if (d && d->kind == UP_DECL_GATE) {
		*at = d->at;
		return UP_OK;
	}
	if (d)
		return up_err(err, UP_EINPUT, "'%s' is a %s, not a gate "
			      "criterion: only a gate's criteria can be waived",
			      rule, kinds[d->kind]);
	const char *hint = closest_gate_rule(h, rule);
	up_err(err, UP_EINPUT, "unknown rule '%s'%s%s%s", rule,
	       hint ? " (did you mean '" : "", hint ? hint : "",
	       hint ? "'?)" : "");
	/* a rule file that failed to load may have declared it */
	for (size_t i = 0; i < up_error_count(lerr); i++)
		up_err_raw(err, UP_EINPUT, up_error_message(lerr, i));
	return UP_EINPUT;
}

/* The first day: --as-of, else the latest cycle's date, else today. */
static int first_day(up_store *s, const char *as_of, char out[11],
		     up_error *err)
{
	int32_t day = up_date_today();
	if (as_of) {
		up_date_parse(as_of, &day, NULL);
		up_date_format(day, out);
		return UP_OK;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT as_of FROM cycles"
			       " ORDER BY id DESC LIMIT 1", -1, &st, NULL))
		return up_store_fail(s, "reading cycles", err);
	up_date_format(day, out);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, 11, "%s", (const char *)
			 sqlite3_column_text(st, 0));
	return sqlite3_finalize(st) == SQLITE_OK
		? UP_OK : up_store_fail(s, "reading cycles", err);
}

static int insert_waiver(up_store *s, const up_waive_opts *o,
			 const char *since, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "INSERT INTO waivers(unit,"
			       " rule, reason, by, since, until, recorded_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, strftime("
			       "'%Y-%m-%dT%H:%M:%SZ', 'now'))", -1, &st, NULL))
		return up_store_fail(s, "recording the waiver", err);
	const char *v[] = {o->unit, o->rule, o->reason, o->by, since,
			   o->until};
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE
		? UP_OK : up_store_fail(s, "recording the waiver", err);
	sqlite3_finalize(st);
	return rc;
}

/* The unit's stage today, to say when the waiver is for a gate it does
 * not face. */
static char *stage_of(up_store *s, const char *unit)
{
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT coalesce((SELECT"
			       " to_stage FROM stage_history WHERE unit = ?1"
			       " ORDER BY at DESC, id DESC LIMIT 1), stage)"
			       " FROM units WHERE id = ?1", -1, &st, NULL))
		return NULL;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = up_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int waive_in(up_store *s, const up_waive_opts *o, const char *at,
		    FILE *fp, up_error *err)
{
	char since[11];
	int rc = up_ledger_known(s, "units", "unit", o->unit, err);
	rc |= up_ledger_known(s, "people", "person", o->by, err);
	if (rc != UP_OK)
		return UP_EINPUT;
	if ((rc = first_day(s, o->as_of, since, err)) != UP_OK)
		return rc;
	if (strcmp(o->until, since) < 0)
		return up_err(err, UP_EINPUT, "--until %s is before the waiver "
			      "starts (%s)", o->until, since);
	if ((rc = insert_waiver(s, o, since, err)) != UP_OK)
		return rc;
	fprintf(fp, "waived %s for %s from %s until %s, by %s\n", o->rule,
		o->unit, since, o->until, o->by);
	char *stage = stage_of(s, o->unit);
	size_t sl = stage ? strlen(stage) : 0;
	if (stage && (strncmp(at, stage, sl) || strncmp(at + sl, "->", 2)))
		fprintf(fp, "note: %s is in stage %s; %s is a criterion of "
			"%s\n", o->unit, stage, o->rule, at);
	free(stage);
	return UP_OK;
}

int up_waive(up_store *s, const up_program *p, const up_waive_opts *o,
	     FILE *fp, up_error *err)
{
	int32_t d;
	int rc = need_text(o->unit, "unit", err);
	rc |= need_text(o->rule, "rule", err);
	rc |= need_text(o->reason, "reason", err);
	rc |= need_text(o->by, "by", err);
	rc |= need_text(o->until, "until", err);
	rc |= need_date(o->until, "until", &d, err);
	rc |= need_date(o->as_of, "as-of", &d, err);
	if (rc != UP_OK)
		return UP_EINPUT;
	up_error *lerr = up_error_new();
	up_host *h = NULL;
	up_host_open(&h, p, lerr);
	const char *at = NULL;
	rc = h ? check_rule(h, lerr, o->rule, &at, err)
	       : up_err(err, UP_EINTERNAL, "the rules could not be loaded");
	char *said = NULL;
	size_t len = 0;
	FILE *mem = rc == UP_OK ? open_memstream(&said, &len) : NULL;
	if (rc == UP_OK && !mem)
		rc = up_err(err, UP_ENOMEM, "out of memory");
	if (rc == UP_OK)
		rc = up_store_begin(s, err);
	if (rc == UP_OK) {
		rc = up_store_sync(s, p, err);
		if (rc == UP_OK)
			rc = waive_in(s, o, at, mem, err);
		if (rc == UP_OK)
			rc = up_store_commit(s, err);
		else
			up_store_rollback(s);
	}
	if (mem)
		fclose(mem);
	if (rc == UP_OK && fp) /* said once it is committed */
		fwrite(said, 1, len, fp);
	free(said);
	up_host_close(h);
	up_error_free(lerr);
	return rc;
}

/* ---- uptake waivers ---- */

/* Every waiver with its state on DAY: the latest one begun by then is in
 * force until its end; an older one is replaced. */
static json_t *waivers_json(up_store *s, const char *day, up_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(up_store_db(s), "SELECT unit, rule, since,"
			       " until, by, reason, recorded_at, CASE"
			       " WHEN since > ?1 THEN 'upcoming'"
			       " WHEN id != (SELECT max(id) FROM waivers x"
			       "  WHERE x.unit = w.unit AND x.rule = w.rule"
			       "  AND x.since <= ?1) THEN 'replaced'"
			       " WHEN until < ?1 THEN 'expired'"
			       " ELSE 'active' END"
			       " FROM waivers w ORDER BY unit, rule, id", -1,
			       &st, NULL)) {
		up_store_fail(s, "reading waivers", err);
		return NULL;
	}
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	static const char *const keys[] = {"unit", "rule", "since", "until",
					   "by", "reason", "recorded_at",
					   "state"};
	json_t *list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *w = json_object();
		for (int i = 0; i < 8; i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			json_object_set_new(w, keys[i],
					    json_string((const char *)v));
		}
		json_array_append_new(list, w);
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		json_decref(list);
		up_store_fail(s, "reading waivers", err);
		return NULL;
	}
	return UP_JSON(json_pack("{s:s, s:o}", "as_of", day, "waivers", list));
}

static int width(const json_t *list, const char *key, int min)
{
	size_t i;
	json_t *w;
	json_array_foreach(list, i, w) {
		int n = (int)strlen(json_string_value(json_object_get(w, key)));
		min = n > min ? n : min;
	}
	return min;
}

static void print_waivers(FILE *fp, const json_t *doc)
{
	const json_t *list = json_object_get(doc, "waivers");
	if (!json_array_size(list)) {
		fputs("no waivers\n", fp);
		return;
	}
	int wu = width(list, "unit", 4), wr = width(list, "rule", 4);
	int wb = width(list, "by", 2);
	fprintf(fp, "%-*s  %-*s  %-10s  %-10s  %-8s  %-*s  %s\n", wu, "UNIT",
		wr, "RULE", "SINCE", "UNTIL", "STATE", wb, "BY", "REASON");
	size_t i;
	json_t *w;
	json_array_foreach(list, i, w) {
#define F(k) json_string_value(json_object_get(w, k))
		up_print_text(fp, "%-*s  %-*s  %-10s  %-10s  %-8s  %-*s  %s\n",
			      wu, F("unit"), wr, F("rule"), F("since"),
			      F("until"), F("state"), wb, F("by"), F("reason"));
#undef F
	}
}

int up_waivers_print(up_store *s, const char *as_of, FILE *fp,
		     unsigned flags, up_error *err)
{
	int32_t d = up_date_today();
	const char *why;
	if (as_of && up_date_parse(as_of, &d, &why) != UP_OK)
		return up_err(err, UP_EINPUT, "--as-of: invalid date '%s': %s",
			      as_of, why);
	char day[11];
	up_date_format(d, day);
	json_t *doc = waivers_json(s, day, err);
	if (!doc)
		return up_error_code(err) ? up_error_code(err) : UP_EINTERNAL;
	int rc = UP_OK;
	if (flags & UP_PRINT_JSON) {
		if (json_dumpf(doc, fp, JSON_INDENT(2)) != 0)
			rc = UP_EINTERNAL;
		fputc('\n', fp);
	} else {
		print_waivers(fp, doc);
	}
	json_decref(doc);
	return rc;
}
