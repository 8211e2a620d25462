#!/usr/bin/env python3
"""Counts results in meson's testlog.json: a Check suite counts its checks,
any other test counts once.  Prints 'N passed, N failed'."""
import json
import re
import sys

passed = failed = 0
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        ok = t.get('result') == 'OK'
        m = re.search(r'Checks: (\d+), Failures: (\d+), Errors: (\d+)',
                      t.get('stdout') or '')
        if m:
            n, fl, er = map(int, m.groups())
            passed += n - fl - er
            failed += fl + er + (0 if ok or fl or er else 1)
        elif ok:
            passed += 1
        else:
            failed += 1
print(f'{passed} passed, {failed} failed')
