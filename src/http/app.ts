/**
 * The serve-producer HTTP application, built apart from `listen` so that tests drive it with
 * `inject`. Request bodies are validated by the JSON Schemas in schemas/, the same files the
 * OpenAPI document is generated from.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { HttpError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { localMetrics, type MetricsSource } from '../observability/metrics.js';
import { jsonFormats } from '../protocol/json-safety.js';
import { loadSchema } from '../protocol/validators.js';
import { schemaNames } from './schema-refs.js';
import { createHttpMetrics } from './http-metrics.js';
import { tokenDigest, tokenMatches } from './bearer-token.js';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body.js';
import type { Publisher } from './publisher.js';
import { registerProduceRoutes } from './routes/produce.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTypedEventRoutes } from './routes/typed-events.js';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly env: string;
}

export interface ProducerAppOptions {
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly info: AppInfo;
  readonly bodyLimit: number;
  readonly batchLimit: number;
  /** topics clients may name; undefined allows all */
  readonly topicAllow: RegExp | undefined;
  /** bearer tokens; empty means no authentication */
  readonly tokens: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly enrich: boolean;
  /** where /api/v1/events/* go */
  readonly eventsTopic: string;
  /** serve /metrics on this app's port */
  readonly metricsHere: boolean;
  /** what /metrics and the event stats report: the registry's, or every worker's added up */
  readonly metricsSource?: MetricsSource;
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly now?: () => Date;
}

/** Paths that stay open when tokens are configured: probes, metrics, and the API's own docs. */
const openPaths = [/^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/docs(\/.*)?$/, /^\/openapi\.json$/];

export function errorBody(err: HttpError): Record<string, unknown> {
  return {
    success: false,
    detail: err.message,
    ...(err.outcome === undefined ? {} : { outcome: err.outcome }),
    error: { code: err.code, message: err.message, hint: err.hint, ...(err.details === undefined ? {} : { details: err.details }) },
  };
}

export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  return reply.code(err.statusCode).headers(err.headers).send(errorBody(err));
}

