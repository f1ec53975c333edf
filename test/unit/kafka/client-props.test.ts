/** Profiles, not property names: what each kind of client gets from src/kafka/client-props.ts. */
import { describe, expect, it } from '@jest/globals';
import { producerProps, readerProps, splitTopicProps } from '../../../src/kafka/client-props.js';

const ingest = {
  kind: 'ingest',
  deliveryTimeoutMs: 7000,
  compression: 'zstd',
  partitioner: 'murmur2_random',
  batchSize: 500,
  maxRetries: 3,
} as const;

describe('client profiles', () => {
  it('an ingest producer waits for every in-sync replica, idempotently, and gives up at its delivery timeout', () => {
    const props = producerProps(ingest);
    expect(props).toMatchObject({
      acks: 'all',
      'enable.idempotence': true,
      'compression.codec': 'zstd',
      partitioner: 'murmur2_random',
      'batch.num.messages': 500,
      'message.send.max.retries': 3,
      'message.timeout.ms': 7000,
      'topic.metadata.propagation.max.ms': 3500,
    });
  });

  it('a control producer sends at once (no linger, no Nagle), idempotently', () => {
    const control = { kind: 'control', deliveryTimeoutMs: 5000 } as const;
    expect(producerProps(control)).toEqual({
      'linger.ms': 0,
      'socket.nagle.disable': true,
      'enable.idempotence': true,
      'message.timeout.ms': 5000,
    });
  });

  it('readers: batches report partition ends; memory-bound and viewer readers prefetch little; bulk fetches again at once', () => {
    expect(readerProps('latency', false)).not.toHaveProperty('enable.partition.eof');
    expect(readerProps('latency', true)).toMatchObject({ 'enable.partition.eof': true, 'fetch.wait.max.ms': 10 });
    expect(readerProps('bounded-memory', true)).toMatchObject({ 'queued.max.messages.kbytes': 1024, 'fetch.max.bytes': 1024 * 1024 });
    expect(readerProps('viewer', true)['queued.max.messages.kbytes']).toBeLessThan(65536);
    expect(readerProps('bulk', true)).toMatchObject({ 'fetch.queue.backoff.ms': 1 });
  });

  it('splits the topic-level properties off (node-rdkafka drops them among the global ones)', () => {
    const props = producerProps(ingest);
    const { global, topic } = splitTopicProps({ ...props, 'bootstrap.servers': 'b:9092', 'auto.offset.reset': 'earliest' });
    expect(topic).toEqual({ acks: 'all', partitioner: 'murmur2_random', 'message.timeout.ms': 7000, 'auto.offset.reset': 'earliest' });
    expect(global).toMatchObject({ 'bootstrap.servers': 'b:9092', 'compression.codec': 'zstd', 'enable.idempotence': true });
    expect(Object.keys(global).filter((k) => k in topic)).toEqual([]);
  });
});
