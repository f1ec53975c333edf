/**
 * The Jaeger the tests use (JAEGER_QUERY_URL and OTEL_EXPORTER_OTLP_ENDPOINT, or the one
 * global-setup.mjs starts in .jaeger/test), and its query API v3: the spans of a trace, or of
 * a service's traces, merged by trace id (the API may split one trace over several
 * resourceSpans).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { projectRoot } from './broker.js';

export interface JaegerEnv {
  readonly OTEL_EXPORTER_OTLP_ENDPOINT: string;
  readonly JAEGER_QUERY_URL: string;
}

export function jaegerEnv(): JaegerEnv {
  const vars = process.env.JAEGER_QUERY_URL ? process.env : parse(readFileSync(`${projectRoot}.jaeger/test/jaeger.env`, 'utf8'));
  const { OTEL_EXPORTER_OTLP_ENDPOINT, JAEGER_QUERY_URL } = vars;
  if (!OTEL_EXPORTER_OTLP_ENDPOINT || !JAEGER_QUERY_URL)
    throw new Error('no Jaeger environment: OTEL_EXPORTER_OTLP_ENDPOINT and JAEGER_QUERY_URL');
  return { OTEL_EXPORTER_OTLP_ENDPOINT, JAEGER_QUERY_URL };
}

export interface FoundSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's: 2 server, 3 client, 4 producer, 5 consumer */
  readonly kind: number;
  readonly attributes: Record<string, string | number | boolean>;
  readonly error: boolean;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string;
  boolValue?: boolean;
  doubleValue?: number;
}

const valueOf = (v: OtlpValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ''));

function spansOf(body: unknown): FoundSpan[] {
  const out: FoundSpan[] = [];
  const resourceSpans = (body as { result?: { resourceSpans?: unknown[] } }).result?.resourceSpans ?? [];
  for (const rs of resourceSpans as Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: unknown[] }>;
  }>) {
    const service = String(valueOf(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}));
    for (const ss of rs.scopeSpans) {
      for (const raw of ss.spans as Array<Record<string, unknown>>) {
        const attrs = Object.fromEntries(
          ((raw.attributes as Array<{ key: string; value: OtlpValue }>) ?? []).map((a) => [a.key, valueOf(a.value)]),
        );
        out.push({
          service,
          traceId: String(raw.traceId),
          spanId: String(raw.spanId),
          parentSpanId: (raw.parentSpanId as string | undefined) || undefined,
          name: String(raw.name),
          kind: Number(raw.kind),
          attributes: attrs,
          error: (raw.status as { code?: number } | undefined)?.code === 2,
        });
      }
    }
  }
  return out;
}

/** The spans of one trace, once `ready` holds for them (spans arrive in batches), or what came by the deadline. */
export async function traceSpans(
  env: JaegerEnv,
  traceId: string,
  ready: (spans: FoundSpan[]) => boolean,
  waitMs = 30_000,
): Promise<FoundSpan[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const res = await fetch(`${env.JAEGER_QUERY_URL}/api/v3/traces/${traceId}`);
    const spans = res.ok ? spansOf(await res.json()) : [];
    if (ready(spans) || Date.now() > until) return spans;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every span of a service's traces of the last hour, grouped by trace, once `ready` holds. */
export async function serviceTraces(
  env: JaegerEnv,
  service: string,
  ready: (traces: Map<string, FoundSpan[]>) => boolean,
  waitMs = 30_000,
): Promise<Map<string, FoundSpan[]>> {
  const until = Date.now() + waitMs;
  for (;;) {
    const q = new URLSearchParams({
      'query.service_name': service,
      'query.start_time_min': new Date(Date.now() - 3_600_000).toISOString(),
      'query.start_time_max': new Date(Date.now() + 60_000).toISOString(),
      'query.num_traces': '100',
    });
    const res = await fetch(`${env.JAEGER_QUERY_URL}/api/v3/traces?${q}`);
    const traces = new Map<string, FoundSpan[]>();
    if (res.ok) for (const s of spansOf(await res.json())) traces.set(s.traceId, [...(traces.get(s.traceId) ?? []), s]);
    if (ready(traces) || Date.now() > until) return traces;
    await new Promise((r) => setTimeout(r, 250));
  }
}
