/**
 * A v2 produce body in the json format read straight from its bytes: each record's key and value
 * are slices of the request (json-scanner.ts), never parsed to objects and stringified back.
 * Only the common shape is read here, `{"records": [{"key", "value", "partition", "timestamp"}]}`;
 * anything else (headers, the schema fields, a value the scanner cannot vouch for, an empty or
 * oversized batch, invalid JSON) is undefined, and the route parses and validates the body as it
 * always did, with the same answers.
 */
import { compacted, JsonScanner } from '../body/json-scanner.js';

/** A record as its bytes: what v2Records makes of a parsed one in the json format. */
export interface ScannedV2Record {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly partition: number | undefined;
  readonly timestamp: number | undefined;
}

/** A body the scanner read whole: the route skips the schema (these records satisfy it). */
export class ScannedV2Body {
  constructor(readonly records: readonly ScannedV2Record[]) {}
}

const quoted = (name: string): Buffer => Buffer.from(`"${name}"`);
/** the body's one member */
const TOP = [quoted('records')];
const KEY = quoted('key');
const VALUE = quoted('value');
const PARTITION = quoted('partition');
const TIMESTAMP = quoted('timestamp');
/** a record's fields, in the order its bit says (1 << index) */
const FIELDS = [VALUE, KEY, PARTITION, TIMESTAMP];

/** The largest partition and timestamp the schema allows. */
const MAX_PARTITION = 2_147_483_647;
const MAX_TIMESTAMP = 8_640_000_000_000_000;

/** A plain non-negative integer of at most 16 digits, or -1. */
function plainInteger(buf: Buffer, start: number, end: number): number {
  if (end - start > 16 || (buf[start] === 0x30 && end - start > 1)) return -1;
  let n = 0;
  for (let p = start; p < end; p++) {
    const d = (buf[p] as number) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** One field's value: its bytes (null for JSON null), or undefined to give up. */
function jsonBytes(s: JsonScanner): Buffer | null | undefined {
  s.peek();
  const start = s.pos;
  s.gaps.length = 0;
  if (!s.value(2)) return undefined;
  if (s.pos - start === 4 && s.buf[start] === 0x6e) return null;
  return compacted(s.buf, start, s.pos, s.gaps);
}

function integerField(s: JsonScanner, max: number): number | undefined {
  s.peek();
  const start = s.pos;
  if (!s.number()) return undefined;
  const n = plainInteger(s.buf, start, s.pos);
  return n < 0 || n > max ? undefined : n;
}

function record(s: JsonScanner): ScannedV2Record | undefined {
  if (!s.eat(0x7b)) return undefined;
  let key: Buffer | null | undefined = null;
  let value: Buffer | null | undefined = null;
  let partition: number | undefined;
  let timestamp: number | undefined;
  let seen = 0;
  if (s.eat(0x7d)) return { key, value, partition, timestamp };
  for (;;) {
    const field = s.member(FIELDS);
    if (field < 0) return undefined;
    // each field once: JSON.parse would keep the last of two, the parsing path decides
    const bit = 1 << field;
    if (field === 0) value = jsonBytes(s);
    else if (field === 1) key = jsonBytes(s);
    else if (field === 2) partition = integerField(s, MAX_PARTITION);
    else timestamp = integerField(s, MAX_TIMESTAMP);
    if (seen & bit || value === undefined || key === undefined) return undefined;
    if ((field === 2 && partition === undefined) || (field === 3 && timestamp === undefined)) return undefined;
    seen |= bit;
    if (s.eat(0x2c)) continue;
    return s.eat(0x7d) ? { key, value, partition, timestamp } : undefined;
  }
}

/** The records of a json-format v2 body, or undefined when the parsing path must decide. */
export function scanV2Json(buf: Buffer, limit: number): ScannedV2Body | undefined {
  const s = new JsonScanner(buf);
  if (!s.eat(0x7b) || s.member(TOP) !== 0 || !s.eat(0x5b)) return undefined;
  const records: ScannedV2Record[] = [];
  for (;;) {
    const r = record(s);
    // more than the limit: the parsing path answers the 413 that says how many
    if (r === undefined || records.length === limit) return undefined;
    records.push(r);
    if (s.eat(0x2c)) continue;
    if (!s.eat(0x5d)) return undefined;
    break;
  }
  return s.eat(0x7d) && s.atEnd() ? new ScannedV2Body(records) : undefined;
}
