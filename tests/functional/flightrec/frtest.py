#!/usr/bin/env python3
"""Functional tests of flightrec with real processes and real signals.

Usage: frtest.py FLIGHTREC_BINARY CASE     (CASE: see CASES at the bottom; "all" runs all)

Each case exits 0 on success and 1 with a message on failure. No case asserts on timing:
sleeps only make the interesting interleavings likely, the checks hold whatever happens.
"""
import fcntl
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

FR = None
TMP = None

HEADER_RE = re.compile(rb"^(\d+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (\w+) (.*)$")


class Failure(Exception):
    pass


PROCS = []      # every process a case starts, ended when the case ends, pass or fail
LAUNCHED = []   # rings with a background (-L) recorder, stopped when the case ends


def spawn(*args, **kwargs):
    p = subprocess.Popen(*args, **kwargs)
    PROCS.append(p)
    return p


def cleanup():
    for ring in LAUNCHED:
        subprocess.run([FR, "stop", "--timeout", "5s", ring], capture_output=True)
    for p in PROCS:
        if p.poll() is None:
            p.kill()
        p.wait()
    PROCS.clear()
    LAUNCHED.clear()


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def path(name):
    return os.path.join(TMP, name)


def fr(*args, input=None, check_rc=0, timeout=60):
    p = subprocess.run([FR, *args], input=input, capture_output=True, timeout=timeout)
    if check_rc is not None and p.returncode != check_rc:
        raise Failure(f"flightrec {' '.join(args)}: exit {p.returncode}, want {check_rc}\n"
                      f"stderr: {p.stderr.decode(errors='replace')}")
    return p


def line_for(n, width=100):
    """Input line n: self-describing, so a torn or mixed record is detectable."""
    head = b"%d " % n
    body = (b"%d." % n) * (width // 2)
    return head + body[: width - len(head) - 1]


def vary_width(n):
    """Widths from 30 to 3000 bytes, for producers run with vary=1 (more wrap padding)."""
    return 30 + (n * 7919) % 2971


def line_ok(payload):
    try:
        n = int(payload.split(b" ", 1)[0])
    except ValueError:
        return False, -1
    return payload in (line_for(n), line_for(n, vary_width(n))), n


PRODUCER = r"""
import sys, time
out = sys.stdout.buffer
start = int(sys.argv[1]); count = int(sys.argv[2]); pace = float(sys.argv[3])
vary = sys.argv[4] == "1"
def line(n):
    width = 30 + (n * 7919) % 2971 if vary else 100
    head = b"%d " % n
    body = (b"%d." % n) * (width // 2)
    return head + body[: width - len(head) - 1] + b"\n"
n = start
batch = 1 if pace > 0 else 500
try:
    while count < 0 or n < start + count:
        k = batch if count < 0 else min(batch, start + count - n)
        out.write(b"".join(line(i) for i in range(n, n + k)))
        n += k
        if pace > 0:
            out.flush(); time.sleep(pace)
    out.flush()
except BrokenPipeError:
    pass
"""


def producer_cmd(start=0, count=-1, pace=0.0, vary=False):
    return [sys.executable, "-c", PRODUCER, str(start), str(count), str(pace), "1" if vary else "0"]


def parse_headers(out):
    """dump/attach -H output -> list of (seq, kind, payload); fails on a malformed line."""
    recs = []
    for raw in out.split(b"\n")[:-1]:
        m = HEADER_RE.match(raw)
        check(m is not None, f"malformed -H line: {raw[:120]!r}")
        recs.append((int(m.group(1)), m.group(3).decode(), m.group(4)))
    return recs


def check_records(recs, what, other_lines=()):
    """Consecutive sequence numbers and intact data lines."""
    for a, b in zip(recs, recs[1:]):
        check(b[0] == a[0] + 1, f"{what}: sequence {a[0]} followed by {b[0]}")
    for seq, kind, payload in recs:
        if kind == "data" and payload not in other_lines:
            ok, _ = line_ok(payload)
            check(ok, f"{what}: torn record {seq}: {payload[:120]!r}")


def wait_for(cond, what, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.01)
    raise Failure(f"gave up waiting for {what}")


def stat(ring, check_rc=0):
    p = fr("stat", ring, check_rc=check_rc)
    if p.returncode != 0:
        return {}
    out = p.stdout.decode()
    return {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in out.splitlines())}


