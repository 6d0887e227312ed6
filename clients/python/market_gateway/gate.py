"""Puts a resuming connection's records back in order. A gateway may send live records of a key between the connect
and its answer to ``subscribe`` with ``resume``, then replay the older ones it missed: the gate holds those early
live records until the replay of their key has passed, so every key is seen once and in order."""

import asyncio
from typing import Any, Callable, Dict, List, Optional

from .tracker import key_of


def _newer(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    try:
        return (a["ep"], a["sq"]) > (b["ep"], b["sq"])
    except (KeyError, TypeError):
        return False


class ResumeGate:
    def __init__(self, release: Callable[[Dict[str, Any]], None], replay_timeout: float = 2.0) -> None:
        self.release, self.replay_timeout = release, replay_timeout
        self.keys: Optional[set] = None
        self.phase: Optional[str] = None  # "await" before resumed, "replay" after it until the replay is over
        self.pending: Dict[tuple, List[Dict[str, Any]]] = {}
        self._timer: Optional[asyncio.TimerHandle] = None

    def begin(self, entries: List[Dict[str, Any]]) -> None:
        self.reset()
        if entries:
            self.keys = {key_of(e) for e in entries}
            self.phase = "await"

    def hold(self, r: Dict[str, Any]) -> bool:
        """True when the gate keeps the record for later; False: process it now (after what the gate released)."""
        if self.phase is None:
            return False
        k = key_of(r)
        if self.phase == "await":
            if k not in self.keys:
                return False
            self.pending.setdefault(k, []).append(r)
            return True
        held = self.pending.get(k)
        if held and _newer(r, held[-1]):
            self._flush(k)
        return False

    def resumed(self) -> None:
        if self.phase != "await":
            return
        self.phase = "replay"
        self._timer = asyncio.get_running_loop().call_later(self.replay_timeout, self.end)

    def end(self) -> None:
        """The replay is over (the status events that follow a subscribed come after it): release everything."""
        if self.phase != "replay":
            return
        self._cancel()
        self.phase, self.keys = None, None
        for k in list(self.pending):
            self._flush(k)

    def reset(self) -> None:
        self._cancel()
        self.pending.clear()
        self.phase, self.keys = None, None

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _flush(self, k: tuple) -> None:
        for r in self.pending.pop(k, []):
            self.release(r)
