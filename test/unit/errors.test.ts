/** The failure table (errors.ts): each row's answer, and the rules the rows keep between them. */
import { describe, expect, it } from '@jest/globals';
import { failureMeanings, HttpError, KafkaError, type KafkaErrorKind } from '../../src/errors.js';
import { produceErrorStatuses } from '../../src/http/errors/documented-responses.js';
import { kafkaRestBody, mostTelling, v2EntryCode } from '../../src/http/errors/kafka-rest-errors.js';
import { AdmissionBudget } from '../../src/http/publish/admission.js';
import { tooBusy } from '../../src/http/publish/publish.js';
import type { HttpMetrics } from '../../src/http/http-metrics.js';

const kinds = Object.keys(failureMeanings) as KafkaErrorKind[];

describe('failureMeanings', () => {
  it.each(kinds)('%s: the answer built from its row carries its status, code, outcome, Retry-After and Confluent codes', (kind) => {
    const row = failureMeanings[kind];
    const err = HttpError.of(kind, 'what and why');
    expect([err.statusCode, err.code, err.outcome, err.kind, err.hint]).toEqual([row.status, row.code, row.outcome, kind, row.hint]);
    expect(err.headers['retry-after']).toBe(row.retryAfterS === undefined ? undefined : String(row.retryAfterS));
    expect(kafkaRestBody(err).error_code).toBe(row.kafkaRestCode);
    expect(v2EntryCode(err)).toBe(row.kafkaRestEntryCode);
    expect(new KafkaError('SF_KAFKA', kind, 'm', 'h').retriable).toBe(row.retriable);
  });

  it('a retriable failure wrote nothing and says when to retry; an unknown outcome never says "retry"', () => {
    for (const kind of kinds) {
      const row = failureMeanings[kind];
      if (row.retriable) expect([kind, row.outcome, typeof row.retryAfterS]).toEqual([kind, 'not_written', 'number']);
      if (row.outcome === 'unknown') expect([kind, row.retryAfterS, row.rank]).toEqual([kind, undefined, 1]);
    }
  });

  it("librdkafka's full queue answers as the server's full budget does: the same 429, Retry-After, code and 42901", () => {
    const budget = new AdmissionBudget({ records: 1, bytes: 100 });
    budget.take(1, 1);
    const refusal = budget.take(1, 1);
    if (!refusal) throw new Error('the budget should refuse');
    const refusedBy: string[] = [];
    const metrics = { refused: (bound: string) => refusedBy.push(bound) } as unknown as HttpMetrics;
    const busy = tooBusy({ admission: budget, metrics }, refusal);
    expect(refusedBy).toEqual(['records']);
    const queue = HttpError.of('backpressure', 'the local producer queue is full');
    for (const err of [busy, queue]) {
      expect([err.statusCode, err.code, err.outcome, err.headers, kafkaRestBody(err).error_code]).toEqual([
        429,
        'SF_HTTP_BUSY',
        'not_written',
        { 'retry-after': '1' },
        42901,
      ]);
    }
  });

  it('every status of the table is documented on the produce routes', () => {
    for (const row of Object.values(failureMeanings)) expect(produceErrorStatuses).toContain(row.status);
  });

  it('when no record was written, the answer is the most telling failure: an unknown outcome, then a refused record, then unavailable', () => {
    const [partition, unavailable, refused, unknown] = (
      ['no-such-partition', 'not-written', 'invalid-record', 'outcome-unknown'] as const
    ).map((k) => HttpError.of(k, k)) as [HttpError, HttpError, HttpError, HttpError];
    const badKey = new HttpError(400, 'SF_HTTP_VALIDATION', 'key', 'hint');
    expect(mostTelling([partition, unavailable, refused, unknown])).toBe(unknown);
    expect(mostTelling([partition, unavailable, refused])).toBe(refused);
    expect(mostTelling([badKey, partition, unavailable])).toBe(unavailable);
    expect(mostTelling([badKey, partition])).toBe(badKey);
  });
});
