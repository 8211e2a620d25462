#!/usr/bin/env python3
"""Generates observations.csv for the regional-rollout example.

Seeded, so the committed CSV is reproducible: python3 generate.py
Monthly digital_meetings and patient_meetings per reception from January
2025 to October 2026, shaped to tell the story in README.md.
"""
import csv
import math
import random

SEED = 20260301
MONTHS = [(2025, m) for m in range(1, 13)] + [(2026, m) for m in range(1, 11)]

# reception -> (monthly patient meetings, share profile)
PROFILES = {
    # early adopters: the pilot receptions, far ahead of plan
    'a-cardiology': (900, 'early'), 'a-orthopaedics': (700, 'early'),
    'b-oncology': (650, 'early'), 'c-paediatrics': (500, 'early'),
    # the broad middle, following the plan
    'a-oncology': (800, 'plan'), 'a-neurology': (450, 'late'),
    'a-dermatology': (350, 'plan'), 'a-gastro': (600, 'plan'),
    'a-paediatrics': (400, 'plan'), 'b-cardiology': (1100, 'plan'),
    'b-orthopaedics': (950, 'plan'), 'b-neurology': (500, 'plan'),
    'b-paediatrics': (420, 'plan'), 'c-cardiology': (1300, 'plan'),
    'c-oncology': (1000, 'plan'), 'c-neurology': (700, 'plan'),
    # late starters: behind plan but climbing fast
    'b-dermatology': (380, 'late'), 'c-orthopaedics': (1200, 'late'),
    # went digital, then fell back: a downward shift
    'c-gastro': (900, 'fallback'),
    # never sent an export
    'b-gastro': (550, 'none'),
    'c-dermatology': (420, 'plan'),
}


def share(profile, i, n):
    t = i / (n - 1)
    if profile == 'early':
        return 0.12 + 0.36 * t
    if profile == 'plan':
        return 0.03 + 0.26 * t
    if profile == 'late':
        return 0.01 if t < 0.78 else 0.01 + 0.23 * (t - 0.78) / 0.22
    if profile == 'fallback':
        return 0.16 if i < n - 8 else 0.04
    return None


def main():
    rng = random.Random(SEED)
    rows = []
    for unit, (volume, profile) in sorted(PROFILES.items()):
        if profile == 'none':
            continue
        for i, (y, m) in enumerate(MONTHS):
            seasonal = 0.85 if m in (7, 12) else 1.0
            total = max(1, round(rng.gauss(volume * seasonal, volume * 0.06)))
            s = share(profile, i, len(MONTHS))
            digital = round(total * min(1.0, max(0.0, rng.gauss(s, 0.012))))
            period = f'{y}-{m:02d}'
            rows.append((unit, 'patient_meetings', period, total))
            rows.append((unit, 'digital_meetings', period, digital))
    with open('observations.csv', 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['unit', 'series', 'period', 'value'])
        w.writerows(rows)


if __name__ == '__main__':
    main()
