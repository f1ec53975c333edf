import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../errors.js';
import type { ProduceRequest } from '../../protocol/types.js';
import { describeSchemaErrors, validators } from '../../protocol/validators.js';
import type { RouteOptions } from '../app.js';
import { ref } from '../schema-refs.js';
import { enrichment, messageValue, type Enrichment } from '../message-value.js';
import { checkTopicAllowed, isoTimestamp, publish } from '../publish.js';

const errors = {
  400: ref('error-response'),
  401: ref('error-response'),
  403: ref('error-response'),
  404: ref('error-response'),
  413: ref('error-response'),
  415: ref('error-response'),
  503: ref('error-response'),
};

async function produceOne(
  opts: RouteOptions,
  item: ProduceRequest,
  now: Date,
  added: Enrichment | undefined,
): Promise<{ topic: string; partition: number; offset: number; timestamp: string }> {
  checkTopicAllowed(opts, item.topic);
  const delivery = await publish(opts, {
    topic: item.topic,
    key: item.key ?? null,
    value: messageValue(item.message, added),
    ...(item.partition === undefined ? {} : { partition: item.partition }),
    ...(item.headers ? { headers: Object.entries(item.headers).map(([k, v]) => ({ [k]: v })) } : {}),
  });
  return { topic: delivery.topic, partition: delivery.partition, offset: delivery.offset, timestamp: isoTimestamp(delivery, now) };
}

export function registerProduceRoutes(app: FastifyInstance, opts: RouteOptions): void {
  app.post(
    '/produce',
    {
      schema: {
        summary: 'produce one message; answers once Kafka has acknowledged it',
        description:
          '503 with Retry-After when Kafka is unavailable or the local queue is full (within --produce-timeout); 413 when the body or the broker finds the message too large.',
        tags: ['produce'],
        body: ref('produce-request'),
        response: { 200: ref('produce-response'), ...errors },
      },
    },
    async (req) => {
      const now = opts.now();
      const added = opts.enrich ? enrichment(opts.info.name, now) : undefined;
      return { success: true, message: 'Message delivered', ...(await produceOne(opts, req.body as ProduceRequest, now, added)) };
    },
  );

  app.post(
    '/produce/batch',
    {
      schema: {
        summary: 'produce many messages; one result per item, in request order',
        description:
          '200 when every item was acknowledged; 207 when at least one item failed (each result has its own status and error, and one bad item does not sink the others); 400 for an empty array; 413 over --batch-limit items or --body-limit bytes.',
        tags: ['produce'],
        body: { type: 'array', items: {}, description: 'items as for POST /produce' },
        response: { 200: ref('batch-response'), 207: ref('batch-response'), ...errors },
      },
    },
    async (req, reply) => {
      const items = req.body as unknown[];
      if (items.length === 0) throw new HttpError(400, 'SF_HTTP_VALIDATION', 'the batch is empty', 'send at least one item');
      if (items.length > opts.batchLimit) {
        throw new HttpError(
          413,
          'SF_HTTP_TOO_LARGE',
          `the batch has ${items.length} items, more than --batch-limit ${opts.batchLimit}`,
          'split it into smaller batches',
        );
      }
      opts.metrics.batch(items.length);
      const validate = validators().produceRequest;
      const now = opts.now();
      const added = opts.enrich ? enrichment(opts.info.name, now) : undefined;
      const results = await Promise.all(
        items.map(async (item, index) => {
          if (!validate(item)) {
            opts.metrics.failed(
              typeof (item as { topic?: unknown })?.topic === 'string' ? String((item as { topic: string }).topic) : 'invalid',
              'SF_HTTP_VALIDATION',
            );
            return {
              index,
              success: false,
              status: 400,
              error: { code: 'SF_HTTP_VALIDATION', message: `item ${index}: ${describeSchemaErrors(validate.errors)}` },
            };
          }
          try {
            return { index, success: true, status: 200, ...(await produceOne(opts, item, now, added)) };
          } catch (err) {
            const e = err as HttpError;
            return { index, success: false, status: e.statusCode, error: { code: e.code, message: e.message, hint: e.hint } };
          }
        }),
      );
      const failed = results.filter((r) => !r.success).length;
      reply.code(failed === 0 ? 200 : 207);
      return { success: failed === 0, messages_sent: results.length - failed, messages_failed: failed, results };
    },
  );
}
