/** The server's Prometheus metrics, with the Go service's names so its dashboards keep working. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AdmissionBudget, AdmissionRefusal } from './publish/admission.js';
import type { Publisher } from './publish/publisher.js';
import { MAX_TOPIC_LABELS, OTHER_TOPICS, TopicLabels } from './topic-labels.js';

/** The produce routes, as producer_events_failed_total's `route` label names them. */
export type RouteFamily = 'produce' | 'events' | 'kafka-rest-v2' | 'kafka-rest-v3';

export interface HttpMetrics {
  request(method: string, route: string, status: number, seconds: number): void;
  /** `count` messages to `topic`, each acknowledged after `seconds` */
  published(topic: string, seconds: number, count?: number): void;
  /** `count` records (default 1) certainly not in Kafka, asked for through a route of the family `route` */
  failed(route: RouteFamily, topic: string, reason: string, count?: number): void;
  /** a message answered 504: handed to Kafka, no acknowledgement in time */
  outcomeUnknown(topic: string): void;
  batch(size: number): void;
  /** a request refused with 429: the admission budget's `bound` was reached */
  refused(bound: AdmissionRefusal['bound']): void;
  /** `count` records accepted with ?async=true (answered 204) that Kafka then did not acknowledge */
  asyncFailed(topic: string, outcome: 'not_written' | 'unknown', count: number): void;
  /** an /api/v1/events/{kind} request's outcome: what /api/v1/events/stats reports */
  typedEvent(kind: string, outcome: 'published' | 'failed'): void;
}

export const TYPED_EVENTS = 'producer_typed_events_total';

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's metrics; `topicExists` says whether the cluster has a topic, so that names made up
 * by clients share one label value (topic-labels.ts).
 */
export function createHttpMetrics(
  registry: Registry,
  publisher: Publisher,
  admission: AdmissionBudget,
  topicExists: (topic: string) => boolean,
): HttpMetrics {
  const registers = [registry];
  const overflow = new Counter({
    name: 'producer_topic_labels_overflow_total',
    help: `Records counted under topic="(other)" because ${MAX_TOPIC_LABELS} distinct topic label values were already in use`,
    registers,
  });
  const labels = new TopicLabels({ max: MAX_TOPIC_LABELS, exists: topicExists, overflowed: (n) => overflow.inc(n) });
  registerStateGauges(registers, publisher, admission, labels);
  const failed = new Counter({
    name: 'producer_events_failed_total',
    help: 'Records not written, by route family (produce, events, kafka-rest-v2, kafka-rest-v3), topic and reason: refused by Kafka, refused on their own (an invalid item, an unknown partition, a key too long), or refused with their whole request (an unknown or forbidden topic, Kafka unavailable)',
    labelNames: ['route', 'topic', 'reason'],
    registers,
  });
  const unknown = new Counter({
    name: 'producer_events_outcome_unknown_total',
    help: 'Messages answered 504 "outcome unknown": handed to Kafka, not acknowledged in time (they may be in Kafka)',
    labelNames: ['topic'],
    registers,
  });
  const batch = new Histogram({
    name: 'producer_batch_size',
    help: 'Items per /produce/batch request',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers,
  });
  const typed = new Counter({
    name: TYPED_EVENTS,
    help: 'Requests to /api/v1/events/{event_type}, by outcome',
    labelNames: ['event_type', 'outcome'],
    registers,
  });
  const refused = new Counter({
    name: 'producer_requests_refused_total',
    help: 'Requests answered 429 because the server held as many records or bytes not yet acknowledged as it takes (--max-pending-records, --max-pending-bytes; ?async=true requests: a quarter of them), by the limit reached',
    labelNames: ['limit'],
    registers,
  });
  const asyncFailed = new Counter({
    name: 'producer_async_failed_total',
    help: 'Records accepted with ?async=true (answered 204) that Kafka did not acknowledge, by outcome (not_written, unknown)',
    labelNames: ['topic', 'outcome'],
    registers,
  });
  return {
    request: requestRecorder(registers),
    published: publishedRecorder(registers, labels, (n) => overflow.inc(n)),
    failed: (route, topic, reason, count = 1) => failed.inc({ route, topic: labels.of(topic, count), reason }, count),
    outcomeUnknown: (topic) => unknown.inc({ topic: labels.of(topic) }),
    batch: (size) => batch.observe(size),
    refused: (bound) => refused.inc({ limit: bound }),
    asyncFailed: (topic, outcome, count) => asyncFailed.inc({ topic: labels.of(topic, count), outcome }, count),
    typedEvent: (kind, outcome) => typed.inc({ event_type: kind, outcome }),
  };
}

