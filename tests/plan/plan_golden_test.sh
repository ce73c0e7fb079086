#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `rubric check --emit plan` for every example and every scoring golden model, compared with the
# dumps in tests/plan/golden/ (as Carbon's tests compare SemIR). A change to the plan builder
# shows here as a diff of the programs it makes. After a deliberate change:
#   bash tests/plan/plan_golden_test.sh build/tools/rubric/rubric . --update
set -u
RUBRIC=$1
ROOT=$2
UPDATE=${3:-}
cd "$ROOT" || exit 2
GOLDEN=tests/plan/golden
fail=0
count=0
declare -A expected
for f in $GOLDEN/*.plan; do [ -e "$f" ] && expected[$f]=1; done
while IFS= read -r model; do
  name=$GOLDEN/$(echo "${model%.rubric}" | tr '/' '_').plan
  unset "expected[$name]"
  count=$((count + 1))
  if ! out=$("$RUBRIC" check "$model" --emit plan 2>&1); then
    echo "FAIL: $model does not check"; echo "$out" | head -5; fail=1; continue
  fi
  if [ "$UPDATE" = "--update" ]; then
    printf '%s\n' "$out" > "$name"
  elif ! diff -u "$name" <(printf '%s\n' "$out") > /tmp/plan_diff.$$ 2>&1; then
    echo "FAIL: the plan of $model differs from $name:"; head -40 /tmp/plan_diff.$$; fail=1
  fi
done < <(find examples tests/semantics -name '*.rubric' | sort)
rm -f /tmp/plan_diff.$$
for stale in "${!expected[@]}"; do
  if [ "$UPDATE" = "--update" ]; then rm -f "$stale"; else echo "FAIL: $stale has no model (remove it, or run with --update)"; fail=1; fi
done
[ "$count" -ge 20 ] || { echo "FAIL: only $count models found"; fail=1; }
[ $fail = 0 ] && echo "ok: the plans of $count models match their goldens"
exit $fail
