#!/usr/bin/env python3
"""Writes the bad-input fixtures of BadInputTests.swift into this folder.

Run from anywhere: `python3 Tests/SwitchboardCLITests/BadInputs/make_fixtures.py`.
The output is deterministic (random bytes come from a fixed seed), and the
generated files are committed. Big inputs (a 100 MB line, 10,000 columns) are
built by the tests themselves in a temporary folder, not here.
"""

import os
import random
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# The canonical header and a good row, so that each fixture differs from a clean
# file in exactly the way its name says.
HEADER = "action,type,username,first_name,last_name,email,extension,site,phone_number,department"


def row(username, first="Ann", last="Lee", email=None, extension="4021", phone=None,
        department="Sales", action="add", site="paris"):
    email = email if email is not None else f"{username}@example.com"
    # A phone number belongs to one profile: each row's own, drawn from its email.
    phone = phone if phone is not None else "+1 415 555 %04d" % (zlib.crc32(email.encode()) % 10000)
    return ",".join([action, "user", username, first, last, email, extension, site, phone, department])


def csv(*lines, newline="\n", final=True):
    text = newline.join(lines)
    return (text + (newline if final else "")).encode("utf-8")


FIXTURES = {}


def fixture(name, data):
    assert name not in FIXTURES, name
    assert len(data) < 200 * 1024, name
    FIXTURES[name] = data if isinstance(data, bytes) else data.encode("utf-8")


# --- Empty and nearly empty files -------------------------------------------------------
fixture("empty.csv", b"")
fixture("bom-only.csv", b"\xef\xbb\xbf")
fixture("header-only.csv", csv(HEADER))
fixture("header-only-no-newline.csv", csv(HEADER, final=False))
fixture("bom-header-only.csv", b"\xef\xbb\xbf" + csv(HEADER))
fixture("blank-lines-only.csv", b"\n\r\n\r\n\n")
fixture("delimiters-only.csv", b",,,\n,,,\n")

# --- Quoting ----------------------------------------------------------------------------
# The last record opens a quote that never closes, and the file ends without a newline.
fixture("truncated-quote-eof.csv", csv(HEADER, row("ann"), 'add,user,bob,Bob,Roe,bob@example.com,4022,paris,+1 415 555 0124,"Sal', final=False))
# Line 2 opens a quote that never closes; lines 3 and 4 are good and must still be read.
fixture("unterminated-quote-line2.csv", csv(HEADER, 'add,user,ann,Ann,Lee,ann@example.com,4021,paris,+1 415 555 0123,"Sales', row("bob", extension="4022"), row("cid", extension="4023")))
fixture("quote-in-unquoted.csv", csv(HEADER, row("ann"), 'add,user,bob,Bob,Ro"e,bob@example.com,4022,paris,+1 415 555 0124,Sales', row("cid", extension="4023")))
fixture("text-after-quote.csv", csv(HEADER, row("ann"), 'add,user,bob,Bob,"Roe"x,bob@example.com,4022,paris,+1 415 555 0124,Sales', row("cid", extension="4023")))
# A quoted field that holds a line break spans two lines; the next record starts on line 4.
fixture("quoted-newline.csv", csv(HEADER, 'add,user,ann,Ann,Lee,ann@example.com,4021,paris,+1 415 555 0123,"Sales\nEMEA"', 'add,user,bob,Bob,Roe,bob@example.com,4022,paris,+1 415 555 0124,"Ro"x'))

# --- Bytes that are not text ------------------------------------------------------------
fixture("nul-bytes.csv", csv(HEADER, row("ann"), row("bob", extension="4022")).replace(b"Roe", b"R\x00e").replace(b"Lee", b"L\x00e"))
fixture("nul-in-username.csv", csv(HEADER, row("ad\x00min"), row("bob", extension="4022")))
fixture("binary-junk.bin", random.Random(20240611).randbytes(8192))
fixture("binary-junk-small.bin", random.Random(7).randbytes(257))

