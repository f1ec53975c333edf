/**
 * What a gateway client asks before it produces: the topics and their partitions (v2 shapes, the
 * REST Proxy's and the Bridge's), the cluster (v3), and the Bridge's `/healthy`. Limited by the
 * topic allowlist; internal topics (`__consumer_offsets`...) are not listed. Consumer endpoints
 * are out of scope and say where to go instead.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { ClusterIdentity } from '../../kafka/cluster-id.js';
import type { PartitionInfo, TopicInfo } from '../../kafka/topics.js';
import { KAFKA_V2_JSON, v2Content } from '../errors/kafka-rest-errors.js';
import { checkedCluster, checkedTopic, clusterIdentity, pathPartition } from '../publish/topic-check.js';
import { errorResponses, lookupErrorStatuses } from '../errors/documented-responses.js';
import { produceFailure } from '../errors/failure-answer.js';
import type { ProducerServices } from '../services.js';

const v2 = { errorFormat: 'kafka-rest-v2' as const };
const v3 = { errorFormat: 'kafka-rest-v3' as const };
const errors = errorResponses('kafka-rest-v3', lookupErrorStatuses);
const v2Errors = errorResponses('kafka-rest-v2', [400, ...lookupErrorStatuses]);

const replicaSchema = {
  type: 'object',
  properties: { broker: { type: 'integer' }, leader: { type: 'boolean' }, in_sync: { type: 'boolean' } },
};
const partitionSchema = {
  type: 'object',
  required: ['partition', 'leader', 'replicas'],
  properties: { partition: { type: 'integer' }, leader: { type: 'integer' }, replicas: { type: 'array', items: replicaSchema } },
};
const topicSchema = {
  type: 'object',
  required: ['name', 'configs', 'partitions'],
  properties: {
    name: { type: 'string' },
    configs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'not read: librdkafka has no DescribeConfigs here; always {}',
    },
    partitions: { type: 'array', items: partitionSchema },
  },
};
const clusterSchema = {
  type: 'object',
  required: ['kind', 'metadata', 'cluster_id'],
  properties: {
    kind: { type: 'string', enum: ['KafkaCluster'] },
    metadata: { type: 'object', properties: { self: { type: 'string' }, resource_name: { type: 'string' } } },
    cluster_id: { type: 'string' },
    controller_id: { type: 'integer', description: 'broker id of the active controller when the id was read' },
  },
};

/** The v2 shape of a partition: its leader and replicas by broker id. */
export function v2Partition(p: PartitionInfo): Record<string, unknown> {
  return {
    partition: p.id,
    leader: p.leader,
    replicas: p.replicas.map((broker) => ({ broker, leader: broker === p.leader, in_sync: p.isrs.includes(broker) })),
  };
}

const v2Topic = (t: TopicInfo) => ({ name: t.name, configs: {}, partitions: t.partitions.map(v2Partition) });

/** The URL this request came in by, for v3's `self` links. */
const base = (req: FastifyRequest): string => `${req.protocol}://${req.host}`;

/** The consumer API answers 501 whatever the body, in a context whose parser takes any (and reads it). */
const consumerRoutes: FastifyPluginCallback = (app, _opts, done) => {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, parsed) => parsed(null, undefined));
  const notServed = async (): Promise<never> => {
    throw new HttpError(
      501,
      'SF_HTTP_NOT_SERVED',
      "serve-producer only produces: the gateways' consumer API (/consumers) is not served",
      'read topics with `streamforge watch` (interactive, or --json for a pipe), or a Kafka consumer',
    );
  };
  for (const url of ['/consumers', '/consumers/*']) app.all(url, { config: v2, schema: { hide: true } }, notServed);
  done();
};

const kafkaRestDiscoveryRoutes: FastifyPluginCallback = (app, _opts, done) => {
  v2Discovery(app, app.services);
  v3Discovery(app, app.services);

  // The Bridge's liveness path, beside our /health
  app.get(
    '/healthy',
    {
      schema: {
        summary: 'liveness, as the Strimzi Bridge names it',
        tags: ['system'],
        response: { 204: { type: 'null', description: 'the process answers' } },
      },
    },
    async (_req, reply) => reply.code(204).send(),
  );

  app.register(consumerRoutes);
  done();
};

const topicParams = { type: 'object', required: ['topic'], properties: { topic: { type: 'string' } } };

