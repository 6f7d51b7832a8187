#!/usr/bin/env python3
"""The import benchmark: `switchboard import` beside sqlite3's .import and Python csv + sqlite3.

Run it as `bash Benchmarks/import.sh` (which builds the release CLI first); see the section
"Import (`switchboard import`)" of docs/performance.md. Options: --rows N (default 1,000,000),
--runs N (default 3), --secret-rows N (default 10,000), --change-rows N (default 10,000),
--quick (50,000 rows, 1 run, 500 secret rows), --skip full|change|secrets (full also leaves
out the change file, which needs its database), --strict (exit 1 when a target is missed).

What it does, in one run:
  1. Generates its data if missing, deterministically (Python's random.Random with a fixed
     seed), into Benchmarks/data/: import-users-ROWS.csv, canonical `add` rows without
     secret columns, every row valid under the default policy and every key distinct;
     import-change-ROWS-CHANGES.csv, a change file against that directory (60% `update`
     of department and phone number, 20% `disable`, 20% `add` of new users); and
     import-secrets-S.csv, `add` rows with a voicemail passcode and a portal password that
     pass the default policy.
  2. Full import, --runs times each, round-robin, each into a brand-new database:
     `switchboard import FILE --db NEW --format json`, `sqlite3 NEW -cmd '.mode csv'
     '.import FILE users'`, and Python's csv.reader + sqlite3 (one UNIQUE index on
     username, executemany in one transaction) as a child process; and the floor: the sqlite3
     shell alone filling Switchboard's own schema (read from the database switchboard made)
     with set-based SQL, no validation, which is what SQLite itself spends on those tables and
     UNIQUE indexes. Wall time and peak RSS (ru_maxrss from wait4) of each child; medians.
     Checks that every importer stored every row and that switchboard rejected none.
  3. Change file: a copy of a database made by one full import, for each run; times
     `switchboard import CHANGE --db COPY` beside the full import's median, and the change
     file's floor: the same changes as set-based SQL in the sqlite3 shell on another copy.
  4. Secrets: imports the secrets file at the default cost ([secrets] pbkdf2_rounds =
     100000, no policy file, in a folder without switchboard.toml) into a new database,
     once pinned to one core (`taskset -c 0`) and once on all cores.
  5. Prints Markdown tables and PASS/FAIL for each target, and writes them to
     Benchmarks/data/import-results.md (every measurement to import-results.json).
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MIB = 1024 * 1024

TARGET_RATIO_TO_SQLITE3 = 1.00  # switchboard import time <= sqlite3 .import time
TARGET_PEAK_MIB = 128.0  # peak memory of the full import
TARGET_RATIO_TO_KEY_FLOOR = 2.0  # switchboard import time <= 2 x (.import plus a UNIQUE index on each key)
TARGET_CHANGE_SHARE = 0.05  # a 10,000-row change file in <= 5% of the full import's time
DEFAULT_ROUNDS = 100_000  # the policy's default [secrets] pbkdf2_rounds

HEADER = ["action", "type", "username", "first_name", "last_name", "email", "extension", "site",
          "phone_number", "department", "language", "time_zone", "voicemail", "em_profile", "device_name"]
SECRET_HEADER = ["action", "type", "username", "first_name", "last_name", "email", "extension", "site",
                 "phone_number", "department", "language", "time_zone", "voicemail", "voicemail_passcode",
                 "portal_password", "em_profile", "device_name"]

# The tables of Benchmarks/make_valid_rows.py, with a few more valid locales.
FIRST = ["Amélie", "John", "María", "Klaus", "Zoë", "Łukasz", "Ольга", "Yuki", "Søren", "Ana"]
LAST = ["Dupont", "Smith", "García Núñez", "Müller", "Ångström", "Kowalski", "Smirnova", "Tanaka", "Jørgensen",
        "Silva"]
DEPARTMENTS = ["Sales", "Support", "R&D, Nord", "Finance"]
NEW_DEPARTMENTS = ["Logistics", "Legal", "Marketing, EMEA", "Operations"]
LOCALES = [("en-US", "America/New_York"), ("fr-FR", "Europe/Paris"), ("de-DE", "Europe/Berlin"),
           ("ja-JP", "Asia/Tokyo"), ("en-GB", "Europe/London")]
SITES = 7


# --- Data: every row valid under the default policy, every key distinct.

def user_row(i, rng):
    """Canonical `add` row number i of the directory: username user<i>, extension 10000+i, phone number
    +1 415 <i> (a phone number belongs to one profile), device SEP<i>; one row in three names an
    extension-mobility profile of its own, EM-user<i>."""
    username = f"user{i}"
    language, zone = rng.choice(LOCALES)
    return ["add", "user", username, rng.choice(FIRST), rng.choice(LAST), f"{username}@example.com",
            str(10000 + i), f"site{i % SITES}", f"+1 415 {i:07d}", rng.choice(DEPARTMENTS),
            language, zone, rng.choice(["yes", "no"]), f"EM-{username}" if i % 3 == 0 else "", f"SEP{i:012X}"]


def write_csv(path, header, rows):
    """Writes header and rows with the csv module (quotes only where needed, LF endings) via a temporary file."""
    temporary = path + ".tmp"
    count = 0
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    os.replace(temporary, path)
    return count


def md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def cached(path, facts):
    """Whether path exists and was made from the same facts (seed, sizes, generator version)."""
    meta = path + ".json"
    if not (os.path.exists(path) and os.path.exists(meta)):
        return None
    with open(meta) as handle:
        stored = json.load(handle)
    if all(stored.get(key) == value for key, value in facts.items()) and stored.get("bytes") == os.path.getsize(path):
        return stored
    return None


def ensure(path, facts, header, make_rows):
    """Makes path from make_rows() unless it is there from the same facts; returns its facts with bytes and md5."""
    stored = cached(path, facts)
    if stored:
        stored["path"] = path
        return stored
    print(f"generating {os.path.relpath(path)} ...", file=sys.stderr)
    rows = write_csv(path, header, make_rows())
    stored = dict(facts, rows=rows, bytes=os.path.getsize(path), md5=md5(path))
    with open(path + ".json", "w") as handle:
        json.dump(stored, handle)
    stored["path"] = path
    return stored


GENERATOR_VERSION = 3


def users_file(data, rows, seed):
    def make():
        rng = random.Random(seed)
        for i in range(rows):
            yield user_row(i, rng)

    return ensure(os.path.join(data, f"import-users-{rows}.csv"),
                  {"kind": "users", "seed": seed, "rows_asked": rows, "version": GENERATOR_VERSION}, HEADER, make)


def change_file(data, rows, changes, seed):
    """60% update (department and phone number), 20% disable, 20% add of new users; shuffled; all distinct."""
    updates = changes * 6 // 10
    disables = changes * 2 // 10
    adds = changes - updates - disables
    if updates + disables > rows:
        raise SystemExit(f"--change-rows {changes} needs at least {updates + disables} users, not {rows}")

    def make():
        rng = random.Random(seed + 1)
        chosen = rng.sample(range(rows), updates + disables)
        out = []
        for k, i in enumerate(chosen[:updates]):
            out.append(["update", "", f"user{i}", "", "", "", "", "", f"+1 415 556 {k % 10000:04d}",
                        rng.choice(NEW_DEPARTMENTS), "", "", "", "", ""])
        for i in chosen[updates:]:
            out.append(["disable", "", f"user{i}", "", "", "", "", "", "", "", "", "", "", "", ""])
        for j in range(adds):
            out.append(user_row(rows + j, rng))  # new username, email, extension and device
        rng.shuffle(out)
        return out

    facts = {"kind": "change", "seed": seed, "users": rows, "rows_asked": changes, "version": GENERATOR_VERSION,
             "updates": updates, "disables": disables, "adds": adds}
    return ensure(os.path.join(data, f"import-change-{rows}-{changes}.csv"), facts, HEADER, make)


def passcode_ok(code, user_numbers):
    """The default passcode policy (DOMAIN.md §4) for a new user: no history to check."""
    if not (6 <= len(code) <= 10 and code.isdigit()):
        return False
    run = 1
    for a, b in zip(code, code[1:]):
        run = run + 1 if a == b else 1
        if run > 5:
            return False
    for step in (1, -1):
        run = 1
        for a, b in zip(code, code[1:]):
            run = run + 1 if int(b) - int(a) == step else 1
            if run > 4:
                return False
    for number in user_numbers:
        for candidate in (number, number[-len(code):]):
            if candidate and (code == candidate or code == candidate[::-1]):
                return False
    return True


def password_ok(password):
    return (len(password) >= 6 and any(c.isupper() for c in password) and any(c.islower() for c in password)
            and any(c.isdigit() for c in password) and any(not c.isalnum() for c in password))


def secrets_file(data, rows, seed):
    """`add` rows with a passcode and a password, on 4-digit extensions (so every row keeps its mailbox)."""
    sites = 50
    if rows > sites * 9000:
        raise SystemExit(f"--secret-rows is at most {sites * 9000}")

    def make():
        rng = random.Random(seed + 2)
        upper, lower, digits, symbols = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "0123456789", "!#%&*-_.?@"
        for i in range(rows):
            username = f"secret{i}"
            extension = str(1000 + i // sites)
            phone = f"+1 212 555 {i % 10000:04d}"
            numbers = [extension, "".join(c for c in phone if c.isdigit())]
            while True:
                code = "".join(rng.choice(digits) for _ in range(rng.randint(6, 10)))
                if passcode_ok(code, numbers):
                    break
            chars = ([rng.choice(upper) for _ in range(2)] + [rng.choice(lower) for _ in range(rng.randint(4, 7))]
                     + [rng.choice(digits) for _ in range(2)] + [rng.choice(symbols)])
            rng.shuffle(chars)
            password = "".join(chars)
            assert password_ok(password)
            language, zone = rng.choice(LOCALES)
            yield ["add", "user", username, rng.choice(FIRST), rng.choice(LAST), f"{username}@example.org",
                   extension, f"hq{i % sites}", phone, rng.choice(DEPARTMENTS), language, zone, "yes", code,
                   password, "", f"SEC{i:012X}"]

    return ensure(os.path.join(data, f"import-secrets-{rows}.csv"),
                  {"kind": "secrets", "seed": seed, "rows_asked": rows, "version": GENERATOR_VERSION},
                  SECRET_HEADER, make)


# --- The Python competitor, run as a child process.

def child_python_sqlite(path, db_path):
    """csv.reader into a table of every column with one UNIQUE index on username, one transaction."""
    start = time.perf_counter()
    connection = sqlite3.connect(db_path, isolation_level=None)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        connection.execute(f"CREATE TABLE users ({columns})")
        connection.execute('CREATE UNIQUE INDEX users_username ON users("username")')
        connection.execute("BEGIN")
        marks = ", ".join("?" for _ in header)
        connection.executemany(f"INSERT INTO users VALUES ({marks})", reader)
        connection.execute("COMMIT")
    rows = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    connection.close()
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - start}))


# --- The floor: SQLite alone building Switchboard's schema, with no Switchboard code.

def switchboard_schema(db_path):
    """The CREATE statements of a database that `switchboard import` made: tables first, then indexes."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT type, sql FROM sqlite_schema WHERE sql IS NOT NULL "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    finally:
        connection.close()
    return ([sql + ";" for kind, sql in rows if kind == "table"], [sql + ";" for kind, sql in rows if kind == "index"])


