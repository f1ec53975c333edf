import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { FingerprintStream, fingerprintOf } from '../../../../src/http/idempotency/fingerprint.js';

async function streamed(method: string, route: string, type: string | undefined, chunks: string[]): Promise<string> {
  const hash = new FingerprintStream(method, route, type);
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(hash)) out.push(c as Buffer);
  expect(Buffer.concat(out).toString()).toBe(chunks.join(''));
  expect(hash.complete).toBe(true);
  return hash.digest();
}

describe("a request's fingerprint", () => {
  it('is the same streamed in any chunks as whole, and passes the body on unchanged', async () => {
    const whole = fingerprintOf('POST', '/produce', 'application/json', '{"topic":"t","message":{}}');
    expect(await streamed('POST', '/produce', 'application/json', ['{"topic":', '"t","mess', 'age":{}}'])).toBe(whole);
  });

  it('differs by method, route, media type and body', () => {
    const base = fingerprintOf('POST', '/produce', 'application/json', 'x');
    expect(
      new Set([
        base,
        fingerprintOf('PUT', '/produce', 'application/json', 'x'),
        fingerprintOf('POST', '/produce/batch', 'application/json', 'x'),
        fingerprintOf('POST', '/produce', 'text/plain', 'x'),
        fingerprintOf('POST', '/produce', 'application/json', 'y'),
      ]).size,
    ).toBe(5);
  });
});
