#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `rubric evaluate --report`: the HTML report of the X Education example is self-contained (it
# refers to nothing on the network), opens in headless Chromium without a single console message,
# has its charts as SVG elements with their ids, and renders to a screenshot.
#
# Usage: html_report_test.sh RUBRIC_BINARY OUTPUT_DIR
#   DATA      the shared datasets (default: ../../../shared/datasets from this folder)
#   CHROMIUM  the browser (default: /usr/bin/chromium)
# Exits 77 (skipped) when the dataset or Chromium is missing. OUTPUT_DIR keeps report.html,
# report.png, the DOM Chromium saw and Chromium's logs, for a look when it fails.
#
# How console errors are found: Chromium started with --enable-logging=stderr writes every
# console message of the page to its log as
#   [pid:tid:time:INFO:CONSOLE:LINE] "MESSAGE", source: URL (LINE)
# (older versions: `INFO:CONSOLE(LINE)`). For a web page the level is always INFO: Chromium
# passes the real level (error, warning) only for its own chrome:// pages (LogConsoleMessage in
# content/browser), so console.log and console.error cannot be told apart there. The report has no
# script, so the rule is simple: any console line fails. That catches console.error/warn/log,
# uncaught exceptions ("Uncaught ..."), and what the renderer reports itself, such as an SVG
# attribute it cannot parse ("Error: <path> attribute d: Expected number, "M nan ..."). The
# browser's own noise (dbus, GPU, sandbox warnings) has no CONSOLE tag and is ignored. Before the
# report, a canary page with a console.error, an uncaught exception and a bad SVG path is loaded
# and all three must be found: if a Chromium version stopped logging them, the test fails instead
# of passing blind.
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 RUBRIC_BINARY OUTPUT_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
RUBRIC="$1"
mkdir -p "$2" || exit 1
OUT="$(cd "$2" && pwd)"
DATA="${DATA:-$HERE/../../../shared/datasets}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
MODEL="$HERE/../../examples/xeducation/xeducation.rubric"
LEADS="$DATA/x_education_leads/Leads.csv"
REPORT="$OUT/report.html"
SHOT="$OUT/report.png"

if [ ! -d "$DATA" ]; then
  echo "SKIP: the datasets folder $DATA is missing (set DATA, or put ../shared beside the repository)"
  exit 77
fi
if [ ! -f "$LEADS" ]; then
  echo "SKIP: $LEADS is missing from the datasets folder"
  exit 77
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# ---------------------------------------------------------------------------------------------
# The report.
rm -f "$REPORT" "$SHOT"
if "$RUBRIC" evaluate "$MODEL" --input "$LEADS" --label Converted --as-of 2026-11-01 --split random:0.3 --seed 7 --suggest \
  --report "$REPORT" >"$OUT/evaluate.txt" 2>"$OUT/evaluate.err"; then
  ok "rubric evaluate ran (exit 0)"
else
  fail "rubric evaluate exited with $?"
  sed 's/^/  | /' "$OUT/evaluate.err" | head -20
fi
if [ ! -s "$REPORT" ]; then
  fail "no report written to $REPORT"
  finish
fi
ok "report written: $REPORT ($(wc -c <"$REPORT") bytes)"

# ---------------------------------------------------------------------------------------------
# Static checks on the file: an HTML5 document in UTF-8 that loads nothing from elsewhere.
head -c 200 "$REPORT" | grep -qi '^<!DOCTYPE html>' && ok "starts with <!DOCTYPE html>" || fail "no <!DOCTYPE html> at the start"
grep -qi '<meta charset="utf-8">' "$REPORT" && ok "declares <meta charset=\"utf-8\">" || fail "no <meta charset=\"utf-8\">"
if iconv -f UTF-8 -t UTF-8 "$REPORT" >/dev/null 2>&1; then ok "the file is valid UTF-8"; else fail "the file is not valid UTF-8"; fi
# The example's model and data hold no URL, so none may appear anywhere, as a reference or as text.
if grep -noiE 'https?://[^"<> ]*' "$REPORT" >"$WORK/urls"; then
  fail "the report mentions http(s) URLs:"
  sed 's/^/  | /' "$WORK/urls" | head -10