# The full import as set-based SQL in the sqlite3 shell: the file into a temporary table, its rows
# into profile, extension and device with the keys Switchboard keeps (case-folded by lower()),
# then every index of the schema, in one transaction. No validation, no run record, no history.
FLOOR_FULL = """PRAGMA journal_mode = WAL;
{tables}
BEGIN;
.mode csv
.import --schema temp {file} staging
INSERT INTO profile (id, username, username_key, type, email, email_key, first_name, last_name, department,
    language, time_zone, status, created_run_id, created_at, updated_at)
  SELECT rowid, username, lower(username), type, email, lower(email), first_name, last_name, department,
    language, time_zone, 'active', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM temp.staging;
INSERT INTO extension (profile_id, site, site_key, number, phone_number, voicemail)
  SELECT rowid, site, lower(site), extension, phone_number, voicemail = 'yes' FROM temp.staging;
INSERT INTO device (name, name_key, profile_id)
  SELECT device_name, lower(device_name), rowid FROM temp.staging WHERE device_name <> '';
-- Every extension-mobility profile of this file is named on one row: its id is that row's.
INSERT INTO em_profile (id, name, name_key, created_run_id, created_at)
  SELECT rowid, em_profile, lower(em_profile), 1, '2026-01-01T00:00:00.000Z' FROM temp.staging WHERE em_profile <> '';
INSERT INTO em_profile_user (em_profile_id, profile_id) SELECT rowid, rowid FROM temp.staging WHERE em_profile <> '';
{indexes}
COMMIT;
"""

