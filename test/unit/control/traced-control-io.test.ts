/**
 * control/traced-control-io.ts: a command's span carries its context in the record's headers
 * and ends when the command is answered (a ping by its pong, a stop by the queue's terminal
 * event), or as unanswered at close. A recording stand-in for the tracer isolates the rules;
 * the real SDK and Jaeger are in test/integration/tracing.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import type { ControlIo, EventListener } from '../../../src/control/control-io.js';
import { tracedControlIo } from '../../../src/control/traced-control-io.js';
import { commandRecord, makeCommand } from '../../../src/protocol/commands.js';
import type { ReceivedEvent } from '../../../src/protocol/types.js';
import type { Tracing } from '../../../src/tracing/tracing.js';

function setUp() {
  const ended: Array<{ name: string; error: string | undefined; attributes: Record<string, unknown> }> = [];
  const sentHeaders: Array<Readonly<Record<string, string>> | undefined> = [];
  let listener: EventListener = () => undefined;
  const io: ControlIo = {
    listen: async (l) => {
      listener = l;
    },
    send: async (_record, headers) => {
      sentHeaders.push(headers);
      return { partition: 1, offset: 7 };
    },
    close: async () => undefined,
  };
  const tracing = {
    producerSpan: (name: string) => {
      const attributes: Record<string, unknown> = {};
      return {
        span: {
          traceId: 'f'.repeat(32),
          setAttributes: (a: Record<string, unknown>) => Object.assign(attributes, a),
          end: (error?: string) => ended.push({ name, error, attributes }),
        },
        headers: { traceparent: `00-${'f'.repeat(32)}-${'1'.repeat(16)}-01` },
      };
    },
  } as unknown as Tracing;
  const traced = tracedControlIo(io, tracing, 'queue-control');
  const events: string[] = [];
  return { traced, ended, sentHeaders, events, deliver: (e: Partial<ReceivedEvent>) => listener(e as ReceivedEvent, 0) };
}

describe('tracedControlIo', () => {
  it("sends the trace context with the command, and ends the span when its pong comes (not another ping's)", async () => {
    const { traced, ended, sentHeaders, deliver } = setUp();
    await traced.listen(() => undefined);
    const ping = makeCommand('q1', 'ping', Date.now());
    await traced.send(commandRecord(ping));
    expect(sentHeaders).toEqual([{ traceparent: expect.stringMatching(/^00-/) }]);
    deliver({ event: 'pong', queue_id: 'q1', command_id: 'another' } as Partial<ReceivedEvent>);
    expect(ended).toEqual([]);
    deliver({ event: 'pong', queue_id: 'q1', command_id: ping.command_id } as Partial<ReceivedEvent>);
    expect(ended).toEqual([
      {
        name: 'ping q1',
        error: undefined,
        attributes: expect.objectContaining({ 'streamforge.reply.event': 'pong', 'messaging.kafka.offset': 7 }),
      },
    ]);
  });

  it("ends a stop's span at the queue's terminal event, and what was never answered at close, as such", async () => {
    const { traced, ended, deliver } = setUp();
    await traced.listen(() => undefined);
    await traced.send(commandRecord(makeCommand('q2', 'stop', Date.now())));
    await traced.send(commandRecord(makeCommand('q3', 'ping', Date.now())));
    deliver({ event: 'loading', queue_id: 'q2', finished: false });
    deliver({ event: 'interrupted', queue_id: 'q2', finished: true });
    expect(ended.map((e) => [e.name, e.error])).toEqual([['stop q2', undefined]]);
    await traced.close();
    expect(ended.map((e) => [e.name, e.error])).toEqual([
      ['stop q2', undefined],
      ['ping q3', 'no answer'],
    ]);
  });
});
