/* training.h: a person's training plan as of a date (pure, no I/O). */
#ifndef UP_TRAINING_H
#define UP_TRAINING_H

#include <stddef.h>
#include <stdint.h>

/* No day: an escalation still open. */
#define UP_NEVER INT32_MAX

typedef struct {
	int32_t anchor;       /* day 0: the unit's go-live, or the person's join date if later */
	int32_t window_end;   /* the plan ends here: anchor + window_days (slots after it are dropped) */
	const int *offsets;   /* days after the anchor, ascending; may be negative (managers are trained before go-live) */
	size_t noffsets;
	int grace;            /* a session within +-grace days of a slot satisfies it on time */
	int reschedule;       /* a missed slot moves to its due day + grace + reschedule days, once */
	int32_t stop;         /* the person left on this day: nothing after it (0: never) */
} up_plan_rules;
typedef struct {
	int32_t day;
	int failed;           /* 1: the session's check was failed */
} up_session;             /* attended sessions, sorted by day */
/* CANCELLED: a slot the plan no longer holds: the rest of a generation
 * after a restart or a lapse, a slot a late session pushed past the
 * window's end, and what was open when the person left. */
typedef enum { UP_SLOT_DONE, UP_SLOT_PENDING, UP_SLOT_DUE, UP_SLOT_OVERDUE, UP_SLOT_MISSED,
	       UP_SLOT_CANCELLED } up_slot_state;
typedef struct {
	int gen;              /* 0 for the first plan; +1 after every restart */
	int k;                /* index into offsets within that generation */
	int32_t planned;      /* the day the plan gives it (moved on by late sessions before it) */
	int32_t due;          /* the day it is due now (planned, or rescheduled) */
	int rescheduled;      /* 1 once moved after a first miss */
	up_slot_state state;
	int32_t done_on;      /* the session that satisfied it (DONE only) */
	int late;             /* DONE by a session after its first window: the plan goes on from that session */
	int failed;           /* DONE by a failed check */
} up_slot;
/* Why an escalation closed. */
typedef enum { UP_CLOSED_NOT, UP_CLOSED_SESSION, UP_CLOSED_SUPERSEDED, UP_CLOSED_PLAN_END,
	       UP_CLOSED_LEFT } up_close_why;
typedef struct {
	int32_t day;          /* a failed check: its day; a lapse: the day after the second window closed */
	int gen;              /* the generation that starts after it (after a lapse, once a session ends it) */
	int failed_check;     /* 1: caused by a failed check, 0: two misses in a row (a lapse) */
	int32_t closed;       /* when it closed, UP_NEVER while open */
	up_close_why why;
} up_reset;               /* an escalation */
/*
 * Derives the plan as of AS_OF: every slot of every generation (those no
 * longer held CANCELLED) and every escalation.  *slots and *resets are
 * malloc'ed (caller frees; may be NULL when the count is 0).
 */
void up_training_plan(const up_plan_rules *r, const up_session *s, size_t ns, int32_t as_of,
		      up_slot **slots, size_t *nslots, up_reset **resets, size_t *nresets);

#endif
