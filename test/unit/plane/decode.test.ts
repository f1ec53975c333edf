/** What watch makes of the fleet's own shapes: commands and pongs, never warnings. */
import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../src/kafka/reader.js';
import { toIncoming } from '../../../src/plane/decode.js';
import { jsonLine } from '../../../src/watch/json-lines.js';

const record = (topic: string, text: string): ReceivedMessage => ({
  topic,
  partition: 1,
  offset: 7,
  key: null,
  value: Buffer.from(text),
  timestamp: 1_700_000_000_000,
});

describe('the fleet shapes in watch', () => {
  it.each([
    '{"command": "stop", "queue_id": "test-queue-id"}',
    '{"queue_id": "loader-btcusdt-dummy-2024-06-01-testid", "command": "ping", "sent_at": 1754202651.997}',
  ])('shows the command %s, without a warning', (text) => {
    expect(toIncoming(record('queue-control', text), 'queue-control')).toMatchObject({ kind: 'command', command: JSON.parse(text) });
  });

  it('shows a pong with ping_ts null as an event, and --json prints it without a warning', () => {
    const text = '{"event": "pong", "queue_id": "test-queue-id", "ping_ts": null, "ponged_at": 1754202652.045}';
    expect(toIncoming(record('queue-events', text), 'queue-control')).toMatchObject({ kind: 'event', event: { ping_ts: null } });
    const out = JSON.parse(jsonLine(record('queue-events', text)).line) as Record<string, unknown>;
    expect(out).not.toHaveProperty('warning');
    expect(out.payload).toEqual(JSON.parse(text));
  });
});

describe('trace context in watch', () => {
  const pong = '{"event": "pong", "queue_id": "q1", "ping_ts": 1, "command_id": "c1"}';
  const traced = (traceparent: string): ReceivedMessage => ({
    ...record('queue-events', pong),
    headers: [{ traceparent: Buffer.from(traceparent) }],
  });

  it("keeps the trace id of a record's traceparent, for the detail pane", () => {
    expect(toIncoming(traced('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), 'queue-control')).toMatchObject({
      kind: 'event',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it.each(['garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', ''])('has none for the traceparent %j', (tp) => {
    expect(toIncoming(traced(tp), 'queue-control')).not.toHaveProperty('traceId');
  });
});
