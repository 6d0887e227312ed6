"""Typed records of the gateway's SIMPLE model (SPEC §3, §3a): one TypedDict per ``ty``; absent fields are absent."""

from typing import List, Literal, TypedDict, Union


class _Base(TypedDict, total=False):
    ty: str
    ex: str  # exchange id, lower case
    cd: str  # unified symbol BASE/QUOTE
    mc: str  # the exchange's own market code
    tms: int  # the exchange's time, ms
    rtms: int  # when the gateway received it, ms
    ep: int  # epoch: when the producing connection was established, ms
    sq: int  # sequence per stream key within an epoch
    st: Literal["SNAPSHOT"]  # only on records replayed from the latest-value store


class Ticker(_Base, total=False):
    tp: float
    op: float
    hp: float
    lp: float
    pcp: float
    scp: float
    scr: float  # signed change rate as a fraction: 0.01 = +1 %
    atv24h: float
    atp24h: float


class Trade(_Base, total=False):
    tp: float
    tv: float
    ab: Literal["ASK", "BID"]  # taker side
    sid: str  # the exchange's trade id, exact


# functional form: "as" (the ask size) is a Python keyword, read as unit["as"]
BookUnit = TypedDict("BookUnit", {"ap": float, "as": float, "bp": float, "bs": float}, total=False)


class Orderbook(_Base, total=False):
    obu: List[BookUnit]
    tas: float
    tbs: float


class Premium(_Base, total=False):
    rex: str
    rcd: str
    tp: float
    rtp: float
    usdt: float
    fx: float
    pu: float
    pf: float


class Candle(_Base, total=False):
    iv: str
    op: float
    hp: float
    lp: float
    tp: float
    catv: float
    catp: float
    cl: bool


class Listing(_Base, total=False):
    ls: Literal["listed", "delisted"]


Record = Union[Ticker, Trade, Orderbook, Premium, Candle, Listing]
RECORD_TYPES = ("ticker", "trade", "orderbook", "premium", "candle", "listing")
#: types whose latest record is the whole state (conflated by ``interval``, snapshotted on resume)
STATE_TYPES = frozenset(("ticker", "orderbook", "premium", "candle"))
