"""Run a command and measure its wall time and the peak resident memory of its process tree."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
OOM_MESSAGES = ("MemoryError", "Unable to allocate", "OutOfMemory", "Out of Memory")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (user + system, its own and its reaped
    children's: fields utime, stime, cutime, cstime of /proc/<pid>/stat)."""
    table: dict[int, tuple[int, float]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces; after its ')' come state, ppid, ...
        fields = stat.rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), ticks / CLOCK_TICKS)
    return table


def _tree(root: int, table: dict[int, tuple[int, float]]) -> list[int]:
    """A process and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def _rss_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its console lines


class TreeSampler(threading.Thread):
    """Samples the tree's RSS every `interval` seconds until stopped; keeps the peak and the
    command's last output line when it was reached (for dbt: which model was running), and the
    tree's CPU seconds over time (`cpu_timeline`: (epoch seconds, CPU seconds so far)).

    With `cap_kib`, the first sample over the cap kills the process group (`capped` is set)."""

    def __init__(
        self,
        pid: int,
        interval: float = 0.1,
        lines: list[str] | None = None,
        cap_kib: int | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.cap_kib = cap_kib
        self.peak_kib = 0
        self.peak_during = ""
        self.capped = False
        self.cpu_timeline: list[tuple[float, float]] = []
        self._lines = lines if lines is not None else []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            table = _proc_table()
            tree = _tree(self.pid, table)
            rss = sum(_rss_kib(pid) for pid in tree)
            self._record_cpu(sum(table[pid][1] for pid in tree if pid in table))
            if rss > self.peak_kib:
                self.peak_kib = rss
                self.peak_during = ANSI.sub("", self._lines[-1]) if self._lines else ""
            if self.cap_kib is not None and rss > self.cap_kib and not self.capped:
                self.capped = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, 9)
            self._stop_event.wait(self.interval)

    def _record_cpu(self, cpu: float) -> None:
        # A child that exits before its parent reaps it takes its CPU out of the sum: keep the
        # timeline non-decreasing.
        previous = self.cpu_timeline[-1][1] if self.cpu_timeline else 0.0
        self.cpu_timeline.append((time.time(), max(cpu, previous)))

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kib


@dataclass
class Measured:
    """What one measured command did."""

    seconds: float
    peak_rss_mib: float
    cpu_seconds: float  # user + system CPU of the process and its waited-for descendants
    returncode: int | None
    outcome: str  # ok | failed | timeout | oom
    lines: list[str] = field(default_factory=list)
    peak_during: str = ""  # the last output line printed when the peak was reached
    # (epoch seconds, CPU seconds of the process tree so far), sampled with the memory
    cpu_timeline: list[tuple[float, float]] = field(default_factory=list)

    @property
    def tree_cpu_seconds(self) -> float:
        """CPU of the whole process tree as last sampled (also children never waited for, such
        as Spark's JVM), where ``cpu_seconds`` counts waited-for children only."""
        return self.cpu_timeline[-1][1] if self.cpu_timeline else 0.0


def _kill_group(proc: subprocess.Popen, timed_out: threading.Event) -> None:
    timed_out.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, 9)


def _read_lines(proc: subprocess.Popen, lines: list[str], echo_prefix: str | None) -> None:
    """Collect the process's output lines, echoing them to stderr with a prefix."""
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if echo_prefix is not None:
            print(f"{echo_prefix}{line}", end="", file=sys.stderr, flush=True)


def _outcome(timed_out: bool, capped: bool, returncode: int, lines: list[str]) -> str:
    tail = "\n".join(lines[-30:])
    if timed_out:
        return "timeout"
    # SIGKILL unasked for (-9; 137 through a shell): the kernel's out-of-memory killer
    if (
        capped
        or returncode in (-9, 137)
        or (returncode != 0 and any(text in tail for text in OOM_MESSAGES))
    ):
        return "oom"
    return "ok" if returncode == 0 else "failed"


def _children_cpu(before: resource.struct_rusage) -> float:
    """User + system CPU seconds of waited-for children since ``before``."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_measured(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    memory_cap_bytes: int | None = None,
    echo_prefix: str | None = "",
) -> Measured:
    """Run cmd, echo its output lines (stdout and stderr) with a prefix, and measure it.

    A memory cap on the resident memory of the whole process tree, checked at every 0.1 s sample,
    turns running over it into outcome `oom`, as does a MemoryError the command prints; a timeout
    gives outcome `timeout`. The process group is killed in both cases. The cap is on resident
    memory rather than address space (RLIMIT_AS): NumPy and Arrow reserve far more address space
    than they touch (see docs/benchmarks.md).
    """
    started = time.perf_counter()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    lines: list[str] = []
    cap_kib = memory_cap_bytes // 1024 if memory_cap_bytes is not None else None
    sampler = TreeSampler(proc.pid, lines=lines, cap_kib=cap_kib)
    sampler.start()
    timed_out = threading.Event()
    timer = None
    if timeout is not None:
        timer = threading.Timer(timeout, _kill_group, args=(proc, timed_out))
        timer.start()
    _read_lines(proc, lines, echo_prefix)
    returncode = proc.wait()
    if timer is not None:
        timer.cancel()
    seconds = time.perf_counter() - started
    cpu = _children_cpu(usage_before)
    peak = sampler.stop()
    return Measured(
        seconds=seconds,
        peak_rss_mib=peak / 1024,
        cpu_seconds=cpu,
        returncode=returncode,
        outcome=_outcome(timed_out.is_set(), sampler.capped, returncode, lines),
        lines=lines,
        peak_during=sampler.peak_during,
        cpu_timeline=sampler.cpu_timeline,
    )
