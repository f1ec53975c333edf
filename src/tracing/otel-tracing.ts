/**
 * Tracing on the OpenTelemetry SDK: spans exported in batches over OTLP/HTTP (JSON), W3C trace
 * context in and out, the async context of Node
 * (AsyncLocalStorage) carrying the current span, so a request's producer spans are its
 * children without being handed anything. Loaded only when tracing is on (tracing.ts).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../observability/logger.js';
import { fromKafkaHeaders } from './kafka-headers.js';
import type { HttpHeaders, ScopeSpan, SpanAttributes, TraceConfig, TraceSpan, Tracing } from './tracing.js';

/** How long the last export may hold an exit. */
const SHUTDOWN_MS = 3000;

export function samplerOf(name: string, arg: number | undefined): Sampler {
  const ratio = new TraceIdRatioBasedSampler(arg ?? 1);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

const httpGetter: TextMapGetter<HttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

const recordGetter: TextMapGetter<Record<string, string>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

export function otelTracing(config: TraceConfig, logger: Logger): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      'service.name': config.serviceName,
      'service.version': config.serviceVersion,
    }),
    sampler: samplerOf(config.sampler, config.samplerArg),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/$/, '')}/v1/traces`, headers: { ...config.headers } }),
      ),
    ],
  });
  // the async context manager (AsyncLocalStorage) and W3C trace context as the global ones
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracer = provider.getTracer('streamforge');
  logger.info('tracing on', { exporter: 'otlp', endpoint: config.endpoint, service: config.serviceName, sampler: config.sampler });

  const wrap = (span: Span): TraceSpan => ({
    traceId: span.spanContext().traceId,
    setAttributes: (a) => span.setAttributes(defined(a)),
    end: (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  });
  const scoped = (span: Span, parent: Context): ScopeSpan => {
    const ctx = trace.setSpan(parent, span);
    return { ...wrap(span), run: (fn) => context.with(ctx, fn) };
  };

  return {
    serverSpan(name, headers, attributes) {
      const parent = propagation.extract(context.active(), headers, httpGetter);
      return scoped(tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: defined(attributes) }, parent), parent);
    },
    producerSpan(name, attributes) {
      const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes: defined(attributes) });
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(context.active(), span), headers);
      return { span: wrap(span), headers };
    },
    consumerSpan(name, kafkaHeaders, attributes) {
      const parent = propagation.extract(context.active(), fromKafkaHeaders(kafkaHeaders), recordGetter);
      return scoped(tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes: defined(attributes) }, parent), parent);
    },
    async shutdown() {
      await Promise.race([provider.shutdown(), new Promise((r) => setTimeout(r, SHUTDOWN_MS).unref())]).catch((err: unknown) =>
        logger.warn('tracing: the last spans were not exported', { error: String(err) }),
      );
    },
  };
}

function defined(a: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k in a) {
    const v = a[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
