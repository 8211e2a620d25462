#!/usr/bin/env python3
"""Generates observations.csv and trainings.csv for the regional-rollout example.

Seeded, so the committed files are reproducible: python3 generate.py
(run it in this directory).  It reads people.csv for the training log.

observations.csv: the monthly exports of each reception from January 2025
to October 2026, shaped to tell the story in README.md:
  booking system   patient_meetings, digital_meetings (the goal's ratio)
                   eligible: patients whose follow-up may be digital
                   participants: of those, the patients who had one
  video platform   staff_invited: staff given a video licence
                   staff_using: of those, the staff who held a meeting
  quality audit    components_defined, components_delivered: each quarter
                   10 digital meetings are audited against the 5 core
                   components of the routine (50 defined per audit)
trainings.csv: the training log, one session per slot of each person's
training plan (the 300-day cadence in program.yaml), the hospitals'
ambassador forums, and the exceptions the story needs.
"""
import csv
import datetime
import random

SEED = 20260301
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 11)]
EXPORTED = datetime.date(2026, 10, 30)   # the training log ends here

# The waves of program.yaml: go-live dates, and the month they fall in.
GO_LIVE = {1: datetime.date(2025, 2, 3), 2: datetime.date(2025, 10, 13),
           3: datetime.date(2026, 5, 4), 4: datetime.date(2026, 11, 16)}

# reception -> monthly patient meetings, staff with a video licence, wave,
# and where it stands in October 2026: digital share, reach (participants
# over eligible), staff using over invited, core components delivered.
R = {
    # wave 1, the pilot: early adopters, far ahead of the region's plan
    'a-cardiology':   (900, 24, 1, 0.475, 0.66, 0.92, 0.96),
    'a-orthopaedics': (700, 20, 1, 0.475, 0.62, 0.90, 0.94),
    'b-oncology':     (650, 19, 1, 0.47, 0.64, 0.95, 0.98),
    'c-paediatrics':  (500, 16, 1, 0.50, 0.70, 0.88, 0.92),
    # wave 2, live since October 2025: the broad middle, on the plan
    'a-dermatology':  (350, 10, 2, 0.285, 0.58, 0.90, 0.96),
    'a-gastro':       (600, 17, 2, 0.29, 0.55, 0.86, 0.92),
    'a-oncology':     (800, 22, 2, 0.285, 0.53, 0.62, 0.94),   # a third of its staff abstain
    'a-paediatrics':  (400, 12, 2, 0.29, 0.60, 0.92, 0.94),
    'b-cardiology':   (1100, 30, 2, 0.296, 0.57, 0.84, 0.96),
    'b-neurology':    (500, 15, 2, 0.275, 0.52, 0.87, 0.94),
    'b-orthopaedics': (950, 27, 2, 0.283, 0.54, 0.85, 0.92),
    'b-paediatrics':  (420, 13, 2, 0.295, 0.61, 0.92, 0.86),   # skips core components
    'c-cardiology':   (1300, 33, 2, 0.27, 0.51, 0.83, 0.92),
    'c-dermatology':  (420, 12, 2, 0.30, 0.57, 0.83, 0.96),
    'c-neurology':    (700, 20, 2, 0.30, 0.56, 0.85, 0.90),
    'c-oncology':     (1000, 28, 2, 0.32, 0.58, 0.88, 0.94),
    # wave 2, went digital, then fell back when its support ended early
    'c-gastro':       (900, 25, 2, 'fallback', 0.09, 0.40, 0.72),
    # wave 3, live since May 2026: behind plan but climbing fast
    'a-neurology':    (450, 13, 3, 0.235, 0.35, 0.70, 0.90),
    'b-dermatology':  (380, 11, 3, 0.24, 0.41, 0.85, 0.92),
    'c-orthopaedics': (1200, 31, 3, 0.245, 0.40, 0.80, 0.90),
    # goes live in November 2026: its booking system had to be upgraded
    # first, and it has never sent an export
    'b-gastro':       (550, 0, 4, None, None, None, None),
}
PRE = 0.02          # ad hoc video meetings before a reception goes live


def month_index(d):
    return (d.year - 2025) * 12 + d.month - 1


def ramp(i, g, start, end):
    """START in month G (the go-live), END in the last month, linear."""
    last = len(MONTHS) - 1
    return start + (end - start) * (i - g) / (last - g)


def share(final, i, g):
    if final == 'fallback':
        # 8% by telephone and video on its own before go-live, up to 22%
        # by February 2026; when its support ended it slid back to 3%
        if i < g:
            return 0.08
        if i <= 13:
            return ramp(i, g, 0.09, 0.49)
        return {14: 0.14, 15: 0.10, 16: 0.06, 17: 0.04}.get(i, 0.025)
    if i < g:
        return PRE
    return ramp(i, g, 0.05 if g > 1 else 0.08, final)


