/**
 * Group commits over a fake transactional producer (pure logic: which requests share a
 * transaction, when it commits, what every member is told); the real transactions are the
 * integration suites'.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { TransactionBatcher, type TransactionalSender } from '../../../../src/http/idempotency/transaction-batcher.js';
import type { Delivery, OutgoingMessage } from '../../../../src/kafka/producer.js';
import { TransactionError } from '../../../../src/kafka/transaction-error.js';
import type { TransactionControl } from '../../../../src/kafka/transactions.js';
import { createLogger } from '../../../../src/observability/logger.js';

const logger = createLogger({ level: 'error', format: 'json', stream: new PassThrough() });
const msg = (n: number): OutgoingMessage => ({ topic: 't', value: String(n) });

class FakeSender implements TransactionalSender {
  readonly calls: string[] = [];
  commitWith: TransactionError | undefined;
  closed = false;
  readonly transactions: TransactionControl = {
    init: async () => undefined,
    begin: async () => void this.calls.push('begin'),
    commit: async () => {
      this.calls.push('commit');
      if (this.commitWith) throw this.commitWith;
    },
    abort: async () => void this.calls.push('abort'),
  };
  async sendMany(msgs: readonly OutgoingMessage[]): Promise<Delivery[]> {
    this.calls.push(`send ${msgs.map((m) => String(m.value)).join(',')}`);
    return msgs.map((m, i) => ({ topic: m.topic, partition: 0, offset: i, timestamp: 0 }));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

async function batcherOver(...senders: FakeSender[]): Promise<{ batcher: TransactionBatcher; settled: number[] }> {
  return lanesOver(1, ...senders);
}

async function lanesOver(lanes: number, ...senders: FakeSender[]): Promise<{ batcher: TransactionBatcher; settled: number[] }> {
  const settled: number[] = [];
  let made = 0;
  const batcher = await TransactionBatcher.start({
    logger,
    lanes,
    connect: async () => senders[made++] as FakeSender,
    commitTimeoutMs: 1000,
    maxOpenMs: 10_000,
    onSettled: () => settled.push(made),
  });
  return { batcher, settled };
}

describe('TransactionBatcher', () => {
  it('requests that join together share one transaction, committed once every one has finished', async () => {
    const sender = new FakeSender();
    const { batcher } = await batcherOver(sender);
    const [a, b] = await Promise.all([batcher.join(), batcher.join()]);
    await a?.send([msg(1)]);
    await b?.send([msg(2)]);
    const doneA = a?.finish(msg(10));
    expect(sender.calls).not.toContain('commit');
    await Promise.all([doneA, b?.finish(msg(20))]);
    expect(sender.calls).toEqual(['begin', 'send 1', 'send 2', 'send 10', 'send 20', 'commit']);
  });

  it('a request arriving once the first member has finished waits for the next transaction', async () => {
    const sender = new FakeSender();
    const { batcher } = await batcherOver(sender);
    const a = await batcher.join();
    const b = await batcher.join();
    const aDone = a.finish(undefined);
    const late = batcher.join();
    await b.finish(undefined);
    await aDone;
    const c = await late;
    await c.send([msg(3)]);
    await c.finish(msg(30));
    expect(sender.calls).toEqual(['begin', 'commit', 'begin', 'send 3', 'send 30', 'commit']);
  });

  it('a member that wrote records and has no answer aborts the transaction: every member is told nothing was written', async () => {
    const sender = new FakeSender();
    const { batcher } = await batcherOver(sender);
    const [a, b] = await Promise.all([batcher.join(), batcher.join()]);
    await a?.send([msg(1)]);
    await b?.send([msg(2)]);
    const outcomes = await Promise.allSettled([a?.finish(undefined), b?.finish(msg(20))]);
    expect(sender.calls.at(-1)).toBe('abort');
    for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toMatchObject({ failure: 'aborted' });
  });

  it('a commit whose outcome is unknown: members are told so, and a new producer (whose init settles it) takes over', async () => {
    const first = new FakeSender();
    first.commitWith = new TransactionError('unknown', 'no answer');
    const second = new FakeSender();
    const { batcher, settled } = await batcherOver(first, second);
    const a = await batcher.join();
    await a.send([msg(1)]);
    await expect(a.finish(msg(10))).rejects.toMatchObject({ failure: 'unknown' });
    const b = await batcher.join();
    await b.send([msg(2)]);
    await b.finish(msg(20));
    expect(first.closed).toBe(true);
    expect(second.calls).toEqual(['begin', 'send 2', 'send 20', 'commit']);
    expect(settled).toEqual([2]);
  });

  it('with two lanes, a newcomer begins on the second while the first commits', async () => {
    const first = new FakeSender();
    const second = new FakeSender();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    first.transactions.commit = async () => {
      first.calls.push('commit');
      await held;
    };
    const { batcher } = await lanesOver(2, first, second);
    const a = await batcher.join();
    await a.send([msg(1)]);
    const aDone = a.finish(msg(10));
    const b = await batcher.join();
    await b.send([msg(2)]);
    await b.finish(msg(20));
    expect(second.calls).toEqual(['begin', 'send 2', 'send 20', 'commit']);
    release();
    await aDone;
    expect(first.calls).toEqual(['begin', 'send 1', 'send 10', 'commit']);
  });
});
