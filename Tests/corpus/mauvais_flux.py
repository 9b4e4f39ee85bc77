#!/usr/bin/env python3
"""Bad-input corpus for `releve importer` (issue 10, SECURITY.md goal 17).

Generates, from a fixed seed, N mutated feeds (JSON Lines and CSV) from a small valid feed made
by `releve echantillon`: byte flips, truncations, huge fields, invalid UTF-8, NUL bytes, deep
JSON nesting, a 10 MB line, Int64 bounds, negative amounts, impossible dates, CR/LF and
Unicode tricks. Each one is imported into a fresh copy of a base; the run fails on any
signal, any exit code other than 0 (accepted) or 65 (refused), and any refusal that changed
the base (compared by `sqlite3 .dump`).

Usage: mauvais_flux.py --binaire .build/debug/releve [--nombre 1100] [--graine 10]
"""

import argparse
import concurrent.futures
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"


def run(binary, arguments, env, timeout=120):
    return subprocess.run([binary] + arguments, env=env, capture_output=True, timeout=timeout)


def dump_digest(base):
    out = subprocess.run(["sqlite3", base, ".dump"], capture_output=True, check=True).stdout
    return hashlib.sha256(out).hexdigest()


def checkpoint(base):
    subprocess.run(["sqlite3", base, "PRAGMA wal_checkpoint(TRUNCATE);"], capture_output=True, check=True)


# Mutations: each takes (rng, lines: list[bytes], kind) and returns the new bytes of the file.

def flip_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256)
    return bytes(data)


def truncate(rng, data):
    return data[: rng.randrange(1, len(data))]


def replace_in_line(rng, data, pick, replacement):
    lines = data.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if pick(line)]
    if not candidates:
        return data
    i = rng.choice(candidates)
    lines[i] = replacement(lines[i])
    return b"\n".join(lines)


def number_tokens(line, csv):
    """Positions of numeric tokens in a line (after ':' for JSON, whole fields for CSV)."""
    tokens = []
    if csv:
        start = 0
        for j, field in enumerate(line.split(b",")):
            if field.lstrip(b"-").isdigit():
                tokens.append((start, start + len(field)))
            start += len(field) + 1
    else:
        k = 0
        while k < len(line):
            if line[k : k + 1] == b":" and k + 1 < len(line) and (line[k + 1 : k + 2].isdigit() or line[k + 1 : k + 2] == b"-"):
                e = k + 1
                while e < len(line) and (line[e : e + 1].isdigit() or line[e : e + 1] == b"-"):
                    e += 1
                tokens.append((k + 1, e))
                k = e
            else:
                k += 1
    return tokens


def change_number(rng, data, csv, values):
    def pick(line):
        return bool(number_tokens(line, csv))

    def replacement(line):
        a, b = rng.choice(number_tokens(line, csv))
        return line[:a] + rng.choice(values).encode() + line[b:]

    return replace_in_line(rng, data, pick, replacement)


def change_date(rng, data):
    dates = [b"2026-02-30", b"0000-00-00", b"9999-99-99", b"2026-13-01", b"1899-12-31", b"2100-01-01", b"2026-1-5", b"20261005"]

    def pick(line):
        return b"-" in line and any(ch.isdigit() for ch in line.decode("utf-8", "replace"))

    def replacement(line):
        text = line
        for i in range(len(text) - 10):
            chunk = text[i : i + 10]
            if chunk[4:5] == b"-" and chunk[7:8] == b"-" and chunk[:4].isdigit():
                return text[:i] + rng.choice(dates) + text[i + 10 :]
        return text

    return replace_in_line(rng, data, pick, replacement)


