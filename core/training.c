/*
 * training.c: a person's training plan as of a date: expanding intervals
 * after go-live, one reschedule for a missed slot, a lapse after a second
 * miss in a row, back to the first interval after a failed check or when a
 * session ends a lapse.
 *
 * The plan is derived afresh from the sessions and the date on every call,
 * never updated in place, so a cycle re-run as of any date sees the same
 * plan it saw then.  Slots are judged in order: a slot is looked at only
 * once every earlier slot of its generation is done (or finally missed
 * without a lapse), which keeps "only the first open slot is due" and
 * makes a restart drop exactly the slots after the one that caused it.
 *
 * The list a manager gets must converge (DOMAIN.md: notify per lapse, not
 * per missed slot): a late session still satisfies its slot and the plan
 * goes on from it; two misses in a row lapse the plan, which then waits,
 * with one escalation, for the next session; an escalation closes when
 * the person attends again, when a newer one replaces it, when the plan
 * ends or when the person leaves.
 */
#include <assert.h>
#include <stdlib.h>

#include "internal.h"
#include "training.h"

#define NO_SESSION ((size_t)-1)

typedef struct {
	const up_plan_rules *r;
	const up_session *s;
	size_t ns;           /* sessions up to the judging day: the rest are to come */
	unsigned char *used; /* a session satisfies one slot at most */
	int32_t as_of;       /* the judging day: as_of, or the day the person left */
	up_slot *slots;
	size_t nslots, cap;
	up_reset *resets;
	size_t nresets, rcap;
	size_t *closer;      /* per reset: the session that would close it */
} plan;

/* Where a generation ended early. */
typedef struct {
	int32_t day;
	size_t from;         /* a failed check: the first session after it */
	int failed_check;
} restart;

typedef enum { SLOT_CLOSED, SLOT_OPEN, SLOT_RESET, SLOT_LAPSE } slot_end;

/* The earliest unused session from FROM on with LO <= day <= HI. */
static size_t find_session(const plan *p, size_t from, int32_t lo,
			   int32_t hi)
{
	for (size_t i = from; i < p->ns && p->s[i].day <= hi; i++)
		if (!p->used[i] && p->s[i].day >= lo)
			return i;
	return NO_SESSION;
}

