/**
 * POST /produce and /produce/batch bodies read straight from their bytes (json-scanner.ts): the
 * message goes to Kafka as a slice of the request, enriched by splicing bytes, never parsed to an
 * object and stringified back. Only the usual item is read here, `{"topic", "key", "message",
 * "partition"}`; anything else (headers, a message the scanner cannot vouch for, a topic name
 * the schema refuses, an empty or oversized batch, invalid JSON) is undefined, and the route
 * parses and validates the body as it always did, with the same answers.
 */
import { compactLength, copyCompacted, gapsWithin, JsonScanner } from '../body/json-scanner.js';
import type { Enrichment } from './message-value.js';

/**
 * A message as where its bytes are: copied once, when the record is made (scannedValue), with
 * the enrichment in front and the whitespace out in the same copy.
 */
export interface ScannedMessage {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  /** whitespace inside it to leave out (json-scanner.ts's gaps), or undefined */
  readonly gaps: readonly number[] | undefined;
  /** a JSON object (enriched unless --no-enrich); a string message is its text, never enriched */
  readonly object: boolean;
}

/** An item the scanner read whole: it satisfies produce-request.schema.json. */
export interface ScannedItem {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly message: ScannedMessage;
  readonly partition: number | undefined;
}

/**
 * A /produce/batch body read whole. An Array, so that the route's documented schema (an array of
 * 1 to --batch-limit items) holds for it as for a parsed body.
 */
export class ScannedItems extends Array<ScannedItem> {
  // map() and filter() on a subclass build the subclass: these are plain arrays
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** A /produce body read whole. */
export class ScannedProduce {
  constructor(readonly item: ScannedItem) {}
}

const quoted = (name: string): Buffer => Buffer.from(`"${name}"`);
const TOPIC = quoted('topic');
const KEY = quoted('key');
const MESSAGE = quoted('message');
const PARTITION = quoted('partition');
/** an item's fields, in the order its bit says (1 << index) */
const FIELDS = [TOPIC, MESSAGE, KEY, PARTITION];
/** a message object holding one of these is merged by the parsing path (the client's field wins) */
const ENRICHED = ['timestamp', 'source', 'server_time'].map(quoted);

const MAX_TOPIC = 249;
/** produce-request.schema.json's maxLength of a key, in characters: a key of at most this many bytes is within it */
const SCHEMA_KEY_MAX = 65_536;
const MAX_PARTITION = 2_147_483_647;

// the topic pattern ^(?!\.{1,2}$)[a-zA-Z0-9._-]+$
const topicByte = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d;

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

/** Reads items' fields: one scanner per body, the last topic's name kept (a batch names one topic). */
class ItemReader {
  #lastTopic = '';
  #lastTopicBytes: Buffer | undefined;

  constructor(readonly s: JsonScanner) {}

  /** The string's content bytes [start, end) when the string has no escape, else undefined. */
  #plainString(): [number, number] | undefined {
    const s = this.s;
    if (s.peek() !== 0x22) return undefined;
    const start = s.pos;
    if (!s.string() || s.escaped) return undefined;
    return [start + 1, s.pos - 1];
  }

  topic(): string | undefined {
    const span = this.#plainString();
    if (!span) return undefined;
    const [start, end] = span;
    const buf = this.s.buf;
    const len = end - start;
    if (len === 0 || len > MAX_TOPIC) return undefined;
    for (let p = start; p < end; p++) if (!topicByte(buf[p] as number)) return undefined;
    if (len <= 2 && buf[start] === 0x2e && buf[end - 1] === 0x2e) return undefined;
    const last = this.#lastTopicBytes;
    if (last && sameBytes(last, buf, start, end)) return this.#lastTopic;
    this.#lastTopic = buf.toString('latin1', start, end);
    this.#lastTopicBytes = buf.subarray(start, end);
    return this.#lastTopic;
  }

  /** null, or a string's bytes (at most SCHEMA_KEY_MAX of them, so at most that many characters). */
  key(): Buffer | null | undefined {
    const s = this.s;
    if (s.peek() === 0x6e) return s.value(2) ? null : undefined;
    const span = this.#plainString();
    if (!span || span[1] - span[0] > SCHEMA_KEY_MAX) return undefined;
    return s.buf.subarray(span[0], span[1]);
  }