def start_recorder(ring, *opts, producer=None):
    """Recorder reading a producer's output through a pipe; returns (recorder, producer)."""
    prod = spawn(producer or producer_cmd(), stdout=subprocess.PIPE)
    rec = spawn([FR, "record", *opts, ring], stdin=prod.stdout,
                           stderr=subprocess.PIPE)
    prod.stdout.close()
    wait_for(lambda: "running" in stat(ring, None).get("recorder", "") or rec.poll() is not None,
             "the recorder to start")
    if rec.poll() is not None:
        raise Failure(f"recorder exited: {rec.stderr.read().decode()}")
    return rec, prod


def input_bytes(ring):
    return int(stat(ring, None).get("input bytes", "0"))


def finish(*procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


# ------------------------------------------------------------------------------ cases

def case_roundtrip():
    """What goes in comes out: lines, a line longer than a record, no final newline, binary."""
    ring = path("rt.ring")
    data = b"".join(line_for(i) + b"\n" for i in range(5000))
    data += b"x" * 10000 + b"\n" + b"\n" + b"last line without newline"
    fr("record", "-s", "4M", "--max-record", "4K", ring, input=data)
    out = fr("dump", "--data-only", ring).stdout
    check(out == data, f"dump differs from input ({len(out)} vs {len(data)} bytes)")
    st = stat(ring)
    # 5000 lines, the long line in 3 pieces, the empty line, the last line, the stop record
    check(st["records held"] == str(5000 + 3 + 1 + 1 + 1), f"records held {st['records held']}")
    check(st["recorder"].startswith("none"), f"recorder state {st['recorder']}")
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    kinds = [k for _, k, _ in recs]
    check(kinds.count("part") == 2 + 1, f"pieces of the long line and the last line: {kinds[-8:]}")
    check(recs[-1][1] == "stop" and recs[-1][2] == b"end of input", f"last record {recs[-1]}")
    cring = path("cmd.ring")
    fr("record", cring, "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    check(fr("dump", cring).stdout == b"out\n--- flightrec stop: end of input; sh exited with status 3\n",
          "record -- CMD: output or exit status")
    fr("record", "--stderr", cring, "--", "sh", "-c", "echo err >&2")
    check(b"\nerr\n" in fr("dump", cring).stdout, "--stderr")
    blob = bytes(random.Random(4).randrange(256) for _ in range(300000))
    sring = path("sync.ring")  # --sync: the msync path runs and changes nothing visible
    fr("record", "--sync", "20ms", "-s", "1M", sring, input=data[:200000])
    check(fr("dump", "-D", sring).stdout == data[:200000], "--sync 20ms: dump differs")
    fr("record", "--sync", "0", sring, input=b"", check_rc=2)
    # Input from a pipe: the recorder enlarges it to a chunk (1 MiB) where the
    # kernel allows, so that a read takes more than the default 64 KiB.
    pring = path("pipe.ring")
    r, w = os.pipe()
    rec = spawn([FR, "record", "-s", "1M", pring], stdin=r, stderr=subprocess.PIPE)
    os.close(r)
    os.write(w, data[:1000])
    wait_for(lambda: int(stat(pring, None).get("records held", "0")) > 0, "the pipe recorder")
    size = fcntl.fcntl(w, 1032)  # F_GETPIPE_SZ
    limit = int(open("/proc/sys/fs/pipe-max-size").read())
    os.close(w)
    rec.wait(timeout=20)
    check(size == min(limit, 1 << 20) or os.geteuid() != 0, f"input pipe is {size} bytes, not 1 MiB")
    check(fr("dump", "--data-only", pring).stdout == data[:1000], "record from a pipe: dump differs")
    bring = path("bin.ring")
    fr("record", "-b", "-s", "1M", bring, input=blob)
    out = fr("dump", "--data-only", bring).stdout
    check(out == blob, "binary dump differs from input")
    # --last and time bounds
    last = fr("dump", "--data-only", "--last", "3", ring).stdout
    check(last == b"x" * (10000 - 2 * 4096) + b"\n\nlast line without newline", f"--last 3: {last!r}")
    check(len(parse_headers(fr("dump", "-H", "--last", "7", ring).stdout)) == 7, "--last 7 -H")
    times = [m.group(2).decode() for m in
             (HEADER_RE.match(l) for l in fr("dump", "-H", ring).stdout.split(b"\n")[:-1])]
    lo, hi = times[1000], times[3000]
    want = [l for l, t in zip(fr("dump", "-H", ring).stdout.split(b"\n"), times) if lo <= t <= hi]
    got = fr("dump", "-H", "--since", lo, "--until", hi, ring).stdout.split(b"\n")[:-1]
    check(got == want and len(got) >= 2001, f"--since/--until: {len(got)} records, want {len(want)}")
    check(fr("dump", "--data-only", "--since", "@0", ring).stdout == data, "--since @0 lost records")
    check(fr("dump", "--until", "@1", ring).stdout == b"", "--until @1 printed records")


def case_wrap():
    """Overwrite mode keeps the newest records, consecutive, and counts the overwritten."""
    ring = path("wrap.ring")
    n = 40000
    data = b"".join(line_for(i) + b"\n" for i in range(n))
    fr("record", "-s", "256K", ring, input=data)
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    check_records(recs, "wrapped dump")
    datarecs = [r for r in recs if r[1] == "data"]
    check(line_ok(datarecs[-1][2])[1] == n - 1, "newest line missing")
    first = line_ok(datarecs[0][2])[1]
    check(first > 0 and len(datarecs) == n - first, f"oldest kept line {first}")
    st = stat(ring)
    check(int(st["overwritten"]) == first, f"overwritten {st['overwritten']}, want {first}")
    check(int(st["bytes held"]) <= 256 * 1024, "holds more than the ring size")
    # Lines of many lengths leave padding records at the ends of laps; a recorder that
    # continues the ring checks them (header-only checksum) and keeps every record.
    vring = path("vary.ring")
    fr("record", "-s", "64K", vring,
       input=b"".join(line_for(i, 30 + i * 13 % 200) + b"\n" for i in range(3000)))
    before = parse_headers(fr("dump", "-H", vring).stdout)
    p = fr("record", vring, input=b"more\n")
    check(p.stderr == b"", f"continuing a wrapped ring: {p.stderr!r}")
    after = parse_headers(fr("dump", "-H", vring).stdout)
    check(after[-3][1] == "restart" and b"stopped cleanly; %d records kept" % len(before) in after[-3][2],
          f"restart record {after[-3]}")
    kept = after[:-3]  # the three new records may overwrite a few of the oldest
    check(after[-2][2] == b"more" and len(kept) >= len(before) - 3 and
          kept == before[len(before) - len(kept):], "records lost when the ring was continued")


def case_kill9():
    """kill -9 the recorder at random moments under load; restart on the same file each time.

    Every dump must have consecutive sequence numbers and intact records; every record a
    concurrent reader saw (so: committed) must still be in the dump; each restart is marked.
    """
    ring = path("kill.ring")
    rnd = random.Random(int(os.environ.get("FRTEST_SEED", "9")))
    rounds = 12
    for i in range(rounds):
        # Every other round, lines of 30 to 3000 bytes: more padding at the end of laps.
        before = input_bytes(ring) if os.path.exists(ring) else 0
        rec, prod = start_recorder(ring, "-s", "512K",
                                   producer=producer_cmd(i * 10_000_000, vary=i % 2 == 1))
        reader = spawn([FR, "attach", "-H", ring], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        wait_for(lambda: input_bytes(ring) > before, "the first records")  # kill under load
        time.sleep(rnd.uniform(0.0, 0.3))
        os.kill(rec.pid, signal.SIGKILL)
        rec.wait()
        finish(prod)
        seen, err = reader.communicate(timeout=30)
        check(reader.returncode == 0, f"round {i}: attach exit {reader.returncode}: {err!r}")
        st = stat(ring)
        check(st["recorder"].startswith("died"), f"round {i}: stat says {st['recorder']}")
        recs = parse_headers(fr("dump", "-H", ring).stdout)
        check_records(recs, f"round {i} dump")
        check(len(recs) > 0, f"round {i}: empty dump")
        dumped = {r[0]: r for r in recs}
        lo = recs[0][0]
        seen_recs = parse_headers(seen)
        for r in seen_recs:
            if r[0] >= lo:
                check(dumped.get(r[0]) == r, f"round {i}: reader saw {r[0]} {r[2][:40]!r}, "
                                             f"dump has {dumped.get(r[0], ('missing',))[0:3]}")
        check(seen_recs and seen_recs[-1][0] <= recs[-1][0], f"round {i}: reader ahead of dump")
        # Where the data goes from one session's lines to the next, a restart record
        # saying the previous recorder died must come in between.
        session, restarted = None, False
        for seq, kind, payload in recs:
            if kind == "restart":
                check(b") died;" in payload, f"round {i}: restart record {payload!r}")
                restarted = True
            elif kind == "data":
                s = line_ok(payload)[1] // 10_000_000
                check(session is None or s == session or restarted,
                      f"round {i}: session {session} to {s} without a restart record")
                check(s <= i, f"round {i}: line from the future")
                session, restarted = s, False
    # One more clean session after the last crash: the restart is marked as such.
    fr("record", ring, input=b"after the crashes\n")
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    check_records(recs, "final dump", other_lines=(b"after the crashes",))
    check(recs[-3][1] == "restart" and b") died;" in recs[-3][2], f"restart record {recs[-3]}")
    check(recs[-2][2] == b"after the crashes", f"{recs[-2]}")
    check(stat(ring)["sessions"] == str(rounds + 1), "sessions count")


def case_lapped():
    """A reader stopped (SIGSTOP) while the writer laps it reports exactly what it missed."""
    ring = path("lap.ring")
    rec, prod = start_recorder(ring, "-s", "64K")
    wait_for(lambda: int(stat(ring)["overwritten"]) > 0, "the writer to lap the ring")
    reader = spawn([FR, "attach", "-H", ring], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    time.sleep(0.2)
    dumps = [spawn([FR, "dump", "-H", ring], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    for _ in range(3):
        os.kill(reader.pid, signal.SIGSTOP)
        time.sleep(0.3)
        os.kill(reader.pid, signal.SIGCONT)
        time.sleep(0.1)
    for i, d in enumerate(dumps):  # dumps run while the writer laps the ring
        out, err = d.communicate(timeout=30)
        check(d.returncode == 0, f"dump {i}: exit {d.returncode}: {err!r}")
        recs = parse_headers(out)
        gaps = sum(b[0] - a[0] - 1 for a, b in zip(recs, recs[1:]))
        check(all(b[0] > a[0] for a, b in zip(recs, recs[1:])), f"dump {i}: sequence goes back")
        check(all(line_ok(p)[0] for _, k, p in recs if k == "data"), f"dump {i}: torn record")
        missed = sum(int(m) for m in re.findall(rb"missed (\d+) records", err))
        check(missed == gaps, f"dump {i}: reported {missed} missed, gaps add up to {gaps}")
    fr("stop", ring)
    finish(prod)
    out, err = reader.communicate(timeout=30)
    check(reader.returncode == 0, f"attach exit {reader.returncode}")
    recs = parse_headers(out)
    gaps = 0
    for a, b in zip(recs, recs[1:]):
        check(b[0] > a[0], f"sequence goes back: {a[0]} then {b[0]}")
        gaps += b[0] - a[0] - 1
    for seq, kind, payload in recs:
        if kind == "data":
            check(line_ok(payload)[0], f"torn record {seq}")
    missed = sum(int(m) for m in re.findall(rb"missed (\d+) records \(lapped", err))
    check(missed > 0, f"the reader was never lapped: {err!r}")
    check(missed == gaps, f"reported {missed} missed records, sequence gaps add up to {gaps}")
    check(recs[-1][1] == "stop", "reader did not read to the end")


def case_readers():
    """Several readers at once each get every record, identical to the final dump."""
    ring = path("readers.ring")
    rec, prod = start_recorder(ring, "-s", "8M", producer=producer_cmd(0, 3000, 0.0005))
    readers = [spawn([FR, "attach", "-H", ring], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for _ in range(4)]
    rec.wait(timeout=60)
    prod.wait()
    dump = fr("dump", "-H", ring).stdout
    check_records(parse_headers(dump), "dump")
    check(len(parse_headers(dump)) == 3001, "dump record count")
    for i, r in enumerate(readers):
        out, err = r.communicate(timeout=30)
        check(r.returncode == 0, f"reader {i} exit {r.returncode}: {err!r}")
        check(out == dump, f"reader {i} output differs from the dump")


def case_control():
    """-L, mark, pause/resume (nothing recorded in between), stop; all while input flows."""
    ring = path("ctl.ring")
    cmd = producer_cmd(0, -1, 0.001)
    LAUNCHED.append(ring)
    p = fr("record", "-L", "-s", "4M", ring, "--", *cmd)
    check(b"flightrec attach " in p.stdout, f"-L did not say how to attach: {p.stdout!r}")
    pid = int(re.search(rb"pid (\d+)", p.stdout).group(1))
    check(stat(ring)["recorder"].startswith(f"running, pid {pid}"), "recorder not running")
    wait_for(lambda: input_bytes(ring) > 0, "the first records")
    fr("mark", ring, "test", "one", "begins")
    fr("pause", ring)
    check(stat(ring)["recorder"].endswith("paused"), "stat does not say paused")
    wait_for(lambda: int(stat(ring)["skipped (paused)"]) >= 10, "input to skip while paused")
    fr("resume", ring)
    time.sleep(0.1)
    fr("mark", ring, "test one ends")
    fr("stop", ring)
    check(not stat(ring)["recorder"].startswith("running"), "recorder still running after stop")
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    check_records(recs, "dump")
    kinds = [k for _, k, _ in recs if k != "data"]
    check(kinds == ["mark", "pause", "resume", "mark", "stop"], f"markers {kinds}")
    i_pause = next(i for i, r in enumerate(recs) if r[1] == "pause")
    check(recs[i_pause + 1][1] == "resume", "data recorded while paused")
    before = line_ok([r for r in recs[:i_pause] if r[1] == "data"][-1][2])[1]
    after = line_ok([r for r in recs[i_pause:] if r[1] == "data"][0][2])[1]
    skipped = int(stat(ring)["skipped (paused)"])
    check(skipped > 0 and after - before - 1 == skipped,
          f"paused: lines {before}..{after}, {skipped} skipped")
    check(recs[0][2] == line_for(0), "first line")
    check(recs[-1][2] == b"stopped by flightrec stop; %s ended by signal SIGTERM"
          % sys.executable.encode(), f"{recs[-1]}")
    marks = [r[2] for r in recs if r[1] == "mark"]
    check(marks == [b"test one begins", b"test one ends"], f"marks {marks}")
    p = fr("stop", ring, check_rc=1)
    check(b"no recorder is running" in p.stderr, p.stderr)
    # Stopping ends the command with SIGTERM, and what it writes then is still recorded.
    ring = path("words.ring")
    LAUNCHED.append(ring)
    fr("record", "-L", ring, "--", "sh", "-c",
       'trap "echo last words; exit 5" TERM; echo ready; while :; do sleep 0.05; done')
    wait_for(lambda: b"ready" in fr("dump", ring).stdout, "the command to start")
    fr("stop", ring)
    out = fr("dump", ring).stdout
    check(out == b"ready\nlast words\n--- flightrec stop: stopped by flightrec stop; "
                 b"sh exited with status 5\n", f"stop with a command: {out!r}")


def case_attach_signals():
    """Ctrl-\\ (SIGQUIT) detaches and leaves the recorder running; -k with Ctrl-C stops it."""
    ring = path("sig.ring")
    rec, prod = start_recorder(ring, "-s", "1M", producer=producer_cmd(0, -1, 0.002))
    # Unbuffered (bufsize=0): readline takes one line and no more, so that communicate(),
    # which reads the pipe itself, gets the rest (a buffered read-ahead would be lost).
    a = spawn([FR, "attach", ring], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    first = a.stdout.readline()  # attach is running, its signal handlers are in place
    a.send_signal(signal.SIGQUIT)
    out, err = a.communicate(timeout=20)
    check(a.returncode == 0 and b"detached" in err, f"SIGQUIT: exit {a.returncode} {err!r}")
    check(rec.poll() is None and "running" in stat(ring)["recorder"], "recorder stopped on detach")
    out = first + out
    # Everything from the oldest record up to the detach, whole lines in order (the 1M ring
    # has not wrapped yet).
    got = [line_ok(l) for l in out.splitlines()]
    check(out.endswith(b"\n") and all(ok for ok, _ in got)
          and [n for _, n in got] == list(range(len(got))),
          f"attach output not intact: {len(got)} lines, ending {out[-120:]!r}")
    a = spawn([FR, "attach", "-k", "--new", ring], stdout=subprocess.PIPE,
              stderr=subprocess.PIPE, bufsize=0)
    first = a.stdout.readline()
    a.send_signal(signal.SIGINT)
    out, err = a.communicate(timeout=20)
    check(a.returncode == 0, f"SIGINT -k: exit {a.returncode} {err!r}")
    rec.wait(timeout=20)
    finish(prod)
    out = first + out
    check(out.endswith(b"--- flightrec stop: stopped by flightrec stop\n"), f"tail {out[-80:]!r}")
    check(stat(ring)["recorder"].startswith("none"), "recorder not stopped cleanly")


def interrupt_full_block_ring(rec, ring, what):
    """Once the 64K block-mode ring is full, SIGINT to its recorder: it must end, with
    status 0, within 20 s. Returns its stderr."""
    wait_for(lambda: int(stat(ring, None).get("bytes held", "0 ").split()[0]) > 65536 - 64,
             "the block-mode ring to fill")
    rec.send_signal(signal.SIGINT)
    try:
        rec.wait(timeout=20)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: recorder still running 20 s after SIGINT")
    err = rec.stderr.read().decode(errors="replace")
    check(rec.returncode == 0, f"{what}, SIGINT: exit {rec.returncode}: {err}")
    return err


def case_policies():
    """drop: keeps the oldest, counts and marks the dropped; block: a consuming reader gets all."""
    ring = path("drop.ring")
    n = 20000
    data = b"".join(line_for(i) + b"\n" for i in range(n))
    fr("record", "-s", "64K", "-w", "drop", ring, input=data)
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    check_records(recs, "drop dump")
    datarecs = [r for r in recs if r[1] == "data"]
    check(line_ok(datarecs[0][2])[1] == 0, "drop mode lost the oldest")
    kept = len(datarecs)
    # the final stop record does not fit either
    check(int(stat(ring)["dropped"]) == n + 1 - kept, f"dropped {stat(ring)['dropped']}, kept {kept}")

    ring = path("block.ring")
    n = 30000
    rec, prod = start_recorder(ring, "-s", "64K", "-w", "block", producer=producer_cmd(0, n))
    time.sleep(0.3)  # the ring fills and the producer waits
    check(rec.poll() is None, "block mode: recorder finished with nobody consuming")
    reader = spawn([FR, "attach", "--consume", "--data-only", ring],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = reader.communicate(timeout=60)
    rec.wait(timeout=20)
    finish(prod)
    lines = out.splitlines()
    check(len(lines) == n, f"block mode: consumer got {len(lines)} lines of {n}: {err!r}")
    check(all(l == line_for(i) for i, l in enumerate(lines)), "block mode: lines differ")

    # A full block-mode ring that nobody reads: one SIGINT still stops the recorder
    # (the stop record is not written, and it says so); what was recorded stays.
    ring = path("blockfull.ring")
    # 2-byte lines fill it to the last few bytes, leaving no room for the stop record
    rec, prod = start_recorder(ring, "-s", "64K", "-w", "block", producer=["yes"])
    err = interrupt_full_block_ring(rec, ring, "block mode, ring full")
    finish(prod)
    check("stop record not written (stopped by signal SIGINT)" in err, f"stderr: {err!r}")
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    data = [r[2] for r in recs if r[1] == "data"]
    check(len(data) > 1000 and all(d == b"y" for d in data), f"full block ring: {len(data)} records")
    check(stat(ring)["recorder"].startswith("none"), "recorder not marked stopped")
    # The same with the recorder running the producer (-- CMD): its last output
    # after the SIGTERM does not fit either, and the recorder still ends.
    ring = path("blockcmd.ring")
    rec = spawn([FR, "record", "-s", "64K", "-w", "block", ring, "--", "yes"], stderr=subprocess.PIPE)
    err = interrupt_full_block_ring(rec, ring, "block mode, ring full, -- yes")
    check("stop record not written (stopped by signal SIGINT; yes " in err, f"stderr: {err!r}")


def case_errors():
    """Clear errors for bad files, a second writer, tiny rings, bad paths; exit statuses."""
    def expect(args, rc, text, input=b""):
        p = fr(*args, input=input, check_rc=rc)
        check(text.encode() in p.stderr, f"{args}: stderr {p.stderr!r} lacks {text!r}")

    good = path("good.ring")
    fr("record", "-s", "64K", good, input=b"".join(line_for(i) + b"\n" for i in range(100)))
    raw = open(good, "rb").read()

    notring = path("notring")
    open(notring, "wb").write(b"hello, world\n" * 1000)
    expect(["dump", notring], 1, "not a flightrec ring file")
    expect(["record", notring], 1, "use --force", input=b"x\n")
    check(open(notring, "rb").read(13) == b"hello, world\n", "record overwrote a foreign file")

    ver = path("version.ring")
    open(ver, "wb").write(raw[:8] + (7).to_bytes(4, "little") + raw[12:])
    expect(["stat", ver], 1, "layout version 7, this flightrec reads version 1")

    trunc = path("trunc.ring")
    open(trunc, "wb").write(raw[: len(raw) // 2])
    expect(["dump", trunc], 1, "truncated")
    open(trunc, "wb").write(raw[:100])
    expect(["stat", trunc], 1, "truncated")
    open(path("empty.ring"), "wb").close()
    expect(["dump", path("empty.ring")], 1, "empty file")

    bad = path("corrupt.ring")
    pos = raw.index(line_for(50))
    open(bad, "wb").write(raw[:pos + 10] + b"#" + raw[pos + 11:])
    p = fr("dump", bad, check_rc=3)
    check(b"checksum mismatch" in p.stderr and b"50 records printed" in p.stderr, p.stderr)
    check(p.stdout == b"".join(line_for(i) + b"\n" for i in range(50)), "records before damage")
    # A recorder continuing a damaged file keeps what is intact and says what it cut.
    p = fr("record", bad, input=b"next\n")
    check(b"damaged bytes" in p.stderr, p.stderr)
    recs = parse_headers(fr("dump", "-H", bad).stdout)
    check([r[1] for r in recs[-3:]] == ["restart", "data", "stop"] and len(recs) == 53, f"{recs[-3:]}")

    rec, prod = start_recorder(good, producer=producer_cmd(0, -1, 0.01))
    expect(["record", good], 1, f"another recorder (pid {rec.pid}) is writing", input=b"x\n")
    expect(["record", "-f", "-s", "1M", good], 1, "another recorder", input=b"x\n")
    fr("stop", good)
    finish(rec, prod)
    expect(["record", "-s", "1M", good], 1, "use --force", input=b"x\n")

    expect(["record", "-s", "1K", path("tiny.ring")], 1, "below the minimum", input=b"x\n")
    expect(["record", "-s", "8K", "--max-record", "64K", path("small.ring")], 1,
           "smaller than one record", input=b"x\n")
    expect(["record", "/nonexistent-dir/x.ring"], 1, "No such file or directory", input=b"x\n")
    expect(["record", "-s", "12Q", path("x.ring")], 2, "not a size")
    expect(["record", "-w", "sometimes", path("x.ring")], 2, "--when-full")
    expect(["dump", "--since", "yesterday", good], 2, "not a time")
    expect(["frobnicate", good], 2, "unknown command")
    expect(["dump", path("missing.ring")], 1, "No such file or directory")
    expect(["record", path("cmd.ring"), "--", "/nonexistent/program"], 1, "No such file")
    expect(["attach", "--consume", good], 2, "--consume needs")


def case_force():
    """record -f on a ring of the same size re-initialises it in place; kill -9 after that.

    The old records must never come back: not in a dump, not to a reader, not through the
    recovery of a recorder killed on the re-initialised ring.
    """
    ring = path("force.ring")
    old = b"".join(line_for(5_000_000 + i) + b"\n" for i in range(20000))  # wraps 512K twice
    fr("record", "-s", "512K", ring, input=old)
    ino = os.stat(ring).st_ino
    new = b"".join(line_for(i) + b"\n" for i in range(100))
    fr("record", "-f", "-s", "512K", ring, input=new)
    check(os.stat(ring).st_ino == ino and os.path.getsize(ring) == 4096 + 512 * 1024,
          "record -f made another file")
    check(fr("dump", "--data-only", ring).stdout == new, "record -f: old records in the dump")
    st = stat(ring)
    check(st["records held"] == "101" and st["sessions"] == "1" and st["overwritten"] == "0"
          and st["input bytes"] == str(len(new)), f"record -f: stat {st}")
    # A recorder killed while it laps the re-initialised ring; the next one recovers it.
    rec, prod = start_recorder(ring, producer=producer_cmd(10_000_000))
    wait_for(lambda: input_bytes(ring) > 2 * 512 * 1024, "a lap of the ring")
    os.kill(rec.pid, signal.SIGKILL)
    rec.wait()
    finish(prod)
    fr("record", ring, input=b"after the crash\n")
    recs = parse_headers(fr("dump", "-H", ring).stdout)
    check_records(recs, "after -f and kill -9", other_lines=(b"after the crash",))
    for seq, kind, payload in recs:
        if kind == "data" and payload != b"after the crash":
            check(not 5_000_000 <= line_ok(payload)[1] < 10_000_000,
                  f"a record from before -f came back: {seq} {payload[:40]!r}")
    check(recs[-3][1] == "restart" and b") died;" in recs[-3][2], f"restart record {recs[-3]}")
    # Another size: the file is made again at the new size.
    fr("record", "-f", "-s", "256K", ring, input=new)
    check(os.path.getsize(ring) == 4096 + 256 * 1024, "record -f -s 256K: file size")
    check(fr("dump", "--data-only", ring).stdout == new, "record -f -s 256K: dump")


def case_diskfull():
    """A full disk: a new ring is refused and not left behind; an existing ring goes on.

    Needs a small file system of its own: a tmpfs mounted in a private user and mount
    namespace (unshare -rm). Where that is not allowed, the case is skipped (exit 77).
    """
    if os.environ.get("FRTEST_IN_NS") != "1":
        probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {TMP}"],
                               capture_output=True)
        if probe.returncode != 0:
            print(f"SKIP diskfull: cannot mount a tmpfs here: {probe.stderr.decode().strip()}")
            sys.exit(77)
        p = subprocess.run(["unshare", "-rm", sys.executable, __file__, FR, "diskfull"],
                           env={**os.environ, "FRTEST_IN_NS": "1"}, capture_output=True, text=True)
        check(p.returncode == 0, f"in the namespace: {p.stdout}{p.stderr}")
        return
    fs = path("fs")
    os.mkdir(fs)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2M", "tmpfs", fs], check=True)
    try:
        ring = os.path.join(fs, "a.ring")
        first = b"".join(line_for(i) + b"\n" for i in range(3000))
        fr("record", "-s", "1M", ring, input=first)
        fd = os.open(os.path.join(fs, "filler"), os.O_WRONLY | os.O_CREAT)  # fill the disk
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass
        os.close(fd)
        p = fr("record", "-s", "1M", os.path.join(fs, "b.ring"), input=b"x\n", check_rc=1)
        check(b"No space left on device" in p.stderr, f"new ring on a full disk: {p.stderr!r}")
        check(not os.path.exists(os.path.join(fs, "b.ring")), "half-made ring left behind")
        more = b"".join(line_for(i) + b"\n" for i in range(3000, 9000))
        fr("record", ring, input=more)
        out = fr("dump", "--data-only", ring).stdout
        check(out.endswith(more) and len(out) > len(more), "existing ring lost records on a full disk")
        check_records(parse_headers(fr("dump", "-H", ring).stdout), "dump after the disk filled")
    finally:
        subprocess.run(["umount", fs])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    global FR, TMP
    if len(sys.argv) != 3 or (sys.argv[2] not in CASES and sys.argv[2] != "all"):
        sys.exit(f"usage: {sys.argv[0]} FLIGHTREC CASE   (CASE: all, {', '.join(CASES)})")
    FR = os.path.abspath(sys.argv[1])
    names = list(CASES) if sys.argv[2] == "all" else [sys.argv[2]]
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"frtest-{name}-") as TMP:
            t0 = time.monotonic()
            try:
                CASES[name]()
                print(f"PASS {name} ({time.monotonic() - t0:.1f}s)")
            except Failure as e:
                failed += 1
                print(f"FAIL {name}: {e}")
            finally:
                cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
