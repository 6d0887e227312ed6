// The converter's output and merge files: lines written into byte chunks come back, byte for byte, through the
// merge's reader, across chunk boundaries, with non-ASCII text and with lines longer than a chunk.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineWriter } from '../../replay/line-writer.ts';
import { TsvReader } from '../../replay/tsv-reader.ts';
import { tempDir } from './helpers.ts';

/** lines of every size: short, multi-byte (Korean, an emoji), and two longer than the writer's 1 MiB chunk */
function sampleLines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const text = i % 7 === 0 ? `비트코인 ${i} 🚀` : i % 5 === 0 ? 'x'.repeat(i % 3000) : `{"n":${i},"s":"a\\"b"}`;
    out.push(text);
  }
  out.splice(1000, 0, 'y'.repeat(400_000)); // longer than a chunk / 3 (UTF-16 units): written as its own string
  out.splice(2000, 0, '가'.repeat(450_000)); // > 1 MiB of UTF-8
  return out;
}

async function writeAll(path: string, lines: string[]): Promise<void> {
  const w = LineWriter.open(path);
  for (const l of lines) {
    const wait = w.write(l);
    if (wait) await wait;
  }
  await w.end();
}

describe('the converter line writer and the merge reader', () => {
  it('writes lines as text, each followed by a newline, in order', async () => {
    const dir = tempDir('conv-io-');
    try {
      const lines = sampleLines();
      const path = join(dir, 'out.jsonl');
      await writeAll(path, lines);
      assert.equal(readFileSync(path, 'utf8'), lines.map((l) => `${l}\n`).join(''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads clock-tabbed lines back as bytes and copies them to another file unchanged', async () => {
    const dir = tempDir('conv-io-');
    try {
      const lines = sampleLines();
      const tsv = join(dir, 'in.tsv');
      await writeAll(tsv, lines.map((l, i) => `${1_736_910_000_000 + i}\t${l}`));
      const reader = new TsvReader(tsv);
      const copy = LineWriter.open(join(dir, 'copy.jsonl'));
      const clocks: number[] = [];
      const texts: string[] = [];
      for (let more = reader.advance(); ; more = reader.advance()) {
        if (more) await more;
        if (reader.done) break;
        clocks.push(reader.clock);
        if (texts.length % 1000 === 0) texts.push(reader.json());
        else texts.push('');
        const wait = copy.writeBytes(reader.buf, reader.start, reader.end);
        if (wait) await wait;
      }
      await copy.end();
      assert.equal(clocks.length, lines.length);
      assert.deepEqual(clocks, lines.map((_, i) => 1_736_910_000_000 + i));
      for (let i = 0; i < texts.length; i += 1000) assert.equal(texts[i], lines[i]);
      assert.ok(readFileSync(join(dir, 'copy.jsonl')).equals(Buffer.from(lines.map((l) => `${l}\n`).join(''))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a last line without its newline and skips blank lines', async () => {
    const dir = tempDir('conv-io-');
    try {
      const path = join(dir, 'torn.tsv');
      writeFileSync(path, '5\t{"a":1}\n\n7\t{"b":"é"}');
      const reader = new TsvReader(path);
      const got: [number, string][] = [];
      for (let more = reader.advance(); ; more = reader.advance()) {
        if (more) await more;
        if (reader.done) break;
        got.push([reader.clock, reader.json()]);
      }
      assert.deepEqual(got, [
        [5, '{"a":1}'],
        [7, '{"b":"é"}'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
