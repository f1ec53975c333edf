/** Events on the wire: the ones we build (events.ts) and decoding the fleet's (codec.ts). */
import { describe, expect, it } from '@jest/globals';
import { decodeEvent, encode } from '../../../src/protocol/codec.js';
import { pongEvent, statusEvent, type ServiceContext } from '../../../src/protocol/events.js';

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
const ctx: ServiceContext = {
  queue_id: 'q1',
  symbol: 'BTCUSDT',
  type: 'api',
  producer: 'loader',
  time_range: '2024-01-01:2024-01-02',
  kafka_topic: 'data',
};

describe('events', () => {
  it('builds complete status events and a terminal flag', () => {
    const started = statusEvent(ctx, 'started', 'up', 0, 1_754_202_651_997);
    expect(started).toEqual({
      event: 'started',
      status: 'started',
      queue_id: 'q1',
      symbol: 'BTCUSDT',
      type: 'api',
      producer: 'loader',
      sent_at: 1754202651.997,
      timestamp: 1754202651.997,
      message: 'up',
      finished: false,
      records_written: 0,
      time_range: '2024-01-01:2024-01-02',
      kafka_topic: 'data',
    });
    const error = statusEvent(ctx, 'error', 'failed', 10, 1000, 'boom');
    expect(error).toMatchObject({ finished: true, error_message: 'boom' });
    expect(decodeEvent(encode(error)).ok).toBe(true);
  });

  it('copies ping_ts and command_id into the pong exactly', () => {
    const pong = pongEvent(ctx, { queue_id: 'q1', command: 'ping', sent_at: 1754202651.997, command_id: 'c1' }, 1_754_202_652_045);
    expect(pong).toMatchObject({ event: 'pong', ping_ts: 1754202651.997, ponged_at: 1754202652.045, command_id: 'c1' });
    const legacy = pongEvent(ctx, { queue_id: 'q1', command: 'ping', sent_at: 5.5 }, 6000);
    expect(legacy).not.toHaveProperty('command_id');
  });

  it('answers a command without sent_at with ping_ts null, as the legacy dummy does, and readers accept it', () => {
    const pong = pongEvent(ctx, { queue_id: 'q1', command: 'ping' }, 6000);
    expect(pong).toMatchObject({ event: 'pong', ping_ts: null, ponged_at: 6 });
    expect(JSON.parse(encode(pong).toString())).toHaveProperty('ping_ts', null);
    expect(decodeEvent(encode(pong))).toEqual({ ok: true, value: JSON.parse(encode(pong).toString()) });
  });

  it('accepts legacy events: no timestamp, status or command_id, extra fields', () => {
    expect(decodeEvent(json({ event: 'pong', queue_id: 'q1', ping_ts: 1754202651.997, ponged_at: 1754202652.045 })).ok).toBe(true);
    expect(decodeEvent(json({ event: 'started', queue_id: 'q1', kafka_user: 'legacy' })).ok).toBe(true);
  });

  it('rejects a pong without ping_ts and an unknown event', () => {
    expect(decodeEvent(json({ event: 'pong', queue_id: 'q1' })).ok).toBe(false);
    expect(decodeEvent(json({ event: 'exploded', queue_id: 'q1' })).ok).toBe(false);
  });

  it('never puts secrets into events', () => {
    const text = JSON.stringify(statusEvent(ctx, 'started', 'up', 0, 0));
    expect(text).not.toMatch(/kafka_user|password|sasl/i);
  });
});