else
  ok "no http:// or https:// anywhere in the report"
fi
# Nothing that would fetch a resource: external scripts, style sheets, images, frames, fonts.
if grep -noiE '<(script|img|iframe|frame|embed|object|audio|video|source|link)[^>]*[[:space:]](src|href|data|srcset)[[:space:]]*=|@import|@font-face|url\([[:space:]]*["'"'"']?[^#"'"'"' )]' \
  "$REPORT" >"$WORK/loads"; then
  fail "the report loads resources:"
  sed 's/^/  | /' "$WORK/loads" | head -10
else
  ok "no <script src>, <link>, <img>, frame, @import, @font-face or url() that loads anything"
fi
# Links only within the page.
if grep -oiE '[[:space:]](href|xlink:href|action|formaction)[[:space:]]*=[[:space:]]*"[^"]*"' "$REPORT" | grep -viE '="#' >"$WORK/links"; then
  fail "links that leave the page:"
  sed 's/^/  | /' "$WORK/links" | head -10
else
  ok "every href is a #fragment of the page"
fi
# No coordinate written from a NaN or an infinity.
if grep -noiE '[[:space:]](x|y|x1|x2|y1|y2|cx|cy|r|width|height|d|points|transform|viewBox)="[^"]*(nan|inf)' "$REPORT" >"$WORK/nan"; then
  fail "SVG attributes with nan or inf:"
  sed 's/^/  | /' "$WORK/nan" | head -10
else
  ok "no nan or inf in SVG attributes"
fi

# ---------------------------------------------------------------------------------------------
# Chromium.
if [ ! -x "$CHROMIUM" ]; then
  echo "SKIP: Chromium is not installed at $CHROMIUM (apt-get install chromium, or set CHROMIUM); static checks above: $failed failed"
  [ "$failed" -eq 0 ] || exit 1
  exit 77
fi

# chromium NAME URL ARGS...: a headless run with a fresh profile and no network chatter; its
# standard output goes to $OUT/NAME.out and its log to $OUT/NAME.log. Returns Chromium's status
# (124 when it timed out). A run that times out (a cold start on a loaded machine: CI's
# sanitizer stage saw it once) is tried once more, from a fresh profile; what is checked of
# the page is the same.
chromium() {
  local name="$1" url="$2" profile rc attempt
  shift 2
  for attempt in 1 2; do
    profile="$(mktemp -d "$WORK/profile.XXXXXX")"
    timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$profile" \
      --no-first-run --no-default-browser-check --disable-extensions --disable-sync --disable-background-networking \
      --disable-component-update --enable-logging=stderr --log-level=0 --v=0 "$@" "$url" >"$OUT/$name.out" 2>"$OUT/$name.log"
    rc=$?
    rm -rf "$profile"
    [ "$rc" -eq 124 ] || break
    echo "note: Chromium timed out on $name (attempt $attempt)"
  done
  return $rc
}
# console NAME: the page's console messages in the log of run NAME (none: fails).
console() { grep -E ':CONSOLE[(:][0-9]+[])]' "$OUT/$1.log"; }

# The canary: the detector must see a console.error, an uncaught exception and a bad SVG path.
cat >"$WORK/canary.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><p>canary</p>
<svg width="20" height="20"><path d="M nan 0 L 10 10"/></svg>
<script>console.error("rubric-canary console.error");</script>
<script>null.rubricCanary();</script>
</body></html>
EOF
chromium canary "file://$WORK/canary.html" --dump-dom
rc=$?
[ "$rc" -eq 0 ] || fail "Chromium on the canary page exited with $rc"
console canary >"$WORK/canary.console"
canary_ok=1
for want in 'rubric-canary console.error' 'Uncaught TypeError' 'attribute d'; do
  grep -qF "$want" "$WORK/canary.console" || canary_ok=0
done
if [ "$canary_ok" -eq 1 ]; then
  ok "the console detector works on this Chromium: console.error, an uncaught exception and a bad SVG path were all seen"
