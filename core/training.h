/* training.h: a person's training plan as of a date (pure, no I/O). */
#ifndef UP_TRAINING_H
#define UP_TRAINING_H

#include <stddef.h>
#include <stdint.h>
typedef struct {
	int32_t anchor;       /* day 0: the unit's go-live, or the person's join date if later */
	int32_t window_end;   /* the plan ends here: anchor + window_days (slots after it are dropped) */
	const int *offsets;   /* days after the anchor, ascending; may be negative (managers are trained before go-live) */
	size_t noffsets;
	int grace;            /* a session within +-grace days of a slot satisfies it */
	int reschedule;       /* a missed slot moves to its due day + grace + reschedule days, once */
} up_plan_rules;
typedef struct {
	int32_t day;
	int failed;           /* 1: the session's check was failed */
} up_session;             /* attended sessions, sorted by day */
typedef enum { UP_SLOT_DONE, UP_SLOT_PENDING, UP_SLOT_DUE, UP_SLOT_OVERDUE, UP_SLOT_MISSED } up_slot_state;
typedef struct {
	int gen;              /* 0 for the first plan; +1 after every reset */
	int k;                /* index into offsets within that generation */
	int32_t planned;      /* the day the plan first gave it */
	int32_t due;          /* the day it is due now (planned, or rescheduled) */
	int rescheduled;      /* 1 once moved after a first miss */
	up_slot_state state;
	int32_t done_on;      /* the session that satisfied it (DONE only) */
} up_slot;
typedef struct {
	int32_t day;          /* when the reset happened */
	int gen;              /* the generation that starts then */
	int failed_check;     /* 1: caused by a failed check, 0: by a second miss */
} up_reset;
/* Derives the plan as of AS_OF.  *slots and *resets are malloc'ed (caller frees; may be NULL when the count is 0). */
void up_training_plan(const up_plan_rules *r, const up_session *s, size_t ns, int32_t as_of,
		      up_slot **slots, size_t *nslots, up_reset **resets, size_t *nresets);

#endif