// A labelled metric hashes its labels on every call; the children of the few label sets a
// server sees (method, route and status; a topic) are looked up once and kept.

/** http_requests_total and http_request_duration_seconds, per method, route and status. */
function requestRecorder(registers: Registry[]): HttpMetrics['request'] {
  const labelNames = ['method', 'route', 'status'];
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const byRequest = new Map<string, { readonly count: () => void; readonly time: (seconds: number) => void }>();
  return (method, route, status, seconds) => {
    const key = `${method} ${route} ${status}`;
    let child = byRequest.get(key);
    if (!child) {
      const labels = { method, route, status: String(status) };
      const counter = requests.labels(labels);
      const timer = duration.labels(labels);
      child = { count: () => counter.inc(), time: (s) => timer.observe(s) };
      byRequest.set(key, child);
    }
    child.count();
    child.time(seconds);
  };
}

/** producer_events_published_total per topic, and producer_publish_duration_seconds. */
function publishedRecorder(registers: Registry[], labels: TopicLabels, overflowed: (count: number) => void): HttpMetrics['published'] {
  const published = new Counter({
    name: 'producer_events_published_total',
    help: 'Messages Kafka acknowledged',
    labelNames: ['topic'],
    registers,
  });
  const publishDuration = new Histogram({
    name: 'producer_publish_duration_seconds',
    help: 'From produce call to acknowledgement',
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const byTopic = new Map<string, { readonly inc: (count: number) => void }>();
  return (topic, seconds, count = 1) => {
    let child = byTopic.get(topic);
    if (!child) {
      // Kafka acknowledged it: the topic exists. Past the cap, each record counts as an overflow
      const label = labels.of(topic, 0, true);
      const counter = published.labels({ topic: label });
      child =
        label === OTHER_TOPICS
          ? {
              inc: (n) => {
                counter.inc(n);
                overflowed(n);
              },
            }
          : { inc: (n) => counter.inc(n) };
      byTopic.set(topic, child);
    }
    child.inc(count);
    for (let i = 0; i < count; i++) publishDuration.observe(seconds);
  };
}

/** What is read when Prometheus scrapes: the producer's queues and late reports, the admission budget's holdings. */
function registerStateGauges(registers: Registry[], publisher: Publisher, admission: AdmissionBudget, labels: TopicLabels): void {
  new Counter({
    name: 'producer_late_deliveries_total',
    help: 'Delivery reports that came after the message was answered "outcome unknown", by what they said',
    labelNames: ['topic', 'result'],
    registers,
    collect() {
      this.reset();
      for (const [topic, late] of publisher.tally().late) {
        const label = labels.of(topic, 0, true);
        this.inc({ topic: label, result: 'acknowledged' }, late.acknowledged);
        this.inc({ topic: label, result: 'failed' }, late.failed);
      }
    },
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('producer_queue_depth', "Messages in librdkafka's queues, not yet acknowledged", () => publisher.queueDepth());
  gauge('producer_in_flight', 'Produce calls awaiting their acknowledgement', () => publisher.inFlight());
  gauge(
    'producer_pending_records',
    'Records accepted and not yet acknowledged or failed (bounded by --max-pending-records)',
    () => admission.heldRecords,
  );
  gauge(
    'producer_pending_bytes',
    'Key, value and header bytes of those records (bounded by --max-pending-bytes)',
    () => admission.heldBytes,
  );
}
