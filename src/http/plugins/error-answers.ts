/**
 * Every failure answered in one shape (error-response.schema.json): our HttpErrors, fastify's own
 * errors (parsing, validation, limits) translated, and a path that exists under other methods a
 * 405 with Allow, as HTTP says, not a 404. Nothing but a bug is a 500.
 */
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../../errors.js';
import { errorBody } from '../errors/error-shapes.js';
import { dialectContentType, kafkaRestBody, unsupportedMediaType, type ErrorFormat } from '../errors/kafka-rest-errors.js';

/** The dialect a route answers errors in (its `config.errorFormat`); ours where none is set. */
export function errorFormatOf(req: FastifyRequest): ErrorFormat {
  return (req.routeOptions.config as { errorFormat?: ErrorFormat } | undefined)?.errorFormat ?? 'streamforge';
}

export function sendError(reply: FastifyReply, err: HttpError, format: ErrorFormat = errorFormatOf(reply.request)): FastifyReply {
  reply.code(err.statusCode).headers(err.headers);
  if (format === 'streamforge') return reply.send(errorBody(err));
  return reply.type(dialectContentType(format)).send(kafkaRestBody(err));
}

/** Fastify's own errors (parsing, validation, limits) in our shape. */
function fromFastify(
  err: FastifyError & { validation?: Array<{ keyword: string; instancePath: string; message?: string; params: Record<string, unknown> }> },
  contentType: string | undefined,
  bounds: { batchLimit: number },
  format: ErrorFormat,
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
      return unsupportedMediaType(contentType, format);
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

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A route's path as a pattern of concrete paths: `:param` one segment, `*` the rest, `::` a colon. */
export function pathPattern(url: string): RegExp {
  const parts = url.split('::').map((part) =>
    part
      .split(/(:[A-Za-z_][A-Za-z0-9_]*|\*)/)
      .map((piece) => (piece === '*' ? '.*' : piece.startsWith(':') ? '[^/]+' : piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join(''),
  );
  return new RegExp(`^${parts.join(':')}$`);
}

const errorAnswers: FastifyPluginCallback = (app, _opts, done) => {
  // every route, so that a path one of them matches is a 405 for another method (hasRoute
  // compares patterns, not paths: /topics/t would not match /topics/:topic)
  const routes: Array<{ readonly methods: readonly string[]; readonly pattern: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    routes.push({ methods: ([] as string[]).concat(route.method), pattern: pathPattern(route.url) });
  });
  const noRoute = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = methods.filter((method) => routes.some((r) => r.methods.includes(method) && r.pattern.test(path)));
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
    const httpErr = fromFastify(err, req.headers['content-type'], app.services, errorFormatOf(req));
    // a bug; 501, 503 and 504 are answers we meant
    if (httpErr.statusCode === 500) app.services.logger.error('request failed', { error: err.message, stack: err.stack });
    return sendError(reply, httpErr);
  });
  done();
};

export default fp(errorAnswers, { name: 'streamforge-error-answers', decorators: { fastify: ['services'] } });
