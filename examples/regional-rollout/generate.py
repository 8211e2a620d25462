#!/usr/bin/env python3
"""Generates people.csv, observations.csv and trainings.csv for the
regional-rollout example.

Seeded, so the committed files are reproducible: python3 generate.py
(run it in this directory) always writes the same bytes.

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
people.csv: the roster of each reception: its first-line manager and
ambassadors (named below, as the story needs them) and its secretaries,
about six people per reception, some of whom joined later and one of
whom left.
trainings.csv: the training log of two years: each person comes to the
sessions of the plans program.yaml puts them on, most of them on time,
some late, some after missing one, a few missing two in a row (the plan
lapses) and coming back weeks later or not at all; the hospitals'
ambassador forums; and the exceptions the story needs.
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


# The named roster: each reception's first-line manager and ambassadors.
ROSTER = """\
hilde-aasen,Hilde Aasen,a-cardiology,first_line_manager,
ingrid-moe,Ingrid Moe,a-cardiology,ambassador,
sindre-bakke,Sindre Bakke,a-cardiology,ambassador,
hanne-lunde,Hanne Lunde,a-cardiology,ambassador,
tor-berge,Tor Berge,a-dermatology,first_line_manager,
camilla-holm,Camilla Holm,a-dermatology,ambassador,
randi-dahl,Randi Dahl,a-gastro,first_line_manager,
erlend-foss,Erlend Foss,a-gastro,ambassador,
silje-nygaard,Silje Nygaard,a-gastro,ambassador,
oystein-eide,Øystein Eide,a-neurology,first_line_manager,
vegard-ask,Vegard Ask,a-neurology,ambassador,
maren-kvam,Maren Kvam,a-neurology,ambassador,
kari-fjeld,Kari Fjeld,a-oncology,first_line_manager,
nora-hegge,Nora Hegge,a-oncology,ambassador,
jonas-rud,Jonas Rud,a-oncology,ambassador,
geir-haugen,Geir Haugen,a-orthopaedics,first_line_manager,
ida-sunde,Ida Sunde,a-orthopaedics,ambassador,
magnus-berg,Magnus Berg,a-orthopaedics,ambassador,
liv-iversen,Liv Iversen,a-paediatrics,first_line_manager,
thea-lindqvist,Thea Lindqvist,a-paediatrics,ambassador,
eirik-dale,Eirik Dale,a-paediatrics,ambassador,
arne-jensen,Arne Jensen,b-cardiology,first_line_manager,
hege-brun,Hege Brun,b-cardiology,ambassador,
ola-nesse,Ola Nesse,b-cardiology,ambassador,
astrid-fossum,Astrid Fossum,b-cardiology,ambassador,
berit-karlsen,Berit Karlsen,b-dermatology,first_line_manager,
kristian-tveit,Kristian Tveit,b-dermatology,ambassador,
stian-lie,Stian Lie,b-gastro,first_line_manager,
line-aas,Line Aas,b-gastro,ambassador,
petter-saele,Petter Sæle,b-gastro,ambassador,
marit-moen,Marit Moen,b-neurology,first_line_manager,
vilde-ronneberg,Vilde Rønneberg,b-neurology,ambassador,
andreas-lien,Andreas Lien,b-neurology,ambassador,
per-nilsen,Per Nilsen,b-oncology,first_line_manager,
marte-eng,Marte Eng,b-oncology,ambassador,
sander-huse,Sander Huse,b-oncology,ambassador,
siri-olsen,Siri Olsen,b-orthopaedics,first_line_manager,
julie-hagen,Julie Hagen,b-orthopaedics,ambassador,
emil-vold,Emil Vold,b-orthopaedics,ambassador,
karoline-krog,Karoline Krog,b-orthopaedics,ambassador,
knut-pedersen,Knut Pedersen,b-paediatrics,first_line_manager,
ane-bo,Ane Bø,b-paediatrics,ambassador,
martin-sand,Martin Sand,b-paediatrics,ambassador,
anne-ronning,Anne Rønning,c-cardiology,first_line_manager,
tuva-strom,Tuva Strøm,c-cardiology,ambassador,
hakon-lyng,Håkon Lyng,c-cardiology,ambassador,
maria-furu,Maria Furu,c-cardiology,ambassador,
bjorn-solberg,Bjørn Solberg,c-dermatology,first_line_manager,
sara-kleiven,Sara Kleiven,c-dermatology,ambassador,
even-rygg,Even Rygg,c-dermatology,ambassador,
tone-strand,Tone Strand,c-gastro,first_line_manager,
helene-mo,Helene Mo,c-gastro,ambassador,
tobias-brekken,Tobias Brekken,c-gastro,ambassador,
amir-haddad,Amir Haddad,c-gastro,ambassador,2026-06-01
lars-tangen,Lars Tangen,c-neurology,first_line_manager,
elise-tofte,Elise Tofte,c-neurology,ambassador,
jorgen-aarset,Jørgen Aarset,c-neurology,ambassador,
eli-vik,Eli Vik,c-oncology,first_line_manager,
kaja-ness,Kaja Ness,c-oncology,ambassador,
fredrik-hoel,Fredrik Hoel,c-oncology,ambassador,
sunniva-lo,Sunniva Lo,c-oncology,ambassador,
rune-wold,Rune Wold,c-orthopaedics,first_line_manager,
oda-reite,Oda Reite,c-orthopaedics,ambassador,
mathias-steen,Mathias Steen,c-orthopaedics,ambassador,
lene-vatne,Lene Vatne,c-orthopaedics,ambassador,
inger-odegard,Inger Ødegård,c-paediatrics,first_line_manager,
emma-grotte,Emma Grøtte,c-paediatrics,ambassador,
sebastian-helle,Sebastian Helle,c-paediatrics,ambassador,
"""

# Secretaries book the patient meetings, digital or not: every reception
# has enough of them to make about six people.
FIRST = ['Anette', 'Bente', 'Cecilie', 'Dagny', 'Eva', 'Frida', 'Guro', 'Hanna',
         'Ingeborg', 'Janne', 'Kjersti', 'Linn', 'Mette', 'Nina', 'Oline',
         'Pia', 'Ragnhild', 'Solveig', 'Trine', 'Unni', 'Vigdis', 'Wenche',
         'Aud', 'Bjørg', 'Elin', 'Gunn', 'Hilde', 'Ingvild', 'Jorunn', 'Kine',
         'Lise', 'Merete', 'Nils', 'Ole', 'Paal', 'Rolf', 'Svein', 'Terje',
         'Ulrik', 'Vidar', 'Anders', 'Dag', 'Espen', 'Frode', 'Gaute']
LAST = ['Aune', 'Berg', 'Dahle', 'Eriksen', 'Fosse', 'Grande', 'Hauge',
        'Holte', 'Jakobsen', 'Kolstad', 'Lunde', 'Myklebust', 'Nilsen',
        'Ottesen', 'Pettersen', 'Rasmussen', 'Skog', 'Tangen', 'Ulvestad',
        'Vik', 'Aasland', 'Brekke', 'Dalen', 'Engen', 'Fjeld', 'Gjerde',
        'Halvorsen', 'Innset', 'Johansen', 'Kvale', 'Lie', 'Moe', 'Nes',
        'Olsen', 'Rønning', 'Sletten', 'Torp', 'Ueland', 'Vatne', 'Wiik']
PER_RECEPTION = 6
# The one person who left: a secretary at Gastroenterology A moved to
# another hospital at the end of August.
LEAVER = 'a-gastro'
LEFT = '2026-09-01'


def slug(name):
    table = str.maketrans({'ø': 'o', 'å': 'a', 'æ': 'ae', 'Ø': 'o', 'Å': 'a',
                           'Æ': 'ae', ' ': '-'})
    return name.translate(table).lower()


def people(rng):
    rows = [line.split(',') + [''] for line in ROSTER.strip().split('\n')]
    taken = {r[0] for r in rows}
    count = {}
    for r in rows:
        count[r[2]] = count.get(r[2], 0) + 1
    for unit in sorted(R):
        wave = R[unit][2]
        for k in range(max(2, PER_RECEPTION - count[unit])):
            while True:
                name = f'{rng.choice(FIRST)} {rng.choice(LAST)}'
                pid = slug(name)
                if pid not in taken:
                    break
            taken.add(pid)
            joined = left = ''
            # one in five came after the go-live, the last this autumn
            if rng.random() < 0.2 and wave < 4:
                go = GO_LIVE[wave]
                span = (datetime.date(2026, 10, 1) - go).days
                joined = (go + datetime.timedelta(days=rng.randint(30, span))).isoformat()
            if unit == LEAVER and k == 0:
                left = LEFT
            rows.append([pid, name, unit, 'secretary', joined, left])
    with open('people.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'name', 'unit', 'roles', 'joined', 'left'])
        w.writerows(rows)
    return rows


# The plans by audience of program.yaml's cadence.training, and the topic
# each records its sessions under.
PLANS = {
    'ambassador': ([0, 7, 21, 45, 90, 150, 210, 300], 300, 'digital-meetings'),
    'secretary': ([0, 14, 45, 90, 180, 365, 540], 600, 'reception-routine'),
    'first_line_manager': ([-14, 0, 30, 60, 90], 300, 'manager-briefing'),
}
GRACE, RESCHEDULE = 7, 7
# How people come to their sessions: the chance that a slot is late (after
# its grace), missed once (they come to the moved session), or missed
# twice (the plan lapses).  Most are steady; some busy; a few drift.
HABITS = [(0.70, (0.06, 0.03, 0.00)),
          (0.22, (0.20, 0.12, 0.04)),
          (0.08, (0.20, 0.15, 0.20))]
COME_BACK = 0.6     # of those who lapse, come back within three months
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


def habit(rng):
    x = rng.random()
    for share, odds in HABITS:
        if x < share:
            return odds
        x -= share
    return HABITS[-1][1]


def attend(rng, offsets, day0, end, odds):
    """The days a person comes to the sessions of a plan starting DAY0."""
    late, missed, lapse = odds
    days, i = [], 0
    base, base_off = day0 + datetime.timedelta(days=offsets[0]), offsets[0]
    stop = min(end, EXPORTED)
    while i < len(offsets):
        due = base + datetime.timedelta(days=offsets[i] - base_off)
        if due > stop:
            break
        x = rng.random()
        if x < lapse:
            if rng.random() >= COME_BACK:
                break
            # back weeks after the moved session was missed too; the
            # plan starts again from that day
            d = due + datetime.timedelta(days=2 * GRACE + RESCHEDULE + rng.randint(10, 80))
            if d > stop:
                break
            days.append(d)
            base, base_off, i = d, offsets[0], 1
            continue
        x -= lapse
        if x < missed:
            d = due + datetime.timedelta(days=GRACE + RESCHEDULE + rng.randint(-3, 3))
        elif x < missed + late:
            d = due + datetime.timedelta(days=GRACE + rng.randint(2, 15))
        else:
            d = due + datetime.timedelta(days=rng.randint(-3, 4))
        if d > stop:
            break
        days.append(d)
        base, base_off, i = d, offsets[i], i + 1
    return days


def trainings(rng, roster):
    rows = []
    for pid, _, unit, roles, joined, left in roster:
        role = roles.split(';')[0]
        go = GO_LIVE[R[unit][2]]
        day0 = max(go, datetime.date.fromisoformat(joined)) if joined else go
        offsets, window, topic = PLANS[role]
        # the secretaries' plan runs from whoever joins later (anchor:
        # joined), the others' from the go-live
        end = (day0 if role == 'secretary' else go) + datetime.timedelta(days=window)
        if left:
            end = min(end, datetime.date.fromisoformat(left) - datetime.timedelta(days=1))
        if pid in OWN:
            days = [datetime.date.fromisoformat(d) for d in OWN[pid]]
        else:
            days = attend(rng, offsets, day0, end, habit(rng))
        rows += [(pid, d.isoformat(), topic, 'passed') for d in days]
        if role == 'secretary':
            continue
        for day in FORUMS[unit[0]]:
            d = datetime.date.fromisoformat(day)
            if day0 <= d and (day, pid) not in ABSENT:
                rows.append((pid, day, 'ambassador-forum', 'passed'))
    rows.sort(key=lambda r: (r[1], r[0]))
    with open('trainings.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['person', 'date', 'topic', 'outcome'])
        w.writerows(rows)


def main():
    observations(random.Random(SEED))
    roster = people(random.Random(SEED + 1))
    trainings(random.Random(SEED + 2), roster)


if __name__ == '__main__':
    main()
