#!/usr/bin/env python3
"""Checks a pinwarden activity-log export (JSON Lines) without pinwarden.

Usage: verify-export.py [--filtered] FILE.jsonl

Recomputes every event's hash from its fields and its prev_hash, checks
that each event follows the one before it (consecutive ids, prev_hash equal
to the previous hash), and, when the file starts at event 1, that the chain
starts at the genesis of the workspace named in event 1's details.

A full export must have no gaps. An export made with --client or --since
skips events: give --filtered, and each run of consecutive ids is checked
(a removed line then goes unnoticed). Exit status 0 when every check
passes, 1 otherwise. The encoding is described in doc/activity-log.md.
"""
import hashlib
import json
import sys

FIELDS = ("id", "at", "operator", "kind", "client_id", "account_id", "job_id", "message", "details")


def field(value):
    """'<byte length>:<bytes>\\n'; an absent id is '-\\n'."""
    if value is None:
        return b"-\n"
    data = str(value).encode("utf-8")
    return b"%d:%s\n" % (len(data), data)


def event_hash(e):
    data = e["prev_hash"].encode() + b"pinwarden-event-v1\n" + b"".join(field(e[k]) for k in FIELDS)
    return hashlib.sha256(data).hexdigest()


def check(path, filtered):
    prev, n = None, 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            e = json.loads(line)
            follows = prev is not None and e["id"] == prev["id"] + 1
            if prev is not None and not follows and not filtered:
                return f"line {n}: event {e['id']} does not follow event {prev['id']} (a gap: removed, or give --filtered)"
            if follows and e["prev_hash"] != prev["hash"]:
                return f"line {n}: event {e['id']} does not follow event {prev['id']}: its prev_hash differs"
            if e["id"] == 1:
                workspace_id = json.loads(e["details"]).get("workspace_id", "")
                genesis = hashlib.sha256(b"pinwarden-genesis:" + workspace_id.encode()).hexdigest()
                if e["prev_hash"] != genesis:
                    return "line 1: the chain does not start at this workspace's genesis"
            if event_hash(e) != e["hash"]:
                return f"line {n}: event {e['id']} was altered: its content does not match its hash"
            prev = e
    last = f", last hash {prev['hash']}" if prev else ""
    print(f"chain intact: {n} events{last}")
    return None


def main(argv):
    args = [a for a in argv if a != "--filtered"]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    problem = check(args[0], "--filtered" in argv)
    if problem:
        print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
