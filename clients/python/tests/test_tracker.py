"""The Python client's sequence tracker, pool, backoff and frame decoding, on hand-made records."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import msgpack  # noqa: E402

from market_gateway import Backoff, ClientError, LatestPool, SequenceTracker, decode_frame  # noqa: E402
from market_gateway.gate import ResumeGate  # noqa: E402


def trade(ep, sq, **kw):
    return {"ty": "trade", "ex": "upbit", "cd": "BTC/KRW", "tms": sq, "ep": ep, "sq": sq, "tp": 1, "tv": 1, **kw}


def ticker(ep, sq, **kw):
    return {"ty": "ticker", "ex": "upbit", "cd": "BTC/KRW", "tms": sq, "ep": ep, "sq": sq, "tp": sq, **kw}


class TrackerTest(unittest.TestCase):
    def test_steps_repeats_and_jumps(self):
        t = SequenceTracker()
        self.assertEqual(t.accept(trade(10, 1)), (True, None))
        self.assertEqual(t.accept(trade(10, 2)), (True, None))
        self.assertEqual(t.accept(trade(10, 2)), (False, None))
        self.assertEqual(t.accept(trade(9, 50)), (False, None))
        deliver, gap = t.accept(trade(10, 6))
        self.assertTrue(deliver)
        self.assertEqual((gap.reason, gap.from_sq, gap.to_sq, gap.missed), ("sequence", 2, 6, 3))
        self.assertEqual(t.repeats, 2)

    def test_epoch_change_and_state_snapshots(self):
        t = SequenceTracker()
        t.accept(trade(10, 5))
        self.assertEqual(t.accept(trade(20, 1))[1].reason, "epoch")
        t.accept(ticker(10, 5))
        self.assertIsNone(t.accept(ticker(10, 9, st="SNAPSHOT"))[1])
        self.assertIsNone(t.accept(ticker(30, 2, st="SNAPSHOT"))[1])
        self.assertEqual(t.accept(ticker(30, 4))[1].reason, "sequence")

    def test_conflated_state_keys_are_not_gaps(self):
        t = SequenceTracker(conflated=True)
        t.accept(ticker(1, 1))
        self.assertIsNone(t.accept(ticker(1, 40))[1])
        t.accept(trade(1, 1))
        self.assertEqual(t.accept(trade(1, 3))[1].missed, 1)

    def test_lost_is_reported_once_and_resume_entries_carry_rex(self):
        t = SequenceTracker()
        t.accept(trade(1, 4))
        t.accept({"ty": "premium", "ex": "bithumb", "cd": "BTC/KRW", "rex": "binance", "tms": 1, "ep": 3, "sq": 7})
        gaps = t.lost([{"ex": "upbit", "ty": "trade", "cd": "BTC/KRW"}, {"ex": "x", "ty": "trade", "cd": "A/B"}])
        self.assertEqual([(g.reason, g.from_sq) for g in gaps], [("lost", 4)])
        self.assertEqual(t.accept(trade(1, 90, st="SNAPSHOT")), (True, None))
        self.assertEqual(t.entries(), [
            {"ex": "upbit", "ty": "trade", "cd": "BTC/KRW", "ep": 1, "sq": 90},
            {"ex": "bithumb", "ty": "premium", "cd": "BTC/KRW", "rex": "binance", "ep": 3, "sq": 7},
        ])


class ResumeGateTest(unittest.IsolatedAsyncioTestCase):
    async def test_holds_early_live_records_until_the_replay_passed(self):
        out = []
        gate = ResumeGate(lambda r: out.append(r["sq"]))

        def take(r):
            if not gate.hold(r):
                out.append(r["sq"])

        gate.begin([{"ex": "upbit", "ty": "trade", "cd": "BTC/KRW"}])
        take(trade(7, 9))
        take(trade(7, 10))
        take(trade(7, 3, cd="ETH/KRW"))
        gate.resumed()
        for sq in (6, 7, 8):
            take(trade(7, sq))
        take(trade(7, 11))
        self.assertEqual(out, [3, 6, 7, 8, 9, 10, 11])
        gate.begin([{"ex": "upbit", "ty": "trade", "cd": "BTC/KRW"}])
        self.assertTrue(gate.hold(trade(7, 12)))
        gate.resumed()
        gate.end()
        self.assertEqual(out[-1], 12)


class PoolBackoffFrameTest(unittest.TestCase):
    def test_latest_pool(self):
        p = LatestPool()
        p.put(ticker(1, 5))
        p.put(ticker(1, 3, st="SNAPSHOT"))
        self.assertEqual(p.latest("upbit", "BTC/KRW", "ticker")["sq"], 5)
        p.put({"ty": "premium", "ex": "bithumb", "cd": "BTC/KRW", "rex": "binance", "tms": 1, "rtms": 1, "ep": 1, "sq": 1, "pu": 0.02})
        p.put({"ty": "premium", "ex": "bithumb", "cd": "BTC/KRW", "rex": "upbit", "tms": 2, "rtms": 2, "ep": 1, "sq": 1, "pu": 0.001})
        self.assertEqual(p.latest("bithumb", "BTC/KRW", "premium", rex="binance")["pu"], 0.02)
        self.assertEqual(p.latest("bithumb", "BTC/KRW", "premium")["rex"], "upbit")
        p.invalidate("upbit", "ETH/KRW", "orderbook")
        self.assertFalse(p.valid("upbit", "ETH/KRW", "orderbook"))
        p.put({"ty": "orderbook", "ex": "upbit", "cd": "ETH/KRW", "tms": 1, "ep": 1, "sq": 1, "obu": []})
        self.assertTrue(p.valid("upbit", "ETH/KRW", "orderbook"))

    def test_backoff(self):
        b = Backoff(0.1, 1.0, 0.0)
        self.assertEqual([round(b.next(), 3) for _ in range(6)], [0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
        b.reset()
        self.assertEqual(b.next(), 0.1)
        self.assertEqual(Backoff(0.1, 1.0, 1.0, rand=lambda: 0.0).next(), 0.0)

    def test_frames(self):
        self.assertEqual(decode_frame('{"ty":"trade","sq":1}'), [{"ty": "trade", "sq": 1}])
        self.assertEqual(decode_frame('[{"sq":1},{"sq":2}]'), [{"sq": 1}, {"sq": 2}])
        self.assertEqual(decode_frame(msgpack.packb([{"ty": "trade"}, {"event": "pong"}])), [{"ty": "trade"}, {"event": "pong"}])
        with self.assertRaises(ClientError) as cm:
            decode_frame("{nope")
        self.assertEqual(cm.exception.code, "DECODE")


if __name__ == "__main__":
    unittest.main()
