/** Building the events a service sends: complete envelopes, nothing secret in them. */
import { unixSeconds } from './codec.js';
import type { Command, Identity, PongEvent, StatusEvent, StatusName } from './types.js';
import { isTerminal } from './types.js';

export interface ServiceContext extends Identity {
  readonly time_range: string | null;
  readonly kafka_topic: string | null;
}

function envelope(
  ctx: ServiceContext,
  now: number,
): Omit<StatusEvent, 'event' | 'status' | 'message' | 'finished' | 'records_written' | 'time_range' | 'kafka_topic'> {
  return { queue_id: ctx.queue_id, symbol: ctx.symbol, type: ctx.type, producer: ctx.producer, sent_at: now, timestamp: now };
}

export function statusEvent(
  ctx: ServiceContext,
  status: StatusName,
  message: string,
  recordsWritten: number,
  wallMs: number,
  errorMessage?: string,
): StatusEvent {
  const now = unixSeconds(wallMs);
  return {
    event: status,
    ...envelope(ctx, now),
    status,
    message,
    finished: isTerminal(status),
    records_written: recordsWritten,
    time_range: ctx.time_range,
    kafka_topic: ctx.kafka_topic,
    ...(errorMessage === undefined ? {} : { error_message: errorMessage }),
  };
}

/** An event's record key: the queue it is about, so one queue's events stay in order on one partition. */
export function eventKey(event: { readonly queue_id: string }): string {
  return event.queue_id;
}

export function pongEvent(ctx: ServiceContext, command: Command, wallMs: number): PongEvent {
  const now = unixSeconds(wallMs);
  return {
    event: 'pong',
    ...envelope(ctx, now),
    // Copied exactly: legacy pingers correlate on it. No sent_at: null, as the legacy dummy sends.
    ping_ts: command.sent_at ?? null,
    ponged_at: now,
    ...(command.command_id === undefined ? {} : { command_id: command.command_id }),
  };
}
