/**
 * A ControlIo whose commands are traced: each command gets a producer span (`ping <queue>`,
 * `stop <queue>`) whose W3C context goes into the command record's headers, so the service's
 * spans join its trace; the span ends when the command is answered: the pong that carries its
 * command_id, or for a stop the queue's terminal event. One ping is one trace across the
 * processes. Used only when tracing is on.
 */
import type { ReceivedEvent } from '../protocol/types.js';
import type { TraceSpan, Tracing } from '../tracing/tracing.js';
import type { ControlIo } from './control-io.js';

interface Pending {
  readonly span: TraceSpan;
  readonly command: string;
  readonly queueId: string;
}

/** The command a received event answers, among those waiting. */
function answered(pending: ReadonlyMap<string, Pending>, event: ReceivedEvent): string | undefined {
  const id = (event as { command_id?: unknown }).command_id;
  if (event.event === 'pong' && typeof id === 'string' && pending.has(id)) return id;
  if (!event.finished) return undefined;
  for (const [commandId, p] of pending) if (p.command === 'stop' && (p.queueId === '*' || p.queueId === event.queue_id)) return commandId;
  return undefined;
}

export function tracedControlIo(io: ControlIo, tracing: Tracing, controlTopic: string): ControlIo {
  const pending = new Map<string, Pending>();
  return {
    listen: (onEvent) =>
      io.listen((event, arrival) => {
        const id = answered(pending, event);
        const p = id === undefined ? undefined : pending.get(id);
        if (p && id !== undefined) {
          pending.delete(id);
          p.span.setAttributes({ 'streamforge.reply.event': event.event, 'streamforge.reply.queue_id': event.queue_id });
          p.span.end();
        }
        onEvent(event, arrival);
      }),
    async send(record, headers) {
      const { command } = record;
      const { span, headers: trace } = tracing.producerSpan(`${command.command} ${command.queue_id}`, {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': controlTopic,
        'messaging.kafka.message.key': record.key,
        'streamforge.command': command.command,
        'streamforge.queue_id': command.queue_id,
        'streamforge.command_id': command.command_id,
      });
      pending.set(command.command_id, { span, command: command.command, queueId: command.queue_id });
      try {
        const delivered = await io.send(record, { ...headers, ...trace });
        span.setAttributes({
          'messaging.destination.partition.id': String(delivered.partition),
          'messaging.kafka.offset': delivered.offset,
        });
        return delivered;
      } catch (err) {
        pending.delete(command.command_id);
        span.end((err as Error).message);
        throw err;
      }
    },
    async close() {
      // what was never answered (a timeout, Ctrl-C) ends as such
      for (const p of pending.values()) p.span.end('no answer');
      pending.clear();
      await io.close();
    },
  };
}
