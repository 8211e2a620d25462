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
# Environment: UPTAKE (the binary), SRC (the source root), and
# UPTAKE_WRAPPER (the valgrind test setup): a command and its options,
# split on blanks, such as valgrind, that every uptake of the case runs
# under.  Valgrind writes what it finds to a log per process (through
# VALGRIND_OPTS), and a log that is not empty fails the case, whatever
# cmd does with uptake's exit status.
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
# Cases whose outcome depends on speed run uptake natively even under the
# wrapper, which makes it 20 to 50 times slower:
#   pack-test-hostile  loading deep/'s chain of 200000 closures with
#                      coverage on takes some 45 s under memcheck, past
#                      the default time limit of 5 s (its tests/deep.yaml
#                      could give the program limits: {time_ms: ...})
case $case_name in
pack-test-hostile) unset UPTAKE_WRAPPER ;;
esac
wrap=
trap 'rm -rf "$work" "$out" ${wrap:+"$wrap"}' EXIT
if [ -n "${UPTAKE_WRAPPER:-}" ]; then
	wrap=$(mktemp -d "${TMPDIR:-/tmp}/uptake-cli-wrap-XXXXXX") || exit 1
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$UPTAKE_WRAPPER" "$UPTAKE" \
		>"$wrap/uptake"
	chmod +x "$wrap/uptake"
	UPTAKE=$wrap/uptake
	export VALGRIND_OPTS="${VALGRIND_OPTS:-} --log-file=$wrap/log.%p"
fi

[ -d "$dir/files" ] && cp -R "$dir/files/." "$work/"
export UPTAKE SRC NO_COLOR=1 LC_ALL=C TZ=UTC
unset UPTAKE_ARGS CDPATH
(cd "$work" && bash "$dir/cmd") </dev/null >"$out/stdout" 2>"$out/stderr"
echo $? >"$out/status"

wrapped=0
for log in ${wrap:+"$wrap"/log.*}; do
	[ -s "$log" ] || continue
	echo "run.sh: $case_name: $UPTAKE_WRAPPER reports:" >&2
	cat "$log" >&2
	wrapped=1
done

leak=0
for f in stdout stderr; do
	if grep -q -F -e "$work" -e "$out" "$out/$f"; then
		echo "run.sh: $case_name: $f names the temporary directory" \
		     "$work; use relative paths in cmd" >&2
		leak=1
	fi
done

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	[ $leak = 0 ] && [ $wrapped = 0 ] || exit 1
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
fail=$((leak | wrapped))
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
