// BookSync: snapshot + diff synchronization (update-id, sequence and time chains), buffering, resync on gaps,
// crossed books and checksum mismatches, and the pacing of snapshot requests.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BookSync, okxChecksum, bookLevels, SnapshotPacer } from '../../sdk/index.ts';
import type { BookSnapshot, BookSyncOptions, DepthBook, Draft, HttpResponse, OrderbookRecord, Output } from '../../sdk/index.ts';

type OrderbookDraft = Omit<OrderbookRecord, 'rtms' | 'ep' | 'sq' | 'st' | 'tas' | 'tbs'>;

type Lv = [number, number];
interface Diff {
  first: number;
  last: number;
  prev?: number;
  tms: number;
  bids?: Lv[];
  asks?: Lv[];
  cs?: number;
}

function recorder() {
  const log = { books: [] as OrderbookDraft[], requests: [] as { tag: string; url: string }[], sent: [] as string[], invalidated: [] as string[] };
  const out: Output = {
    emit: (d: Draft) => void log.books.push(d as OrderbookDraft),
    request: (tag, url) => void log.requests.push({ tag, url }),
    send: (f) => void log.sent.push(f),
    rollover: () => {},
    invalidate: (ty, cd) => void log.invalidated.push(`${ty} ${cd}`),
  };
  return { out, ...log };
}

const apply = (book: DepthBook, d: Diff) => {
  for (const [p, s] of d.bids ?? []) book.setBid(p, s);
  for (const [p, s] of d.asks ?? []) book.setAsk(p, s);
};

function snapshotBody(id: number, bids: Lv[] = [[100, 1]], asks: Lv[] = [[101, 1]]): HttpResponse {
  return { status: 200, body: JSON.stringify({ id, bids, asks }) };
}

let tags = 0;
function restSync(extra: Partial<BookSyncOptions<Diff>> = {}): BookSync<Diff> {
  return new BookSync<Diff>({
    ex: 'x', cd: 'A/B', mc: 'AB', depth: 5,
    chain: { by: 'update-id', first: (d) => d.first, last: (d) => d.last },
    time: (d) => d.tms,
    apply,
    source: {
      rest: {
        url: 'http://rest/AB',
        tag: () => `book:${++tags}`,
        parse(res, rtms): BookSnapshot | undefined {
          if (res.status !== 200) return undefined;
          const v = JSON.parse(res.body) as { id: number; bids: Lv[]; asks: Lv[] };
          return { id: v.id, tms: rtms, bids: v.bids, asks: v.asks };
        },
      },
    },
    ...extra,
  });
}

const d = (first: number, last: number, bids: Lv[] = [], asks: Lv[] = []): Diff => ({ first, last, tms: 1000 + last, bids, asks });

