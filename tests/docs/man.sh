#!/bin/sh
# man.sh: docs/uptake.1 reads without a warning from groff, and describes
# every command that `uptake --help` lists and every pack subcommand.
# Environment: UPTAKE (the binary), SRC (the source root).
set -u
page=$SRC/docs/uptake.1
command -v groff >/dev/null 2>&1 || { echo "groff is not installed"; exit 77; }
fail=0
warnings=$(groff -man -ww -z "$page" 2>&1)
if [ -n "$warnings" ]; then
	printf '%s\n' "$warnings"
	fail=1
fi
text=$(groff -man -Tascii -P-cbou "$page" 2>/dev/null)
commands=$("$UPTAKE" --help |
	awk '/^commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }')
subs=$("$UPTAKE" pack --help | awk '/^  [a-z]+ / && $1 != "uptake" { print $1 }')
[ -n "$commands" ] && [ -n "$subs" ] || { echo "no commands found"; exit 1; }
for c in $commands; do
	printf '%s\n' "$text" | grep -Eq "^       $c( |\$)" || {
		echo "docs/uptake.1 does not describe '$c' (add a .TP entry)"
		fail=1
	}
done
for s in $subs; do
	printf '%s\n' "$text" | grep -Eq "^       pack $s( |\$)" || {
		echo "docs/uptake.1 does not describe 'pack $s'"
		fail=1
	}
done
[ $fail = 0 ] && echo "docs/uptake.1: every command, no warning"
exit $fail
