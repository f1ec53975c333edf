/**
 * kafka/producer.ts against the real broker: what a send promises (Kafka's own partition and
 * offset, outcomes in order) and the kinds its failures are mapped to (error-map.ts), which the
 * HTTP layer's failure table reads. Through the ingest profile serve-producer uses.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { KafkaError } from '../../../src/errors.js';
import { KafkaProducer } from '../../../src/kafka/producer.js';
import { createLogger } from '../../../src/observability/logger.js';
import { connectionOfEnv, requireBroker } from '../../support/broker.js';
import { createTopic } from '../../support/kafka-admin.js';
import { readTopic } from '../../support/kcat.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const topic = `producer-${randomBytes(4).toString('hex')}`;
const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough() });
const ingest = {
  kind: 'ingest',
  deliveryTimeoutMs: 10_000,
  compression: 'lz4',
  partitioner: 'murmur2_random',
  batchSize: 1000,
  maxRetries: 5,
} as const;
let producer: KafkaProducer;

beforeAll(async () => {
  await createTopic(broker, topic, 2);
  producer = await KafkaProducer.connect(connectionOfEnv(broker), { clientId: 'producer-test', logger, profile: ingest });
});
afterAll(async () => producer?.close(5000));

describe('KafkaProducer (real broker)', () => {
  it("send answers with Kafka's own partition and offset, which a consumer then reads there", async () => {
    const d = await producer.send({ topic, partition: 1, key: 'k1', value: '{"n":1}' });
    expect([d.topic, d.partition]).toEqual([topic, 1]);
    const read = (await readTopic(broker, topic)).find((r) => r.key === 'k1');
    expect([read?.partition, read?.offset, read?.payload]).toEqual([1, d.offset, '{"n":1}']);
  });

  it('sendMany gives one outcome per message, in order, each failure its own: one bad record sinks no other', async () => {
    const outcomes = await producer.sendMany([
      { topic, partition: 0, key: 'a', value: 'a' },
      { topic, partition: 7, key: 'b', value: 'b' },
      { topic, partition: 0, key: 'c', value: 'c' },
    ]);
    expect(outcomes.map((o) => (o instanceof KafkaError ? o.kind : 'delivered'))).toEqual(['delivered', 'no-such-partition', 'delivered']);
    const [a, , c] = outcomes as [{ offset: number }, unknown, { offset: number }];
    expect(c.offset).toBe(a.offset + 1);
  });

  it('a topic that does not exist is the kind no-such-topic, not retriable, in its own words', async () => {
    const missing = `producer-missing-${randomBytes(4).toString('hex')}`;
    const err = await producer.send({ topic: missing, value: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect([(err as KafkaError).kind, (err as KafkaError).retriable, (err as KafkaError).message]).toEqual([
      'no-such-topic',
      false,
      `Topic ${missing} not found`,
    ]);
  });

  it("librdkafka's full local queue is the kind backpressure: retriable, nothing written", async () => {
    // a queue of 1 KiB refuses a 2 KiB record at once, however empty it is
    const small = await KafkaProducer.connect(
      { ...connectionOfEnv(broker), extra: { 'queue.buffering.max.kbytes': '1' } },
      { clientId: 'producer-test-small-queue', logger, profile: ingest },
    );
    try {
      const [full, fits] = await small.sendMany([
        { topic, partition: 0, key: 'big', value: 'x'.repeat(2048) },
        { topic, partition: 0, key: 'small', value: 'y' },
      ]);
      expect(full).toBeInstanceOf(KafkaError);
      expect([(full as KafkaError).kind, (full as KafkaError).retriable]).toEqual(['backpressure', true]);
      expect((full as KafkaError).message).toMatch(/local producer queue is full/);
      expect(fits).not.toBeInstanceOf(Error);
    } finally {
      await small.close(5000);
    }
    expect((await readTopic(broker, topic)).map((r) => r.key)).not.toContain('big');
  });
});