describe('BookSync, update-id chain with a REST snapshot', () => {
  it('buffers diffs behind one request, drops the stale ones, applies the bridging one and publishes', () => {
    const s = restSync();
    const r = recorder();
    s.onDiff(d(1, 5, [[100, 9]]), 0, r.out);
    s.onDiff(d(6, 10, [[99, 2]]), 1, r.out);
    assert.equal(r.requests.length, 1);
    assert.equal(s.synced, false);
    s.onResponse(s.tag!, snapshotBody(7), 2, r.out);
    assert.equal(s.synced, true);
    assert.deepEqual(r.books.map((b) => [b.tms, b.obu]), [[1010, [{ ap: 101, as: 1, bp: 100, bs: 1 }, { bp: 99, bs: 2 }]]]);
    s.onDiff(d(11, 11, [[100, 3]]), 3, r.out);
    assert.equal(r.books[1]!.obu[0]!.bs, 3);
    assert.deepEqual(r.invalidated, []);
  });

  it('on a gap invalidates, clears, asks again and publishes only once the new snapshot meets the diffs', () => {
    const s = restSync();
    const r = recorder();
    s.onDiff(d(1, 1), 0, r.out);
    s.onResponse(s.tag!, snapshotBody(1), 1, r.out);
    s.onDiff(d(5, 6, [[100, 2]]), 2, r.out); // 2..4 missing
    assert.deepEqual(r.invalidated, ['orderbook A/B']);
    assert.equal(s.synced, false);
    assert.equal(s.book.asks.length + s.book.bids.length, 0, 'cleared');
    s.onDiff(d(7, 8, [[100, 3]]), 3, r.out);
    assert.equal(r.requests.length, 2, 'one new request, none while it is pending');
    s.onResponse(s.tag!, snapshotBody(6, [[100, 7]]), 4, r.out);
    assert.deepEqual(r.books.map((b) => b.obu[0]!.bs), [1, 3]);
  });

  it('ignores an answer with another tag, and retries a failed answer on the next diff', () => {
    const s = restSync();
    const r = recorder();
    s.onDiff(d(1, 1), 0, r.out);
    s.onResponse('book:stale', snapshotBody(1), 1, r.out);
    assert.equal(s.synced, false);
    s.onResponse(s.tag!, { status: 0, body: 'ECONNRESET' }, 1, r.out);
    assert.equal(r.requests.length, 1);
    s.onDiff(d(2, 2), 2, r.out);
    assert.equal(r.requests.length, 2);
    s.onResponse(s.tag!, snapshotBody(1), 3, r.out);
    assert.equal(r.books.length, 1);
  });

  it('never publishes a crossed snapshot or a diff that crosses the book, and resynchronizes', () => {
    const s = restSync();
    const r = recorder();
    s.onDiff(d(1, 1), 0, r.out);
    assert.throws(() => s.onResponse(s.tag!, snapshotBody(0, [[102, 1]]), 1, r.out), { code: 'BAD_FRAME' });
    assert.equal(r.requests.length, 2, 'asked again at once');
    s.onResponse(s.tag!, snapshotBody(0), 2, r.out);
    assert.equal(r.books.length, 1);
    s.onDiff(d(2, 2, [[101.5, 1]]), 3, r.out);
    assert.equal(r.books.length, 1);
    assert.equal(r.invalidated.length, 2);
    for (const b of r.books) assert.ok(b.obu[0]!.bp! < b.obu[0]!.ap!);
  });

  it('bounds the buffer, and refuses a snapshot older than a diff it had to drop', () => {
    const s = restSync({ maxBuffered: 3 });
    const r = recorder();
    for (let i = 1; i <= 5; i++) s.onDiff(d(i, i), i, r.out); // 1 and 2 dropped
    s.onResponse(s.tag!, snapshotBody(1), 6, r.out);
    assert.equal(s.synced, false);
    assert.equal(r.requests.length, 2);
    s.onResponse(s.tag!, snapshotBody(2), 7, r.out);
    assert.equal(s.synced, true);
    assert.equal(r.books[0]!.tms, 1005, 'diffs 3..5 applied');
  });

  it("with overflow 'clear' starts the buffer over", () => {
    const s = restSync({ maxBuffered: 3, overflow: 'clear' });
    const r = recorder();
    for (let i = 1; i <= 4; i++) s.onDiff(d(i, i), i, r.out); // 1..3 dropped at once
    s.onResponse(s.tag!, snapshotBody(3), 6, r.out);
    assert.equal(r.books[0]!.tms, 1004);
  });
});

describe('BookSync, sequence chain with WS snapshots and a checksum', () => {
  const okx = (book: DepthBook) => okxChecksum(bookLevels(book, 'bids', 25), bookLevels(book, 'asks', 25));
  function wsSync(resubscribe = true) {
    return new BookSync<Diff>({
      ex: 'okx', cd: 'BTC/USDT', mc: 'BTC-USDT', depth: 5,
      chain: { by: 'sequence', seq: (x) => x.last, prev: (x) => x.prev! },
      time: (x) => x.tms,
      apply,
      checksum: { of: (x) => x.cs, compute: okx },
      source: { ws: resubscribe ? { resubscribe: (out) => out.send('resubscribe BTC-USDT'), timeoutMs: 5000 } : {} },
    });
  }
  const snap = (id: number, bids: Lv[] = [[100, 1]], asks: Lv[] = [[101, 1]]): BookSnapshot => ({ id, tms: 5, bids, asks });
  const u = (prev: number, seq: number, bids: Lv[] = [], asks: Lv[] = [], cs?: number): Diff => ({ first: seq, last: seq, prev, tms: 10 + seq, bids, asks, cs });

  it('publishes the snapshot and every update whose prevSeqId is the last seqId', () => {
    const s = wsSync();
    const r = recorder();
    s.onDiff(u(0, 1), 0, r.out); // before any snapshot: dropped, and the subscription's own snapshot is awaited
    assert.deepEqual(r.sent, []);
    s.onSnapshot(snap(10), 1, r.out);
    s.onDiff(u(10, 11, [[100, 2]]), 2, r.out);
    s.onDiff(u(11, 11), 3, r.out); // no change: seqId repeats
    s.onDiff(u(11, 12, [], [[101, 3]]), 4, r.out);
    assert.deepEqual(r.books.map((b) => [b.obu[0]!.bs, b.obu[0]!.as]), [[1, 1], [2, 1], [2, 1], [2, 3]]);
  });

  it('on a broken chain invalidates and resubscribes; diffs until the new snapshot are dropped', () => {
    const s = wsSync();
    const r = recorder();
    s.onSnapshot(snap(10), 1, r.out);
    s.onDiff(u(12, 13), 2, r.out);
    assert.deepEqual(r.invalidated, ['orderbook BTC/USDT']);
    assert.deepEqual(r.sent, ['resubscribe BTC-USDT']);
    s.onDiff(u(13, 14), 3, r.out);
    assert.equal(r.sent.length, 1, 'not again while the snapshot is awaited');
    s.onDiff(u(14, 15), 6000, r.out);
    assert.equal(r.sent.length, 2, 'asked again after the timeout');
    s.onSnapshot(snap(20), 6001, r.out);
    s.onDiff(u(20, 21, [[100, 4]]), 6002, r.out);
    assert.deepEqual(r.books.map((b) => b.obu[0]!.bs), [1, 1, 4]);
  });

  it('checks the checksum after every update and resynchronizes on a mismatch', () => {
    const s = wsSync();
    const r = recorder();
    const good = okxChecksum([['100', '2']], [['101', '1']]);
    s.onSnapshot({ ...snap(10), checksum: okxChecksum([['100', '1']], [['101', '1']]) }, 1, r.out);
    s.onDiff(u(10, 11, [[100, 2]], [], good), 2, r.out);
    assert.equal(r.books.length, 2);
    s.onDiff(u(11, 12, [[99, 1]], [], good), 3, r.out); // the book now has 99 too: mismatch
    assert.equal(r.books.length, 2);
    assert.deepEqual(r.invalidated, ['orderbook BTC/USDT']);
    assert.equal(r.sent.length, 1);
    s.onSnapshot({ ...snap(30), checksum: 12345 }, 4, r.out); // a snapshot that fails its own checksum
    assert.equal(r.books.length, 2);
    assert.equal(r.invalidated.length, 2);
  });

  it('a snapshot always replaces the book (Bybit sends a new one after a service restart)', () => {
    const s = wsSync(false);
    const r = recorder();
    s.onSnapshot(snap(500, [[100, 1], [99, 1]]), 1, r.out);
    s.onSnapshot(snap(1, [[98, 1]], [[102, 1]]), 2, r.out);
    assert.deepEqual(r.books[1]!.obu, [{ ap: 102, as: 1, bp: 98, bs: 1 }]);
    s.onDiff(u(1, 2, [[97, 1]]), 3, r.out);
    assert.equal(r.books.length, 3);
  });
});

