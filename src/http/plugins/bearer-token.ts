/** Bearer tokens compared so that the time taken says nothing about them. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Fixed-length, so that every comparison takes the same time whatever the lengths. */
export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * Compares the given token's digest with every configured token's, in constant time each and
 * without stopping at a match: the time taken says neither which token matched nor how long
 * any token is.
 */
export function tokenMatches(
  given: string,
  digests: readonly Buffer[],
  equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
): boolean {
  const a = tokenDigest(given);
  return digests.reduce((hit, b) => equal(a, b) || hit, false);
}
