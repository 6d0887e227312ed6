// When the hub writes what it has routed: at the end of the event-loop turn, or with a window (server.flushMs), no
// sooner than the window after the previous flush, so records arriving in between leave together: fewer, larger
// socket writes per client (the write, not the record, is the fan-out's main cost), each record held at most the
// window. A flush the hub must do at once (before a control answer, an event, a new client) goes through `cancel`.

export class FlushWindow {
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly flush: () => void,
  ) {}

  /** a flush is due: scheduled unless one already is */
  schedule(): void {
    if (this.immediate || this.timer) return;
    const wait = this.last + this.windowMs - performance.now();
    if (this.windowMs > 0 && wait >= 1) this.timer = setTimeout(() => this.run(), wait);
    else this.immediate = setImmediate(() => this.run());
  }

  /** the hub flushes now: what was scheduled is no longer needed */
  cancel(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = this.timer = undefined;
  }

  private run(): void {
    this.immediate = this.timer = undefined;
    this.last = performance.now();
    this.flush();
  }
}
