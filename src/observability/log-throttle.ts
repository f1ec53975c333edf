/**
 * Bounded logging of a repeated failure: the first `burst` lines of each interval are written
 * as they come, the rest only counted, and the count written once when the next line of that
 * kind is due (or on `flush`). A request of 87,000 failed records wrote 87,000 warn lines
 * before this; metrics keep every count, the log keeps a sample and a total. Pure apart from
 * the logger: the clock is passed in.
 */
import type { Logger } from './logger.js';

export interface LogThrottleOptions {
  readonly logger: Logger;
  /** lines written per kind and interval before the rest are only counted */
  readonly burst: number;
  readonly intervalMs: number;
  /** a monotonic clock in ms */
  readonly now: () => number;
  /** runs `fn` after `ms` (an unref'd setTimeout by default): the count is written even if no further line comes */
  readonly later?: (fn: () => void, ms: number) => void;
}

const unrefTimeout = (fn: () => void, ms: number): void => {
  setTimeout(fn, ms).unref();
};

type Level = 'warn' | 'error' | 'info';

interface Window {
  start: number;
  written: number;
  suppressed: number;
  level: Level;
}

export class LogThrottle {
  readonly #opts: LogThrottleOptions;
  readonly #windows = new Map<string, Window>();

  constructor(opts: LogThrottleOptions) {
    this.#opts = opts;
  }

  /** Logs `message` unless `burst` lines of it were written this interval; then counts it. */
  log(level: Level, message: string, fields: Record<string, unknown>): void {
    const now = this.#opts.now();
    let w = this.#windows.get(message);
    if (w && now - w.start >= this.#opts.intervalMs) {
      this.#report(message, w);
      w = undefined;
    }
    if (!w) {
      w = { start: now, written: 0, suppressed: 0, level };
      this.#windows.set(message, w);
    }
    if (w.written < this.#opts.burst) {
      w.written++;
      this.#opts.logger.log(level, message, fields);
    } else {
      if (w.suppressed++ === 0) {
        const window = w;
        (this.#opts.later ?? unrefTimeout)(
          () => {
            if (this.#windows.get(message) !== window) return;
            this.#report(message, window);
            this.#windows.delete(message);
          },
          this.#opts.intervalMs - (now - w.start),
        );
      }
    }
  }

  /** Writes the counts not yet written (at shutdown). */
  flush(): void {
    for (const [message, w] of this.#windows) this.#report(message, w);
    this.#windows.clear();
  }

  #report(message: string, w: Window): void {
    if (w.suppressed === 0) return;
    this.#opts.logger.log(w.level, `${message} (repeated, not logged one by one)`, {
      suppressed: w.suppressed,
      interval_ms: this.#opts.intervalMs,
    });
    w.suppressed = 0;
  }
}
