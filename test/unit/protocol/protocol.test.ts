import { describe, expect, it } from '@jest/globals';
import { decodeCommand, decodeEvent, encode, MAX_COMMAND_BYTES } from '../../../src/protocol/codec.js';
import { pongEvent, statusEvent, type ServiceContext } from '../../../src/protocol/events.js';
import { inspectJson } from '../../../src/protocol/json-safety.js';
import { describeSchemaErrors, inspectedValidators, validators } from '../../../src/protocol/validators.js';

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
const ctx: ServiceContext = {
  queue_id: 'q1',
  symbol: 'BTCUSDT',
  type: 'api',
  producer: 'loader',
  time_range: '2024-01-01:2024-01-02',
  kafka_topic: 'data',
};

describe('commands', () => {
  it('accepts a command, with or without command_id, and extra fields', () => {
    expect(decodeCommand(json({ queue_id: 'q1', command: 'ping', sent_at: 1754202651.997 }))).toEqual({
      ok: true,
      value: { queue_id: 'q1', command: 'ping', sent_at: 1754202651.997 },
    });
    expect(decodeCommand(json({ queue_id: '*', command: 'stop', sent_at: 1, command_id: 'x', extra: [1] })).ok).toBe(true);
  });

  // docs/protocol.md: the fleet sends every one of these, and a service must act on each.
  it.each([
    ["the loaders' tests: no sent_at, no command_id", '{"command": "stop", "queue_id": "test-queue-id"}'],
    [
      'debug_producer.py: sent_at, no command_id',
      '{"queue_id": "loader-btcusdt-dummy-2024-06-01-testid", "command": "ping", "sent_at": 1754202651.997}',
    ],
    ['ours: every field, to every queue', '{"queue_id": "*", "command": "ping", "sent_at": 1754202651.997, "command_id": "3f0c6a4e"}'],
    ['sent_at null', '{"queue_id": "q1", "command": "ping", "sent_at": null}'],
  ])("accepts the fleet's shape: %s", (_what, text) => {
    const d = decodeCommand(Buffer.from(text));
    expect(d).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it.each([
    ['not JSON', Buffer.from('ping please'), /^not JSON/],
    ['empty', Buffer.alloc(0), /^empty message$/],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x81]), /^not UTF-8 text/],
    ['a JSON array', json([1, 2]), /^not a JSON object$/],
    ['a wrong type', json({ queue_id: 'q1', command: 'ping', sent_at: 'now' }), /^sent_at must be number or null$/],
    [
      'an unknown command',
      json({ queue_id: 'q1', command: 'reboot', sent_at: 1 }),
      /command must be equal to one of the allowed values: ping, stop/,
    ],
    ['an empty queue id', json({ queue_id: '', command: 'ping', sent_at: 1 }), /queue_id must NOT have fewer than 1 characters/],
    ['no queue id', json({ command: 'ping' }), /^message must have required property 'queue_id'$/],
    ['no command', json({ queue_id: 'q1', sent_at: 1 }), /^message must have required property 'command'$/],
  ])('rejects %s with a reason', (_what, value, reason) => {
    const d = decodeCommand(value);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(reason);
  });

  it('skips a command larger than any command can be by its size, without decoding it', () => {
    // 50,000-deep JSON would parse; a megabyte of text would become a megabyte string: neither is read
    for (const garbage of [Buffer.alloc(1024 * 1024, 'x{'), Buffer.from(`{"command":${'['.repeat(50_000)}${']'.repeat(50_000)}}`)]) {
      const d = decodeCommand(garbage);
      expect(d).toEqual({
        ok: false,
        reason: `${garbage.length} bytes: larger than a command can be (at most ${MAX_COMMAND_BYTES} bytes)`,
      });
    }
    // the limit itself is a command like any other
    const head = '{"command": "ping", "queue_id": "q", "pad": "';
    const atLimit = Buffer.from(head + 'x'.repeat(MAX_COMMAND_BYTES - head.length - 2) + '"}');
    expect(atLimit.length).toBe(MAX_COMMAND_BYTES);
    expect(decodeCommand(atLimit).ok).toBe(true);
  });
});

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

describe('inspectedValidators: produce requests whose body json-safety has inspected', () => {
  const inspectedProduce = inspectedValidators().produceRequest;
  const fullProduce = validators().produceRequest;
  const verdict = (v: typeof fullProduce, body: unknown) => (v(body) ? 'valid' : describeSchemaErrors(v.errors));

  it('decide every field the schema names exactly as the full validator does', () => {
    const bodies: unknown[] = [
      { topic: 't', message: { a: [1, { b: null }] } },
      { topic: 't', key: 'k', partition: 2, headers: { h: 'v' }, message: 'text' },
      { topic: '', message: 1 },
      { topic: '..', message: 1 },
      { topic: 't' },
      { topic: 't', message: null },
      { topic: 't', message: 1, partition: -1 },
      { topic: 't', message: 1, headers: { h: 1 } },
      { topic: 't', message: 1, extra: true },
      { topic: 7, key: 3, message: 1 },
    ];
    for (const body of bodies) expect(verdict(inspectedProduce, body)).toBe(verdict(fullProduce, body));
  });

  it('leave the poisoning check to the inspection, which refuses what the full validator refuses', () => {
    const text = '{"topic":"t","message":{"ok":[{"__proto__":{"isAdmin":true}}]}}';
    const poisoned = JSON.parse(text) as unknown;
    expect(fullProduce(poisoned)).toBe(false);
    expect(inspectJson(poisoned, text)).toEqual({ kind: 'poison', key: '__proto__', path: expect.stringContaining('ok') });
  });
});

describe('inspectJson', () => {
  const nested = (levels: number, leaf: string): string => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;

  it('refuses the first container at MAX_JSON_DEPTH, whatever primitives sit beside it', () => {
    const at = (levels: number) => {
      const text = `{"pad":"${'x'.repeat(600)}","n":[1,"a",null,true],"deep":${nested(levels, '1')}}`;
      return inspectJson(JSON.parse(text) as unknown, text);
    };
    // the object is depth 0, so its `deep` array of arrays reaches depth `levels`
    expect(at(255)).toBeUndefined();
    expect(at(256)).toEqual({ kind: 'depth' });
  });

  it('names the path of a forbidden key inside arrays and objects', () => {
    const text = '[1,{"a":"b"},{"items":[null,{"x":{"__proto__":1}}]}]';
    expect(inspectJson(JSON.parse(text) as unknown, text)).toEqual({ kind: 'poison', key: '__proto__', path: '[2].items[1].x.__proto__' });
    const ctor = '{"k":[{"constructor":{"prototype":{}}}]}';
    expect(inspectJson(JSON.parse(ctor) as unknown, ctor)).toEqual({
      kind: 'poison',
      key: 'constructor.prototype',
      path: 'k[0].constructor',
    });
  });

  it('passes a long batch of plain items', () => {
    const text = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ topic: 't', key: `k${i}`, message: { a: [i, { b: null }] } })));
    expect(inspectJson(JSON.parse(text) as unknown, text)).toBeUndefined();
  });
});