# --- Encodings --------------------------------------------------------------------------
UNICODE_TEXT = "name,city\nZoë,Zürich\nŁukasz,Łódź\n"
fixture("utf16le-no-bom.csv", UNICODE_TEXT.encode("utf-16-le"))
fixture("utf16be-no-bom.csv", UNICODE_TEXT.encode("utf-16-be"))
USERS_TEXT = "username,email,first_name,last_name\nzoe,zoe@example.com,Zoë,Zürich\n"
fixture("utf16le-no-bom-users.csv", USERS_TEXT.encode("utf-16-le"))
fixture("utf16-lone-surrogate-users.csv", b"\xfe\xff" + "username,email,first_name,last_name\nzoe,zoe@example.com,Zo".encode("utf-16-be") + b"\xdc\x00" + ",Lee\n".encode("utf-16-be"))
fixture("double-bom.csv", b"\xef\xbb\xbf\xef\xbb\xbf" + csv("username,email", "ann,ann@example.com"))
# UTF-16 LE with a BOM and a lone high surrogate (D800) before an ordinary character.
fixture("utf16-lone-surrogate.csv", b"\xff\xfe" + "name,city\nA".encode("utf-16-le") + b"\x00\xd8" + "x,Paris\n".encode("utf-16-le"))
# UTF-16 LE with a BOM and an odd final byte.
fixture("utf16-odd-final-byte.csv", b"\xff\xfe" + "name,city\nAnn,Paris\n".encode("utf-16-le") + b"A")
fixture("windows-1252.csv", csv(HEADER, row("ann"), row("jose", first="Jos\u00e9", last="P\u00e9rez", extension="4022")).replace("é".encode(), b"\xe9"))
# Invalid UTF-8: an overlong encoding and a stray continuation byte.
fixture("invalid-utf8.csv", csv(HEADER, row("ann")) + b"add,user,bob,B\xc0\xafb,Roe\x80,bob@example.com,4022,paris,+1 415 555 0124,Sales\n")

# --- Delimiters and line breaks ----------------------------------------------------------
# Mostly `;`, with commas inside some cells: the sniffer must pick `;`.
fixture("mixed-delimiters.csv", b"username;email;department\nann;ann@example.com;Sales, EMEA\nbob;bob@example.com;R&D, Paris\ncid;cid@example.com;Support\n")
# A one-column header over `;` data.
fixture("one-column-header.csv", b"username\nann;ann@example.com;Sales\nbob;bob@example.com;R&D\n")
fixture("mixed-line-endings.csv", (HEADER + "\r\n" + row("ann") + "\r" + row("bob", extension="4022") + "\n" + row("cid", extension="4023") + "\r\n").encode())
fixture("cr-only.csv", csv(HEADER, row("ann"), row("bob", extension="4022"), newline="\r"))
fixture("trailing-delimiter-header.csv", csv(HEADER + ",", row("ann") + ",", row("bob", extension="4022") + ","))
fixture("tab-delimited.csv", csv(HEADER.replace(",", "\t"), row("ann").replace(",", "\t")))
fixture("pipe-delimited.csv", csv(HEADER.replace(",", "|"), row("ann").replace(",", "|")))

# --- Headers -----------------------------------------------------------------------------
fixture("duplicate-header.csv", csv("username,email,first_name,Email ", "ann,ann@example.com,Ann,ann@example.com"))
fixture("duplicate-header-exact.csv", csv("username,email,username", "ann,ann@example.com,ann"))
fixture("empty-header-names.csv", csv("username,,email,", "ann,x,ann@example.com,y", "bob,x,bob@example.com,y"))
fixture("missing-identity-header.csv", csv("first_name,last_name,phone_number", "Ann,Lee,+1 415 555 0123"))
fixture("unknown-columns.csv", csv("username,email,Favourite Colour", "ann,ann@example.com,blue"))
fixture("field-count.csv", csv("username,email,first_name", "ann,ann@example.com,Ann,extra", "bob", "cid,cid@example.com,Cid"))

