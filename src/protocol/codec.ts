/**
 * Bytes from Kafka to typed messages, and back. Decoding never throws: a message that is not
 * UTF-8, not JSON, or not valid comes back as a reason the caller logs and counts.
 */
import type { ValidateFunction } from 'ajv';
import type { Command, ReceivedEvent, ServiceEvent } from './types.js';
import { describeSchemaErrors, validators } from './validators.js';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Enough of a bad message to recognise it in a log line, never a megabyte of it. */
const SNIPPET = 80;

export function snippet(value: Buffer | null): string {
  if (!value) return '';
  const text = value
    .subarray(0, SNIPPET)
    .toString('utf8')
    .replace(/[^\x20-\x7e]/g, '.');
  return value.length > SNIPPET ? `${text}...` : text;
}

/** The record's text, when it is UTF-8 at all. */
export function decodeText(value: Buffer | null): Decoded<string> {
  if (!value || value.length === 0) return { ok: false, reason: 'empty message' };
  try {
    return { ok: true, value: utf8.decode(value) };
  } catch {
    return { ok: false, reason: 'not UTF-8 text (binary data?)' };
  }
}

function parse<T>(text: string, validate: ValidateFunction<T>): Decoded<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message.slice(0, 120)}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  try {
    if (!validate(parsed)) return { ok: false, reason: describeSchemaErrors(validate.errors) };
  } catch (err) {
    // A validator must never take a service down with it; report and skip the message.
    return { ok: false, reason: `could not be validated: ${(err as Error).message}` };
  }
  return { ok: true, value: parsed };
}

function decode<T>(value: Buffer | null, validate: ValidateFunction<T>): Decoded<T> {
  const text = decodeText(value);
  return text.ok ? parse(text.value, validate) : text;
}

/**
 * A command is about 100 bytes; anything over this is garbage, skipped without decoding it (a
 * megabyte of text would become a megabyte string and a parse, per message).
 */
export const MAX_COMMAND_BYTES = 64 * 1024;

export function decodeCommand(value: Buffer | null): Decoded<Command> {
  if (value && value.length > MAX_COMMAND_BYTES) {
    return { ok: false, reason: `${value.length} bytes: larger than a command can be (at most ${MAX_COMMAND_BYTES} bytes)` };
  }
  return decode(value, validators().command);
}

/** An event from text already decoded (watch --json also prints the text). */
export function parseEvent(text: string): Decoded<ReceivedEvent> {
  return parse(text, validators().event);
}

export function decodeEvent(value: Buffer | null): Decoded<ReceivedEvent> {
  return decode(value, validators().event);
}

export function encode(message: Command | ServiceEvent): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/** Unix seconds with millisecond fraction, as the Python services write them. */
export function unixSeconds(ms: number = Date.now()): number {
  return Math.round(ms) / 1000;
}
