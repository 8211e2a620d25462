/* plan.h: who is on which training plan, with which sessions, and who
 * acts on what concerns them (plan.c). */
#ifndef UP_PLAN_H
#define UP_PLAN_H

#include "internal.h"
#include "training.h"

/* How far ahead `uptake due` lists what is pending (days before a
 * reminder's day, a training slot's window), and how far ahead a cycle
 * stores a training slot (schedule.c): a month more, so that `due` run on
 * any day until a month after the last cycle lists what it would if every
 * slot were stored. */
enum { UP_DUE_LOOKAHEAD_DAYS = 14,
       UP_STORE_LOOKAHEAD_DAYS = UP_DUE_LOOKAHEAD_DAYS + 31 };

/* Whether a person is on a plan, or why not. */
typedef enum {
	UP_PLAN_ON,
	UP_PLAN_NO_UNIT,   /* in no unit */
	UP_PLAN_NOT_LIVE,  /* their unit has no go-live */
	UP_PLAN_ROLES,     /* they hold none of its roles */
	UP_PLAN_EXCEPT,    /* they hold a role it leaves out */
	UP_PLAN_UNITS      /* their unit is outside its units */
} up_plan_fit;

/* Whether person PI of F is on plan PL; when on it, *OUT (may be NULL)
 * holds its rules for them (anchor, window, offsets, grace, stop). */
up_plan_fit up_plan_fits(const up_plan_def *pl, const up_facts *f, size_t pi,
			 up_plan_rules *out);
/* The sessions of person PI that count for PL (its topics), by day, into
 * BUF, which has room for all of the person's; returns how many. */
size_t up_plan_sessions(const up_plan_def *pl, const up_facts *f, size_t pi,
			up_session *buf);
/* The most sessions one person of F has (a size for up_plan_sessions). */
size_t up_plan_max_sessions(const up_facts *f);

/* Stable reminder ids: a plan's slot (GEN, K) and the escalation that
 * starts generation GEN, for PERSON in UNIT.  The single-map form's plans
 * leave their id out, so stores from before plans by audience keep theirs. */
void up_plan_slot_id(char out[17], const up_plan_def *pl, const char *person,
		     const char *unit, int gen, int k);
void up_plan_escalation_id(char out[17], const up_plan_def *pl,
			   const char *person, const char *unit, int gen);

/* Why slot SL of a plan with rules R and escalations RS is cancelled. */
void up_plan_cancel_reason(char *buf, size_t size, const up_slot *sl,
			   const up_reset *rs, size_t nrs,
			   const up_plan_rules *r);
/* "attended on", "the plan ended on", ...: WHY an escalation closed,
 * before its day. */
const char *up_plan_closed_why(up_close_why why);

/* The plan called ID, or NULL. */
const up_plan_def *up_plan_find(const up_program *p, const char *id);
int up_person_has_role(const up_person *p, const char *role);

/*
 * Who acts on something of unit UI for ROLE: the people holding ROLE in
 * the unit, else in its parent, and so on up; never person PI (-1: none),
 * and when PI holds ROLE the search starts at the parent.  A sorted array
 * of person indexes into F (malloc'ed; *n may be 0).
 */
int *up_addressees(const up_facts *f, int ui, int pi, const char *role,
		   size_t *n);

/*
 * The units whose reminders audience A can keep for --unit UNIT (NULL:
 * any) and its --for person: the unit's subtree, and the subtree of the
 * person's unit (whom a reminder goes to is looked for up the tree from
 * its unit).  A JSON array of unit ids, for a reader to select by; NULL
 * when every unit may be kept.  Rows about the person themselves may be
 * anywhere (they moved): select those by person too.
 */
json_t *up_audience_units(up_audience *a, const char *unit);

#endif
