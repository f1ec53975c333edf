/** Profiles, not property names: what each kind of client gets from src/kafka/client-props.ts. */
import { describe, expect, it } from '@jest/globals';
import { producerProps, readerProps } from '../../../src/kafka/client-props.js';

describe('client profiles', () => {
  it('an ingest producer waits for every in-sync replica, idempotently, and gives up at its delivery timeout', () => {
    const props = producerProps({ kind: 'ingest', deliveryTimeoutMs: 7000, compression: 'zstd', batchSize: 500, maxRetries: 3 });
    expect(props).toMatchObject({
      acks: 'all',
      'enable.idempotence': true,
      'compression.codec': 'zstd',
      'batch.num.messages': 500,
      'message.send.max.retries': 3,
      'message.timeout.ms': 7000,
      'topic.metadata.propagation.max.ms': 7000,
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
});
