import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/observability/logger.js';

async function capture(format: 'json' | 'text', write: (l: ReturnType<typeof createLogger>) => void): Promise<string> {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  const logger = createLogger({ level: 'debug', format, stream, fields: { queue_id: 'q1' } });
  write(logger);
  await new Promise((r) => setImmediate(r));
  return out;
}

describe('the logger', () => {
  it('writes one JSON object per line with time, level, msg and fields', async () => {
    const out = await capture('json', (l) => l.info('event sent', { event: 'pong', partition: 1 }));
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(line).toMatchObject({ level: 'info', msg: 'event sent', queue_id: 'q1', event: 'pong', partition: 1 });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('masks secret-looking fields, nested ones too', async () => {
    const out = await capture('json', (l) =>
      l.warn('connecting', { password: 'hunter2', props: { 'sasl.password': 'hunter3', 'client.id': 'x' } }),
    );
    expect(out).not.toMatch(/hunter2|hunter3/);
    expect(out).toContain('"client.id":"x"');
  });

  it('writes a compact text line for humans', async () => {
    const out = await capture('text', (l) => l.info('ready', { port: 8000 }));
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info +ready queue_id=q1 port=8000\n$/);
  });
});
