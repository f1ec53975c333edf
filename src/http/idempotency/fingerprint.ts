/**
 * A request's fingerprint: what makes two requests with one Idempotency-Key the same request
 * (the draft's "payload fingerprint"): the method, the path as sent, the media type and every byte of
 * the body, hashed as the body streams in (nothing is buffered for it). 128 bits of SHA-256.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class FingerprintStream extends Transform {
  readonly #hash: Hash;
  /** every byte of the body went through (set before the stream's end reaches its reader) */
  complete = false;

  constructor(method: string, route: string, contentType: string | undefined) {
    super();
    this.#hash = createHash('sha256').update(`${method}\n${route}\n${contentType ?? ''}\n`);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.complete = true;
    done();
  }

  /** Once the body has been read whole. */
  digest(): string {
    return this.#hash.digest('base64url').slice(0, 22);
  }
}

/** The fingerprint of a request without a body stream (a body already in memory, or none). */
export function fingerprintOf(method: string, route: string, contentType: string | undefined, body: Buffer | string): string {
  return createHash('sha256')
    .update(`${method}\n${route}\n${contentType ?? ''}\n`)
    .update(body)
    .digest('base64url')
    .slice(0, 22);
}