# The floor the import time is held to: the file as one table, and a UNIQUE index on each key that
# must stay unique (username, email, site and extension, device, phone number; case-folded by
# lower()), in WAL mode and one transaction. Extension-mobility profiles are shared, so no key.
FLOOR_KEYS = """PRAGMA journal_mode = WAL;
BEGIN;
.mode csv
.import {file} users
CREATE UNIQUE INDEX users_username ON users(lower(username));
CREATE UNIQUE INDEX users_email ON users(lower(email));
CREATE UNIQUE INDEX users_extension ON users(lower(site), extension);
CREATE UNIQUE INDEX users_device ON users(lower(device_name)) WHERE device_name <> '';
CREATE UNIQUE INDEX users_phone ON users(phone_number) WHERE phone_number <> '';
COMMIT;
"""

# The change file as set-based SQL on a copy of the same database `switchboard import` changes: one
# run_change row per changed field or disable, the updates, the disables (which free extensions and
# devices), and the adds, in one transaction; then the checkpoint that closing the database makes.
FLOOR_CHANGE = """PRAGMA temp_store = MEMORY;
PRAGMA foreign_keys = ON;
.mode csv
.import --schema temp {file} staging
BEGIN;
CREATE TEMP TABLE target AS SELECT s.rowid AS line, s.action, p.id AS profile_id, s.username, s.department,
    s.phone_number FROM temp.staging s JOIN profile p ON p.username_key = lower(s.username)
  WHERE s.action IN ('update', 'disable');
INSERT INTO run_change (run_id, seq, line, username, action, field, old_value, new_value)
  SELECT 1, t.line * 2, t.line, t.username, 'updated', 'department', p.department, t.department
  FROM target t JOIN profile p ON p.id = t.profile_id WHERE t.action = 'update';
INSERT INTO run_change (run_id, seq, line, username, action, field, old_value, new_value)
  SELECT 1, t.line * 2 + 1, t.line, t.username, 'updated', 'phone_number', e.phone_number, t.phone_number
  FROM target t JOIN extension e ON e.profile_id = t.profile_id WHERE t.action = 'update';
INSERT INTO run_change (run_id, seq, line, username, action)
  SELECT 1, t.line * 2, t.line, t.username, 'disabled' FROM target t WHERE t.action = 'disable';
UPDATE profile SET department = t.department, updated_at = '2026-01-02T00:00:00.000Z'
  FROM target t WHERE profile.id = t.profile_id AND t.action = 'update';
UPDATE extension SET phone_number = t.phone_number FROM target t
  WHERE extension.profile_id = t.profile_id AND t.action = 'update';
UPDATE profile SET status = 'disabled', updated_at = '2026-01-02T00:00:00.000Z'
  FROM target t WHERE profile.id = t.profile_id AND t.action = 'disable';
DELETE FROM extension WHERE profile_id IN (SELECT profile_id FROM target WHERE action = 'disable');
DELETE FROM device WHERE profile_id IN (SELECT profile_id FROM target WHERE action = 'disable');
INSERT INTO profile (username, username_key, type, email, email_key, first_name, last_name, department, language,
    time_zone, status, created_run_id, created_at, updated_at)
  SELECT username, lower(username), 'user', email, lower(email), first_name, last_name, department, language,
    time_zone, 'active', 2, '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z'
  FROM temp.staging WHERE action = 'add';
INSERT INTO extension (profile_id, site, site_key, number, phone_number, voicemail)
  SELECT p.id, s.site, lower(s.site), s.extension, s.phone_number, s.voicemail = 'yes'
  FROM temp.staging s JOIN profile p ON p.username_key = lower(s.username) WHERE s.action = 'add';
INSERT INTO device (name, name_key, profile_id)
  SELECT s.device_name, lower(s.device_name), p.id
  FROM temp.staging s JOIN profile p ON p.username_key = lower(s.username)
  WHERE s.action = 'add' AND s.device_name <> '';
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""


def run_floor(script, db_path, cwd):
    """Runs an SQL script in the sqlite3 shell on db_path (the script on stdin, as `sqlite3 DB < FILE`)."""
    path = os.path.join(cwd, "floor.sql")
    with open(path, "w") as handle:
        handle.write(script)
    result = run_child(["sqlite3", "-bail", db_path], cwd, stdin_path=path)
    if result["rc"] != 0 or result["stderr"].strip():
        raise SystemExit(f"the sqlite3 floor script exited {result['rc']}: {result['stderr'][-2000:]}")
    return result


# --- Measuring.

def run_child(argv, cwd, env=None, stdin_path=None):
    """Runs argv to its end (stdin from stdin_path, if given); returns wall seconds, rusage of that
    child alone, exit code, stdout, stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin if stdin_path else None, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"wall": wall, "rss_kib": usage.ru_maxrss, "user": usage.ru_utime, "sys": usage.ru_stime,
            "rc": os.waitstatus_to_exitcode(status), "stdout": stdout, "stderr": stderr}


