"""The run lock: one run at a time per warehouse, held from data preparation to the report.

An exclusive ``flock`` on a file beside the build file. The kernel drops the lock when its holder
dies, however it dies, so a killed run never blocks the next one for good. The file names the
holder (run id, pid, config, start time) so a waiting run can say whom it waits for; a holder that
ended cleanly empties it, so a named holder found by the next run that gets the lock is one that
was killed, and that run says it takes over.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

POLL_SECONDS = 0.5
_NOBODY_YET = object()


@dataclass(frozen=True)
class Holder:
    run_id: str
    pid: int
    config: str | None
    started_at: str
    command: str

    def describe(self) -> str:
        config = f", config {self.config}" if self.config else ""
        return (
            f"run {self.run_id} ({self.command}{config}, pid {self.pid}, started {self.started_at})"
        )


class LockHeldError(RuntimeError):
    """Another run holds the lock and the caller chose not to wait."""


def new_run_id() -> str:
    """Sortable by start time, unique across concurrent starts."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.urandom(3).hex()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """``with RunLock(path, holder, wait=True, say=print):`` holds the lock for the block."""

    def __init__(self, path: Path, holder: Holder, *, wait: bool, say: Callable[[str], None]):
        self.path, self.holder, self.wait, self.say = Path(path), holder, wait, say
        self._fd: int | None = None

    def _read_holder(self) -> Holder | None:
        try:
            text = os.pread(self._fd, 65536, 0).decode("utf-8")
            return Holder(**json.loads(text)) if text.strip() else None
        except (ValueError, TypeError):
            return None

    def _try_lock(self) -> bool:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_for_lock(self) -> None:
        announced: object = _NOBODY_YET
        while not self._try_lock():
            other = self._read_holder()
            who = other.describe() if other else "another run"
            if not self.wait:
                raise LockHeldError(
                    f"{who} holds the run lock {self.path}; not waiting (--no-wait)"
                )
            if other != announced:  # once per holder, not once per poll
                self.say(f"waiting for {who} to finish (run lock {self.path})")
                announced = other
            time.sleep(POLL_SECONDS)

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self._wait_for_lock()
        except BaseException:
            os.close(self._fd)
            raise
        left = self._read_holder()
        if left is not None and left.pid != os.getpid() and not _pid_alive(left.pid):
            self.say(f"taking over the run lock left by {left.describe()}: its process is gone")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(asdict(self.holder)).encode("utf-8"), 0)
        os.fsync(self._fd)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
