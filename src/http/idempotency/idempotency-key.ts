/**
 * The Idempotency-Key header (IETF draft-ietf-httpapi-idempotency-key-header-06): a Structured
 * Field string, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`. Payment APIs accept the bare token as
 * well (Stripe's clients send it so), and so do we. Pure.
 */
import { HttpError } from '../../errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Longer keys are refused: a UUID is 36 characters, and every replica holds every live key. */
export const MAX_KEY_LENGTH = 255;

const PRINTABLE = /^[\x20-\x7e]+$/;

function refused(why: string): HttpError {
  return new HttpError(
    400,
    'SF_HTTP_VALIDATION',
    `the Idempotency-Key header ${why}`,
    `send one key of 1-${MAX_KEY_LENGTH} printable ASCII characters per request, a UUID for instance: Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`,
    { outcome: 'not_written' },
  );
}

/**
 * The key a request carries: undefined without the header; a 400 (nothing written) for one
 * that is empty, repeated, too long, or not printable ASCII.
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) return header.length === 1 ? idempotencyKeyOf(header[0]) : badKey('is sent more than once');
  const raw = header.trim();
  let key = raw;
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return badKey('opens a quoted string it does not close');
    key = unquoted(raw.slice(1, -1));
  }
  if (key.length === 0) return badKey('is empty');
  if (key.length > MAX_KEY_LENGTH) return badKey(`is ${key.length} characters long, more than ${MAX_KEY_LENGTH}`);
  if (!PRINTABLE.test(key)) return badKey('holds characters other than printable ASCII');
  return key;
}

/** A Structured Field string's inside: backslash-quote and backslash-backslash are its only escapes. */
function unquoted(inner: string): string {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === '"') return badKey('is not a valid quoted string (a quote inside it is not escaped)');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = inner[++i];
    if (next !== '"' && next !== '\\') return badKey('is not a valid quoted string (only \\" and \\\\ may be escaped)');
    out += next;
  }
  return out;
}

function badKey(why: string): never {
  throw refused(why);
}