else
  fail "the console detector does not work on this Chromium ($("$CHROMIUM" --version 2>/dev/null | tail -1)); it saw:"
  sed 's/^/  | /' "$WORK/canary.console" | head -10
fi

# The report's DOM as Chromium built it, and its console.
URL="file://$REPORT"
chromium dom "$URL" --dump-dom
rc=$?
if [ "$rc" -eq 0 ]; then ok "Chromium loaded the report (--dump-dom, exit 0)"; else fail "Chromium --dump-dom exited with $rc"; fi
mv "$OUT/dom.out" "$OUT/report.dom.html"
if console dom >"$WORK/dom.console"; then
  fail "the report logged to the console:"
  sed 's/^/  | /' "$WORK/dom.console" | head -20
else
  ok "no console message while loading the report (no console.*, no uncaught exception, no SVG or HTML error)"
fi

# The charts: SVG elements with their ids, each with something drawn in it.
tr '\n' ' ' <"$OUT/report.dom.html" >"$WORK/dom.flat"
# svg_body ID: the markup of the <svg> whose id is ID, up to its </svg>.
svg_body() { grep -oE "<svg[^>]*[[:space:]]id=\"$1\"[^>]*>.*" "$WORK/dom.flat" | sed 's#</svg>.*##'; }
for spec in 'roc-chart:<polyline' 'score-histogram:<rect' 'rule-lift-chart:<rect'; do
  id="${spec%%:*}" mark="${spec#*:}"
  body="$(svg_body "$id")"
  if [ -z "$body" ]; then
    fail "no <svg id=\"$id\"> in the DOM"
  elif ! grep -qF "$mark" <<<"$body"; then
    fail "<svg id=\"$id\"> has no $mark in it"
  elif ! grep -qE '<title[^>]*>[^<]+</title>' <<<"$body" || ! grep -qE 'aria-label="[^"]+"' <<<"$body"; then
    fail "<svg id=\"$id\"> has no <title> or aria-label"
  else
    ok "<svg id=\"$id\"> is in the DOM with a <title>, an aria-label and $mark elements"
  fi
done
tiers=$(grep -oE '<svg[^>]*[[:space:]]id="tier-chart-[0-9]+"' "$WORK/dom.flat" | wc -l)
if [ "$tiers" -ge 1 ]; then ok "$tiers tier chart(s): <svg id=\"tier-chart-N\">"; else fail "no <svg id=\"tier-chart-N\"> in the DOM"; fi
grep -qF 'id="suggestion"' "$WORK/dom.flat" && ok "the suggested points section is there (--suggest)" \
  || fail "no suggested points section although --suggest was given"
grep -qF 'id="training"' "$WORK/dom.flat" && ok "the training against held out section is there (--split)" \
  || fail "no training section although --split was given"

# The screenshot: a real PNG of the requested size, larger than a blank page of that size (a
# blank 1280x4000 page in the report's background colour is about 23 KB).
chromium shot "$URL" --screenshot="$SHOT" --window-size=1280,4000 --hide-scrollbars
rc=$?
[ "$rc" -eq 0 ] || fail "Chromium --screenshot exited with $rc"
if console shot >"$WORK/shot.console"; then
  fail "the report logged to the console while rendering the screenshot:"
  sed 's/^/  | /' "$WORK/shot.console" | head -20
fi
if [ ! -f "$SHOT" ]; then
  fail "no screenshot written to $SHOT"
else
  size=$(wc -c <"$SHOT")
  magic=$(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n')
  dims=$(od -An -j16 -N8 -tu1 "$SHOT" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
  if [ "$magic" != "89504e470d0a1a0a" ]; then
    fail "$SHOT is not a PNG"
  elif [ "$dims" != "1280x4000" ]; then
    fail "$SHOT is $dims, expected 1280x4000"
  elif [ "$size" -lt 60000 ]; then
    fail "$SHOT is only $size bytes: the page rendered (nearly) blank"
  else
    ok "screenshot $SHOT: PNG, $dims, $size bytes"
  fi
fi

finish
