// Reads the pool's temporary `<clock>\t<json>` files (replay/convert-task.ts) for the merge, as bytes: each line's
// JSON is found in the chunk read and copied to the output as it is (no UTF-8 decode and re-encode, no strings),
// and the merge waits only when a chunk runs out.

import { createReadStream } from 'node:fs';

const CHUNK = 1 << 20;
const NL = 10;
const TAB = 9;

export class TsvReader {
  private readonly it: AsyncIterator<Buffer>;
  private ended = false;
  /** the chunk holding the current line, and where the next line starts in it */
  buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** the current line: its clock and its JSON's bytes `buf[start, end)`; `done` once the file has ended */
  clock = 0;
  start = 0;
  end = 0;
  done = false;

  constructor(path: string) {
    this.it = createReadStream(path, { highWaterMark: CHUNK })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** the current line's JSON as a string (for the derived records) */
  json(): string {
    return this.buf.toString('utf8', this.start, this.end);
  }

  /** moves to the next line; a promise only when a chunk has to be read first */
  advance(): void | Promise<void> {
    for (;;) {
      const buf = this.buf;
      let nl = buf.indexOf(NL, this.pos);
      if (nl < 0 && this.ended && this.pos < buf.length) nl = buf.length; // a last line without its newline
      if (nl < 0) {
        if (this.ended) {
          this.done = true;
          return;
        }
        return this.refill().then(() => this.advance());
      }
      const at = this.pos;
      this.pos = nl + 1;
      if (nl === at) continue; // a blank line
      const tab = buf.indexOf(TAB, at);
      if (tab < 0 || tab > nl) continue; // not written by convert-task: skipped
      this.clock = Number(buf.toString('latin1', at, tab));
      this.start = tab + 1;
      this.end = nl;
      return;
    }
  }

  private async refill(): Promise<void> {
    const r = await this.it.next();
    const rest = this.buf.subarray(this.pos);
    this.pos = 0;
    if (r.done) {
      this.ended = true;
      this.buf = rest;
    } else this.buf = rest.length ? Buffer.concat([rest, r.value]) : r.value;
  }
}
