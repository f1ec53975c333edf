/**
 * W3C trace context in Kafka record headers, as the Strimzi Bridge and the OpenTelemetry Kafka
 * instrumentations write it: `traceparent` (and `tracestate`) as UTF-8 header values. Pure.
 */
import type { KafkaHeaders } from './tracing.js';

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

/** The trace context headers of a record (the last of each name wins, as W3C's rule for repeats is to refuse; a malformed one starts a new trace). */
export function fromKafkaHeaders(headers: KafkaHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const h of headers) {
    for (const name in h) {
      if (!TRACE_HEADERS.has(name)) continue;
      const v = h[name];
      out[name] = typeof v === 'string' ? v : (v as Buffer).toString('utf8');
    }
  }
  return out;
}

/** A record's headers with the trace context added after its own (one header object per name, node-rdkafka's form). */
export function withTraceHeaders(
  headers: KafkaHeaders | undefined,
  trace: Readonly<Record<string, string>>,
): Array<Record<string, string | Buffer>> {
  const out: Array<Record<string, string | Buffer>> = headers ? headers.map((h) => ({ ...h })) : [];
  for (const name in trace) out.push({ [name]: trace[name] as string });
  return out;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a record's traceparent header; undefined without one, or a malformed one (or the all-zero id W3C forbids). */
export function traceIdOf(headers: KafkaHeaders | undefined): string | undefined {
  const id = TRACEPARENT.exec(fromKafkaHeaders(headers).traceparent?.trim() ?? '')?.[1];
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}
