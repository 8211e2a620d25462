/*
 * training.c: a person's training plan as of a date: expanding intervals after go-live, one reschedule
 * for a missed slot, back to the first interval after a second miss or a
 * failed check.
 *
 * The plan is derived afresh from the sessions and the date on every call,
 * never updated in place, so a cycle re-run as of any date sees the same
 * plan it saw then.  Slots are judged in order: a slot is looked at only
 * once every earlier slot of its generation is done (or finally missed
 * without a reset), which keeps "only the first open slot is due" and
 * makes a reset drop exactly the slots after the one that caused it.
 */
#include <assert.h>
#include <stdlib.h>

#include "internal.h"
#include "training.h"

#define NO_SESSION ((size_t)-1)

typedef struct {
	const up_plan_rules *r;
	const up_session *s;
	size_t ns;           /* sessions up to as_of: the rest are to come */
	unsigned char *used; /* a session satisfies one slot at most */
	int32_t as_of;
	up_slot *slots;
	size_t nslots, cap;
	up_reset *resets;
	size_t nresets, rcap;
} plan;

/* Where a generation ended early and the next one starts. */
typedef struct {
	int32_t day;
	size_t from;         /* the first session the new generation may use */
	int failed_check;
} restart;

typedef enum { SLOT_CLOSED, SLOT_OPEN, SLOT_RESET } slot_end;

/* The earliest unused session from FROM on with LO <= day <= HI. */
static size_t find_session(const plan *p, size_t from, int32_t lo,
			   int32_t hi)
{
	for (size_t i = from; i < p->ns && p->s[i].day <= hi; i++)
		if (!p->used[i] && p->s[i].day >= lo)
			return i;
	return NO_SESSION;
}

/* The first session on or after DAY. */
static size_t first_session_from(const plan *p, int32_t day)
{
	size_t i = 0;
	while (i < p->ns && p->s[i].day < day)
		i++;
	return i;
}

static up_slot *add_slot(plan *p, int gen, size_t k, int32_t day)
{
	if (p->nslots == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->slots = up_xrealloc(p->slots, p->cap * sizeof *p->slots);
	}
	up_slot *sl = &p->slots[p->nslots++];
	*sl = (up_slot){.gen = gen, .k = (int)k, .planned = day, .due = day,
			.state = UP_SLOT_PENDING};
	return sl;
}

static void add_reset(plan *p, const restart *at, int gen)
{
	if (p->nresets == p->rcap) {
		p->rcap = p->rcap ? 2 * p->rcap : 4;
		p->resets = up_xrealloc(p->resets, p->rcap * sizeof *p->resets);
	}
	p->resets[p->nresets++] = (up_reset){.day = at->day, .gen = gen,
					     .failed_check = at->failed_check};
}

/* A slot satisfied by session I: a failed check still counts as attended,
 * but sends the person back to the first interval from that day. */
static slot_end attended(plan *p, up_slot *sl, size_t i, restart *out)
{
	p->used[i] = 1;
	sl->state = UP_SLOT_DONE;
	sl->done_on = p->s[i].day;
	if (!p->s[i].failed)
		return SLOT_CLOSED;
	*out = (restart){.day = sl->done_on, .from = i + 1, .failed_check = 1};
	return SLOT_RESET;
}

/* The state of a slot whose window has not closed by as_of.  Past its new
 * due day a rescheduled slot is overdue: the second chance is running out. */
static slot_end still_open(const plan *p, up_slot *sl)
{
	if (p->as_of < sl->due - p->r->grace)
		sl->state = UP_SLOT_PENDING;
	else if (sl->rescheduled && p->as_of > sl->due)
		sl->state = UP_SLOT_OVERDUE;
	else
		sl->state = UP_SLOT_DUE;
	return SLOT_OPEN;
}

/*
 * Judges one slot, sessions from FROM on.  A first miss moves it once
 * (Lally: one missed occasion does not derail a habit); a second miss
 * resets the day after the second window closed.  A slot that would move
 * past window_end cannot be retried, so its first miss is final and, not
 * being a second miss, resets nothing.
 */
static slot_end judge(plan *p, up_slot *sl, size_t from, restart *out)
{
	const up_plan_rules *r = p->r;
	for (;;) {
		size_t i = find_session(p, from, sl->due - r->grace,
					sl->due + r->grace);
		if (i != NO_SESSION)
			return attended(p, sl, i, out);
		if (p->as_of <= sl->due + r->grace)
			return still_open(p, sl);
		int32_t moved = sl->due + r->grace + r->reschedule;
		if (sl->rescheduled || moved > r->window_end)
			break;
		sl->rescheduled = 1;
		sl->due = moved;
	}
	sl->state = UP_SLOT_MISSED;
	if (!sl->rescheduled)
		return SLOT_CLOSED;
	out->day = sl->due + r->grace + 1;
	out->from = first_session_from(p, out->day);
	if (out->from < from)
		out->from = from;
	out->failed_check = 0;
	return SLOT_RESET;
}

/*
 * Lists generation GEN, starting on day START with sessions from FROM on.
 * Generation 0 keeps negative offsets (managers trained before go-live); a
 * reset never schedules before its own day.  Returns 1 with *out set when
 * the generation ended in a reset.
 */
static int walk(plan *p, int gen, int32_t start, size_t from, restart *out)
{
	const up_plan_rules *r = p->r;
	int open = 0;
	for (size_t k = 0; k < r->noffsets; k++) {
		if (gen > 0 && r->offsets[k] < 0)
			continue;
		int32_t day = start + r->offsets[k];
		if (day > r->window_end)
			break; /* offsets ascend: every later one is out too */
		up_slot *sl = add_slot(p, gen, k, day);
		if (open)
			continue; /* listed at its planned day, still pending */
		slot_end e = judge(p, sl, from, out);
		if (e == SLOT_RESET)
			return 1;
		open = e == SLOT_OPEN;
	}
	return 0;
}

void up_training_plan(const up_plan_rules *r, const up_session *s, size_t ns,
		      int32_t as_of, up_slot **slots, size_t *nslots,
		      up_reset **resets, size_t *nresets)
{
	assert(r && (r->offsets || !r->noffsets) && (s || !ns));
	assert(slots && nslots && resets && nresets);
	/* Negative values could make a reset land on or before the one
	 * that caused it, and the plan would never end. */
	assert(r->grace >= 0 && r->reschedule >= 0);
	plan p = {.r = r, .s = s, .as_of = as_of};
	while (p.ns < ns && s[p.ns].day <= as_of)
		p.ns++;
	p.used = up_xcalloc(p.ns ? p.ns : 1, 1);

	restart at = {.day = r->anchor};
	int gen = 0;
	while (walk(&p, gen, at.day, at.from, &at))
		add_reset(&p, &at, ++gen);
	free(p.used);

	*slots = p.slots;
	*nslots = p.nslots;
	*resets = p.resets;
	*nresets = p.nresets;
}
