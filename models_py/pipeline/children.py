"""Child processes (dbt) that never outlive the runner.

A child runs in its own process group, so a terminal's Ctrl-C reaches it once, through the runner.
SIGINT and SIGTERM sent to the runner raise `Interrupted`; the runner then sends the same signal
to the child, waits for it, and kills it if it lingers. On Linux a child also gets SIGKILL from
the kernel when the runner dies without a chance to forward anything (kill -9).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STOP_GRACE_SECONDS = 20
_PR_SET_PDEATHSIG = 1


class Interrupted(BaseException):
    """The runner received SIGINT or SIGTERM; `signum` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame) -> None:
    raise Interrupted(signum)


@contextmanager
def signals_raise_interrupted() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise `Interrupted` in the main thread."""
    previous = {
        sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to kill the child when this process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getpid()

    def hook() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the runner died before prctl took effect
            os._exit(1)

    return hook


def _stop(process: subprocess.Popen, signum: int) -> None:
    """Pass `signum` on to the child's group, wait, then kill what is left."""
    for sig, wait in ((signum, STOP_GRACE_SECONDS), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_child(command: Sequence[str], *, cwd: Path, env: dict[str, str]) -> int:
    """Run `command` to its end and return its exit status; on `Interrupted`, stop it first."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent_hook(),
    )
    try:
        return process.wait()
    except Interrupted as interrupted:
        _stop(process, interrupted.signum)
        raise
    except BaseException:
        _stop(process, signal.SIGTERM)
        raise