def inject_text(rng, data, csv):
    payloads = [
        "\u202eevil", "a\u2028b", "\ufeff", "\u200b", "\x00", "\x1b[31m", "\ue000", "=cmd|' /C calc'!A0",
        "\r", "\t", "\\u0000", "\"", "\\", "\U0001f600", "A" * 100_000, "é" * 5_000,
    ]
    payload = rng.choice(payloads).encode("utf-8", "surrogatepass")

    def pick(line):
        return len(line) > 10

    def replacement(line):
        if csv:
            fields = line.split(b",")
            i = rng.randrange(len(fields))
            fields[i] = fields[i] + payload
            return b",".join(fields)
        i = line.find(b'":"')
        if i < 0:
            return line + payload
        return line[: i + 3] + payload + line[i + 3 :]

    return replace_in_line(rng, data, pick, replacement)


def invalid_utf8(rng, data):
    data = bytearray(data)
    i = rng.randrange(len(data))
    data[i:i] = rng.choice([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"])
    return bytes(data)


def nul_bytes(rng, data):
    data = bytearray(data)
    i = rng.randrange(len(data))
    data[i:i] = b"\x00" * rng.randint(1, 64)
    return bytes(data)


def deep_nesting(rng, data):
    depth = rng.choice([100, 1_000, 10_000, 100_000])
    line = b'{"type":"paiement","lignes":' + b"[" * depth + b"]" * depth + b"}"
    lines = data.split(b"\n")
    lines.insert(rng.randrange(len(lines)), line)
    return b"\n".join(lines)


def huge_line(rng, data):
    lines = data.split(b"\n")
    lines.insert(rng.randrange(len(lines)), b'{"type":"assure","nom":"' + b"x" * (10 * 1024 * 1024) + b'"}')
    return b"\n".join(lines)


def duplicate_and_shuffle(rng, data):
    lines = [line for line in data.split(b"\n") if line]
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines)), lines[i])
    if rng.random() < 0.5:
        j, k = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[j], lines[k] = lines[k], lines[j]
    return b"\n".join(lines) + b"\n"


def crlf(rng, data):
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n", b"\n\r"]))


NUMBERS = [INT64_MAX, INT64_MIN, "9223372036854775808", "-1", "-999999999999999", "999999999999999", "0", "1e9", "1.5", "-0",
           "00000000000000000001", "4611686018427387904", "100000000000", "-200"]


