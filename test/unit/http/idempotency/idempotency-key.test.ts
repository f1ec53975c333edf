import { describe, expect, it } from '@jest/globals';
import { HttpError } from '../../../../src/errors.js';
import { idempotencyKeyOf, MAX_KEY_LENGTH } from '../../../../src/http/idempotency/idempotency-key.js';

describe('idempotencyKeyOf', () => {
  it("takes the draft's quoted string and the bare token payment APIs send", () => {
    expect(idempotencyKeyOf('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(idempotencyKeyOf('order-42')).toBe('order-42');
    expect(idempotencyKeyOf('"say \\"hi\\" \\\\ bye"')).toBe('say "hi" \\ bye');
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf(['"k"'])).toBe('k');
  });

  it.each([
    ['""', /empty/],
    ['"abc', /does not close/],
    ['"a"b"', /quote inside it/],
    ['"a\\nb"', /not a valid quoted string/],
    ['x'.repeat(MAX_KEY_LENGTH + 1), /256 characters/],
    ['caf\u00e9', /printable ASCII/],
  ])('refuses %j with a 400 that says why', (raw, why) => {
    let err: unknown;
    try {
      idempotencyKeyOf(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).statusCode).toBe(400);
    expect((err as HttpError).message).toMatch(why);
    expect((err as HttpError).outcome).toBe('not_written');
  });

  it('refuses a header sent twice', () => {
    expect(() => idempotencyKeyOf(['a', 'b'])).toThrow(/more than once/);
  });
});
