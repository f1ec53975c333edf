/**
 * watch --json's lines, written as bytes. A valid one-line event is copied into the output as
 * Kafka delivered it, behind a short metadata prefix: building each line as a string, joining
 * the batch and encoding it to UTF-8 again cost about as much as parsing the events did, and
 * left watch 14% behind a bare node-rdkafka loop (docs/benchmarks.md). Anything else (not UTF-8, not JSON, not an event, several lines) gets a line
 * JSON.stringify writes, with a warning.
 */
import type { ReceivedMessage } from '../kafka/reader.js';
import { decodeText, parseEvent, type Decoded } from '../protocol/codec.js';
import type { ReceivedEvent } from '../protocol/types.js';

/** One record read: its text (when UTF-8) and the event in it (when valid). */
export interface ReadRecord {
  readonly text: Decoded<string>;
  readonly event: Decoded<ReceivedEvent>;
}

export function readRecord(msg: ReceivedMessage): ReadRecord {
  const text = decodeText(msg.value);
  return { text, event: text.ok ? parseEvent(text.value) : text };
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EMPTY = Buffer.alloc(0);
/** the most a line's numbers and field names take besides the topic, key and payload */
const METADATA_BYTES = 128;

/** Bytes that may stand between two quotes in JSON unescaped, and print as they are. */
function isPlainAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e || b === QUOTE || b === BACKSLASH) return false;
  }
  return true;
}

/** The payload as delivered can stand in the line: one line, no byte-order mark in front. */
function copiesAsIs(value: Buffer): boolean {
  const bom = value.length >= 3 && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf;
  return !bom && value.indexOf(NEWLINE) < 0 && value.indexOf(RETURN) < 0;
}

/** Headers as `kcat -J` writes them: name, value, name, value... (values as UTF-8 text; order and repeats kept). */
export function flatHeaders(headers: NonNullable<ReceivedMessage['headers']>): string[] {
  const out: string[] = [];
  for (const h of headers) for (const name in h) out.push(name, (h[name] as Buffer).toString('utf8'));
  return out;
}

/** The line's fields in the order every line has them (tests and jq scripts rely on it; headers only when the record has some). */
function stringLine(msg: ReceivedMessage, rec: ReadRecord): string {
  const { text, event } = rec;
  let payload: unknown = event.ok ? event.value : text.ok ? text.value : (msg.value?.toString('utf8') ?? null);
  if (!event.ok && text.ok) {
    try {
      payload = JSON.parse(text.value);
    } catch {
      // not JSON: keep the text
    }
  }
  return JSON.stringify({
    topic: msg.topic,
    partition: msg.partition,
    offset: msg.offset,
    ts: msg.timestamp ?? null,
    key: msg.key ? msg.key.toString('utf8') : null,
    ...(msg.headers ? { headers: flatHeaders(msg.headers) } : {}),
    payload,
    ...(event.ok ? {} : { warning: event.reason }),
  });
}

/** A batch's lines, appended one record at a time and taken as one Buffer for one write. */
export class JsonLineBuffer {
  #bytes = EMPTY;
  #length = 0;
  /** the last batch's size: the next one is likely alike, and one allocation fits it */
  #hint: number;
  /** `{"topic":"<topic>","partition":` by topic: a reader has one or two topics */
  readonly #prefixes = new Map<string, Buffer>();

  constructor(sizeHint = 64 * 1024) {
    this.#hint = sizeHint;
  }

  get length(): number {
    return this.#length;
  }

  #room(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#hint, this.#bytes.length * 2, this.#length + more));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }

  #prefix(topic: string): Buffer {
    let prefix = this.#prefixes.get(topic);
    if (!prefix) {
      prefix = Buffer.from(`{"topic":${JSON.stringify(topic)},"partition":`);
      this.#prefixes.set(topic, prefix);
    }
    return prefix;
  }

  append(msg: ReceivedMessage, rec: ReadRecord): void {
    const value = msg.value;
    // a record with headers (a traced one) takes the line JSON.stringify writes, headers and all
    if (!rec.event.ok || !value || msg.headers || !copiesAsIs(value)) {
      const line = stringLine(msg, rec);
      this.#room(Buffer.byteLength(line) + 1);
      this.#length += this.#bytes.write(line, this.#length, 'utf8');
      this.#bytes[this.#length++] = NEWLINE;
      return;
    }
    const key = msg.key;
    const plainKey = key === null || isPlainAscii(key);
    const keyJson = plainKey ? undefined : JSON.stringify(key.toString('utf8'));
    const prefix = this.#prefix(msg.topic);
    this.#room(prefix.length + METADATA_BYTES + (keyJson ? Buffer.byteLength(keyJson) : (key?.length ?? 0)) + value.length);
    const bytes = this.#bytes;
    let at = this.#length + prefix.copy(bytes, this.#length);
    at += bytes.write(`${msg.partition},"offset":${msg.offset},"ts":${msg.timestamp ?? null},"key":`, at, 'latin1');
    if (key === null) at += bytes.write('null', at, 'latin1');
    else if (keyJson !== undefined) at += bytes.write(keyJson, at, 'utf8');
    else {
      bytes[at++] = QUOTE;
      at += key.copy(bytes, at);
      bytes[at++] = QUOTE;
    }
    at += bytes.write(',"payload":', at, 'latin1');
    at += value.copy(bytes, at);
    bytes[at++] = 0x7d; // }
    bytes[at++] = NEWLINE;
    this.#length = at;
  }

  /** The lines so far; the buffer starts empty again (the Buffer returned is never reused). */
  take(): Buffer {
    const lines = this.#bytes.subarray(0, this.#length);
    if (this.#length > 0) this.#hint = this.#length;
    this.#bytes = EMPTY;
    this.#length = 0;
    return lines;
  }
}

/** The line for one record, without its newline, and the event in it. */
export function jsonLine(msg: ReceivedMessage): { line: string; event: Decoded<ReceivedEvent> } {
  const rec = readRecord(msg);
  const lines = new JsonLineBuffer(1024);
  lines.append(msg, rec);
  const bytes = lines.take();
  return { line: bytes.toString('utf8', 0, bytes.length - 1), event: rec.event };
}
