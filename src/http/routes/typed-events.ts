/**
 * The Go service's typed events: POST /api/v1/events/{user,order,payment} with the event as
 * a JSON string or an object. The server names the event (`user_created_20240101120000_abc123`)
 * and keys the record by that id, so retries of one event land in one partition.
 */
import { errorResponses, produceErrorStatuses } from '../errors/documented-responses.js';
import { randomBytes } from 'node:crypto';
import type { FastifyPluginCallback } from 'fastify';
import { TYPED_EVENTS } from '../http-metrics.js';
import { ref } from '../schema-refs.js';
import { checkedTopicFor, knownTopicFor } from '../publish/topic-check.js';
import { servicesForRequest } from '../request-span.js';
import { servicesFor, type RouteServices } from '../services.js';
import { isoTimestamp, publish } from '../publish/publish.js';

export const eventKinds = ['user', 'order', 'payment'] as const;
export type EventKind = (typeof eventKinds)[number];

const pad = (n: number): string => String(n).padStart(2, '0');
/** 20240101120000, in UTC as the Go service's ids read */
const stamp = (d: Date): string =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
const suffix = (): string => Array.from(randomBytes(6), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

export function eventId(kind: EventKind, now: Date): string {
  return `${kind}_created_${stamp(now)}_${suffix()}`;
}

/** The schema's `json-object` format has already checked that a string holds a safe object. */
function parseData(data: string | Record<string, unknown>): Record<string, unknown> {
  return typeof data === 'string' ? (JSON.parse(data) as Record<string, unknown>) : data;
}

const eventResponse = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    event_id: { type: 'string' },
    event_type: { type: 'string' },
    topic: { type: 'string' },
    partition: { type: 'integer' },
    offset: { type: 'integer' },
    timestamp: { type: 'string' },
  },
};

/** One event named, keyed by its id, published to the events topic, and counted for /api/v1/events/stats. */
async function publishEvent(opts: RouteServices, kind: EventKind, data: Record<string, unknown>) {
  const now = opts.now();
  const event_type = `${kind}_created`;
  const event_id = eventId(kind, now);
  const value = {
    event_id,
    event_type,
    timestamp: now.toISOString(),
    data,
    ...(opts.enrich ? { source: opts.info.name, server_time: now.getTime() / 1000 } : {}),
  };
  try {
    // the allowlist, then the topic catalog, as /produce: a missing events topic is the
    // same 404 at once, not librdkafka's wait and then its own words
    if (!knownTopicFor(opts, opts.eventsTopic, undefined, 1)) await checkedTopicFor(opts, opts.eventsTopic, undefined, 1);
    const d = await publish(opts, { topic: opts.eventsTopic, key: event_id, value: JSON.stringify(value) });
    opts.metrics.typedEvent(kind, 'published');
    opts.logger.info('event published', { event_id, event_type, partition: d.partition, offset: d.offset });
    return {
      success: true,
      event_id,
      event_type,
      topic: d.topic,
      partition: d.partition,
      offset: d.offset,
      timestamp: isoTimestamp(d, now),
    };
  } catch (err) {
    opts.metrics.typedEvent(kind, 'failed');
    throw err;
  }
}

const typedEventRoutes: FastifyPluginCallback = (app, _opts, done) => {
  const opts = servicesFor(app.services, 'events');
  const startedAt = opts.now();

  for (const kind of eventKinds) {
    app.post(
      `/api/v1/events/${kind}`,
      {
        schema: {
          summary: `publish a ${kind} event to the events topic (KAFKA_TOPIC)`,
          tags: ['events'],
          body: ref('typed-event-request'),
          response: {
            200: eventResponse,
            ...errorResponses('streamforge', produceErrorStatuses),
          },
        },
      },
      async (req) =>
        publishEvent(servicesForRequest(opts, req), kind, parseData((req.body as { data: string | Record<string, unknown> }).data)),
    );
  }

  app.get(
    '/api/v1/events/stats',
    { schema: { summary: 'published and failed counts per event type since start', tags: ['events'] } },
    async () => {
      // from the metrics, so that serve-producer --workers counts every worker's requests
      const stats = Object.fromEntries(eventKinds.map((k) => [k, { published: 0, failed: 0 }])) as Record<
        EventKind,
        { published: number; failed: number }
      >;
      const counter = (await opts.metricsSource.json()).find((m) => m.name === TYPED_EVENTS);
      for (const { labels, value } of counter?.values ?? []) {
        const kind = labels.event_type as EventKind;
        const outcome = labels.outcome;
        if (kind in stats && (outcome === 'published' || outcome === 'failed')) stats[kind][outcome] += value;
      }
      const total = eventKinds.reduce((t, k) => ({ published: t.published + stats[k].published, failed: t.failed + stats[k].failed }), {
        published: 0,
        failed: 0,
      });
      return { since: startedAt.toISOString(), events: stats, total };
    },
  );
  done();
};

export default typedEventRoutes;
