/**
 * A gateway record's key or value as the bytes Kafka stores, in the embedded formats the
 * Confluent REST Proxy and the Bridge define: JSON (the value's JSON text), BINARY (base64,
 * decoded strictly: Node's decoder skips what is not base64, and a gateway that stored a
 * corrupted value without a word would lose data) and STRING/text (the string itself).
 */
import { HttpError } from '../../errors.js';
import { isBase64 } from '../../protocol/json-safety.js';
import { isWellFormed } from '../body/utf8.js';

export type EmbeddedFormat = 'JSON' | 'BINARY' | 'STRING';

export function badData(field: string, why: string, hint: string): HttpError {
  return new HttpError(400, 'SF_HTTP_VALIDATION', `${field}: ${why}`, hint);
}

/**
 * The bytes of `data` in `format`; null for null (no key, or a tombstone). Throws the 400 that
 * names the field when the data does not fit the format.
 */
export function recordBytes(data: unknown, format: EmbeddedFormat, field: string): Buffer | null {
  if (data === null || data === undefined) return null;
  switch (format) {
    case 'JSON':
      return Buffer.from(JSON.stringify(data));
    case 'BINARY':
      if (typeof data !== 'string' || !isBase64(data)) {
        throw badData(
          field,
          typeof data === 'string'
            ? `data=${JSON.stringify(data.slice(0, 40))} is not a valid base64 string`
            : `data=${JSON.stringify(data).slice(0, 40)} is not a base64 string`,
          'send binary data base64-encoded (RFC 4648, the standard alphabet)',
        );
      }
      return Buffer.from(data, 'base64');
    case 'STRING':
      if (typeof data !== 'string') {
        throw badData(
          field,
          `the embedded format is text, so the data must be a string, not ${jsonType(data)}`,
          'send a string, or use the json format',
        );
      }
      if (!isWellFormed(data)) {
        throw badData(
          field,
          'the text holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair), which UTF-8 cannot encode',
          'send text as whole characters, or binary data base64-encoded',
        );
      }
      return Buffer.from(data);
  }
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Record headers from base64 values; a bad one is the 400 that names it. */
export function recordHeaders(
  headers: ReadonlyArray<{ readonly name: string; readonly value?: string | null }> | undefined,
  field: string,
): Array<Record<string, Buffer>> | undefined {
  if (!headers || headers.length === 0) return undefined;
  return headers.map((h, i) => {
    const value = h.value ?? '';
    if (!isBase64(value)) {
      throw badData(
        `${field}[${i}].value`,
        `header ${JSON.stringify(h.name)} is not a valid base64 string`,
        'send header values base64-encoded',
      );
    }
    return { [h.name]: Buffer.from(value, 'base64') };
  });
}
