/**
 * JSON objects one after another in one body, as the REST Proxy v3 takes a stream of records
 * (`{...}{...}` or one per line), split as the text arrives so that each record can go to
 * Kafka before the body ends. Only the object boundaries are found here (strings, escapes and
 * nesting); each object's text is then parsed on its own, through json-body.ts.
 */
import { HttpError } from '../../errors.js';

export class JsonObjectSplitter {
  readonly #maxObjectChars: number;
  #text = '';
  /** where the object being read starts in #text, or -1 between objects */
  #start = -1;
  /** how far #text has been scanned */
  #at = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** objects emitted so far */
  count = 0;

  constructor(maxObjectChars: number) {
    this.#maxObjectChars = maxObjectChars;
  }

  /**
   * Hands each object this text completes to `emit`, in order; throws a 400 for anything but
   * objects, a 413 for one too large (the objects before it have been emitted).
   */
  push(text: string, emit: (record: string) => void): void {
    this.#text += text;
    const s = this.#text;
    for (let i = this.#at; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.#start < 0) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c !== 0x7b /* { */) throw this.#notAnObject(s.slice(i, i + 20));
        this.#start = i;
        this.#depth = 1;
        continue;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === 0x5c /* \ */) this.#escaped = true;
        else if (c === 0x22 /* " */) this.#inString = false;
        continue;
      }
      if (c === 0x22) this.#inString = true;
      else if (c === 0x7b || c === 0x5b) this.#depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.#depth === 0) {
          const record = s.slice(this.#start, i + 1);
          this.count++;
          this.#start = -1;
          emit(record);
        }
      }
    }
    // keep only the object being read
    if (this.#start < 0) {
      this.#text = '';
      this.#at = 0;
    } else {
      this.#text = s.slice(this.#start);
      this.#at = this.#text.length;
      this.#start = 0;
      if (this.#text.length > this.#maxObjectChars) {
        throw new HttpError(
          413,
          'SF_HTTP_TOO_LARGE',
          `record ${this.count} is larger than --body-limit`,
          'send smaller records, or raise --body-limit',
        );
      }
    }
  }

  /** At the end of the body: throws a 400 when an object was left open. */
  end(): void {
    if (this.#start >= 0) {
      throw new HttpError(
        400,
        'SF_HTTP_BAD_JSON',
        `the body ends inside record ${this.count}: the JSON object is not closed`,
        'send whole JSON objects',
      );
    }
  }

  #notAnObject(near: string): HttpError {
    return new HttpError(
      400,
      'SF_HTTP_BAD_JSON',
      `record ${this.count}: expected a JSON object, found ${JSON.stringify(near)}`,
      near.startsWith('[')
        ? 'send records as JSON objects one after another, not an array (POST .../records:batch takes {"entries": [...]})'
        : 'send records as JSON objects one after another',
    );
  }
}
