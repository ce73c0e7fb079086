# SPDX-License-Identifier: Apache-2.0
# Shared by the CLI test scripts: a temporary folder, pass/fail counting and the checks they use.
# Source it after setting ROOT; it cds there. Each script ends with `finish`.
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
passed=0
failed=0

abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
same() {  # same ACTUAL EXPECTED NAME
  if cmp -s "$1" "$2"; then ok; else fail "$3 differs from $2"; diff "$2" "$1" | head -10; fi
}
# expect_exit CODE NAME -- command...
expect_exit() {
  local want="$1" name="$2"
  shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else fail "$name: exit $got, expected $want"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}
contains() {  # contains FILE TEXT NAME
  if grep -qF -- "$2" "$1"; then ok; else fail "$3: no '$2' in $1"; sed 's/^/  | /' "$1" | head -8; fi
}
lines() {  # lines FILE N NAME
  local n
  n=$(wc -l <"$1")
  if [ "$n" -eq "$2" ]; then ok; else fail "$3: $n lines, expected $2"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
