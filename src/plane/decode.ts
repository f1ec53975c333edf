/** Kafka records as the control plane's viewers see them: events (or warnings for what is not one) and commands. */
import type { ReceivedMessage } from '../kafka/reader.js';
import { decodeCommand, decodeEvent, snippet } from '../protocol/codec.js';
import { ANY_QUEUE, type ReceivedEvent } from '../protocol/types.js';
import { traceIdOf } from '../tracing/kafka-headers.js';
import type { Incoming, RecordMeta } from './reducer.js';

export interface EventFilter {
  readonly queueId: string | undefined;
  readonly events: readonly string[];
}

function meta(msg: ReceivedMessage): RecordMeta {
  const traceId = msg.headers ? traceIdOf(msg.headers) : undefined;
  return {
    topic: msg.topic,
    partition: msg.partition,
    offset: msg.offset,
    key: msg.key ? msg.key.toString('utf8') : null,
    timestamp: msg.timestamp,
    ...(traceId ? { traceId } : {}),
  };
}

export function toIncoming(msg: ReceivedMessage, controlTopic: string): Incoming {
  if (msg.topic === controlTopic) {
    const c = decodeCommand(msg.value);
    return c.ok
      ? { kind: 'command', command: c.value, ...meta(msg) }
      : { kind: 'invalid', reason: c.reason, raw: snippet(msg.value), ...meta(msg) };
  }
  const e = decodeEvent(msg.value);
  return e.ok
    ? { kind: 'event', event: e.value, ...meta(msg) }
    : { kind: 'invalid', reason: e.reason, raw: snippet(msg.value), ...meta(msg) };
}

/** --queue-id and --event: invalid records always pass, so that warnings are never hidden. */
export function passes(item: Incoming, filter: EventFilter): boolean {
  if (item.kind === 'invalid') return true;
  if (item.kind === 'event') return eventPasses(item.event, filter);
  const queueId = item.command.queue_id;
  if (filter.queueId && queueId !== filter.queueId && queueId !== ANY_QUEUE) return false;
  return filter.events.length === 0 || filter.events.includes(item.command.command);
}

export function eventPasses(event: ReceivedEvent, filter: EventFilter): boolean {
  if (filter.queueId && event.queue_id !== filter.queueId) return false;
  return filter.events.length === 0 || filter.events.includes(event.event);
}

export const filters = (filter: EventFilter): boolean => Boolean(filter.queueId) || filter.events.length > 0;
