// Book checksums: CRC32 itself, and the text OKX and Kraken build from the top levels, on worked examples written
// from their documented rules.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bookLevels, crc32, DepthBook, fixedText, krakenChecksum, krakenChecksumText, krakenField, okxChecksum, okxChecksumText,
  plainText, toInt32,
} from '../../sdk/index.ts';
import type { TextLevel } from '../../sdk/index.ts';

/** a plain bitwise CRC32 (reflected, polynomial 0xEDB88320), independent of node:zlib */
function referenceCrc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('gives the standard check value for "123456789" and agrees with a bitwise reference', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
    for (const t of ['', 'a', '3366.1:7:3366.8:9', '452852100000', 'ünïcode ✓']) assert.equal(crc32(t), referenceCrc32(t), t);
  });

  it('reads the same 32 bits as a signed integer with toInt32', () => {
    assert.equal(toInt32(0xcbf43926), 0xcbf43926 - 2 ** 32);
    assert.equal(toInt32(0x12345678), 0x12345678);
  });
});

describe('okx book checksum', () => {
  const bids: TextLevel[] = [['3366.1', '7'], ['3366', '6'], ['3365.5', '0.01']];
  const asks: TextLevel[] = [['3366.8', '9'], ['3368', '8']];

  it('interleaves bid and ask levels as price:size, and lets the longer side go on alone', () => {
    assert.equal(okxChecksumText(bids, asks), '3366.1:7:3366.8:9:3366:6:3368:8:3365.5:0.01');
    assert.equal(okxChecksumText([], asks), '3366.8:9:3368:8');
  });

  it('uses only the top 25 levels of each side', () => {
    const many: TextLevel[] = Array.from({ length: 30 }, (_, i) => [String(100 - i), '1']);
    const parts = okxChecksumText(many, []).split(':');
    assert.equal(parts.length, 50);
    assert.equal(parts[48], '76');
  });

  it('is the signed CRC32 of that text', () => {
    const text = '3366.1:7:3366.8:9:3366:6:3368:8:3365.5:0.01';
    assert.equal(okxChecksum(bids, asks), referenceCrc32(text) | 0);
    // a book whose CRC has the top bit set comes out negative, as OKX sends it
    let t = 1;
    while (referenceCrc32(`${t}:1`) < 2 ** 31) t++;
    assert.equal(okxChecksum([[String(t), '1']], []), referenceCrc32(`${t}:1`) - 2 ** 32);
  });
});

describe('kraken v2 book checksum', () => {
  it('writes a field without its point and leading zeros, as the guide shows', () => {
    assert.equal(krakenField('45285.2'), '452852');
    assert.equal(krakenField('0.00100000'), '100000');
    assert.equal(krakenField('0.05005'), '5005');
    assert.equal(krakenField('1000'), '1000');
  });

  it('concatenates the top 10 asks, then the top 10 bids, price before qty, with no separator', () => {
    const asks: TextLevel[] = [['45285.2', '0.00100000'], ['45286.4', '1.54582015']];
    const bids: TextLevel[] = [['45283.5', '0.10000000'], ['45283.4', '1.54582015']];
    const text = '452852100000' + '452864154582015' + '45283510000000' + '452834154582015';
    assert.equal(krakenChecksumText(asks, bids), text);
    assert.equal(krakenChecksum(asks, bids), referenceCrc32(text), 'unsigned');
    const eleven: TextLevel[] = Array.from({ length: 11 }, (_, i) => [`${i + 1}.0`, '1.0']);
    assert.equal(krakenChecksumText(eleven, []), Array.from({ length: 10 }, (_, i) => `${i + 1}010`).join(''));
  });

  it('renders a book held as numbers with the instrument precision', () => {
    const book = new DepthBook();
    book.setAsk(45285.2, 0.001);
    book.setAsk(45286.4, 1.54582015);
    book.setBid(45283.5, 0.1);
    const p = (v: number) => fixedText(v, 1);
    const q = (v: number) => fixedText(v, 8);
    const asks = bookLevels(book, 'asks', 10, p, q);
    assert.deepEqual(asks, [['45285.2', '0.00100000'], ['45286.4', '1.54582015']]);
    assert.equal(krakenChecksumText(asks, bookLevels(book, 'bids', 10, p, q)), '45285210000045286415458201545283510000000');
  });
});

describe('number text', () => {
  it('plainText never uses exponents and round-trips', () => {
    assert.equal(plainText(1e-7), '0.0000001');
    assert.equal(plainText(1.5e-8), '0.000000015');
    assert.equal(plainText(-2.5e-7), '-0.00000025');
    assert.equal(plainText(1e21), '1000000000000000000000');
    assert.equal(plainText(3366.1), '3366.1');
    for (const v of [1e-7, 1.5e-8, 123.456, 1e21, 2.5e22]) assert.equal(Number(plainText(v)), v);
  });

  it('fixedText pads to the precision', () => {
    assert.equal(fixedText(0.001, 8), '0.00100000');
    assert.equal(fixedText(45285.2, 1), '45285.2');
    assert.equal(fixedText(7, 0), '7');
  });
});
