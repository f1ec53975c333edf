/** Commands on the wire: decoding what the fleet sends (codec.ts) and building ours (commands.ts). */
import { describe, expect, it } from '@jest/globals';
import { decodeCommand, MAX_COMMAND_BYTES } from '../../../src/protocol/codec.js';

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

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