/* The first session on or after DAY, from FROM on. */
static size_t first_session_from(const plan *p, size_t from, int32_t day)
{
	size_t i = from;
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

static void add_reset(plan *p, const restart *at, int gen, size_t closer)
{
	if (p->nresets == p->rcap) {
		p->rcap = p->rcap ? 2 * p->rcap : 4;
		p->resets = up_xrealloc(p->resets, p->rcap * sizeof *p->resets);
		p->closer = up_xrealloc(p->closer, p->rcap * sizeof *p->closer);
	}
	p->closer[p->nresets] = closer;
	p->resets[p->nresets++] = (up_reset){.day = at->day, .gen = gen,
					     .failed_check = at->failed_check,
					     .closed = UP_NEVER};
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
	sl->failed = 1;
	*out = (restart){.day = sl->done_on, .from = i + 1, .failed_check = 1};
	return SLOT_RESET;
}

/* The state of a slot whose window has not closed by the judging day.
 * Past its new due day a rescheduled slot is overdue: the second chance
 * is running out. */
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
 * Judges one slot, sessions from FROM on.  A session from the day its
 * window opens satisfies it: on time within the grace, late after (the
 * habit matters, not the calendar).  A first miss moves it once (Lally:
 * one missed occasion does not derail a habit); a second lapses the plan
 * the day after the second window closed.  A slot that would move past
 * window_end cannot be retried, so its first miss is final and, not being
 * a second miss, lapses nothing.
 */
static slot_end judge(plan *p, up_slot *sl, size_t from, restart *out)
{
	const up_plan_rules *r = p->r;
	int32_t first_close = sl->planned + r->grace;
	int32_t moved = first_close + r->reschedule;
	int movable = moved <= r->window_end;
	int32_t last = movable ? moved + r->grace : first_close;
	size_t i = find_session(p, from, sl->planned - r->grace, last);
	if (i != NO_SESSION) {
		if (p->s[i].day > first_close) {
			sl->rescheduled = 1;
			sl->due = moved;
			sl->late = 1;
		}
		return attended(p, sl, i, out);
	}
	if (p->as_of <= first_close)
		return still_open(p, sl);
	if (!movable) {
		sl->state = UP_SLOT_MISSED;
		return SLOT_CLOSED;
	}
	sl->rescheduled = 1;
	sl->due = moved;
	if (p->as_of <= last)
		return still_open(p, sl);
	sl->state = UP_SLOT_MISSED;
	*out = (restart){.day = last + 1};
	return SLOT_LAPSE;
}

/*
 * Lists generation GEN, starting on day START with sessions from FROM on.
 * Generation 0 keeps negative offsets (managers trained before go-live); a
 * restart never schedules before its own day.  After a late session the
 * plan goes on from it: the later slots keep their intervals from that
 * session (from a moved slot's new day while it is open), and one pushed
 * past window_end is cancelled.  Returns how the
 * generation ended (SLOT_RESET or SLOT_LAPSE with *out set; the slots
 * after are listed cancelled), else SLOT_CLOSED.
 */
static slot_end walk(plan *p, int gen, int32_t start, size_t from,
		     restart *out)
{
	const up_plan_rules *r = p->r;
	int32_t base = start;
	slot_end end = SLOT_CLOSED;
	int open = 0;
	for (size_t k = 0; k < r->noffsets; k++) {
		if (gen > 0 && r->offsets[k] < 0)
			continue;
		if (start + r->offsets[k] > r->window_end)
			break; /* offsets ascend: every later one is out too */
		int32_t day = base + r->offsets[k];
		up_slot *sl = add_slot(p, gen, k, day);
		if (end != SLOT_CLOSED || day > r->window_end) {
			sl->state = UP_SLOT_CANCELLED;
			continue;
		}
		if (open)
			continue; /* listed at its planned day, still pending */
		slot_end e = judge(p, sl, from, out);
		if (e == SLOT_RESET || e == SLOT_LAPSE)
			end = e;
		else if (sl->state == UP_SLOT_DONE && sl->late)
			base = sl->done_on - r->offsets[k];
		/* the slots behind a moved one wait for it: they are listed
		 * after it, as the plan will go on from it */
		else if (e == SLOT_OPEN && sl->rescheduled &&
			 sl->due - r->offsets[k] > base)
			base = sl->due - r->offsets[k];
		open = e == SLOT_OPEN;
	}
	return end;
}

/*
 * When each escalation closed: at the session that followed it (the next
 * one after a failed check, the one that ended a lapse), when a newer one
 * replaced it, the day after the plan's window ended, or the day the
 * person left; never before it opened.
 */
static void close_resets(plan *p, int32_t stop)
{
	const up_plan_rules *r = p->r;
	for (size_t i = 0; i < p->nresets; i++) {
		up_reset *t = &p->resets[i];
		int32_t day = UP_NEVER;
		up_close_why why = UP_CLOSED_NOT;
		if (p->closer[i] != NO_SESSION) {
			day = p->s[p->closer[i]].day;
			why = UP_CLOSED_SESSION;
		}
		if (i + 1 < p->nresets && p->resets[i + 1].day < day) {
			day = p->resets[i + 1].day;
			why = UP_CLOSED_SUPERSEDED;
		}
		if (r->window_end < UP_NEVER && r->window_end + 1 < day &&
		    r->window_end + 1 <= p->as_of) {
			day = r->window_end + 1;
			why = UP_CLOSED_PLAN_END;
		}
		if (stop < day && stop <= p->as_of) {
			day = stop;
			why = UP_CLOSED_LEFT;
		}
		t->closed = day == UP_NEVER ? UP_NEVER
			  : day < t->day ? t->day : day;
		t->why = why;
	}
}

void up_training_plan(const up_plan_rules *r, const up_session *s, size_t ns,
		      int32_t as_of, up_slot **slots, size_t *nslots,
		      up_reset **resets, size_t *nresets)
{
	assert(r && (r->offsets || !r->noffsets) && (s || !ns));
	assert(slots && nslots && resets && nresets);
	/* Negative values could make a restart land on or before the one
	 * that caused it, and the plan would never end. */
	assert(r->grace >= 0 && r->reschedule >= 0);
	int32_t stop = r->stop ? r->stop : UP_NEVER;
	plan p = {.r = r, .s = s, .as_of = as_of < stop ? as_of : stop};
	while (p.ns < ns && s[p.ns].day <= p.as_of)
		p.ns++;
	p.used = up_xcalloc(p.ns ? p.ns : 1, 1);

	/* Every restart starts past a session the one before could not
	 * use, so the loop ends. */
	int32_t start = r->anchor;
	size_t from = 0;
	restart at;
	for (int gen = 0;; gen++) {
		slot_end e = walk(&p, gen, start, from, &at);
		if (e == SLOT_RESET) {
			add_reset(&p, &at, gen + 1,
				  at.from < p.ns ? at.from : NO_SESSION);
			start = at.day;
			from = at.from;
			continue;
		}
		if (e != SLOT_LAPSE)
			break;
		/* lapsed until the next session, which restarts the plan */
		size_t j = first_session_from(&p, from, at.day);
		add_reset(&p, &at, gen + 1, j < p.ns ? j : NO_SESSION);
		if (j >= p.ns)
			break;
		start = p.s[j].day;
		from = j;
	}
	close_resets(&p, stop);
	if (stop <= as_of)
		for (size_t i = 0; i < p.nslots; i++)
			if (p.slots[i].state == UP_SLOT_PENDING ||
			    p.slots[i].state == UP_SLOT_DUE ||
			    p.slots[i].state == UP_SLOT_OVERDUE)
				p.slots[i].state = UP_SLOT_CANCELLED;
	free(p.used);
	free(p.closer);

	*slots = p.slots;
	*nslots = p.nslots;
	*resets = p.resets;
	*nresets = p.nresets;
}
