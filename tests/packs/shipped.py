#!/usr/bin/env python3
"""The packs that ship with uptake: every case passes, every rule runs, and
every gate and check has tests expecting both a passing and a failing
outcome.  Usage: shipped.py UPTAKE RULES_DIR"""
import json
import os
import subprocess
import sys

uptake, rules = sys.argv[1], sys.argv[2]
packs = sorted(os.path.join(rules, d) for d in os.listdir(rules)
               if os.path.isfile(os.path.join(rules, d, 'pack.yaml')))
expected = {'broad-implementation', 'clinician-buy-in', 'nasss',
            'partnership', 're-aim'}
names = {os.path.basename(p) for p in packs}
problems = []
if not expected <= names:
    problems.append(f'missing packs: {sorted(expected - names)}')
run = subprocess.run([uptake, 'pack', 'test', '--coverage', '--json'] + packs,
                     capture_output=True, text=True)
if run.returncode not in (0, 1):
    sys.exit(f'pack test failed to run ({run.returncode}):\n{run.stderr}')
doc = json.loads(run.stdout)
for p in doc['packs']:
    name, cov = p['pack'], p['coverage']
    if p['failed']:
        for f in p['failures']:
            problems.append(f"{name}: {f['file']}:{f['line']}: {f['case']}: "
                            f"expected {f['expected']}, got {f['actual']}")
    if p['cases'] == 0:
        problems.append(f'{name}: no cases')
    for r in cov['rules']['not_run']:
        problems.append(f'{name}: rule {r} never ran')
    for r in cov['rules']['one_outcome']:
        problems.append(f'{name}: the tests of {r} expect only one outcome')
    lines = cov['lines']
    print(f"{name} {p['version']}: {p['cases']} cases, rules "
          f"{cov['rules']['ran']}/{cov['rules']['total']}, lines "
          f"{lines['ran']}/{lines['total']}")
for line in problems:
    print('problem:', line)
sys.exit(1 if problems else 0)
