#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Keeps docs/language.md §11 (the semantics reference) tied to the tests: every row of its table
# must name at least one test, every file it names (`tests/...`) must exist, and every test it
# names by its title ("...") after a file must be in that file.
# Usage: spec_refs_test.sh REPO_ROOT
set -u
cd "$1" || exit 2
doc=docs/language.md
section=$(awk '/^## 11\. /{on=1; next} /^## /{on=0} on' "$doc")
[ -n "$section" ] || { echo "FAIL: $doc has no section 11"; exit 1; }
status=0 rows=0 refs=0
while IFS= read -r row; do
  case "$row" in '| Topic |'* | '|---'*) continue ;; esac
  rows=$((rows + 1))
  topic=$(printf '%s' "$row" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//')
  pins=$(printf '%s' "$row" | awk -F' \\| ' '{print $NF}')
  if ! printf '%s' "$pins" | grep -q '`tests/'; then
    echo "FAIL: the row \"$topic\" names no test"; status=1; continue
  fi
  # Each pin: `tests/FILE` optionally followed by ("TITLE").
  while IFS= read -r pin; do
    [ -n "$pin" ] || continue
    file=$(printf '%s' "$pin" | sed -n 's/^`\(tests\/[^`]*\)`.*/\1/p')
    title=$(printf '%s' "$pin" | sed -n 's/^`[^`]*` ("\(.*\)")$/\1/p')
    refs=$((refs + 1))
    if [ ! -f "$file" ]; then
      echo "FAIL: the row \"$topic\" names $file, which does not exist"; status=1; continue
    fi
    if [ -n "$title" ] && ! grep -qF -- "\"$title\"" "$file"; then
      echo "FAIL: the row \"$topic\" names the test \"$title\", which $file does not have"; status=1
    fi
  done < <(printf '%s' "$pins" | grep -o '`tests/[^`]*`\( ("[^"]*")\)\{0,1\}')
done < <(printf '%s\n' "$section" | grep '^| ')
[ "$rows" -gt 0 ] || { echo "FAIL: no table in section 11"; exit 1; }
echo "$rows rows, $refs tests named"
exit $status
