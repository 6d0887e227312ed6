"""The last (ep, sq) of every stream key: drops repeats, reports gaps, lists what to resume after a reconnect."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .records import STATE_TYPES

Key = Tuple[str, str, str, Optional[str], Optional[str]]


def key_of(r: Dict[str, Any]) -> Key:
    """(ex, ty, cd) plus rex for premium and iv for candles"""
    return (r.get("ex"), r.get("ty"), r.get("cd"), r.get("rex"), r.get("iv"))


def key_ref(k: Key) -> Dict[str, Any]:
    ref = {"ex": k[0], "ty": k[1], "cd": k[2]}
    if k[3] is not None:
        ref["rex"] = k[3]
    if k[4] is not None:
        ref["iv"] = k[4]
    return ref


@dataclass
class Gap:
    """Records of one key were missed and will not come. reason: sequence | epoch | lost | unresumable."""

    ex: str
    ty: str
    cd: str
    reason: str
    from_ep: int
    from_sq: int
    to_ep: Optional[int] = None
    to_sq: Optional[int] = None
    missed: Optional[int] = None
    rex: Optional[str] = None
    iv: Optional[str] = None


@dataclass
class _Held:
    ep: int
    sq: int
    pending: Optional[str] = None


@dataclass
class SequenceTracker:
    #: with ``interval`` shaping, state keys skip sq by design: their jumps are not gaps
    conflated: bool = False
    held: Dict[Key, _Held] = field(default_factory=dict)
    repeats: int = 0

    def accept(self, r: Dict[str, Any]) -> Tuple[bool, Optional[Gap]]:
        """-> (deliver, gap)"""
        ep, sq = r.get("ep"), r.get("sq")
        if not isinstance(ep, int) or not isinstance(sq, int) or isinstance(ep, bool):
            return True, None
        k = key_of(r)
        prev = self.held.get(k)
        if prev is None:
            self.held[k] = _Held(ep, sq)
            return True, None
        if ep < prev.ep or (ep == prev.ep and sq <= prev.sq):
            self.repeats += 1
            return False, None
        state = r.get("ty") in STATE_TYPES
        snapshot = r.get("st") == "SNAPSHOT"
        reason, missed = None, None
        if ep == prev.ep and sq > prev.sq + 1 and not (state and (snapshot or self.conflated)):
            reason, missed = "sequence", sq - prev.sq - 1
        elif ep > prev.ep and not (state and snapshot):
            reason = "epoch"
        pending, from_ep, from_sq = prev.pending, prev.ep, prev.sq
        prev.ep, prev.sq, prev.pending = ep, sq, None
        if reason is None or pending == "reported":
            return True, None
        return True, Gap(k[0], k[1], k[2], pending or reason, from_ep, from_sq, ep, sq, missed, k[3], k[4])

    def entries(self) -> List[Dict[str, Any]]:
        return [{**key_ref(k), "ep": h.ep, "sq": h.sq} for k, h in self.held.items()]

    def lost(self, refs: List[Dict[str, Any]]) -> List[Gap]:
        gaps = []
        for ref in refs:
            k = key_of(ref)
            h = self.held.get(k)
            if h is None:
                continue
            h.pending = "reported"
            gaps.append(Gap(k[0], k[1], k[2], "lost", h.ep, h.sq, rex=k[3], iv=k[4]))
        return gaps

    def expect(self, reason: str) -> None:
        for h in self.held.values():
            if h.pending != "reported":
                h.pending = reason

    def retain(self, keep) -> None:
        for k in [k for k in self.held if not keep(key_ref(k))]:
            del self.held[k]

    def __len__(self) -> int:
        return len(self.held)
