#!/usr/bin/env bash
# verify.sh: examples/systemd's units as an administrator installs them
# pass `systemd-analyze verify` (systemd 252 refuses RestartForceExitStatus=
# in a Type=oneshot service), with their paths moved into a temporary
# directory and ExecStart= pointing at the built binary; any message about
# them fails the test too, since verify exits 0 on some refusals it prints.
# The retry on exit 75 (store busy) must stay: the service restarts on
# failure, and only the statuses that need a person prevent it.  And
# ExecStart='s command line, run by hand in a program directory, must be
# one uptake accepts (exit 0, or 1 for a --fail-on condition).
#
# Skips (77) only when systemd-analyze is missing or cannot verify even a
# unit that is certainly valid here.
#
# Environment: UPTAKE (the binary), SRC (the source root).
set -u
: "${UPTAKE:?}" "${SRC:?}"
units=$SRC/examples/systemd
service=uptake-cycle@.service
timer=uptake-cycle@.timer
fail=0
bad() {
	echo "verify.sh: $*" >&2
	fail=1
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed (scripts/setup installs" \
	     "the Debian package systemd)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/uptake-systemd-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Can it verify at all in this container?
mkdir "$tmp/probe"
printf '[Service]\nType=oneshot\nExecStart=%s --version\n' "$UPTAKE" \
	>"$tmp/probe/uptake-probe.service"
if ! out=$(systemd-analyze verify --man=no \
	   "$tmp/probe/uptake-probe.service" 2>&1) || [ -n "$out" ]; then
	echo "SKIP: systemd-analyze verify cannot run here; on a unit that is" \
	     "certainly valid it says: $out"
	exit 77
fi

# The units as installed, for a program in $tmp/srv/region-nord.
mkdir -p "$tmp/units" "$tmp/srv/region-nord"
for f in "$service" "$timer"; do
	sed -e "s#/usr/local/bin/uptake#$UPTAKE#g" -e "s#/srv/uptake#$tmp/srv#g" \
		"$units/$f" >"$tmp/units/$f" || exit 1
done
grep -q "^ExecStart=$UPTAKE " "$tmp/units/$service" ||
	bad "$service: ExecStart= does not run /usr/local/bin/uptake"
# The template as installed (systemd-analyze instantiates it) and an
# instance of it; the timer names the service it starts.
cp "$tmp/units/$service" "$tmp/units/uptake-cycle@region-nord.service"
cp "$tmp/units/$timer" "$tmp/units/uptake-cycle@region-nord.timer"
for u in "$service $timer" \
	 "uptake-cycle@region-nord.service uptake-cycle@region-nord.timer"; do
	set -- $u
	if ! out=$(cd "$tmp/units" && systemd-analyze verify --man=no \
		   "./$1" "./$2" 2>&1); then
		bad "systemd-analyze verify $1 $2 failed: $out"
	elif [ -n "$out" ]; then
		bad "systemd-analyze verify $1 $2 complained: $out"
	else
		echo "systemd-analyze verify $1 $2: ok"
	fi
done

# The retry on 75, in a form systemd accepts for Type=oneshot.
value() { # value KEY: the unit's setting KEY, all its lines joined
	sed -n "s/^$1=//p" "$units/$service" | tr '\n' ' '
}
has() { # has WORD LIST
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}
[ "$(value Type)" = "oneshot " ] || bad "$service: Type= is not oneshot"
[ "$(value Restart)" = "on-failure " ] ||
	bad "$service: Restart= is not on-failure, so exit 75 is not retried"
[ -n "$(value RestartSec)" ] || bad "$service: no RestartSec="
prevent=$(value RestartPreventExitStatus)
success=$(value SuccessExitStatus)
has 75 "$prevent" && bad "$service: RestartPreventExitStatus= stops the retry on 75"
has 75 "$success" && bad "$service: SuccessExitStatus= makes 75 a success, never retried"
for s in 2 65 70; do
	has "$s" "$prevent" ||
		bad "$service: exit $s needs a person, but restarts every RestartSec="
done
has 1 "$success" || bad "$service: exit 1 (--fail-on) is not a success"

# ExecStart='s command line, by hand, in a program directory.
cmdline=$(sed -n "s#^ExecStart=/usr/local/bin/uptake ##p" "$units/$service")
prog=$tmp/srv/region-nord
cp -R "$SRC/examples/surgical-journey/." "$prog/" && rm -rf "$prog/.uptake"
# shellcheck disable=SC2086 # the command line's words, as systemd splits them
(cd "$prog" && "$UPTAKE" $cmdline >"$tmp/out" 2>&1)
s=$?
if [ $s != 0 ] && [ $s != 1 ]; then
	bad "ExecStart's 'uptake $cmdline' exited $s: $(cat "$tmp/out")"
else
	echo "uptake $cmdline: exit $s"
fi
exit $fail
