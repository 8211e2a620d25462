#!/usr/bin/env bash
# registered.sh CASE...: fails when a directory under tests/cli/cases is
# missing from the arguments (cli_cases in meson.build) or a listed case
# has no cmd script, so no case is silently skipped.
set -u
fail=0
declare -A listed=()
for c in "$@"; do
	listed[$c]=1
	[ -f "$SRC/tests/cli/cases/$c/cmd" ] || {
		echo "registered.sh: case '$c' has no cases/$c/cmd" >&2
		fail=1
	}
done
for d in "$SRC"/tests/cli/cases/*/; do
	c=$(basename "$d")
	[ -n "${listed[$c]:-}" ] || {
		echo "registered.sh: cases/$c is not in cli_cases (meson.build)" >&2
		fail=1
	}
done
exit $fail
