// Buffered line output to a file or stdout, waiting for the stream to drain rather than growing memory.
// Lines are encoded straight into a chunk buffer (one UTF-8 copy per line; no joined string, no re-encode by the
// stream), and the chunk leaves as one write.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

const CHUNK = 1 << 20;
/** a line longer than this (UTF-8 is at most 3 bytes per UTF-16 unit) is written as a string of its own */
const LONG = Math.floor((CHUNK - 1) / 3);

export class LineWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private size = 0;
  lines = 0;

  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {}

  /** `-` = stdout */
  static open(path: string): LineWriter {
    return path === '-' ? new LineWriter(process.stdout, false) : new LineWriter(createWriteStream(path), true);
  }

  /** appends a line (without its newline); a promise when the caller should wait for the disk */
  write(line: string): void | Promise<void> {
    this.lines++;
    if (line.length > LONG) return this.writeLong(line);
    let wait: Promise<void> | undefined;
    // worst case 3 bytes per unit + the newline: flush first when it might not fit
    if (this.size + 3 * line.length + 1 > CHUNK) wait = this.flush();
    this.size += this.buf.write(line, this.size);
    this.buf[this.size++] = 10;
    return wait;
  }

  /** appends a line given as UTF-8 bytes `bytes[start, end)` (without its newline), copied */
  writeBytes(bytes: Uint8Array, start: number, end: number): void | Promise<void> {
    this.lines++;
    const n = end - start;
    if (n + 1 > CHUNK) {
      this.flush();
      const line = Buffer.allocUnsafe(n + 1);
      line.set(bytes.subarray(start, end));
      line[n] = 10;
      return this.stream.write(line) ? undefined : this.drained();
    }
    const wait = this.size + n + 1 > CHUNK ? this.flush() : undefined;
    this.buf.set(bytes.subarray(start, end), this.size);
    this.size += n;
    this.buf[this.size++] = 10;
    return wait;
  }

  /** the chunk, then the line, both handed to the stream now (so the order holds even if the caller does not wait) */
  private writeLong(line: string): Promise<void> | undefined {
    this.flush();
    return this.stream.write(`${line}\n`) ? undefined : this.drained();
  }

  private drained(): Promise<void> {
    return once(this.stream, 'drain').then(() => undefined);
  }

  /** hands the chunk to the stream (a fresh buffer follows: the stream keeps the old one until written) */
  flush(): Promise<void> | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.buf.subarray(0, this.size);
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.size = 0;
    return this.stream.write(chunk) ? undefined : this.drained();
  }

  /** writes the rest; closes the file (stdout stays open) */
  async end(): Promise<void> {
    await this.flush();
    if (!this.owned) return;
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
  }
}
