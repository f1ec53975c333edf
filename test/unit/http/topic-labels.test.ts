import { describe, expect, it } from '@jest/globals';
import { OTHER_TOPICS, TopicLabels, UNKNOWN_TOPIC } from '../../../src/http/topic-labels.js';

describe('TopicLabels', () => {
  const make = (max: number, existing: readonly string[]) => {
    const overflow: number[] = [];
    const labels = new TopicLabels({ max, exists: (t) => existing.includes(t), overflowed: (n) => overflow.push(n) });
    return { labels, overflow };
  };

  it('counts a name the cluster does not have under one value, however many there are', () => {
    const { labels, overflow } = make(3, ['orders']);
    const seen = new Set(Array.from({ length: 10_000 }, (_, i) => labels.of(`made-up-${i}`)));
    expect([...seen]).toEqual([UNKNOWN_TOPIC]);
    expect(labels.of('orders')).toBe('orders');
    expect(overflow).toEqual([]);
  });

  it('names at most `max` topics; the rest share one value, each record counted as an overflow', () => {
    const { labels, overflow } = make(2, ['a', 'b', 'c']);
    expect([labels.of('a'), labels.of('b'), labels.of('c', 5), labels.of('a')]).toEqual(['a', 'b', OTHER_TOPICS, 'a']);
    expect(overflow).toEqual([5]);
  });

  it('takes the caller at its word that a topic exists (Kafka acknowledged it)', () => {
    const { labels } = make(5, []);
    expect(labels.of('acknowledged', 1, true)).toBe('acknowledged');
    // named once, named since: the catalog need not know it any more
    expect(labels.of('acknowledged')).toBe('acknowledged');
    expect(labels.of('other')).toBe(UNKNOWN_TOPIC);
  });
});
