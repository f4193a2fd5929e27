#!/usr/bin/env python3
"""Checks a pinwarden activity-log export (JSON Lines) without pinwarden.

Usage: verify-export.py FILE.jsonl [WORKSPACE_ID]

Recomputes every event's hash from its fields and its prev_hash, and
checks that consecutive events chain (each prev_hash is the hash of the
event before it). With WORKSPACE_ID, a log starting at event 1 must also
start from that workspace's genesis hash. A filtered export (--client,
--since) has gaps; each run of consecutive ids is checked. Exit status 0
when every check passes, 1 otherwise. The encoding is described in
doc/activity-log.md.
"""
import hashlib
import json
import sys


def field(text):
    data = text.encode("utf-8")
    return str(len(data)).encode() + b":" + data + b"\n"


def optional_id(value):
    return b"-\n" if value is None else field(str(value))


def event_hash(e):
    canonical = (b"pinwarden-event-v1\n" + field(str(e["id"])) + field(e["at"]) + field(e["operator"])
                 + field(e["kind"]) + optional_id(e["client_id"]) + optional_id(e["account_id"])
                 + optional_id(e["job_id"]) + field(e["message"]) + field(e["details"]))
    return hashlib.sha256(e["prev_hash"].encode() + canonical).hexdigest()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    genesis = None
    if len(sys.argv) == 3:
        genesis = hashlib.sha256(("pinwarden-genesis:" + sys.argv[2]).encode()).hexdigest()
    previous = None
    count = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            e = json.loads(line)
            if event_hash(e) != e["hash"]:
                print(f"line {number}: event {e['id']} was altered: its content does not match its hash")
                return 1
            if previous and previous["id"] + 1 == e["id"] and e["prev_hash"] != previous["hash"]:
                print(f"line {number}: event {e['id']} does not follow event {previous['id']}")
                return 1
            if e["id"] == 1 and genesis and e["prev_hash"] != genesis:
                print(f"line {number}: event 1 does not start this workspace's chain")
                return 1
            previous = e
            count += 1
    print(f"ok: {count} events check out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
