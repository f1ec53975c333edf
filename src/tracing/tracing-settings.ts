/**
 * Tracing's settings: the OpenTelemetry SDK's standard environment, as every OTel SDK and the
 * Strimzi Bridge read it, plus flags a person would look for. Off unless
 * OTEL_TRACES_EXPORTER=otlp (or --traces-exporter otlp): the SDK's own default is otlp, but a
 * tool that starts exporting to localhost:4318 because a variable was left unset surprises.
 */
import { parse, ParseFailure, type Setting } from '../config/setting.js';
import type { TraceConfig } from './tracing.js';

const exporters = ['otlp', 'none'] as const;
const samplers = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;

/** "k1=v1,k2=v2", values URL-encoded (the OTel specification's form for headers and resource attributes). */
function keyValues(what: string, secret: boolean): (raw: string) => Record<string, string> {
  return (raw) => {
    const out: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0)
        throw new ParseFailure(
          secret
            ? `must be ${what} as key=value pairs separated by commas`
            : `must be ${what} as key=value pairs separated by commas, got '${pair.trim()}'`,
        );
      let value: string;
      try {
        value = decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        throw new ParseFailure(`must have URL-encoded values (a % not followed by two hex digits)`);
      }
      out[pair.slice(0, eq).trim()] = value;
    }
    return out;
  };
}

function ratio(raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new ParseFailure(`must be a number from 0 to 1, got '${raw}'`);
  return n;
}

export const tracingSettings = {
  tracesExporter: {
    flags: '--traces-exporter <name>',
    env: 'OTEL_TRACES_EXPORTER',
    description:
      'otlp: export OpenTelemetry traces over OTLP/HTTP to --otlp-endpoint, and pass W3C trace context on in record headers; none: no tracing code is loaded',
    default: 'none',
    parse: parse.oneOf(exporters, (s) => s.trim().toLowerCase()),
  } satisfies Setting<(typeof exporters)[number]>,
  otlpEndpoint: {
    flags: '--otlp-endpoint <url>',
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description: "the OpenTelemetry collector's OTLP/HTTP base URL (traces go to <url>/v1/traces): Jaeger, Tempo, an OTel Collector",
    default: 'http://localhost:4318',
    parse: parse.httpUrl('http://jaeger-collector:4318', 'put an Authorization header in OTEL_EXPORTER_OTLP_HEADERS'),
  } satisfies Setting<string>,
  otlpHeaders: {
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    description: 'headers of every export, key=value pairs separated by commas (an Authorization token: environment or .env only)',
    parse: keyValues('headers', true),
    secret: true,
  } satisfies Setting<Record<string, string>>,
  serviceName: {
    env: 'OTEL_SERVICE_NAME',
    description: "the traces' service.name",
    defaultLabel: 'streamforge-<command> (streamforge-serve-producer, streamforge-ping, ...)',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  tracesSampler: {
    env: 'OTEL_TRACES_SAMPLER',
    description: `which traces are kept: ${samplers.join(', ')} (parentbased: a caller's sampled flag decides)`,
    default: 'parentbased_always_on',
    parse: parse.oneOf(samplers, (s) => s.trim().toLowerCase()),
  } satisfies Setting<(typeof samplers)[number]>,
  tracesSamplerArg: {
    env: 'OTEL_TRACES_SAMPLER_ARG',
    description: 'the ratio of the traceidratio samplers, 0 to 1',
    parse: ratio,
  } satisfies Setting<number>,
  resourceAttributes: {
    env: 'OTEL_RESOURCE_ATTRIBUTES',
    description:
      'more resource attributes of every span, key=value pairs separated by commas (k8s.pod.name=..., deployment.environment=...)',
    parse: keyValues('attributes', false),
  } satisfies Setting<Record<string, string>>,
};

interface TracingValues {
  readonly tracesExporter: string;
  readonly otlpEndpoint: string;
  readonly otlpHeaders?: Record<string, string> | undefined;
  readonly serviceName?: string | undefined;
  readonly tracesSampler: string;
  readonly tracesSamplerArg?: number | undefined;
  readonly resourceAttributes?: Record<string, string> | undefined;
}

/** The TraceConfig of resolved settings; undefined when tracing is off. */
export function traceConfigOf(v: TracingValues, command: string, version: string): TraceConfig | undefined {
  if (v.tracesExporter !== 'otlp') return undefined;
  return {
    endpoint: v.otlpEndpoint,
    headers: v.otlpHeaders ?? {},
    serviceName: v.serviceName ?? `streamforge-${command}`,
    serviceVersion: version,
    sampler: v.tracesSampler,
    samplerArg: v.tracesSamplerArg,
    resourceAttributes: v.resourceAttributes ?? {},
  };
}
