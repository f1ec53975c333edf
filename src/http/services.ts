/**
 * What serve-producer's routes share, decorated once on the fastify instance as `services`
 * (fastify's decorate model: a route plugin reads `app.services`, it is handed nothing else).
 * The one place the routes and the app meet, so neither imports the other.
 */
import type { Logger } from '../observability/logger.js';
import type { LogThrottle } from '../observability/log-throttle.js';
import type { MetricsSource } from '../observability/metrics.js';
import type { AdmissionBudget } from './publish/admission.js';
import type { HttpMetrics, RouteFamily } from './http-metrics.js';
import type { Publisher } from './publish/publisher.js';
import type { TopicCatalog } from './publish/topic-catalog.js';
import type { SchemaResolver } from '../schema/schema-resolver.js';
import type { Tracing } from '../tracing/tracing.js';
import type { KeyedRequests } from './idempotency/idempotency-store.js';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly env: string;
}

export interface ProducerServices {
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  /** what every produce route draws from: records and bytes accepted, not yet answered by Kafka */
  readonly admission: AdmissionBudget;
  /** produce failures: a few lines per interval, then a count */
  readonly failureLog: LogThrottle;
  /** what /metrics and the event stats report: the registry's, or every worker's added up */
  readonly metricsSource: MetricsSource;
  readonly info: AppInfo;
  /** topics clients may name; undefined allows all */
  readonly topicAllow: RegExp | undefined;
  /** where /api/v1/events/* go */
  readonly eventsTopic: string;
  readonly enrich: boolean;
  readonly batchLimit: number;
  /** --read-timeout, for the words of a stream it ends */
  readonly readTimeoutMs: number;
  /** v3 produce routes: a cluster id that is not the cluster's is a 404 (else taken, as self-managed Confluent does) */
  readonly strictClusterId: boolean;
  /** serve /metrics on this app's port */
  readonly metricsHere: boolean;
  readonly now: () => Date;
  /** which topics and partitions exist, for the gateway routes' immediate 404s */
  readonly catalog: TopicCatalog;
  /** OpenTelemetry, when on: routes publish through servicesForRequest (request-span.ts) */
  readonly tracing: Tracing | undefined;
  /** schema-typed records (Avro, JSON Schema, Protobuf): only with --schema-registry-url */
  readonly schemas: SchemaResolver | undefined;
  /** Idempotency-Key: the claims and answers every replica shares; undefined when keys are off */
  readonly idempotency: KeyedRequests | undefined;
}

/** The services as one family of produce routes sees them: its failures are counted under its name. */
export interface RouteServices extends ProducerServices {
  readonly route: RouteFamily;
}

export const servicesFor = (services: ProducerServices, route: RouteFamily): RouteServices => ({ ...services, route });

declare module 'fastify' {
  interface FastifyInstance {
    readonly services: ProducerServices;
  }
}