# --- Cell contents -----------------------------------------------------------------------
# Every row is rejected for its email; its free-text cells hold spreadsheet formulas.
fixture("formula-injection.csv", csv(
    HEADER,
    row("ann", department="=cmd|' /C calc'!A0", email="ann-at-example.com"),
    row("bob", department="+SUM(1)", email="bob-at-example.com", extension="4022"),
    row("cid", department="@x", email="cid-at-example.com", extension="4023"),
    row("dan", department="-2+3", email="dan-at-example.com", extension="4024"),
))
fixture("sql-metacharacters.csv", csv(
    HEADER,
    row("ann", first="Robert'); DROP TABLE users; --", last="O'Brien"),
    row("bob", first="'; DROP TABLE users; --", last='"x"" OR 1=1 --"', extension="4022"),
))
fixture("invisible-usernames.csv", csv(
    HEADER,
    row("ad\u200bmin", email="admin1@example.com"),
    row("\u202eadmin", email="admin2@example.com", extension="4022"),
    row("ann\u200d", email="admin3@example.com", extension="4023"),
    row("bo\ufeffb", email="admin4@example.com", extension="4024"),
    row("ok", email="ok@example.com", extension="4025"),
))
fixture("emoji-names.csv", csv(
    HEADER,
    row("ann", first="Ann 🎉", last="Lée 👩🏽‍💻"),
    row("bob", first="🦄", last="Roe 🇫🇷", extension="4022"),
))
fixture("excel-mangled.csv", csv(
    HEADER,
    row("ann", extension="4.41E+11"),
    row("bob", phone="14155550123", extension="4022"),
    row("cid", extension="4023"),
))
fixture("bad-fields.csv", csv(
    "action,type,username,email,extension,language,time_zone,voicemail",
    "create,robot,ann,ann@localhost,12a,english,CEST,maybe",
))
fixture("duplicates-in-file.csv", csv(HEADER, row("ann"), row("bob"), row("ann", email="ann2@example.com", extension="4023")))
# For the round trip: rows rejected for different reasons, fed back in by the test.
fixture("for-rejects.csv", csv(
    HEADER,
    row("ann", email="ann@localhost", department="=1+1"),
    row("bob", extension="12a"),
    row("cid", phone="14155550123", extension="4023"),
    row("dan", extension="4024"),
))
# Field of exactly 16 bytes and one of 17, read with --max-field-bytes 16.
fixture("field-at-limit.csv", csv("username,email,department", "ann,ann@example.com," + "x" * 16))
fixture("field-over-limit.csv", csv("username,email,department", "ann,ann@example.com," + "x" * 17, "bob,bob@example.com,ok"))
# A quoted field over 5 lines, read with --max-field-lines 3.
fixture("field-too-many-lines.csv", csv("username,email,department", 'ann,ann@example.com,"a\nb\nc\nd\ne"', "bob,bob@example.com,ok"))

# --- Policy files --------------------------------------------------------------------------
fixture("policy-wrong-type.toml", '[extension]\nmin_digits = 2\n\n[passcode]\nmin_length = "six"\n')
fixture("policy-unknown-key.toml", "[passcode]\nmin_length = 6\nfavourite_colour = 3\n")
fixture("policy-unknown-table.toml", "[voicemale]\ndigit_length = 4\n")
fixture("policy-duplicate-key.toml", "[passcode]\nmin_length = 6\nmin_length = 7\n")
fixture("policy-out-of-range.toml", "[passcode]\nmin_length = -3\n")
fixture("policy-garbage.toml", "this is = = not toml [[\n")
fixture("policy-binary.toml", random.Random(99).randbytes(300))


if __name__ == "__main__":
    for name, data in sorted(FIXTURES.items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print(f"{len(FIXTURES)} fixtures written to {HERE}")
