/** tracing/kafka-headers.ts: W3C trace context in and out of Kafka record headers. */
import { describe, expect, it } from '@jest/globals';
import { fromKafkaHeaders, withTraceHeaders } from '../../../src/tracing/kafka-headers.js';

describe('kafka headers', () => {
  it('reads traceparent and tracestate (Buffers or strings), and nothing else', () => {
    expect(fromKafkaHeaders([{ traceparent: Buffer.from('00-a-b-01') }, { other: 'x' }, { tracestate: 'k=v' }])).toEqual({
      traceparent: '00-a-b-01',
      tracestate: 'k=v',
    });
    expect(fromKafkaHeaders(undefined)).toEqual({});
  });

  it("adds the trace context after a record's own headers, leaving them as they were", () => {
    const own = [{ a: Buffer.from('1') }];
    expect(withTraceHeaders(own, { traceparent: 'tp' })).toEqual([{ a: Buffer.from('1') }, { traceparent: 'tp' }]);
    expect(own).toEqual([{ a: Buffer.from('1') }]);
    expect(withTraceHeaders(undefined, {})).toEqual([]);
  });
});
