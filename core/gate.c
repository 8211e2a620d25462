/*
 * gate.c: turns a gate's criteria into a decision.  Kept
 * apart from everything else so every path is unit-testable.
 */
#include <string.h>

#include "internal.h"

/* Scores are sums of weights times tenths; don't let 0.7 * 1.0 land a hair
 * under a 0.7 threshold. */
#define EPS 1e-9

/* A should-meet criterion's score from 0 to 1. */
static double should_score(const up_criterion *c)
{
	switch (c->status) {
	case UP_RES_PASS:
	case UP_RES_WAIVED: return 1.0; /* a waiver counts as met */
	case UP_RES_WARN: return 0.5;
	case UP_RES_SCORE: return c->score / 10.0;
	default: return 0.0; /* fail and error earn nothing */
	}
}

void up_gate_decide(const up_criterion *c, size_t n, double threshold,
		    double margin, up_decision *out)
{
	int kill = 0, recycle = 0, hold = 0, error = 0, cond = 0, judged = 0;
	double wsum = 0, ssum = 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i].status == UP_RES_SKIP)
			continue;
		judged++;
		/* a criterion that could not be judged is not a failure:
		 * nothing can be decided until it can (score() in a must is
		 * a rule's mistake too) */
		if (c[i].status == UP_RES_ERROR ||
		    (c[i].must && c[i].status == UP_RES_SCORE)) {
			error++;
		} else if (!c[i].must) {
			wsum += c[i].weight;
			ssum += c[i].weight * should_score(&c[i]);
		} else if (c[i].status == UP_RES_FAIL) { /* waived: passes */
			const char *f = c[i].on_fail ? c[i].on_fail : "hold";
			kill += !strcmp(f, "kill");
			recycle += !strcmp(f, "recycle");
			hold += !strcmp(f, "hold");
			cond += !strcmp(f, "conditional_go");
		}
	}
	out->has_score = wsum > 0;
	out->score = wsum > 0 ? ssum / wsum : 0;
	/* Recycle outranks hold: rework is needed, not just time. */
	if (!judged) /* nothing covers the gate, or nothing applied */
		out->decision = NULL;
	else if (error)
		out->decision = "hold";
	else if (kill)
		out->decision = "kill";
	else if (recycle)
		out->decision = "recycle";
	else if (hold)
		out->decision = "hold";
	/* on_fail = "conditional_go": proceed only with conditions */
	else if ((!out->has_score || out->score >= threshold - EPS) && !cond)
		out->decision = "go";
	else if (!out->has_score || out->score >= threshold - EPS)
		out->decision = "conditional_go";
	else if (out->score >= threshold - margin - EPS)
		out->decision = "conditional_go";
	else
		out->decision = "recycle";
}