  message(): ScannedMessage | undefined {
    const s = this.s;
    const c = s.peek();
    if (c === 0x22) {
      const span = this.#plainString();
      return span && { buf: s.buf, start: span[0], end: span[1], gaps: undefined, object: false };
    }
    if (c === 0x6e) return undefined;
    const start = s.pos;
    s.gaps.length = 0;
    s.watched = c === 0x7b ? ENRICHED : undefined;
    s.sawWatchedKey = false;
    // depth 0: the watched keys are those of the object opened first (depth 1)
    const ok = s.value(0);
    s.watched = undefined;
    if (!ok || s.sawWatchedKey) return undefined;
    return { buf: s.buf, start, end: s.pos, gaps: gapsWithin(s.gaps, start, s.pos), object: c === 0x7b };
  }

  partition(): number | undefined {
    const s = this.s;
    s.peek();
    const start = s.pos;
    if (!s.number()) return undefined;
    const buf = s.buf;
    if (s.pos - start > 10 || (buf[start] === 0x30 && s.pos - start > 1)) return undefined;
    let n = 0;
    for (let p = start; p < s.pos; p++) {
      const d = (buf[p] as number) - 0x30;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
    }
    return n <= MAX_PARTITION ? n : undefined;
  }

  /** One item `{...}`, or undefined. */
  item(): ScannedItem | undefined {
    const s = this.s;
    if (!s.eat(0x7b)) return undefined;
    let topic: string | undefined;
    let key: Buffer | null = null;
    let message: ScannedMessage | undefined;
    let partition: number | undefined;
    let seen = 0;
    do {
      const field = s.member(FIELDS);
      if (field < 0) return undefined;
      const bit = 1 << field;
      if (field === 0) topic = this.topic();
      else if (field === 1) message = this.message();
      else if (field === 2) {
        const k = this.key();
        if (k === undefined) return undefined;
        key = k;
      } else {
        partition = this.partition();
        if (partition === undefined) return undefined;
      }
      // each field once (JSON.parse keeps the last of two: the parsing path decides)
      if (seen & bit || (field === 0 && topic === undefined) || (field === 1 && message === undefined)) return undefined;
      seen |= bit;
    } while (s.eat(0x2c));
    if (!s.eat(0x7d) || topic === undefined || message === undefined) return undefined;
    return { topic, key, message, partition };
  }
}

/** A /produce body, or undefined when the parsing path must decide. */
export function scanProduce(buf: Buffer): ScannedProduce | undefined {
  const reader = new ItemReader(new JsonScanner(buf));
  const item = reader.item();
  return item && reader.s.atEnd() ? new ScannedProduce(item) : undefined;
}

/** A /produce/batch body of 1 to `limit` items, or undefined when the parsing path must decide. */
export function scanProduceBatch(buf: Buffer, limit: number): ScannedItems | undefined {
  const reader = new ItemReader(new JsonScanner(buf));
  const s = reader.s;
  if (!s.eat(0x5b)) return undefined;
  const items = new ScannedItems();
  do {
    const item = reader.item();
    if (item === undefined || items.length === limit) return undefined;
    items.push(item);
  } while (s.eat(0x2c));
  return s.eat(0x5d) && s.atEnd() ? items : undefined;
}

// the enrichment's members as bytes, for the requests that share its millisecond
let lastAdded: Enrichment | undefined;
let lastFields = Buffer.alloc(0);

/** The bytes Kafka stores for a scanned message: as messageValue() makes them of a parsed one. */
export function scannedValue(message: ScannedMessage, added: Enrichment | undefined): Buffer {
  const { buf, start, end, gaps } = message;
  if (!added || !message.object) {
    if (!gaps) return buf.subarray(start, end);
    const out = Buffer.allocUnsafe(compactLength(start, end, gaps));
    copyCompacted(out, 0, buf, start, end, gaps);
    return out;
  }
  if (added !== lastAdded) {
    lastAdded = added;
    lastFields = Buffer.from(added.json);
  }
  const fields = lastFields;
  // `{}` becomes `{<fields>}`; `{"a":1}` becomes `{<fields>,"a":1}`
  const own = compactLength(start, end, gaps);
  const empty = own === 2;
  const out = Buffer.allocUnsafe(fields.length + own + (empty ? 0 : 1));
  out[0] = 0x7b;
  fields.copy(out, 1);
  if (empty) out[fields.length + 1] = 0x7d;
  else {
    out[fields.length + 1] = 0x2c;
    copyCompacted(out, fields.length + 2, buf, start + 1, end, gaps);
  }
  return out;
}
