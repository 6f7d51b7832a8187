#!/usr/bin/env python3
"""Fault injection: kill -9 `switchboard import` at random moments, many times, and check the database.

    python3 scripts/kill_import.py [--runs 200] [--rows 20000] [--seed 1] [--bin PATH]

Builds the release binary unless --bin is given. Seeds a database with samples/onboarding.csv,
imports a generated file of --rows rows once to completion to learn the after-state and the
duration, then for each run copies the seeded database, starts the import, sends SIGKILL after
a random delay in [0, 1.1 x duration], and checks that `PRAGMA integrity_check` says ok and
that the directory equals the before-state or the after-state, never anything in between.
Every third run also kills a second import that waits on the first (--busy-timeout) to cover
a killed waiter. Prints one line per run and a summary; exits 1 on any torn or corrupt database.
Deterministic for a given --seed (the kill moments; timing itself is not).
"""
import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = ("action,type,username,first_name,last_name,email,extension,site,phone_number,department,"
          "language,time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name\n")


def generated(rows, start=0):
    lines = [HEADER]
    for i in range(start, start + rows):
        lines.append(f"add,user,user{i},Ann,Lee,user{i}@example.com,{20000 + i},site{i % 5},"
                     f"+1 415 555 {i % 10000:04d},{'d' * 200},en-US,Europe/Paris,no,,,,SEP{i:012X}\n")
    return "".join(lines)


def state(path):
    """The directory without times, hashes or run records."""
    with sqlite3.connect(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = []
        for sql in [
            "SELECT username, type, email, first_name, last_name, department, status FROM profile ORDER BY username_key",
            "SELECT e.site, e.number, e.phone_number, e.voicemail, p.username FROM extension e "
            "JOIN profile p ON p.id = e.profile_id ORDER BY e.site_key, e.number",
            "SELECT d.name, p.username FROM device d JOIN profile p ON p.id = d.profile_id ORDER BY d.name_key",
        ]:
            rows.append(db.execute(sql).fetchall())
    return integrity, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bin")
    args = parser.parse_args()
    binary = args.bin
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "switchboard"], cwd=ROOT, check=True,
                       stdout=sys.stderr)
        path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
        binary = os.path.join(path, "switchboard")
    binary = os.path.abspath(binary)
    work = tempfile.mkdtemp(prefix="switchboard-kill-")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    try:
        base = os.path.join(work, "base.sqlite")
        subprocess.run([binary, "import", os.path.join(ROOT, "samples", "onboarding.csv"), "--db", base],
                       check=True, **quiet)
        big = os.path.join(work, "big.csv")
        with open(big, "w") as f:
            f.write(generated(args.rows))
        small = os.path.join(work, "small.csv")
        with open(small, "w") as f:
            f.write(generated(5, start=900000))
        before = state(base)
        reference = os.path.join(work, "after.sqlite")
        shutil.copy(base, reference)
        started = time.monotonic()
        subprocess.run([binary, "import", big, "--db", reference], check=True, **quiet)
        duration = time.monotonic() - started
        after = state(reference)
        rng = random.Random(args.seed)
        counts = {"before": 0, "after": 0, "torn": 0, "corrupt": 0, "waiter killed": 0}
        for run in range(args.runs):
            db = os.path.join(work, "run.sqlite")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            shutil.copy(base, db)
            delay = rng.uniform(0, duration * 1.1)
            process = subprocess.Popen([binary, "import", big, "--db", db], **quiet)
            waiter = None
            if run % 3 == 2:
                time.sleep(min(0.05, delay / 2))
                waiter = subprocess.Popen([binary, "import", small, "--db", db, "--busy-timeout", "600"], **quiet)
            time.sleep(delay)
            for victim in (process, waiter):
                if victim is not None and victim.poll() is None:
                    victim.send_signal(signal.SIGKILL)
                    if victim is waiter:
                        counts["waiter killed"] += 1
            process.wait()
            if waiter is not None:
                waiter.wait()
            integrity, found = state(db)
            if integrity != "ok":
                verdict = "corrupt"
            elif found == before[1]:
                verdict = "before"
            elif found == after[1]:
                verdict = "after"
            elif waiter is not None and found[0] and len(found[0]) in (len(before[1][0]) + 5, len(after[1][0]) + 5):
                # The waiter's 5 users went in after the first import ended or was killed.
                verdict = "after" if len(found[0]) == len(after[1][0]) + 5 else "before"
            else:
                verdict = "torn"
            counts[verdict] += 1
            print(f"run {run + 1:4}: killed after {delay:6.3f} s: {verdict}", flush=True)
        print(f"\n{args.runs} runs of a {args.rows}-row import ({duration:.2f} s uninterrupted): "
              + ", ".join(f"{key} {value}" for key, value in counts.items()))
        return 1 if counts["torn"] or counts["corrupt"] else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
