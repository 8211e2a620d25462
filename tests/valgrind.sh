#!/bin/sh
# valgrind.sh BUILD_ROOT TEST [ARG...]: the exe_wrapper of the valgrind
# test setup (meson.build).  A test program built in BUILD_ROOT runs under
# $UPTAKE_WRAPPER (valgrind and its options) and fails on any error.
# Anything else (run.sh, python) runs as it is: memcheck on bash would
# find bash's leaks, not ours, and run.sh runs uptake under
# $UPTAKE_WRAPPER itself.
build=${1:?usage: valgrind.sh BUILD_ROOT TEST [ARG...]}
shift
case $1 in
"$build"/*)
	# a command and its options, split on blanks
	# shellcheck disable=SC2086
	exec $UPTAKE_WRAPPER --error-exitcode=1 "$@" ;;
*)
	exec "$@" ;;
esac
