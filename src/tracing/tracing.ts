/**
 * Tracing as the rest of the program sees it: a small interface, and its loader. Nothing here
 * imports OpenTelemetry: with tracing off (the default) no tracing code is loaded at all, and
 * every call site checks for an absent Tracing, so the hot paths cost one test.
 */
import type { Logger } from '../observability/logger.js';

export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** Kafka record headers as node-rdkafka takes and gives them. */
export type KafkaHeaders = ReadonlyArray<Readonly<Record<string, string | Buffer>>>;

/** HTTP request headers as Node gives them. */
export type HttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface TraceSpan {
  /** 32 hex digits; all zeros when the span is not sampled */
  readonly traceId: string;
  setAttributes(attributes: SpanAttributes): void;
  /** ends the span; with an error, its status is ERROR with that description */
  end(error?: string): void;
}

/**
 * Spans are parented explicitly, never through an async context: Node 20's AsyncLocalStorage
 * (what OpenTelemetry's context manager is) cost about 22 us a request here, a third of what
 * serving one costs (docs/benchmarks.md).
 */
export interface Tracing {
  /** An HTTP server span continuing the request's traceparent/tracestate (a malformed one starts a new trace). */
  serverSpan(name: string, headers: HttpHeaders, attributes: SpanAttributes): TraceSpan;
  /** A producer span, a child of `parent` (else a root); `headers` are the record's W3C trace context. */
  producerSpan(
    name: string,
    attributes: SpanAttributes,
    parent?: TraceSpan,
  ): { readonly span: TraceSpan; readonly headers: Record<string, string> };
  /** A consumer span continuing a record's headers (none, or malformed: a new trace). */
  consumerSpan(name: string, headers: KafkaHeaders | undefined, attributes: SpanAttributes): TraceSpan;
  /** Exports what is left (bounded in time); later spans are dropped. */
  shutdown(): Promise<void>;
}

/** The OpenTelemetry settings of the standard environment (tracing-settings.ts). */
export interface TraceConfig {
  /** OTLP over HTTP/protobuf: the collector's base URL; traces go to <it>/v1/traces */
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly sampler: string;
  readonly samplerArg: number | undefined;
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

/** The OpenTelemetry SDK, loaded and started; undefined when tracing is off. */
export async function startTracing(config: TraceConfig | undefined, logger: Logger): Promise<Tracing | undefined> {
  if (!config) return undefined;
  const { otelTracing } = await import('./otel-tracing.js');
  return otelTracing(config, logger);
}
