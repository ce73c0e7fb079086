#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn the BPI Challenge 2012 loan-application log into Rubric leads, as of one cut-off time.

    python3 examples/bpi/prepare.py OUTPUT.jsonl [--cutoff 2012-01-15] [--data DIR]

Writes one JSON line per application that is OPEN at the cut-off: submitted before it, with its
outcome (approved, declined or cancelled) strictly after it, or no outcome at all when the log
ends (outcome "open"). Each line holds the case id, the amount requested, the registration date,
the outcome (the label to measure against; the model must not read it) and the case's events
strictly before the cut-off. Events that are or that follow the outcome (A_APPROVED, A_DECLINED,
A_CANCELLED, and A_REGISTERED, A_ACTIVATED, O_ACCEPTED, which only occur with an approval) are
never written, even if a clock tie put one before the cut-off.

The cut-off is a date (midnight in Amsterdam, the log's own time zone) or a full ISO 8601 time
with an offset. Score the output with the same instant, e.g. for the default cut-off:

    rubric score examples/bpi/bpi.rubric --input OUTPUT.jsonl --as-of 2012-01-15T00:00:00+01:00

Standard library only. Reads bpi2012_cases.csv and bpi2012_events.csv from --data (by default
../shared/datasets/bpi_challenge_2012 beside the repository).
"""

import argparse
import csv
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets", "bpi_challenge_2012"))

# The outcome itself, and what only ever happens at or after an approval.
NEVER_WRITTEN = {
    "A_APPROVED", "A_DECLINED", "A_CANCELLED",
    "A_REGISTERED", "A_ACTIVATED", "O_ACCEPTED",
}


def parse_cutoff(text):
    """A date (midnight, Europe/Amsterdam) or an ISO 8601 time with an offset -> aware datetime."""
    if len(text) == 10:
        try:
            from zoneinfo import ZoneInfo
            zone = ZoneInfo("Europe/Amsterdam")
        except Exception:  # no time zone data on this machine
            sys.exit(f"prepare.py: cannot find the Europe/Amsterdam time zone; give the cut-off with "
                     f"its offset, e.g. {text}T00:00:00+01:00")
        day = datetime.date.fromisoformat(text)
        return datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        sys.exit(f"prepare.py: the cut-off {text!r} has no offset (write e.g. {text}+01:00)")
    return moment


def epoch_ms(moment):
    return round(moment.timestamp() * 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="the JSON Lines file to write ('-' for standard output)")
    parser.add_argument("--cutoff", default="2012-01-15",
                        help="the cut-off: a date (midnight in Amsterdam) or an ISO time with offset")
    parser.add_argument("--data", default=DEFAULT_DATA, help="the folder holding the bpi2012_*.csv files")
    args = parser.parse_args()

    cutoff = parse_cutoff(args.cutoff)
    cutoff_ms = epoch_ms(cutoff)

    # Applications open at the cut-off, in the order of the cases file.
    cases = {}
    with open(os.path.join(args.data, "bpi2012_cases.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            submitted = epoch_ms(datetime.datetime.fromisoformat(row["reg_date"]))
            if submitted >= cutoff_ms:
                continue
            if row["outcome"] != "open":
                decided = epoch_ms(datetime.datetime.fromisoformat(row["outcome_timestamp"]))
                if decided <= cutoff_ms:
                    continue
            cases[row["case_id"]] = {
                "case_id": row["case_id"],
                "amount_req": int(row["amount_req"]),
                "reg_date": row["reg_date"],
                "outcome": row["outcome"],
                "events": [],
            }

    # Their events strictly before the cut-off, in log order.
    kept = 0
    with open(os.path.join(args.data, "bpi2012_events.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            case = cases.get(row["case_id"])
            if case is None or row["activity"] in NEVER_WRITTEN:
                continue
            if int(row["timestamp_utc_ms"]) >= cutoff_ms:
                continue
            event = {"kind": row["activity"], "lifecycle": row["lifecycle"], "timestamp": row["timestamp"]}
            if row["resource"]:
                event["resource"] = row["resource"]
            case["events"].append(event)
            kept += 1

    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="\n")
    with out:
        for case in cases.values():
            out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")

    tally = {}
    for case in cases.values():
        tally[case["outcome"]] = tally.get(case["outcome"], 0) + 1
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally.items()))
    print(f"cut-off {cutoff.isoformat()}: {len(cases)} open applications ({summary}), {kept} events",
          file=sys.stderr)


if __name__ == "__main__":
    main()