def observations(rng):
    rows = []
    for unit, (volume, invited, wave, final, reach, using, fidelity) in sorted(R.items()):
        if final is None:
            continue
        g = month_index(GO_LIVE[wave])
        elig_share = rng.uniform(0.42, 0.58)
        for i, (y, m) in enumerate(MONTHS):
            period = f'{y}-{m:02d}'
            seasonal = 0.85 if m in (7, 12) else 1.0
            total = max(1, round(rng.gauss(volume * seasonal, volume * 0.06)))
            s = share(final, i, g)
            sd = 0.004 if final == 'fallback' and i > 13 else 0.012
            digital = round(total * min(1.0, max(0.0, rng.gauss(s, sd))))
            rows.append((unit, 'patient_meetings', period, total))
            rows.append((unit, 'digital_meetings', period, digital))
            if i < g:
                continue
            # the booking system flags eligible patients from go-live on
            # (about 0.8 patients per meeting)
            eligible = round(total * 0.8 * elig_share)
            r = ramp(i, g, 0.10, reach) if final != 'fallback' else (
                ramp(i, g, 0.10, 0.30) if i <= 13 else reach)
            r = min(1.0, max(0.0, rng.gauss(r, 0.01)))
            rows.append((unit, 'eligible', period, eligible))
            rows.append((unit, 'participants', period, round(eligible * r)))
            u = ramp(i, g, 0.30, using)
            rows.append((unit, 'staff_invited', period, invited))
            rows.append((unit, 'staff_using', period, min(invited, round(invited * u))))
        # a quality audit in every full quarter after go-live, to 2026-Q3
        first_q = (g // 3) + 1
        for q in range(first_q, 7):
            y, n = 2025 + q // 4, q % 4 + 1
            f = fidelity if q == 6 else min(1.0, fidelity + rng.choice((-0.04, 0.0, 0.02)))
            rows.append((unit, 'components_defined', f'{y}-Q{n}', 50))
            rows.append((unit, 'components_delivered', f'{y}-Q{n}', round(50 * f)))
    with open('observations.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['unit', 'series', 'period', 'value'])
        w.writerows(rows)


# The training plan's slots (program.yaml's cadence: the defaults).
OFFSETS = {'ambassador': [0, 7, 21, 45, 90, 150, 210, 300],
           'first_line_manager': [-14, 0, 30, 60, 90]}
WINDOW = 300
# Each hospital's ambassador forum for the ambassadors and first-line
# managers of its live receptions.  Hospital C's September forum was
# cancelled when its director left.
FORUMS = {'a': ['2026-03-12', '2026-09-17'], 'b': ['2026-03-19', '2026-09-24'],
          'c': ['2026-03-26']}
ABSENT = {('2026-09-17', 'magnus-berg'), ('2026-09-24', 'marit-moen')}
# Sessions that did not follow the plan, instead of its slots.
OWN = {
    # b-gastro's go-live is 16 November: one ambassador trained early
    'line-aas': ['2026-10-21'],
    'petter-saele': [],
    'stian-lie': [],
    # c-gastro's new ambassador missed the first sessions and has been to
    # one since
    'amir-haddad': ['2026-07-06'],
}


def trainings(rng):
    rows = []
    with open('people.csv', newline='') as f:
        people = list(csv.DictReader(f))
    for p in people:
        wave = R[p['unit']][2]
        go = GO_LIVE[wave]
        role = p['roles'].split(';')[0]
        anchor = max(go, datetime.date.fromisoformat(p['joined'])) if p['joined'] else go
        days = []
        if p['id'] in OWN:
            days = [datetime.date.fromisoformat(d) for d in OWN[p['id']]]
        else:
            for off in OFFSETS[role]:
                if off > WINDOW:
                    break
                days.append(anchor + datetime.timedelta(days=off + rng.randint(0, 3)))
        topic = 'digital-meetings' if role == 'ambassador' else 'manager-briefing'
        for d in days:
            if d <= EXPORTED:
                rows.append((p['id'], d.isoformat(), topic, 'passed'))
        for day in FORUMS[p['unit'][0]]:
            d = datetime.date.fromisoformat(day)
            if anchor <= d and (day, p['id']) not in ABSENT:
                rows.append((p['id'], day, 'ambassador-forum', 'passed'))
    rows.sort(key=lambda r: (r[1], r[0]))
    with open('trainings.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['person', 'date', 'topic', 'outcome'])
        w.writerows(rows)


def main():
    rng = random.Random(SEED)
    observations(rng)
    trainings(rng)


if __name__ == '__main__':
    main()
