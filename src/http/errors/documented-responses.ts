/**
 * The error answers every route documents, from one place: what a request itself can be refused
 * for, and one status per row of failureMeanings (errors.ts). A new kind of failure, or a new
 * status for one, is documented on every route that writes, in each route family's own error
 * shape, and schemathesis checks it everywhere.
 */
import { failureMeanings } from '../../errors.js';
import { v2Content, type ErrorFormat } from './kafka-rest-errors.js';
import { ref } from '../schema-refs.js';

/** What a request itself may be refused for: bad data, no login, a topic not allowed or not there, too large, a media type not taken, unprocessable. */
const requestRefusals = [400, 401, 403, 404, 413, 415, 422] as const;

/** Every status a route that writes to Kafka may answer with besides its success. */
export const produceErrorStatuses: readonly number[] = [
  ...new Set([...requestRefusals, ...Object.values(failureMeanings).map((m) => m.status)]),
].sort((a, b) => a - b);

/** A route that reads the cluster's metadata (the gateways' discovery): not allowed, not there, or Kafka unreachable. */
export const lookupErrorStatuses: readonly number[] = [401, 403, 404, failureMeanings.unreachable.status];

/** The documented error responses of a route answering in `format`, one per status. */
export function errorResponses(format: ErrorFormat, statuses: readonly number[]): Record<number, unknown> {
  const schema =
    format === 'streamforge'
      ? ref('error-response')
      : format === 'kafka-rest-v2'
        ? v2Content(ref('kafka-rest-error'))
        : ref('kafka-rest-error');
  return Object.fromEntries(statuses.map((status) => [status, schema]));
}
