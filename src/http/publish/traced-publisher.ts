/**
 * A Publisher whose every record gets a producer span (OpenTelemetry's messaging conventions:
 * `send <topic>`, messaging.system kafka, the destination, key, partition and offset Kafka
 * assigned, or the failure's code and outcome) and carries its W3C trace context in its
 * headers, so that a consumer's span joins the trace. Used only when tracing is on: the plain
 * publisher is untouched otherwise.
 */
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { withTraceHeaders } from '../../tracing/kafka-headers.js';
import type { TraceSpan, Tracing } from '../../tracing/tracing.js';
import { produceFailure } from '../errors/failure-answer.js';
import type { Publisher } from './publisher.js';

/** Keys are for partitioning: a short text one is telling in a trace, a long or binary one is not. */
const MAX_KEY_ATTRIBUTE = 256;

function keyAttribute(key: OutgoingMessage['key']): string | undefined {
  if (key === null || key === undefined) return undefined;
  const text = typeof key === 'string' ? key : key.toString('utf8');
  return text.length <= MAX_KEY_ATTRIBUTE && !text.includes('\ufffd') ? text : undefined;
}

function started(tracing: Tracing, msg: OutgoingMessage, parent: TraceSpan | undefined): { span: TraceSpan; traced: OutgoingMessage } {
  const { span, headers } = tracing.producerSpan(
    `send ${msg.topic}`,
    {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': msg.topic,
      'messaging.kafka.message.key': keyAttribute(msg.key),
      'messaging.kafka.message.tombstone': msg.value === null ? true : undefined,
    },
    parent,
  );
  return { span, traced: { ...msg, headers: withTraceHeaders(msg.headers, headers) } };
}

function settled(span: TraceSpan, outcome: Delivery | unknown): void {
  if (outcome instanceof Error || !(outcome as Delivery | undefined)?.topic) {
    const f = produceFailure(outcome);
    span.setAttributes({ 'error.type': f.code, 'streamforge.outcome': f.outcome, 'http.response.status_code': f.statusCode });
    span.end(f.message);
    return;
  }
  const d = outcome as Delivery;
  span.setAttributes({ 'messaging.destination.partition.id': String(d.partition), 'messaging.kafka.offset': d.offset });
  span.end();
}

/** `inner`, its records traced as children of `parent` (a request's server span). */
export function tracedPublisher(inner: Publisher, tracing: Tracing, parent: TraceSpan | undefined): Publisher {
  return {
    ...inner,
    async publish(msg) {
      const { span, traced } = started(tracing, msg, parent);
      try {
        const delivery = await inner.publish(traced);
        settled(span, delivery);
        return delivery;
      } catch (err) {
        settled(span, err);
        throw err;
      }
    },
    async publishMany(msgs) {
      const spans: TraceSpan[] = [];
      const traced = msgs.map((m) => {
        const s = started(tracing, m, parent);
        spans.push(s.span);
        return s.traced;
      });
      try {
        const outcomes = await inner.publishMany(traced);
        outcomes.forEach((o, i) => settled(spans[i] as TraceSpan, o));
        return outcomes;
      } catch (err) {
        for (const s of spans) settled(s, err);
        throw err;
      }
    },
  };
}
