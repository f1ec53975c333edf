/**
 * watch --json: one line per event, like `kcat -J`, for jq and for pipes (also what watch does
 * when stdout is not a terminal). Lines are written once per batch, and the reader waits when
 * stdout pushes back, so a slow pipe costs no memory.
 */
import type { Writable } from 'node:stream';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaReader, type PartitionRange, type ReceivedMessage, type StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { decodeEvent } from '../protocol/codec.js';
import { validators } from '../protocol/validators.js';
import { passes, type WatchFilter } from './decode.js';

export interface WatchJsonOptions {
  readonly conn: KafkaConnection;
  readonly eventsTopic: string;
  readonly start: StartPosition;
  readonly exitAtEnd: boolean;
  readonly filter: WatchFilter;
  readonly out: Writable;
  readonly logger: Logger;
  readonly onStop: (stop: () => void) => void;
}

/** The line for one record: payload as JSON when it is, as text when not; a warning when invalid. */
export function jsonLine(msg: ReceivedMessage): { line: string; event: ReturnType<typeof decodeEvent> } {
  const event = decodeEvent(msg.value);
  const text = msg.value ? msg.value.toString('utf8') : null;
  let payload: unknown = text;
  if (event.ok) payload = event.value;
  else if (text !== null) {
    try {
      payload = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
  }
  const line = JSON.stringify({
    topic: msg.topic,
    partition: msg.partition,
    offset: msg.offset,
    ts: msg.timestamp ?? null,
    key: msg.key ? msg.key.toString('utf8') : null,
    payload,
    ...(event.ok ? {} : { warning: event.reason }),
  });
  return { line, event };
}

/** Every partition read up to where it ended when the reader opened. */
export function reachedEnd(ranges: readonly PartitionRange[], next: ReadonlyMap<string, number>): boolean {
  return ranges.every((r) => r.start >= r.end || (next.get(`${r.topic}/${r.partition}`) ?? r.start) >= r.end);
}

export async function runWatchJson(opts: WatchJsonOptions): Promise<number> {
  validators();
  const next = new Map<string, number>();
  let finish: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let failure: Error | undefined;
  // Batches can arrive before open() resolves; the end is known only after it.
  const known: { ranges?: readonly PartitionRange[] } = {};
  const checkEnd = (): void => {
    if (opts.exitAtEnd && known.ranges && reachedEnd(known.ranges, next)) finish?.();
  };

  const reader = await KafkaReader.open(opts.conn, {
    clientId: 'streamforge-watch',
    logger: opts.logger,
    topics: [opts.eventsTopic],
    start: opts.start,
    onError: (err) => {
      failure = err;
      finish?.();
    },
    onBatch: (msgs) => {
      let text = '';
      for (const msg of msgs) {
        next.set(`${msg.topic}/${msg.partition}`, msg.offset + 1);
        const { line, event } = jsonLine(msg);
        if (
          event.ok &&
          !passes(
            {
              kind: 'event',
              event: event.value,
              topic: msg.topic,
              partition: msg.partition,
              offset: msg.offset,
              key: null,
              timestamp: undefined,
            },
            opts.filter,
          )
        )
          continue;
        text += `${line}\n`;
      }
      checkEnd();
      if (text && !opts.out.write(text)) return new Promise<void>((resolve) => opts.out.once('drain', resolve));
    },
  });
  known.ranges = reader.ranges;
  if (reader.ranges.length === 0) opts.logger.warn('the events topic has no partitions (does it exist?)', { topic: opts.eventsTopic });
  checkEnd();
  opts.onStop(() => finish?.());
  await finished;
  await reader.close();
  if (failure) throw failure;
  return 0;
}
