#!/usr/bin/env bash
# run.sh CASE: runs tests/cli/cases/CASE/cmd with the real uptake binary in
# a fresh temporary directory and compares stdout, stderr and the exit
# status with the golden files beside it.  UPDATE_GOLDEN=1 rewrites them.
#
# The temporary directory starts as a copy of cases/CASE/files/ (if any);
# cmd is a bash script run there with stdin from /dev/null and
#   UPTAKE   the binary
#   SRC      the source root (tests/cli/lib.sh has helpers for cmd scripts)
#   NO_COLOR=1, LC_ALL=C, TZ=UTC
# A missing golden file means: no output, exit status 0.  Output that
# names the temporary directory fails the case: goldens must not hold
# temporary paths, so cmd scripts use relative ones.
#
# Environment: UPTAKE (the binary), SRC (the source root).
set -u
case_name=${1:?usage: run.sh CASE}
dir="$SRC/tests/cli/cases/$case_name"
if [ ! -f "$dir/cmd" ]; then
	echo "run.sh: no case '$case_name' ($dir/cmd is missing)" >&2
	exit 1
fi
# The case runs in $work; its output is kept apart in $out, so a case
# that lists its directory sees only what it made.
work=$(mktemp -d "${TMPDIR:-/tmp}/uptake-cli-XXXXXX") || exit 1
out=$(mktemp -d "${TMPDIR:-/tmp}/uptake-cli-out-XXXXXX") || exit 1
trap 'rm -rf "$work" "$out"' EXIT

[ -d "$dir/files" ] && cp -R "$dir/files/." "$work/"
export UPTAKE SRC NO_COLOR=1 LC_ALL=C TZ=UTC
unset UPTAKE_ARGS CDPATH
(cd "$work" && bash "$dir/cmd") </dev/null >"$out/stdout" 2>"$out/stderr"
echo $? >"$out/status"

leak=0
for f in stdout stderr; do
	if grep -q -F -e "$work" -e "$out" "$out/$f"; then
		echo "run.sh: $case_name: $f names the temporary directory" \
		     "$work; use relative paths in cmd" >&2
		leak=1
	fi
done

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	[ $leak = 0 ] || exit 1
	# Write only what differs from the default (empty, status 0).
	for f in stdout stderr; do
		if [ -s "$out/$f" ]; then
			cp "$out/$f" "$dir/$f"
		else
			rm -f "$dir/$f"
		fi
	done
	if [ "$(cat "$out/status")" = 0 ]; then
		rm -f "$dir/status"
	else
		cp "$out/status" "$dir/status"
	fi
	exit 0
fi

if [ -f "$dir/status" ]; then
	cp "$dir/status" "$out/want-status"
else
	echo 0 >"$out/want-status"
fi
fail=$leak
for f in stdout stderr status; do
	expected="$dir/$f"
	[ "$f" = status ] && expected="$out/want-status"
	[ -f "$expected" ] || expected=/dev/null
	if ! diff -u --label "expected $f" --label "actual $f" "$expected" \
		"$out/$f"; then
		fail=1
	fi
done
exit $fail