/** GET /topics, a topic, its partitions and one partition, in v2's shape and media type. */
function v2Discovery(app: FastifyInstance, s: ProducerServices): void {
  const listable = (name: string) => !name.startsWith('__') && (!s.topicAllow || s.topicAllow.test(name));

  app.get(
    '/topics',
    {
      config: v2,
      schema: {
        summary: 'the topics a client may produce to (REST Proxy v2, Strimzi Bridge)',
        tags: ['kafka-rest v2'],
        response: { 200: v2Content({ type: 'array', items: { type: 'string' } }), ...v2Errors },
      },
    },
    async (_req, reply) => {
      reply.type(KAFKA_V2_JSON);
      try {
        return (await s.catalog.all()).map((t) => t.name).filter(listable);
      } catch (err) {
        throw produceFailure(err);
      }
    },
  );

  app.get(
    '/topics/:topic',
    {
      config: v2,
      schema: {
        summary: "a topic's partitions (REST Proxy v2, Strimzi Bridge)",
        tags: ['kafka-rest v2'],
        params: topicParams,
        response: { 200: v2Content(topicSchema), ...v2Errors },
      },
    },
    async (req, reply) => {
      reply.type(KAFKA_V2_JSON);
      return v2Topic(await checkedTopic(s, (req.params as { topic: string }).topic));
    },
  );
  app.get(
    '/topics/:topic/partitions',
    {
      config: v2,
      schema: {
        summary: "a topic's partitions (REST Proxy v2, Strimzi Bridge)",
        tags: ['kafka-rest v2'],
        params: topicParams,
        response: { 200: v2Content({ type: 'array', items: partitionSchema }), ...v2Errors },
      },
    },
    async (req, reply) => {
      reply.type(KAFKA_V2_JSON);
      return (await checkedTopic(s, (req.params as { topic: string }).topic)).partitions.map(v2Partition);
    },
  );
  app.get(
    '/topics/:topic/partitions/:partition',
    {
      config: v2,
      schema: {
        summary: 'one partition (REST Proxy v2, Strimzi Bridge)',
        tags: ['kafka-rest v2'],
        params: {
          type: 'object',
          required: ['topic', 'partition'],
          properties: { topic: { type: 'string' }, partition: { type: 'integer', minimum: 0, maximum: 2147483647 } },
        },
        response: { 200: v2Content(partitionSchema), ...v2Errors },
      },
      validatorCompiler: () => () => true,
    },
    async (req, reply) => {
      reply.type(KAFKA_V2_JSON);
      const { topic, partition } = req.params as { topic: string; partition: string };
      const p = pathPartition(partition);
      const info = await checkedTopic(s, topic, p);
      return v2Partition(info.partitions.find((x) => x.id === p) as PartitionInfo);
    },
  );
}

/** GET /v3/clusters and /v3/clusters/{id}: the cluster behind this server. */
function v3Discovery(app: FastifyInstance, s: ProducerServices): void {
  const cluster = (req: FastifyRequest, { clusterId, controllerId }: ClusterIdentity) => ({
    kind: 'KafkaCluster',
    metadata: { self: `${base(req)}/v3/clusters/${clusterId}`, resource_name: `crn:///kafka=${clusterId}` },
    cluster_id: clusterId,
    controller_id: controllerId,
  });
  app.get(
    '/v3/clusters',
    {
      config: v3,
      schema: {
        summary: 'the cluster behind this server (REST Proxy v3)',
        tags: ['kafka-rest v3'],
        response: {
          200: {
            type: 'object',
            required: ['kind', 'metadata', 'data'],
            properties: {
              kind: { type: 'string', enum: ['KafkaClusterList'] },
              metadata: { type: 'object', properties: { self: { type: 'string' }, next: { type: 'null' } } },
              data: { type: 'array', items: clusterSchema },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const data = [cluster(req, await clusterIdentity(s))];
      return { kind: 'KafkaClusterList', metadata: { self: `${base(req)}/v3/clusters`, next: null }, data };
    },
  );
  app.get(
    '/v3/clusters/:cluster_id',
    {
      config: v3,
      schema: {
        summary: 'the cluster, by its id (REST Proxy v3)',
        tags: ['kafka-rest v3'],
        params: { type: 'object', required: ['cluster_id'], properties: { cluster_id: { type: 'string' } } },
        response: { 200: clusterSchema, ...errors },
      },
    },
    async (req) => cluster(req, await checkedCluster(s, (req.params as { cluster_id: string }).cluster_id)),
  );
}

export default kafkaRestDiscoveryRoutes;