def last_json(text):
    lines = [line for line in text.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def count_rows(db_path, table):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def warm(path):
    with open(path, "rb") as handle:
        while handle.read(1 << 20):
            pass


def clean_env():
    """The environment without SWITCHBOARD_DB, so that only --db chooses the database."""
    env = dict(os.environ)
    env.pop("SWITCHBOARD_DB", None)
    return env


class Failure(Exception):
    pass


def switchboard_import(binary, file, db, cwd, pin=False, expect=None):
    """Runs `switchboard import FILE --db DB --format json` (pinned to core 0 with pin); checks its counts."""
    argv = [binary, "import", file, "--db", db, "--format", "json"]
    if pin:
        argv = ["taskset", "-c", "0"] + argv
    result = run_child(argv, cwd, clean_env())
    report = last_json(result["stdout"])
    if report is None:
        raise Failure(f"{' '.join(argv)} exited {result['rc']} and printed no JSON: {result['stderr'][-2000:]}")
    result["report"] = report
    problems = []
    if result["rc"] != 0:
        problems.append(f"exit code {result['rc']}")
    if report.get("rejected") != 0:
        problems.append(f"{report.get('rejected')} rows rejected, by code {report.get('by_code')}")
    if report.get("outcome") != "applied":
        problems.append(f"outcome {report.get('outcome')}")
    for key, value in (expect or {}).items():
        if report.get(key) != value:
            problems.append(f"{key} = {report.get(key)}, expected {value}")
    if problems:
        raise Failure(f"{' '.join(argv)}: " + "; ".join(problems) + f"; stderr: {result['stderr'][-1500:]}")
    return result


# --- Facts about the run.

def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = f", {int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}{memory}, {platform.system()} {platform.release()}"


def load_average():
    try:
        with open("/proc/loadavg") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "unknown"


def source_state():
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit, bool(dirty)
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False


def tool_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip().split("\n")[0]
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- The benchmark.

def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child-python-sqlite":
        child_python_sqlite(sys.argv[2], sys.argv[3])
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the switchboard binary (import.sh passes the release build)")
    parser.add_argument("--rows", type=int, default=None, help="rows of the full import (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=None, help="runs of each full import and of the change file (default 3)")
    parser.add_argument("--secret-rows", type=int, default=None, help="rows of the secrets file (default 10,000)")
    parser.add_argument("--change-rows", type=int, default=10_000, help="rows of the change file (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 50,000 rows, 1 run, 500 secret rows")
    parser.add_argument("--seed", type=int, default=20261123, help="the generator's seed")
    parser.add_argument("--data", default=os.path.join(HERE, "data"), help="where data, databases and results go")
    parser.add_argument("--skip", action="append", default=[], choices=["full", "change", "secrets"],
                        help="leave out a part: full (the full import, and so the change file), change or secrets")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.rows is None:
        args.rows = 50_000 if args.quick else 1_000_000
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.secret_rows is None:
        args.secret_rows = 500 if args.quick else 10_000
    if min(args.rows, args.runs, args.secret_rows, args.change_rows) < 1:
        parser.error("--rows, --runs, --secret-rows and --change-rows must be at least 1")
    if "full" in args.skip:
        args.skip.append("change")
    binary = os.path.abspath(args.bin)
    os.makedirs(args.data, exist_ok=True)
    began = time.time()
    started_at = datetime.datetime.now(datetime.timezone.utc)

    commit, dirty = source_state()
    if dirty:
        print("warning: Sources/ or Package.swift differ from HEAD: the figures are not HEAD's", file=sys.stderr)
    notes = []

    # A folder of its own for the databases and as the working directory: no switchboard.toml
    # there, so every import runs under the built-in default policy.
    work = os.path.join(args.data, "import-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    policy = run_child([binary, "policy"], work, clean_env())
    rounds_line = [line for line in policy["stdout"].splitlines() if line.strip().startswith("pbkdf2_rounds")]
    rounds = int(rounds_line[0].split("=")[1].split("#")[0]) if rounds_line else None
    if policy["rc"] != 0 or rounds != DEFAULT_ROUNDS:
        raise SystemExit(f"`switchboard policy` in {work} says pbkdf2_rounds = {rounds}, not {DEFAULT_ROUNDS}")

    users = None if "full" in args.skip else users_file(args.data, args.rows, args.seed)
    change = None if "change" in args.skip else change_file(args.data, args.rows, args.change_rows, args.seed)
    secrets = None if "secrets" in args.skip else secrets_file(args.data, args.secret_rows, args.seed)
    for facts in (users, change, secrets):
        if facts:
            warm(facts["path"])

    load_before = load_average()
    versions = {"switchboard": tool_version([binary, "--version"]), "sqlite3": tool_version(["sqlite3", "--version"]),
                "python": platform.python_version(), "python_sqlite": sqlite3.sqlite_version}

    # 1. The full import, round-robin.
    importers = ("switchboard", "sqlite3", "python", "floor", "keys")
    db = {name: os.path.join(work, f"full-{name}.sqlite") for name in importers}
    pristine = os.path.join(work, "pristine.sqlite")
    full = {name: [] for name in db}
    schema = None
    for run in range(args.runs if users else 0):
        for name in importers:
            remove_db(db[name])
            os.sync()  # no importer waits for the write-back of the one before
            print(f"run {run + 1}/{args.runs}: {name} full import of {users['rows']:,} rows ...", file=sys.stderr)
            if name == "switchboard":
                result = switchboard_import(binary, users["path"], db[name], work,
                                            expect={"rows": users["rows"], "accepted": users["rows"],
                                                    "added": users["rows"]})
                result["stored"] = count_rows(db[name], "profile")
                if schema is None:
                    schema = switchboard_schema(db[name])
                if run == 0 and change:
                    # The database the change file is applied to, copied only now that its process has
                    # ended: SQLite checkpointed and removed the WAL when the last connection closed.
                    wal = db[name] + "-wal"
                    if os.path.exists(wal) and os.path.getsize(wal) > 0:
                        raise SystemExit(f"{wal} is left after the import ended: a copy of the db alone would lose it")
                    shutil.copyfile(db[name], pristine)
            elif name == "sqlite3":
                result = run_child(["sqlite3", db[name], "-cmd", ".mode csv", f".import {users['path']} users"], work)
                if result["rc"] != 0 or result["stderr"].strip():
                    raise SystemExit(f"sqlite3 .import exited {result['rc']}: {result['stderr'][-2000:]}")
                result["stored"] = count_rows(db[name], "users")
            elif name == "keys":
                result = run_floor(FLOOR_KEYS.format(file=users["path"]), db[name], work)
                result["stored"] = count_rows(db[name], "users")
            elif name == "floor":
                tables, indexes = schema
                result = run_floor(FLOOR_FULL.format(tables="\n".join(tables), indexes="\n".join(indexes),
                                                     file=users["path"]), db[name], work)
                result["stored"] = count_rows(db[name], "extension")
            else:
                result = run_child([sys.executable, os.path.abspath(__file__), "--child-python-sqlite",
                                    users["path"], db[name]], work)
                if result["rc"] != 0:
                    raise SystemExit(f"the Python importer exited {result['rc']}: {result['stderr'][-2000:]}")
                result["stored"] = count_rows(db[name], "users")
            if result["stored"] != users["rows"]:
                raise SystemExit(f"{name} stored {result['stored']:,} rows, not {users['rows']:,}")
            result["db_bytes"] = os.path.getsize(db[name])
            print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
            full[name].append(result)

    def summary(results):
        walls = [r["wall"] for r in results]
        return {"wall": statistics.median(walls), "min": min(walls), "max": max(walls),
                "rss_mib": max(r["rss_kib"] for r in results) / 1024,
                "rss_median_mib": statistics.median(r["rss_kib"] for r in results) / 1024,
                "cpu": statistics.median(r["user"] + r["sys"] for r in results),
                "db_mib": results[-1]["db_bytes"] / MIB}

    rows = {name: summary(results) for name, results in full.items() if results}

    # 2. The change file, on a fresh copy of one full import's database each run.
    change_runs = []
    floor_change_runs = []
    if change:
        copy = os.path.join(work, "change.sqlite")
        for run in range(args.runs):
            remove_db(copy)
            shutil.copyfile(pristine, copy)
            os.sync()
            print(f"run {run + 1}/{args.runs}: sqlite3 floor script for the change file ...", file=sys.stderr)
            result = run_floor(FLOOR_CHANGE.format(file=change["path"]), copy, work)
            stored = count_rows(copy, "profile")
            if stored != users["rows"] + change["adds"]:
                raise SystemExit(f"the change floor left {stored:,} profiles, not {users['rows'] + change['adds']:,}")
            print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
            floor_change_runs.append(dict(result, db_bytes=os.path.getsize(copy)))
            remove_db(copy)
            shutil.copyfile(pristine, copy)
            # The copy's 400 MB are still being written back: without this the import's first fsync
            # would wait for them, and the run would time the copy.
            os.sync()
            print(f"run {run + 1}/{args.runs}: switchboard import of the {change['rows']:,}-row change file ...",
                  file=sys.stderr)
            result = switchboard_import(binary, change["path"], copy, work,
                                        expect={"rows": change["rows"], "accepted": change["rows"],
                                                "updated": change["updates"], "disabled": change["disables"],
                                                "added": change["adds"]})
            print(f"  {result['wall']:.2f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
            change_runs.append(result)
        rows["change"] = summary([dict(r, db_bytes=os.path.getsize(copy)) for r in change_runs])
        rows["floor_change"] = summary(floor_change_runs)

    # 3. Secrets at the default cost: one core, then every core.
    secret_runs = {}
    if secrets:
        for label, pin in (("one core (taskset -c 0)", True), (f"all {os.cpu_count()} cores", False)):
            path = os.path.join(work, f"secrets-{'one' if pin else 'all'}.sqlite")
            remove_db(path)
            load = load_average()
            print(f"switchboard import of {secrets['rows']:,} rows with secrets, {label} (minutes) ...", file=sys.stderr)
            result = switchboard_import(binary, secrets["path"], path, work, pin=pin,
                                        expect={"rows": secrets["rows"], "accepted": secrets["rows"],
                                                "added": secrets["rows"]})
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            prefix = f"pbkdf2-sha256${DEFAULT_ROUNDS}$%"
            passwords = connection.execute("SELECT count(*) FROM profile WHERE password_hash LIKE ?", (prefix,)).fetchone()[0]
            passcodes = connection.execute("SELECT count(*) FROM extension WHERE passcode_hash LIKE ?", (prefix,)).fetchone()[0]
            connection.close()
            if passwords != secrets["rows"] or passcodes != secrets["rows"]:
                raise SystemExit(f"{path}: {passwords:,} password and {passcodes:,} passcode hashes of "
                                 f"{DEFAULT_ROUNDS} rounds, expected {secrets['rows']:,} of each")
            result["hashes"] = passwords + passcodes
            result["load_before"] = load
            print(f"  {result['wall']:.1f} s, {result['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
            secret_runs[label] = result

    load_after = load_average()
    elapsed = time.time() - began

    # --- Report.
    out = []
    say = out.append
    say(f"## Import benchmark: {started_at:%Y-%m-%d %H:%M} UTC, commit `{commit}`"
        + (" (with uncommitted changes in Sources/)" if dirty else ""))
    say("")
    say(f"Machine: {machine()}; load average {load_before} before the runs, {load_after} after. "
        f"switchboard {versions['switchboard']} (release build), sqlite3 {versions['sqlite3'].split(' ')[0]}, "
        f"Python {versions['python']} with SQLite {versions['python_sqlite']}. "
        f"The whole benchmark took {elapsed / 60:.1f} minutes.")
    say("")
    files = []
    if users:
        files.append(f"`{os.path.basename(users['path'])}`, {users['rows']:,} rows, {users['bytes'] / 1e6:.1f} MB, "
                     f"md5 `{users['md5']}`")
    if change:
        files.append(f"`{os.path.basename(change['path'])}`, {change['rows']:,} rows ({change['updates']:,} update, "
                     f"{change['disables']:,} disable, {change['adds']:,} add), md5 `{change['md5']}`")
    if secrets:
        files.append(f"`{os.path.basename(secrets['path'])}`, {secrets['rows']:,} rows, md5 `{secrets['md5']}`")
    say(f"Data (seed {args.seed}): " + "; ".join(files) + ".")
    checks = []
    if users:
        sqlite_wall = rows["sqlite3"]["wall"]
        sb_report = full["switchboard"][0]["report"]
        say("")
        say(f"Full import: medians of {args.runs} run{'s' if args.runs > 1 else ''}, round-robin, each into a new "
            "database. Wall time and peak RSS (ru_maxrss from wait4) of the child process; CPU is user + system.")
        say("")
        say("| importer | median s | min-max s | rows/s | CPU s | peak RSS MiB | database MiB | × sqlite3 time |")
        say("|---|--:|--:|--:|--:|--:|--:|--:|")
        labels = {"switchboard": "`switchboard import FILE --db NEW --format json`",
                  "sqlite3": "`sqlite3 NEW -cmd '.mode csv' '.import FILE users'` (bare table, no index)",
                  "python": "Python csv.reader + sqlite3, one UNIQUE index (username), executemany, one transaction",
                  "floor": "floor: the sqlite3 shell alone into Switchboard's schema (`.import` into a temporary "
                           "table, `INSERT … SELECT` into profile, extension and device, then the schema's indexes), "
                           "no validation",
                  "keys": "key floor: the sqlite3 shell, WAL, one transaction: `.import` plus a UNIQUE index on each "
                          "key (username, email, site and extension, device, phone number)"}
        for name in importers:
            row = rows[name]
            say(f"| {labels[name]} | {row['wall']:.2f} | {row['min']:.2f}-{row['max']:.2f} "
                f"| {users['rows'] / row['wall']:,.0f} | {row['cpu']:.2f} | {row['rss_mib']:.1f} | {row['db_mib']:.1f} "
                f"| {row['wall'] / sqlite_wall:.2f} |")
        say("")
        say(f"switchboard's report: {sb_report.get('rows'):,} rows, {sb_report.get('accepted'):,} accepted, "
            f"{sb_report.get('rejected'):,} rejected, {sb_report.get('warnings'):,} warnings "
            f"({', '.join(f'{code} {count:,}' for code, count in sorted((sb_report.get('by_code') or {}).items()))}), "
            f"{sb_report.get('added'):,} added.")
        floor_wall = rows["floor"]["wall"]
        say("")
        say(f"The floor takes {floor_wall / sqlite_wall:.2f}× the bare `.import`: that is what SQLite alone spends to "
            f"fill Switchboard's tables and UNIQUE indexes from this file. switchboard import takes "
            f"{rows['switchboard']['wall'] / floor_wall:.2f}× the floor.")
        ratio = rows["switchboard"]["wall"] / sqlite_wall
        checks.append(("switchboard import time ≤ sqlite3 .import time (ratio ≤ 1.00)",
                       ratio <= TARGET_RATIO_TO_SQLITE3,
                       f"{rows['switchboard']['wall']:.2f} s against {sqlite_wall:.2f} s: {ratio:.2f}×"))
        keys_wall = rows["keys"]["wall"]
        key_ratio = rows["switchboard"]["wall"] / keys_wall
        say("")
        say(f"switchboard import takes {key_ratio:.2f}× the key floor ({keys_wall:.2f} s).")
        checks.append((f"switchboard import time ≤ {TARGET_RATIO_TO_KEY_FLOOR:.1f}× the key floor",
                       key_ratio <= TARGET_RATIO_TO_KEY_FLOOR,
                       f"{rows['switchboard']['wall']:.2f} s against {keys_wall:.2f} s: {key_ratio:.2f}×"))
        peak = rows["switchboard"]["rss_mib"]
        checks.append((f"peak memory of the import ≤ {TARGET_PEAK_MIB:.0f} MiB", peak <= TARGET_PEAK_MIB,
                       f"{peak:.1f} MiB (largest of the runs)"))
    if change:
        row = rows["change"]
        share = row["wall"] / rows["switchboard"]["wall"]
        say("")
        say(f"Change file: `switchboard import CHANGE --db COPY --format json` on a fresh copy of a database made by "
            f"one full import, {args.runs} run{'s' if args.runs > 1 else ''}.")
        say("")
        say("| what | median s | min-max s | rows/s | CPU s | peak RSS MiB | share of the full import's median |")
        say("|---|--:|--:|--:|--:|--:|--:|")
        say(f"| {change['rows']:,}-row change file against {users['rows']:,} users | {row['wall']:.2f} "
            f"| {row['min']:.2f}-{row['max']:.2f} | {change['rows'] / row['wall']:,.0f} | {row['cpu']:.2f} "
            f"| {row['rss_mib']:.1f} | {share:.1%} |")
        floor = rows["floor_change"]
        say(f"| floor: the sqlite3 shell alone, set-based SQL (`.import` into a temporary table, the run_change rows, "
            f"`UPDATE … FROM`, `DELETE`, `INSERT … SELECT`, checkpoint) | {floor['wall']:.2f} "
            f"| {floor['min']:.2f}-{floor['max']:.2f} | {change['rows'] / floor['wall']:,.0f} | {floor['cpu']:.2f} "
            f"| {floor['rss_mib']:.1f} | {floor['wall'] / rows['switchboard']['wall']:.1%} "
            f"({floor['wall'] / rows['floor']['wall']:.1%} of the full floor) |")
        report = change_runs[0]["report"]
        say("")
        say(f"switchboard's report: {report.get('accepted'):,} accepted, {report.get('rejected'):,} rejected, "
            f"{report.get('updated'):,} updated, {report.get('disabled'):,} disabled, {report.get('added'):,} added, "
            f"{report.get('warnings'):,} warnings.")
        checks.append((f"{change['rows']:,}-row change file ≤ {TARGET_CHANGE_SHARE:.0%} of the full import time",
                       share <= TARGET_CHANGE_SHARE,
                       f"{row['wall']:.2f} s against {rows['switchboard']['wall']:.2f} s: {share:.1%}"))
    if secret_runs:
        say("")
        say(f"Secrets: {secrets['rows']:,} `add` rows with a voicemail passcode and a portal password, "
            f"two PBKDF2-HMAC-SHA256 hashes a row at the default {rounds:,} rounds (no policy file), "
            "one run each into a new database.")
        say("")
        say("| cores | s | rows/s | hashes/s | ms a hash (wall) | CPU s | CPU ms a hash | cores busy (CPU s / s) "
            "| peak RSS MiB | load average before |")
        say("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for label, result in secret_runs.items():
            cpu = result["user"] + result["sys"]
            say(f"| {label} | {result['wall']:.1f} | {secrets['rows'] / result['wall']:,.1f} "
                f"| {result['hashes'] / result['wall']:,.1f} | {result['wall'] / result['hashes'] * 1000:.2f} "
                f"| {cpu:.1f} | {cpu / result['hashes'] * 1000:.2f} | {cpu / result['wall']:.2f} "
                f"| {result['rss_kib'] / 1024:.1f} | {result['load_before']} |")
        one, every = list(secret_runs.values())
        speedup = one["wall"] / every["wall"]
        say("")
        say(f"Speedup on all {os.cpu_count()} cores over one: **{speedup:.2f}×**.")
    say("")
    say("Targets:")
    say("")
    for name, ok, detail in checks:
        say(f"- **{'PASS' if ok else 'FAIL'}**: {name}: {detail}")
    for note in notes:
        say(f"- note: {note}")
    text = "\n".join(out) + "\n"
    print(text)
    with open(os.path.join(args.data, "import-results.md"), "w") as handle:
        handle.write(text)

    def strip(result):
        return {key: value for key, value in result.items() if key not in ("stdout", "stderr")}

    with open(os.path.join(args.data, "import-results.json"), "w") as handle:
        json.dump({"started_at": started_at.isoformat(), "commit": commit, "dirty": dirty, "machine": machine(),
                   "versions": versions, "load_average": [load_before, load_after], "elapsed_s": elapsed,
                   "runs": args.runs, "seed": args.seed, "files": {"users": users, "change": change, "secrets": secrets},
                   "full": {name: [strip(r) for r in results] for name, results in full.items()},
                   "change": [strip(r) for r in change_runs], "floor_change": [strip(r) for r in floor_change_runs],
                   "secrets": {label: strip(r) for label, r in secret_runs.items()},
                   "summary": rows,
                   "checks": [{"target": n, "pass": ok, "detail": d} for n, ok, d in checks]}, handle, indent=1)
    print(f"Results: {os.path.relpath(os.path.join(args.data, 'import-results.md'))}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if args.strict and not all(ok for _, ok, _ in checks) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as error:
        print(f"import benchmark aborted: {error}", file=sys.stderr)
        sys.exit(2)