describe('BookSync, time chain', () => {
  const timeSync = () =>
    restSync({ chain: { by: 'time', at: (x) => x.tms } });
  const t = (tms: number, bids: Lv[] = []): Diff => ({ first: 0, last: 0, tms, bids });

  it('drops diffs at or before the snapshot, applies later ones, and resyncs on a diff older than the last', () => {
    const s = timeSync();
    const r = recorder();
    s.onDiff(t(90, [[100, 9]]), 0, r.out);
    s.onDiff(t(110, [[100, 2]]), 0, r.out);
    s.onResponse(s.tag!, snapshotBody(100), 100, r.out);
    assert.deepEqual(r.books.map((b) => [b.tms, b.obu[0]!.bs]), [[110, 2]]);
    s.onDiff(t(110, [[100, 3]]), 1, r.out); // the same time again is fine
    s.onDiff(t(95), 2, r.out); // at or before the snapshot: already in it
    assert.equal(r.invalidated.length, 0);
    s.onDiff(t(105), 3, r.out);
    assert.deepEqual(r.invalidated, ['orderbook A/B']);
    assert.equal(r.books.length, 2);
  });
});

describe('snapshot pacing', () => {
  it('allows a burst per key, then one request per interval, asked on a later diff', () => {
    const s = restSync({ pacer: new SnapshotPacer({ perKey: { burst: 2, intervalMs: 1000 } }) });
    const r = recorder();
    s.onDiff(d(1, 1), 0, r.out);
    s.onResponse(s.tag!, { status: 503, body: '' }, 0, r.out);
    s.onDiff(d(2, 2), 10, r.out);
    s.onResponse(s.tag!, { status: 503, body: '' }, 10, r.out);
    s.onDiff(d(3, 3), 20, r.out);
    s.onDiff(d(4, 4), 990, r.out);
    assert.equal(r.requests.length, 2, 'burst spent, nothing until the interval has passed');
    s.onDiff(d(5, 5), 1001, r.out);
    assert.equal(r.requests.length, 3);
    s.onResponse(s.tag!, snapshotBody(1), 1002, r.out);
    assert.equal(r.books.length, 1, 'the diffs buffered meanwhile were kept');
  });

  it('caps the requests of all keys sharing a pacer, and tick() sends a deferred one', () => {
    const pacer = new SnapshotPacer({ perKey: { burst: 5, intervalMs: 0 }, global: { count: 2, windowMs: 1000 } });
    const r = recorder();
    const books = ['A', 'B', 'C'].map((mc) => restSync({ mc, pacer }));
    books.forEach((b) => b.onDiff(d(1, 1), 0, r.out));
    assert.equal(r.requests.length, 2);
    books[2]!.tick(500, r.out);
    assert.equal(r.requests.length, 2);
    books[2]!.tick(1000, r.out);
    assert.equal(r.requests.length, 3);
  });

  it('never lets time run backwards', () => {
    const p = new SnapshotPacer({ perKey: { burst: 1, intervalMs: 1000 } });
    assert.equal(p.take('k', 5000), true);
    assert.equal(p.take('k', 100), false, 'an older time counts as 5000');
    assert.equal(p.take('k', 6000), true);
  });
});
