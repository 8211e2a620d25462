# lib.sh: helpers for the cmd scripts of the CLI cases (see run.sh).
# Source it with:  . "$SRC/tests/cli/lib.sh"

# copy_example NAME [DEST]: copies examples/NAME into DEST (default: the
# current directory) without any .uptake state a previous run left there.
copy_example() {
	local to=${2:-.}
	mkdir -p "$to" &&
	cp -R "$SRC/examples/$1/." "$to/" &&
	rm -rf "$to/.uptake"
}

# up ARGS...: one step of a multi-step case.  Writes "$ uptake ARGS" to
# both stdout and stderr (so the two goldens line up), runs uptake and
# writes "exit=N" to stdout; returns uptake's status.
up() {
	printf '$ uptake %s\n' "$*"
	printf '$ uptake %s\n' "$*" >&2
	"$UPTAKE" "$@"
	local s=$?
	echo "exit=$s"
	return $s
}

# nothing_written: says whether the program directory is still free of
# uptake state; use as `cmd; s=$?; nothing_written; exit $s`.
nothing_written() {
	if [ -e .uptake ]; then
		echo "written: .uptake exists"
	else
		echo "nothing-written"
	fi
}

# strip_cycle FILE: FILE without its "cycle": N line, the one line two
# cycles over the same facts may differ in.
strip_cycle() {
	grep -v '^  "cycle": [0-9]*,$' "$1"
}
