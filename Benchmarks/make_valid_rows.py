#!/usr/bin/env python3
"""Writes N canonical `add` rows that all pass the default policy, every key distinct.

    python3 Benchmarks/make_valid_rows.py 20000 > /tmp/u20k.csv

The validation profile in docs/performance.md ("Since 3579eb6") runs
`valgrind --tool=callgrind .build/release/switchboard validate /tmp/u20k.csv` on it:
unlike the generated benchmark file, no row is a duplicate or rejected, so the count is
the cost of validating good rows. Deterministic (seed 7).
"""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
random.seed(7)
first = ["Amélie", "John", "María", "Klaus", "Zoë", "Łukasz", "Ольга", "Yuki", "Søren", "Ana"]
last = ["Dupont", "Smith", "García Núñez", "Müller", "Ångström", "Kowalski", "Smirnova", "Tanaka", "Jørgensen", "Silva"]
out = ["action,type,username,first_name,last_name,email,extension,site,phone_number,department,language,"
       "time_zone,voicemail,voicemail_passcode,portal_password,em_profile,device_name"]
for i in range(rows):
    f, l = random.choice(first), random.choice(last)
    u = "user%d" % i
    pc = random.choice(["", "135790", "246802", "864209"])
    pw = random.choice(["", "Abc12!x", "Zz9#kLm"])
    dept = random.choice(["Sales", "Support", '"R&D, Nord"', "Finance"])
    out.append(f'add,user,{u},{f},"{l}",{u}@example.com,{10000 + i},site{i % 7},+1 415 555 {i % 10000:04d},'
               f'{dept},en-US,Europe/Paris,{random.choice(["yes", "no"])},{pc},{pw},,SEP{i:012X}')
sys.stdout.write("\n".join(out) + "\n")
