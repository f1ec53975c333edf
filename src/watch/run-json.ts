/**
 * watch --json: one line per event, like `kcat -J`, for jq and for pipes (also what watch does
 * when stdout is not a terminal). Lines are written once per batch, as bytes (json-lines.ts),
 * and the reader waits when stdout pushes back, so a slow pipe costs no memory.
 */
import type { Writable } from 'node:stream';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaReader, type PartitionRange, type StartPosition } from '../kafka/reader.js';
import type { Logger } from '../observability/logger.js';
import { validators } from '../protocol/validators.js';
import { eventPasses, filters, type EventFilter } from '../plane/decode.js';
import { JsonLineBuffer, readRecord } from './json-lines.js';

export interface WatchJsonOptions {
  readonly conn: KafkaConnection;
  readonly eventsTopic: string;
  readonly start: StartPosition;
  readonly exitAtEnd: boolean;
  readonly filter: EventFilter;
  readonly out: Writable;
  readonly logger: Logger;
  readonly onStop: (stop: () => void) => void;
}

/** Every partition of the one topic read (next offsets by partition) up to where it ended when the reader opened. */
export function reachedEnd(ranges: readonly PartitionRange[], next: ReadonlyMap<number, number>): boolean {
  return ranges.every((r) => r.start >= r.end || (next.get(r.partition) ?? r.start) >= r.end);
}

export async function runWatchJson(opts: WatchJsonOptions): Promise<number> {
  validators();
  const next = new Map<number, number>();
  const filtered = filters(opts.filter);
  const lines = new JsonLineBuffer();
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
    profile: 'bulk',
    onError: (err) => {
      failure = err;
      finish?.();
    },
    onBatch: (msgs) => {
      for (const msg of msgs) {
        const rec = readRecord(msg);
        if (filtered && rec.event.ok && !eventPasses(rec.event.value, opts.filter)) continue;
        lines.append(msg, rec);
      }
      if (opts.exitAtEnd) for (const msg of msgs) next.set(msg.partition, msg.offset + 1);
      checkEnd();
      const bytes = lines.take();
      if (bytes.length > 0 && !opts.out.write(bytes)) return new Promise<void>((resolve) => opts.out.once('drain', resolve));
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
