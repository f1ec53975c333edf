/**
 * A chunked v3 body read as it arrives: each record handed on as soon as it is whole (strict
 * UTF-8, JSON objects one after another), its outcome kept in record order for the writer of
 * the reports. The route decides what producing a record and a failure's answer are.
 */
import { StringDecoder } from 'node:string_decoder';
import type { PassThrough, Readable } from 'node:stream';
import { HttpError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { notUtf8 } from '../body/json-body.js';
import { JsonObjectSplitter } from '../body/json-object-stream.js';
import { Utf8Checker } from '../body/utf8.js';

/** One record's answer: its status, its report or error body, and headers such as Retry-After. */
export interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordStreamOptions {
  /** the longest record, in characters (--body-limit) */
  readonly maxRecordChars: number;
  /** outcomes not yet written past which the body is paused (--batch-limit) */
  readonly batchLimit: number;
  /** sends one record's text and resolves with its outcome (never rejects) */
  readonly produce: (record: string) => Promise<Outcome>;
  /** a body that stops being records: the outcome that ends the stream */
  readonly failed: (err: HttpError) => Outcome;
  readonly logger: Logger;
  /** for the log */
  readonly topic: string;
}

/**
 * One chunked v3 body as records sent and their outcomes in order. The body is paused while
 * more than batchLimit outcomes wait to be written, and resumed once half of them are.
 */
export class RecordStream {
  readonly reading: Promise<void>;
  bodyEnded = false;
  readonly #outcomes: Array<Promise<Outcome> | undefined> = [];
  /** reports written so far */
  #written = 0;
  #paused = false;
  #wakeWriter: (() => void) | undefined;

  constructor(
    private readonly body: Readable,
    private readonly opts: RecordStreamOptions,
  ) {
    this.reading = this.#read(new JsonObjectSplitter(opts.maxRecordChars));
  }

  /** outcomes so far, written or not */
  get count(): number {
    return this.#outcomes.length;
  }

  /** the i-th outcome once it exists: undefined when the body ended with fewer */
  async nth(i: number): Promise<Outcome | undefined> {
    while (this.#outcomes.length <= i && !this.bodyEnded) await new Promise<void>((r) => (this.#wakeWriter = r));
    return this.#outcomes[i];
  }

  /** Writes every report to `out`, one JSON object per line, in record order, then ends it. */
  async writeReports(first: Outcome, out: PassThrough): Promise<void> {
    try {
      for (let i = 0, next: Outcome | undefined = first; next; next = await this.nth(++i)) {
        if (!out.write(`${JSON.stringify(next.body)}\n`)) await new Promise((r) => out.once('drain', r));
        // a written report is not needed again; reading resumes once the reports catch up
        this.#outcomes[i] = undefined;
        this.#written = i + 1;
        if (this.#paused && this.#outcomes.length - this.#written <= this.opts.batchLimit / 2) {
          this.#paused = false;
          this.body.resume();
        }
      }
      await this.reading;
    } catch (err) {
      // the client went away mid-stream: what was sent stays sent, and was counted
      this.opts.logger.warn('v3 record stream ended early', { topic: this.opts.topic, error: String(err) });
    } finally {
      out.end();
    }
  }

  /**
   * Stops reading the body (a read deadline passed): `why` becomes the last report, after the
   * records already read, and the reports end there.
   */
  cutOff(why: (recordsBefore: number) => HttpError): void {
    this.#cut?.(why(this.#outcomes.length));
  }

  #cut: ((err: HttpError) => void) | undefined;

  #emit = (record: string): void => {
    this.#outcomes.push(this.opts.produce(record));
    if (!this.#paused && this.#outcomes.length - this.#written > this.opts.batchLimit) {
      this.#paused = true;
      this.body.pause();
    }
  };

  #more(): void {
    this.#wakeWriter?.();
    this.#wakeWriter = undefined;
  }

  // read with events, not `for await`: fewer promises per chunk
  #read(splitter: JsonObjectSplitter): Promise<void> {
    const { body } = this;
    const decoder = new StringDecoder('utf8');
    const utf8 = new Utf8Checker();
    return new Promise<void>((resolve) => {
      const finish = (err?: unknown) => {
        if (this.bodyEnded) return;
        // a body that stops being records ends the stream with its error; a client that went
        // away ends it without one (what it sent before was sent, and is counted)
        if (err instanceof HttpError) this.#outcomes.push(Promise.resolve(this.opts.failed(err)));
        else if (err !== undefined) {
          this.opts.logger.debug('v3 record stream: the request ended early', { topic: this.opts.topic, error: String(err) });
        }
        this.bodyEnded = true;
        this.#cut = undefined;
        this.#more();
        resolve();
      };
      this.#cut = (err) => {
        body.pause();
        finish(err);
      };
      // after an error the rest of the body is still read (and ignored), so the connection stays usable
      body.on('data', (chunk: Buffer) => {
        if (this.bodyEnded) return;
        try {
          const start = utf8.offset;
          const bad = utf8.push(chunk);
          if (bad >= 0) {
            // the records before the bad byte are sent as any others; the stream ends at it
            splitter.push(decoder.write(chunk.subarray(0, bad - start)), this.#emit);
            throw notUtf8(bad, chunk[bad - start]);
          }
          splitter.push(decoder.write(chunk), this.#emit);
          this.#more();
        } catch (err) {
          finish(err);
        }
      });
      body.once('end', () => {
        if (this.bodyEnded) return;
        try {
          if (utf8.end() >= 0) throw notUtf8(utf8.end(), undefined);
          splitter.push(decoder.end(), this.#emit);
          splitter.end();
          finish();
        } catch (err) {
          finish(err);
        }
      });
      body.once('error', finish);
      body.once('aborted', () => finish(new Error('the client closed the request')));
    });
  }
}
