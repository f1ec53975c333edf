/**
 * Closing a reader while records stream in. node-rdkafka's disconnect drops messages its consume
 * loop has handed over but JavaScript has not taken, and librdkafka's destroy then waits for
 * them forever: ping hung at exit in 5 of 10 runs on a loaded machine. close() must finish with
 * a real disconnect, never with the 5 s "did not disconnect in time" fallback.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it, jest } from '@jest/globals';
import { KafkaProducer } from '../../../src/kafka/producer.js';
import { KafkaReader } from '../../../src/kafka/reader.js';
import { createLogger } from '../../../src/observability/logger.js';
import { brokerEnv, connectionOfEnv, requireBroker, type Listener } from '../../support/broker.js';
import { createTopic } from '../../support/kafka-admin.js';

jest.setTimeout(120_000);
const plaintext = requireBroker('plaintext');

const listeners: Listener[] = brokerEnv('sasl') ? ['plaintext', 'sasl'] : ['plaintext'];

describe.each(listeners)('KafkaReader.close() while records stream in (%s)', (listener) => {
  it.each(['flowing', 'batch'] as const)('%s mode: disconnects for real, five times in a row', async (mode) => {
    const env = brokerEnv(listener) ?? plaintext;
    const conn = connectionOfEnv(env);
    const topic = `reader-close-${randomBytes(4).toString('hex')}`;
    await createTopic(plaintext, topic, 3);
    const logLines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (d: Buffer) => logLines.push(...d.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'debug', format: 'json', stream });
    const producer = await KafkaProducer.connect(conn, { clientId: 'reader-close-test', logger, profile: { kind: 'plain' } });
    let producing = true;
    // a steady stream, so that the consume loop always has something in flight
    const pump = (async () => {
      for (let n = 0; producing; n++) {
        await producer.sendMany(Array.from({ length: 50 }, (_, i) => ({ topic, key: `k${i}`, value: `{"n":${n},"i":${i}}` })));
      }
    })();
    try {
      for (let round = 0; round < 5; round++) {
        let received = 0;
        const reader = await KafkaReader.open(conn, {
          clientId: 'reader-close-test',
          logger,
          topics: [topic],
          start: { kind: 'end' },
          ...(mode === 'batch' ? { onBatch: (msgs) => void (received += msgs.length) } : { onMessage: () => void received++ }),
        });
        while (received < 100) await new Promise((r) => setTimeout(r, 20));
        const t0 = Date.now();
        await reader.close();
        // a close that does not disconnect never returns; 10 s leaves room for a loaded machine
        expect(Date.now() - t0).toBeLessThan(10_000);
      }
      expect(logLines.filter((l) => l.includes('did not disconnect in time'))).toEqual([]);
    } finally {
      producing = false;
      await pump;
      await producer.close(5000);
    }
  });
});
