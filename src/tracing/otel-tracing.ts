/**
 * Tracing on the OpenTelemetry SDK: spans exported in batches over OTLP/HTTP (JSON), W3C trace
 * context in and out, each span's parent given explicitly (tracing.ts says why), nothing
 * registered globally. Loaded only when tracing is on (tracing.ts).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
// the basic provider: Node's (sdk-trace-node) differs only in the async context manager, which is not used
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../observability/logger.js';
import { fromKafkaHeaders } from './kafka-headers.js';
import type { HttpHeaders, SpanAttributes, TraceConfig, TraceSpan, Tracing } from './tracing.js';

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

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The OTel span behind one of ours, for parenting. */
const SPAN = Symbol('otel span');
type Wrapped = TraceSpan & { readonly [SPAN]: Span };

export function otelTracing(config: TraceConfig, logger: Logger): Tracing {
  const provider = new BasicTracerProvider({
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
  const propagator = new W3CTraceContextPropagator();
  const tracer = provider.getTracer('streamforge');
  logger.info('tracing on', { exporter: 'otlp', endpoint: config.endpoint, service: config.serviceName, sampler: config.sampler });

  const wrap = (span: Span): Wrapped => ({
    [SPAN]: span,
    traceId: span.spanContext().traceId,
    setAttributes: (a) => span.setAttributes(defined(a)),
    end: (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  });
  const contextOf = (parent: TraceSpan | undefined) => {
    const span = (parent as Wrapped | undefined)?.[SPAN];
    return span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT;
  };

  return {
    serverSpan(name, headers, attributes) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, httpGetter);
      return wrap(tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: defined(attributes) }, parent));
    },
    producerSpan(name, attributes, parent) {
      const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes: defined(attributes) }, contextOf(parent));
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, recordSetter);
      return { span: wrap(span), headers };
    },
    consumerSpan(name, kafkaHeaders, attributes) {
      const parent = propagator.extract(ROOT_CONTEXT, fromKafkaHeaders(kafkaHeaders), recordGetter);
      return wrap(tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes: defined(attributes) }, parent));
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
