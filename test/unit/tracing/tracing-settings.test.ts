/** tracing/tracing-settings.ts: the OTEL_* environment, off by default, and what it refuses. */
import { describe, expect, it } from '@jest/globals';
import { resolveSettings } from '../../../src/config/resolve.js';
import { ConfigError } from '../../../src/errors.js';
import { traceConfigOf, tracingSettings } from '../../../src/tracing/tracing-settings.js';

const resolved = (env: Record<string, string>, flags: Record<string, unknown> = {}) =>
  resolveSettings(tracingSettings, { flags, env, dotenv: {}, facts: { version: '1.2.3' } }).values;

describe('tracing settings', () => {
  it('is off unless OTEL_TRACES_EXPORTER=otlp, even with an endpoint set (the SDK would default to otlp)', () => {
    expect(traceConfigOf(resolved({}), 'ping', '1.2.3')).toBeUndefined();
    expect(traceConfigOf(resolved({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }), 'ping', '1.2.3')).toBeUndefined();
    expect(traceConfigOf(resolved({ OTEL_TRACES_EXPORTER: 'none' }), 'ping', '1.2.3')).toBeUndefined();
  });

  it('reads the standard environment, as every OTel SDK does', () => {
    const config = traceConfigOf(
      resolved({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0k,x-tenant=a',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,k8s.pod.name=p-1',
      }),
      'serve-producer',
      '1.2.3',
    );
    expect(config).toEqual({
      endpoint: 'https://collector:4318',
      headers: { authorization: 'Bearer t0k', 'x-tenant': 'a' },
      serviceName: 'streamforge-serve-producer',
      serviceVersion: '1.2.3',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      resourceAttributes: { 'deployment.environment': 'prod', 'k8s.pod.name': 'p-1' },
    });
    expect(traceConfigOf(resolved({ OTEL_SERVICE_NAME: 'loader-x' }, { tracesExporter: 'otlp' }), 'dummy', '1')?.serviceName).toBe(
      'loader-x',
    );
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, 'must be a number from 0 to 1'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'must be an http:// or https:// URL'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, "key=value pairs separated by commas, got 'novalue'"],
  ])('refuses %j, saying why', (env, words) => {
    expect(() => resolved(env)).toThrow(ConfigError);
    expect(() => resolved(env)).toThrow(words);
  });

  it('never echoes the headers, which hold tokens', () => {
    let message = '';
    try {
      resolved({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer-s3cret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(message).not.toContain('s3cret');
  });
});
