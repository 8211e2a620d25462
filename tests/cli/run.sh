#!/usr/bin/env bash
# run.sh CASE: runs tests/cli/cases/CASE/cmd with the real uptake binary in
# a fresh temporary directory and compares stdout, stderr and the exit
# status with the golden files beside it.  UPDATE_GOLDEN=1 rewrites them.
#
# Environment: UPTAKE (the binary), SRC (the source root).
set -u
case_name=$1
dir="$SRC/tests/cli/cases/$case_name"
work=$(mktemp -d "${TMPDIR:-/tmp}/uptake-cli-XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -d "$dir/files" ] && cp -R "$dir/files/." "$work/"
export UPTAKE SRC NO_COLOR=1 LC_ALL=C TZ=UTC
(cd "$work" && bash "$dir/cmd") >"$work/.stdout" 2>"$work/.stderr"
echo $? >"$work/.status"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$work/.stdout" "$dir/stdout"
	cp "$work/.stderr" "$dir/stderr"
	cp "$work/.status" "$dir/status"
	exit 0
fi

# A missing golden file means: no output, exit status 0.
[ -f "$dir/status" ] && cp "$dir/status" "$work/.want-status" || echo 0 >"$work/.want-status"
fail=0
for f in stdout stderr status; do
	expected="$dir/$f"
	[ "$f" = status ] && expected="$work/.want-status"
	[ -f "$expected" ] || expected=/dev/null
	if ! diff -u --label "expected $f" --label "actual $f" "$expected" "$work/.$f"; then
		fail=1
	fi
done
exit $fail
