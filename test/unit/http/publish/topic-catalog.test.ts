/** The topic catalog on a hand-driven clock: what it asks the cluster, and when. */
import { describe, expect, it } from '@jest/globals';
import type { TopicInfo } from '../../../../src/kafka/topics.js';
import { TopicCatalog } from '../../../../src/http/publish/topic-catalog.js';

function cluster(topics: Record<string, number>) {
  const state = { topics, requests: 0, now: 0, fail: false };
  const catalog = new TopicCatalog({
    maxAgeMs: 10_000,
    missRefreshMs: 500,
    timeoutMs: 1000,
    now: () => state.now,
    fetch: async (): Promise<TopicInfo[]> => {
      state.requests++;
      if (state.fail) throw new Error('no broker answered');
      return Object.entries(state.topics).map(([name, n]) => ({
        name,
        partitions: Array.from({ length: n }, (_, id) => ({ id, leader: 1, replicas: [1], isrs: [1] })),
      }));
    },
  });
  return { state, catalog };
}

describe('TopicCatalog', () => {
  it('one request serves lookups until maxAgeMs; then it asks again', async () => {
    const { state, catalog } = cluster({ a: 1 });
    expect((await catalog.topic('a'))?.partitions).toHaveLength(1);
    state.now = 9_999;
    await catalog.topic('a');
    expect(state.requests).toBe(1);
    state.now = 10_000;
    await catalog.topic('a');
    expect(state.requests).toBe(2);
  });

  it('a name not found is asked for again on its first lookup, then at most every missRefreshMs', async () => {
    const { state, catalog } = cluster({ a: 1 });
    await catalog.topic('a');
    state.topics = { a: 1, b: 2 };
    // created since the last answer: found on its first lookup
    expect((await catalog.topic('b'))?.name).toBe('b');
    expect(state.requests).toBe(2);
    // a missing name: asked for once, then not again within the interval, however often
    expect(await catalog.topic('x')).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(await catalog.topic('x')).toBeUndefined();
    expect(state.requests).toBe(3);
    state.now = 500;
    state.topics = { a: 1, b: 2, x: 1 };
    expect((await catalog.topic('x'))?.name).toBe('x');
    expect(state.requests).toBe(4);
  });

  it('the first lookup ever asks once, not twice, for a missing name', async () => {
    const { state, catalog } = cluster({ a: 1 });
    expect(await catalog.topic('missing')).toBeUndefined();
    expect(state.requests).toBe(1);
  });

  it('partitions: found, no-partition, no-topic; a partition added since is asked for', async () => {
    const { state, catalog } = cluster({ a: 2 });
    expect((await catalog.partition('a', 1)).kind).toBe('found');
    expect((await catalog.partition('a', undefined)).kind).toBe('found');
    state.topics = { a: 3 };
    expect((await catalog.partition('a', 2)).kind).toBe('found');
    expect((await catalog.partition('a', 5)).kind).toBe('no-partition');
    expect((await catalog.partition('z', 0)).kind).toBe('no-topic');
  });

  it('concurrent lookups share one request; a failed request rejects them and the next asks again', async () => {
    const { state, catalog } = cluster({ a: 1 });
    await Promise.all([catalog.topic('a'), catalog.topic('a'), catalog.all()]);
    expect(state.requests).toBe(1);
    state.now = 20_000;
    state.fail = true;
    await expect(catalog.topic('a')).rejects.toThrow('no broker answered');
    state.fail = false;
    expect((await catalog.topic('a'))?.name).toBe('a');
  });

  it('all() lists every topic by name', async () => {
    const { catalog } = cluster({ c: 1, a: 1, b: 1 });
    expect((await catalog.all()).map((t) => t.name)).toEqual(['a', 'b', 'c']);
  });
});
