#!/usr/bin/env bash
# headless.sh: the HTML report of each example in a real browser.
# Debian's chromium loads it with the network off (its own network
# namespace when unshare allows, and no proxy or name resolution in any
# case), and the test asserts that the page references nothing outside
# itself, that the browser logged no console message (a script error or a
# blocked load would be one), and that the elements a reader relies on are
# in the DOM (check_dom.py).  It saves screenshots of the regional one at
# desktop and phone width, and a PDF through its print stylesheet, under
# BUILD.
#
# Environment: UPTAKE (the binary), SRC (the source root), BUILD (the
# build directory).  Exit 77 (skipped) only when chromium is not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "headless.sh: chromium is not installed (scripts/setup installs" \
	     "it); skipping" >&2
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/uptake-report-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail() {
	echo "headless.sh: $*" >&2
	exit 1
}

# The network is off: a namespace of its own when unshare works here, and
# no proxy or host resolution whatever happens.
netns=""
unshare -n true 2>/dev/null && netns="unshare -n"
# browser [FLAGS...] FILE: one headless run, its log in $work/log.
browser() {
	local file=$1
	shift
	$netns "$browser" --headless=new --no-sandbox --disable-gpu \
		--no-first-run --user-data-dir="$work/profile" \
		--proxy-server=127.0.0.1:9 \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--enable-logging=stderr --v=0 "$@" "file://$file" 2>>"$work/log"
}
# The page's console messages: chromium logs each as ":CONSOLE(...)" at
# any level, with its source; an uncaught exception or a load the page's
# policy refused is one.  Chromium's own pages (chrome://) log too.
console_messages() {
	grep -E ':CONSOLE' "$work/log" | grep -F 'source: file://'
}

# First, that the check can fail: a page with a script error and a
# remote image must be caught.
cat >"$work/bad.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<title>bad</title></head><body><img src="https://example.org/x.png" alt="">
<script>throw new Error("boom")</script></body></html>
EOF
: >"$work/log"
browser "$work/bad.html" --dump-dom >/dev/null ||
	fail "chromium did not run; its log:$(printf '\n'; cat "$work/log")"
console_messages >/dev/null ||
	fail "a page with a script error and a remote image logged nothing:" \
	     "the console check is blind"

# Each example, as its README runs it, judged twice so that its report
# has a cycle to compare with; the regional one is the one to look at.
setup_regional() {
	for kind in people events trainings observations; do
		"$UPTAKE" import "$kind" "$kind.csv" >/dev/null || return
	done
	"$UPTAKE" cycle --as-of 2026-10-01 >/dev/null &&
		"$UPTAKE" cycle --as-of 2026-11-01 --json
}
setup_journey() {
	"$UPTAKE" cycle --as-of 2026-01-15 >/dev/null &&
		UPTAKE="$UPTAKE" sh ./after.sh >/dev/null &&
		"$UPTAKE" cycle --as-of 2026-04-20 --json
}
setup_partnership() {
	for f in decisions meetings deliverables; do
		"$UPTAKE" import events "$f.csv" >/dev/null || return
	done
	"$UPTAKE" import engagements engagements.csv >/dev/null &&
		"$UPTAKE" import observations observations.csv >/dev/null &&
		"$UPTAKE" cycle --as-of 2026-07-01 >/dev/null &&
		"$UPTAKE" cycle --as-of 2026-10-01 --json
}

# report_of EXAMPLE SETUP: the example's report in $work/EXAMPLE.html,
# loaded and checked.
report_of() {
	local ex=$1 setup=$2 page="$work/$1.html"
	cp -R "$SRC/examples/$ex" "$work/$ex" && rm -rf "$work/$ex/.uptake" ||
		exit 1
	(cd "$work/$ex" && $setup >"$work/$ex.json") ||
		fail "$ex: the imports or cycles failed"
	(cd "$work/$ex" && "$UPTAKE" report --html "$page") ||
		fail "$ex: report failed"
	# Nothing outside the file: no URL, no element or rule that loads one.
	local pattern
	for pattern in 'http://' 'https://' '<script' ' src=' ' href=' \
		       'url(' '@import' '<link' '<iframe' '<object'; do
		if grep -q -F -i -e "$pattern" "$page"; then
			fail "$ex.html holds '$pattern':" \
			     "$(grep -n -o -F -i -e "$pattern" "$page" | head -3)"
		fi
	done
	: >"$work/log"
	browser "$page" --dump-dom >"$work/$ex.dom" ||
		fail "chromium failed on $ex.html:$(printf '\n'; cat "$work/log")"
	if console_messages >/dev/null; then
		fail "console messages while loading $ex.html:" \
		     "$(console_messages | head -5)"
	fi
	python3 "$here/check_dom.py" "$work/$ex.dom" "$work/$ex.json" ||
		fail "$ex.html lacks what a reader relies on (above)"
}

report_of surgical-journey setup_journey
report_of partnership setup_partnership
report_of regional-rollout setup_regional
cp "$work/regional-rollout.html" "$work/report.html" || exit 1

# What a person sees: a desktop, a phone, and paper.
shots=${BUILD:-$work}
browser "$work/report.html" --screenshot="$shots/report.png" \
	--window-size=1280,2000 >/dev/null
browser "$work/report.html" --screenshot="$shots/report-phone.png" \
	--window-size=390,2000 >/dev/null
browser "$work/report.html" --print-to-pdf="$shots/report.pdf" \
	--no-pdf-header-footer >/dev/null
for f in report.png report-phone.png report.pdf; do
	[ -s "$shots/$f" ] || fail "no $f written"
done
head -c 8 "$shots/report.png" | grep -q PNG || fail "report.png is no PNG"
head -c 5 "$shots/report.pdf" | grep -q '%PDF' || fail "report.pdf is no PDF"
if console_messages >/dev/null; then
	fail "console messages while rendering:" "$(console_messages | head -5)"
fi
echo "three examples' reports checked; the regional one is" \
     "$(wc -c <"$work/report.html") bytes; screenshots and PDF in $shots"