def mutate(rng, data, csv):
    kind = rng.choice([
        "flip", "flip", "truncate", "number", "number", "number", "date", "text", "text", "utf8", "nul", "nesting",
        "shuffle", "crlf", "huge",
    ])
    if kind == "flip":
        return kind, flip_bytes(rng, data)
    if kind == "truncate":
        return kind, truncate(rng, data)
    if kind == "number":
        return kind, change_number(rng, data, csv, NUMBERS)
    if kind == "date":
        return kind, change_date(rng, data)
    if kind == "text":
        return kind, inject_text(rng, data, csv)
    if kind == "utf8":
        return kind, invalid_utf8(rng, data)
    if kind == "nul":
        return kind, nul_bytes(rng, data)
    if kind == "nesting":
        return kind, deep_nesting(rng, data)
    if kind == "shuffle":
        return kind, duplicate_and_shuffle(rng, data)
    if kind == "crlf":
        return kind, crlf(rng, data)
    # A 10 MB line, at most a few times per run (each costs a 10 MB file).
    return kind, huge_line(rng, data) if rng.random() < 0.05 else flip_bytes(rng, data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binaire", required=True)
    parser.add_argument("--nombre", type=int, default=1100)
    parser.add_argument("--graine", type=int, default=10)
    parser.add_argument("--garder", help="dossier où garder les flux qui échouent")
    args = parser.parse_args()
    binary = os.path.abspath(args.binaire)
    work = tempfile.mkdtemp(prefix="releve-corpus-")
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = os.path.join(work, "config")
    try:
        made = run(binary, ["echantillon", "--assures", "6", "--mois", "3", "--fin", "2026-10", "--graine", "7",
                            "--sortie", os.path.join(work, "flux.jsonl")], env)
        assert made.returncode == 0, made.stderr
        made = run(binary, ["echantillon", "--assures", "6", "--mois", "3", "--fin", "2026-10", "--graine", "7",
                            "--format", "csv", "--sortie", os.path.join(work, "flux.csv")], env)
        assert made.returncode == 0, made.stderr
        # Two template bases: empty (for JSON Lines), and holding the assurés (for CSV payments).
        empty = os.path.join(work, "vide.sqlite")
        persons = os.path.join(work, "assures.sqlite")
        run(binary, ["admin", "audit", "--base", empty], env)
        loaded = run(binary, ["importer", "--base", persons, os.path.join(work, "flux.csv.assures.jsonl")], env)
        if loaded.returncode != 0:
            loaded = run(binary, ["importer", "--base", persons, os.path.join(work, "flux.assures.jsonl")], env)
        assert loaded.returncode == 0, loaded.stderr
        for base in (empty, persons):
            checkpoint(base)
        digests = {empty: dump_digest(empty), persons: dump_digest(persons)}
        sources = {
            "jsonl": open(os.path.join(work, "flux.jsonl"), "rb").read(),
            "csv": open(os.path.join(work, "flux.csv"), "rb").read(),
        }
        rng = random.Random(args.graine)
        cases = []
        for n in range(args.nombre):
            fmt = "csv" if n % 3 == 2 else "jsonl"
            kind, data = mutate(rng, sources[fmt], fmt == "csv")
            cases.append((n, fmt, kind, data))

        def one(case):
            n, fmt, kind, data = case
            folder = os.path.join(work, "cas-%04d" % n)
            os.mkdir(folder)
            template = persons if fmt == "csv" else empty
            base = os.path.join(folder, "releve.sqlite")
            shutil.copyfile(template, base)
            feed = os.path.join(folder, "flux." + fmt)
            with open(feed, "wb") as f:
                f.write(data)
            try:
                result = run(binary, ["importer", "--base", base, feed], env)
            except subprocess.TimeoutExpired:
                return (n, fmt, kind, "délai dépassé (120 s)", folder)
            problem = None
            code = result.returncode
            if code < 0:
                problem = "signal %s" % signal.Signals(-code).name
            elif code not in (0, 65):
                problem = "code de sortie %d : %s" % (code, result.stderr.decode("utf-8", "replace")[:300])
            elif code == 65:
                if dump_digest(base) != digests[template]:
                    problem = "refusé (65) mais la base a changé"
                elif b":" not in result.stderr:
                    problem = "refus sans fichier:ligne : %s" % result.stderr[:200]
            if problem is None:
                shutil.rmtree(folder, ignore_errors=True)
            return (n, fmt, kind, problem, folder, code)

        outcomes = {"0": 0, "65": 0}
        failures = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            for done, outcome in enumerate(pool.map(one, cases), 1):
                n, fmt, kind, problem = outcome[:4]
                if problem:
                    failures.append(outcome)
                else:
                    outcomes[str(outcome[5])] += 1
                if done % 100 == 0:
                    print("corpus : %d/%d flux essayés" % (done, len(cases)), file=sys.stderr, flush=True)
        for n, fmt, kind, problem, folder, *_ in failures:
            print("ÉCHEC cas %d (%s, %s) : %s" % (n, fmt, kind, problem))
            if args.garder:
                os.makedirs(args.garder, exist_ok=True)
                shutil.copytree(folder, os.path.join(args.garder, os.path.basename(folder)), dirs_exist_ok=True)
        print("Corpus de mauvais flux : %d flux (graine %d), %d acceptés (0), %d refusés (65) sans changement de la base, "
              "%d échecs (signal, autre code, base modifiée)." % (len(cases), args.graine, outcomes["0"], outcomes["65"], len(failures)))
        print("%d passed, %d failed" % (len(cases) - len(failures), len(failures)))
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
