/**
 * serve-producer's app through fastify's inject, over a fake publisher that records what would
 * have been produced and fails on demand with librdkafka's real error codes (mapped by the
 * kafka layer's own error map, so the kinds the HTTP layer sees are the real ones). The integration
 * tests use the real broker.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildProducerApp, type ProducerAppOptions } from '../../src/http/app.js';
import { KafkaError } from '../../src/errors.js';
import type { ClusterIdentity, Publisher, TopicInfo } from '../../src/http/publish/publisher.js';
import { mapProduceError } from '../../src/kafka/error-map.js';
import type { Delivery, OutgoingMessage, ProducerTally } from '../../src/kafka/producer.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRegistry } from '../../src/observability/metrics.js';

export const NOW = new Date('2024-01-01T12:00:00.000Z');

export class FakePublisher implements Publisher {
  readonly sent: OutgoingMessage[] = [];
  failWith: ((msg: OutgoingMessage) => number | undefined) | undefined;
  connected = true;
  fresh = true;
  #offset = 0;

  /** while set, publish waits for it (a message Kafka has not acknowledged yet) */
  hold: Promise<void> | undefined;
  /** publish calls waiting on `hold` */
  held = 0;

  async publish(msg: OutgoingMessage): Promise<Delivery> {
    if (this.hold) {
      this.held++;
      await this.hold;
      this.held--;
    }
    const code = this.failWith?.(msg);
    if (code !== undefined) throw mapProduceError({ code, message: `librdkafka error ${code}` }, msg.topic);
    this.sent.push(msg);
    return { topic: msg.topic, partition: msg.partition ?? 0, offset: this.#offset++, timestamp: NOW.getTime() };
  }
  async publishMany(msgs: readonly OutgoingMessage[]): Promise<Array<Delivery | Error>> {
    return Promise.all(msgs.map((m) => this.publish(m).catch((err: Error) => err)));
  }
  health() {
    return { connected: this.connected, metadataFresh: this.fresh };
  }
  queueDepth() {
    return 3;
  }
  inFlight() {
    return 2;
  }
  readonly late = new Map<string, { acknowledged: number; failed: number }>();
  tally(): ProducerTally {
    return { acknowledged: this.sent.length, failed: 0, unknown: 0, late: this.late };
  }
  /** the cluster this fake stands for: each topic and its partition count */
  readonly cluster = new Map<string, number>([
    ['events', 1],
    ['orders', 3],
    // the topics the unit tests name (POST /produce checks its topic in the catalog too)
    ...['t', 'a', 'b', 'm', 'n', 'test-topic', 'secrets', 'events-1', '...'].map((t): [string, number] => [t, 4]),
  ]);
  /** metadata requests made, and whether the next fails as an unreachable cluster would */
  metadataRequests = 0;
  metadataDown = false;
  async topics(): Promise<TopicInfo[]> {
    this.metadataRequests++;
    if (this.metadataDown)
      throw new KafkaError('SF_KAFKA_UNREACHABLE', 'unreachable', 'Kafka did not answer a metadata request', 'check the brokers');
    return [...this.cluster].map(([name, count]) => ({
      name,
      partitions: Array.from({ length: count }, (_, id) => ({ id, leader: 1, replicas: [1], isrs: [1] })),
    }));
  }
  async clusterIdentity(): Promise<ClusterIdentity> {
    return { clusterId: 'fake-cluster-1', controllerId: 1 };
  }
}

const open: FastifyInstance[] = [];

/** Closes every app built since the last call (an afterEach). */
export async function closeTestApps(): Promise<void> {
  await Promise.all(open.splice(0).map((a) => a.close()));
}

export async function buildTestApp(over: Partial<ProducerAppOptions> = {}): Promise<{ app: FastifyInstance; publisher: FakePublisher }> {
  const publisher = new FakePublisher();
  const app = await buildProducerApp({
    publisher,
    logger: createLogger({ level: 'error', format: 'json', stream: new PassThrough() }),
    registry: createRegistry({ defaultMetrics: false }),
    info: { name: 'streamforge-producer', version: '9.9.9', env: 'test' },
    bodyLimit: 1024 * 1024,
    batchLimit: 5,
    topicAllow: undefined,
    tokens: [],
    corsOrigins: [],
    enrich: true,
    eventsTopic: 'events',
    metricsHere: true,
    requestTimeoutMs: 15_000,
    connectionTimeoutMs: 15_000,
    now: () => NOW,
    ...over,
  });
  open.push(app);
  return { app, publisher };
}

export const post = (a: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  a.inject({
    method: 'POST',
    url,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': 'application/json', ...headers },
  });