/** Fastify's own errors (parsing, validation, limits) in our shape. */
function fromFastify(
  err: FastifyError & { validation?: Array<{ keyword: string; instancePath: string; message?: string; params: Record<string, unknown> }> },
  contentType: string | undefined,
  bounds: { batchLimit: number },
): HttpError {
  if (err instanceof HttpError) return err;
  const whole = err.validation?.find((v) => v.instancePath === '' && (v.keyword === 'minItems' || v.keyword === 'maxItems'));
  if (whole?.keyword === 'minItems') return new HttpError(400, 'SF_HTTP_VALIDATION', 'the batch is empty', 'send at least one item');
  if (whole?.keyword === 'maxItems') {
    return new HttpError(
      413,
      'SF_HTTP_TOO_LARGE',
      `the batch has more than --batch-limit ${bounds.batchLimit} items`,
      'split it into smaller batches',
    );
  }
  if (err.validation) {
    // A oneOf that failed says what each alternative wanted; say it once, in words.
    const oneOfPaths = new Set(err.validation.filter((v) => v.keyword === 'oneOf').map((v) => v.instancePath));
    const alternatives = (path: string): string =>
      err.validation
        ?.filter((v) => v.instancePath === path && v.keyword !== 'oneOf')
        .map((v) =>
          v.params.format === 'json-object' ? 'a string holding the JSON text of an object' : `of type ${String(v.params.type)}`,
        )
        .join(', or ') ?? '';
    const details = err.validation.flatMap((v) => {
      if (oneOfPaths.has(v.instancePath)) {
        if (v.keyword !== 'oneOf') return [];
        const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
        return [{ field: path, message: `must be ${alternatives(v.instancePath)}` }];
      }
      const missing = v.params.missingProperty as string | undefined;
      const extra = v.params.additionalProperty as string | undefined;
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const field = [path, missing ?? extra].filter(Boolean).join('.') || 'body';
      return [{ field, message: extra ? `is not a known field` : (v.message ?? 'is invalid') }];
    });
    return new HttpError(
      400,
      'SF_HTTP_VALIDATION',
      `the request does not match the schema: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
      'see /docs for the request format',
      { details },
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(
        415,
        'SF_HTTP_MEDIA_TYPE',
        contentType ? `content type ${contentType} is not supported: the body must be JSON` : 'the request has a body but no Content-Type',
        'send the body as JSON with Content-Type: application/json',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(
        413,
        'SF_HTTP_TOO_LARGE',
        'the request body is larger than --body-limit',
        'send less per request, or raise --body-limit',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'SF_HTTP_BAD_JSON', 'the body is empty, but the content type says JSON', 'send a JSON body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'SF_HTTP_BAD_JSON', 'the body length does not match Content-Length', 'send the whole body');
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new HttpError(400, 'SF_HTTP_BAD_JSON', `the body is not valid JSON: ${err.message}`, 'fix the JSON at the position given');
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  return new HttpError(
    status,
    'SF_HTTP_VALIDATION',
    err.message,
    status === 500 ? 'this is a bug in streamforge; see its log' : 'fix the request',
  );
}

export async function buildProducerApp(opts: ProducerAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit,
    requestTimeout: opts.requestTimeoutMs,
    connectionTimeout: opts.connectionTimeoutMs,
    return503OnClosing: true,
    ajv: {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        allErrors: true,
        useDefaults: false,
        formats: jsonFormats,
        ownProperties: true,
      },
    },
  });
  for (const name of schemaNames) app.addSchema(loadSchema(name));
  // One parser for every JSON body: says where invalid JSON broke, and refuses bodies nested too
  // deep or carrying prototype-poisoning keys in any spelling (json-body.ts).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const parsed = parseJsonBody(String(body));
    if ('error' in parsed) return done(parsed.error, undefined);
    done(null, parsed.value);
  });
  const metrics = createHttpMetrics(opts.registry, opts.publisher);

  await app.register((await import('@fastify/helmet')).default, { contentSecurityPolicy: false, global: true });
  if (opts.corsOrigins.length > 0) {
    await app.register((await import('@fastify/cors')).default, { origin: [...opts.corsOrigins], methods: ['GET', 'POST'] });
  }
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'streamforge serve-producer',
        version: opts.info.version,
        description: `HTTP in, Kafka records out. Every 2xx answer carries the partition and offset Kafka assigned (acks=all). Bodies are JSON (Content-Type: application/json), nested at most ${MAX_JSON_DEPTH} levels; keys that could poison a prototype (__proto__, constructor.prototype, in any spelling) are refused with 400.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(opts.tokens.length > 0 ? { security: [{ bearer: [] }] } : {}),
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.title ?? `def-${i}`) },
  });
  await app.register((await import('@fastify/swagger-ui')).default, { routePrefix: '/docs', staticCSP: true });

  const tokenDigests = opts.tokens.map(tokenDigest);
  app.addHook('onRequest', async (req, reply) => {
    if (opts.tokens.length === 0 || openPaths.some((p) => p.test(req.url.split('?')[0] ?? ''))) return;
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token || !tokenMatches(token, tokenDigests)) {
      reply.header('www-authenticate', 'Bearer realm="streamforge"');
      return sendError(
        reply,
        new HttpError(
          401,
          'SF_HTTP_UNAUTHORIZED',
          token ? 'the bearer token is not valid' : 'a bearer token is required',
          'send Authorization: Bearer <token>',
        ),
      );
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    const seconds = reply.elapsedTime / 1000;
    metrics.request(req.method, route, reply.statusCode, seconds);
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    // winston formats a line before it filters by level: skip the work when nobody reads it
    if (!opts.logger.isLevelEnabled(level)) return;
    opts.logger.log(level, 'request', {
      method: req.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    });
  });

  // A path that exists under other methods is a 405 with Allow, as HTTP says, not a 404.
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  const noRoute = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = methods.filter((method) => app.hasRoute({ method, url: path }));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        new HttpError(405, 'SF_HTTP_METHOD', `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`, 'see /docs'),
      );
    }
    return sendError(
      reply,
      new HttpError(404, 'SF_HTTP_NOT_FOUND', `no route ${req.method} ${path}`, 'GET / lists the endpoints; /docs describes them'),
    );
  };
  app.setNotFoundHandler(noRoute);
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // a body-carrying method no route takes (QUERY /health) fails in body parsing first
    if (req.is404) return noRoute(req, reply);
    const httpErr = fromFastify(err, req.headers['content-type'], opts);
    if (httpErr.statusCode >= 500 && httpErr.statusCode !== 503)
      opts.logger.error('request failed', { error: err.message, stack: err.stack });
    return sendError(reply, httpErr);
  });

  const routeOpts = {
    ...opts,
    metrics,
    metricsSource: opts.metricsSource ?? localMetrics(opts.registry),
    now: opts.now ?? (() => new Date()),
  };
  registerSystemRoutes(app, routeOpts);
  registerProduceRoutes(app, routeOpts);
  registerTypedEventRoutes(app, routeOpts);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export type RouteOptions = ProducerAppOptions & {
  readonly metrics: ReturnType<typeof createHttpMetrics>;
  readonly metricsSource: MetricsSource;
  readonly now: () => Date;
};
