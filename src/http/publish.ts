/** One way to publish from any route: allowlist, metrics and error mapping in one place. */
import { performance } from 'node:perf_hooks';
import { HttpError } from '../errors.js';
import type { Delivery, OutgoingMessage } from '../kafka/producer.js';
import type { RouteOptions } from './app.js';
import { produceFailure } from './kafka-http-errors.js';

export function checkTopicAllowed(opts: Pick<RouteOptions, 'topicAllow'>, topic: string): void {
  if (opts.topicAllow && !opts.topicAllow.test(topic)) {
    throw new HttpError(
      403,
      'SF_HTTP_FORBIDDEN_TOPIC',
      `topic ${topic} is not in this server's allowlist`,
      'use a topic that matches --topics / PRODUCER_TOPIC_ALLOW',
    );
  }
}

export async function publish(opts: RouteOptions, msg: OutgoingMessage): Promise<Delivery> {
  const t0 = performance.now();
  try {
    const delivery = await opts.publisher.publish(msg);
    opts.metrics.published(msg.topic, (performance.now() - t0) / 1000);
    return delivery;
  } catch (err) {
    const failure = produceFailure(err, msg.topic);
    opts.metrics.failed(msg.topic, failure.code);
    opts.logger.warn('produce failed', { topic: msg.topic, status: failure.statusCode, code: failure.code, error: failure.message });
    throw failure;
  }
}

export const isoTimestamp = (delivery: Delivery, fallback: Date): string =>
  new Date(delivery.timestamp ?? fallback.getTime()).toISOString();
