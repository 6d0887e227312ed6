"""market_gateway: the asyncio client of the market-data gateway (records, status, resume, gaps, latest pool)."""

from .client import GatewayClient
from .wire import Backoff, ClientError, Event, decode_frame
from .pool import LatestPool
from .records import STATE_TYPES, Candle, Listing, Orderbook, Premium, Record, Ticker, Trade
from .tracker import Gap, SequenceTracker

__all__ = [
    "Backoff", "Candle", "ClientError", "Event", "Gap", "GatewayClient", "LatestPool", "Listing", "Orderbook",
    "Premium", "Record", "STATE_TYPES", "SequenceTracker", "Ticker", "Trade", "decode_frame",
]
__version__ = "0.1.0"
