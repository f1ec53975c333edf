/**
 * The error shapes an answer takes: ours (error-response.schema.json) and the gateways'
 * `{error_code, message}`, and which one a path's route family answers in when no route has
 * said (a refusal before routing: a read timeout, a path segment too long).
 */
import type { HttpError } from '../../errors.js';
import { dialectContentType, kafkaRestBody, type ErrorFormat } from './kafka-rest-errors.js';

export function errorBody(err: HttpError): Record<string, unknown> {
  return {
    success: false,
    detail: err.message,
    ...(err.outcome === undefined ? {} : { outcome: err.outcome }),
    error: { code: err.code, message: err.message, hint: err.hint, ...(err.details === undefined ? {} : { details: err.details }) },
  };
}

/** The body and content type of `err` in `format` (ours: the reply's default JSON type). */
export function errorAnswer(err: HttpError, format: ErrorFormat): { readonly contentType: string; readonly body: Record<string, unknown> } {
  if (format === 'streamforge') return { contentType: 'application/json; charset=utf-8', body: errorBody(err) };
  return { contentType: dialectContentType(format), body: kafkaRestBody(err) };
}

/** The family of the routes under a path: v2 (and the Bridge) under /topics and /consumers, v3 under /v3, else ours. */
export function errorFormatOfPath(path: string): ErrorFormat {
  if (/^\/(topics|consumers)(\/|\?|$)/.test(path)) return 'kafka-rest-v2';
  if (/^\/v3(\/|\?|$)/.test(path)) return 'kafka-rest-v3';
  return 'streamforge';
}
