/**
 * Every JSON request body, on every route, goes through here: parsed once, then refused (400,
 * saying why) when protocol/json-safety.ts finds it too deep or poisoned.
 */
import { HttpError } from '../../errors.js';
import { inspectJson, MAX_JSON_DEPTH } from '../../protocol/json-safety.js';
import { jsonErrorOffset, lineAndColumn, JsonTooDeep } from './json-error-position.js';
import { invalidUtf8Offset } from './utf8.js';

export { MAX_JSON_DEPTH };

const badJson = (message: string, hint: string): HttpError => new HttpError(400, 'SF_HTTP_BAD_JSON', message, hint);

function tooDeep(): HttpError {
  return badJson(
    `the body is nested more than ${MAX_JSON_DEPTH} levels deep`,
    `flatten the structure: objects and arrays may nest at most ${MAX_JSON_DEPTH} levels`,
  );
}

/** "Unexpected token '}' ... (at position 26: line 1, column 27)" */
function whereJsonBroke(text: string, err: Error): string {
  const offset = jsonErrorOffset(text, MAX_JSON_DEPTH);
  if (offset < 0) return err.message;
  const { line, column } = lineAndColumn(text, offset);
  return `${err.message} (at position ${offset}: line ${line}, column ${column})`;
}

/**
 * The 400 for bytes that are not UTF-8 (RFC 8259 requires it of JSON exchanged between systems):
 * decoding would replace them with U+FFFD, and Kafka would hold other bytes than were sent.
 * `byte` is the offending byte, or undefined when the body ends inside a character.
 */
export function notUtf8(offset: number, byte: number | undefined): HttpError {
  const what =
    byte === undefined
      ? `the body ends inside a UTF-8 character that starts at byte offset ${offset}`
      : `byte 0x${byte.toString(16).padStart(2, '0')} at byte offset ${offset} cannot be there in UTF-8`;
  return badJson(
    `the body is not valid UTF-8: ${what}`,
    'send JSON encoded as UTF-8; for bytes that are not text, use a binary format (base64) where the route has one',
  );
}

/** A JSON body's value from its bytes, or the 400 that says what is wrong with them (nothing is ever replaced with U+FFFD). */
export function parseJsonBytes(bytes: Buffer): { value: unknown } | { error: HttpError } {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) return { error: notUtf8(bad, bytes[bad]) };
  return parseJsonBody(bytes.toString('utf8'));
}

/**
 * A route's own reading of the usual body from its bytes (`scan`, which answers undefined for
 * anything it does not vouch for), else the body parsed as parseJsonBytes does. UTF-8 is checked
 * first either way: a scanner copies bytes, and they must be text.
 */
export function scanOrParseJson<T>(bytes: Buffer, scan: (bytes: Buffer) => T | undefined): { value: unknown } | { error: HttpError } {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) return { error: notUtf8(bad, bytes[bad]) };
  const scanned = scan(bytes);
  if (scanned !== undefined) return { value: scanned };
  return parseJsonBody(bytes.toString('utf8'));
}

/** The body's value, or the 400 that says what is wrong with it. */
export function parseJsonBody(text: string): { value: unknown } | { error: HttpError } {
  if (text.trim() === '') return { error: badJson('the body is empty, but the content type says JSON', 'send a JSON body') };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    try {
      return { error: badJson(`the body is not valid JSON: ${whereJsonBroke(text, err as Error)}`, 'fix the JSON at the place given') };
    } catch (deep) {
      if (deep instanceof JsonTooDeep) return { error: tooDeep() };
      throw deep;
    }
  }
  const problem = inspectJson(value, text);
  if (problem === undefined) return { value };
  if (problem.kind === 'depth') return { error: tooDeep() };
  return {
    error: badJson(
      `the body has a forbidden key ${problem.key} at ${problem.path} (prototype poisoning)`,
      'rename the field: __proto__ and constructor.prototype keys are refused in every spelling',
    ),
  };
}
