"""The latest-value pool (the seeds' DataPool): the newest record of every stream key, read without waiting."""

from typing import Any, Dict, List, Optional, Set

from .tracker import Key, key_of


class LatestPool:
    def __init__(self) -> None:
        self._by_key: Dict[Key, Dict[str, Any]] = {}
        self._invalid: Set[tuple] = set()

    def put(self, r: Dict[str, Any]) -> None:
        k = key_of(r)
        self._invalid.discard(k[:3])
        prev = self._by_key.get(k)
        if prev is not None and r.get("st") == "SNAPSHOT" and (prev.get("ep", 0), prev.get("sq", 0)) > (r.get("ep", 0), r.get("sq", 0)):
            return  # a snapshot never replaces a newer record
        self._by_key[k] = r

    def latest(self, exchange: str, symbol: str, type: str, rex: Optional[str] = None, iv: Optional[str] = None) -> Optional[Dict[str, Any]]:
        best = None
        for k, r in self._by_key.items():
            if k[0] != exchange or k[1] != type or k[2] != symbol:
                continue
            if (rex is not None and k[3] != rex) or (iv is not None and k[4] != iv):
                continue
            if best is None or r.get("rtms", r.get("tms", 0)) > best.get("rtms", best.get("tms", 0)):
                best = r
        return best

    def all(self, type: Optional[str] = None) -> List[Dict[str, Any]]:
        return [r for r in self._by_key.values() if type is None or r.get("ty") == type]

    def invalidate(self, exchange: str, symbol: str, type: str) -> None:
        self._invalid.add((exchange, type, symbol))

    def valid(self, exchange: str, symbol: str, type: str) -> bool:
        return (exchange, type, symbol) not in self._invalid

    def __len__(self) -> int:
        return len(self._by_key)
