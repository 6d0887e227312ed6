// Buffered line output to a file or stdout, waiting for the stream to drain rather than growing memory.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

const CHUNK = 1 << 16;

export class LineWriter {
  private buf: string[] = [];
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
    this.buf.push(line, '\n');
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= CHUNK) return this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
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
