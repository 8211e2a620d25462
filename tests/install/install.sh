#!/bin/sh
# install.sh: builds uptake afresh with its prefix in a temporary
# directory (never the system's), installs it there, builds consumer.c
# against the installed header and library with `pkg-config`,
# and runs it and the installed uptake on the installed examples.
# Environment: SRC (the source root), MESON, CC.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/uptake-install-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() {
	echo "install.sh: $*" >&2
	exit 1
}
step() { # step LOG COMMAND...: runs it, showing its output only on failure
	log=$tmp/$1.log
	shift
	"$@" >"$log" 2>&1 || { cat "$log" >&2; fail "failed: $*"; }
}
step setup "$MESON" setup "$tmp/build" "$SRC" --prefix="$prefix" \
	-Dtests=false -Dbuildtype=release
step compile "$MESON" compile -C "$tmp/build"
step install "$MESON" install -C "$tmp/build" --no-rebuild

echo "# installed"
share=$prefix/share
for f in include/uptake.h share/man/man1/uptake.1 \
	 share/bash-completion/completions/uptake share/uptake/luals/uptake.lua \
	 share/uptake/rules/clinician-buy-in/pack.yaml \
	 share/uptake/examples/regional-rollout/program.yaml \
	 share/doc/uptake/packs.md share/doc/uptake/README.md \
	 share/doc/uptake/tutorial.md share/doc/uptake/program.md \
	 share/doc/uptake/rules.md bin/uptake; do
	[ -f "$prefix/$f" ] || fail "$f is not installed"
	echo "$f"
done
[ ! -e "$share/doc/uptake/uptake.1" ] || fail "the man page is in doc/ too"
pc=$(find "$prefix" -name uptake.pc)
[ -n "$pc" ] || fail "uptake.pc is not installed"
find "$prefix" -name libuptake.a | grep -q . || fail "libuptake.a is not installed"
export PKG_CONFIG_PATH="$(dirname "$pc")"
echo "# uptake.pc"
sed -n '/^Name:/p; /^Requires/p; /^Libs/p; /^Cflags:/p' "$pc"

echo "# a C program built against the installed tree"
# libuptake is static: its dependencies are public, so the plain form
# links (--static adds nothing).
flags=$(pkg-config --cflags --libs uptake) || fail "pkg-config"
step cc ${CC:-cc} -std=c99 -Wall -Wextra -Werror -o "$tmp/consumer" \
	"$SRC/tests/install/consumer.c" $flags
ex=$share/uptake/examples
out=$("$tmp/consumer" "$ex/surgical-journey" "$tmp/new") ||
	fail "consumer: $out"
printf '%s\n' "$out" | sed "s|$prefix|PREFIX|g"
printf '%s\n' "$out" | grep -qx "program surgical-journey" ||
	fail "consumer did not load the example"
printf '%s\n' "$out" | grep -qx "packs $share/uptake/rules" ||
	fail "consumer looks for packs outside the prefix"
printf '%s\n' "$out" | grep -qx "examples $ex" ||
	fail "consumer looks for examples outside the prefix"
printf '%s\n' "$out" | grep -qx "program new" ||
	fail "consumer did not start a program"

echo "# the installed uptake"
step init "$prefix/bin/uptake" init "$tmp/p" --from partnership
step check "$prefix/bin/uptake" -C "$tmp/p" check
lib=$(sed -n 's/^ *"\(.*\/luals\)"$/\1/p' "$tmp/p/.luarc.json")
[ "$lib" = "$share/uptake/luals" ] ||
	fail ".luarc.json points at '$lib', not the installed luals"
echo "init --from partnership: checked; .luarc.json points at PREFIX/share/uptake/luals"
step scaffold "$prefix/bin/uptake" init "$tmp/q"
step cycle "$prefix/bin/uptake" -C "$tmp/q" cycle --fail-on error
echo "init: cycled"
