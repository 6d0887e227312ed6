// An async-iterator queue: values pushed by the client wait here until the consumer pulls them; bounded.

import { ClientError } from './events.ts';

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private done = false;
  private failure: unknown;

  constructor(private readonly max: number, private readonly onEnd: () => void = () => {}) {}

  push(v: T): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve({ value: v, done: false });
      return;
    }
    if (this.items.length - this.head >= this.max) {
      this.fail(new ClientError('QUEUE_OVERFLOW', `the iterator's consumer fell ${this.max} values behind`));
      return;
    }
    this.items.push(v);
  }

  /** ends the iteration once the queued values are consumed */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    if (this.waiting && this.head >= this.items.length) {
      const w = this.waiting;
      this.waiting = undefined;
      if (this.failure) w.reject(this.failure);
      else w.resolve({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    this.failure = err;
    this.items.length = this.head = 0;
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      if (this.failure) {
        const f = this.failure;
        this.failure = undefined;
        return Promise.reject(f);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = this.head = 0;
    this.failure = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
