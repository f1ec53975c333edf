/**
 * Topic metadata and creation. Production topics come from Strimzi `KafkaTopic` resources; a
 * laptop or a test has none, so the commands create what is missing through the admin client.
 */
import Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka-connection.js';
import { KafkaError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { connectionProps } from './client-props.js';
import { buildClient, isRdkafkaError, mapAdminError, mapMetadataError, rdkafkaCodes } from './error-map.js';

type MetadataClient = Pick<Kafka.Producer, 'getMetadata'>;

/** Anything that can list a topic's partitions over an existing connection. */
export interface PartitionSource {
  partitionsOf(topic: string, timeoutMs: number): Promise<number[]>;
}

/** A partition as the cluster's metadata describes it (broker ids). */
export interface PartitionInfo {
  readonly id: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isrs: readonly number[];
}

export interface TopicInfo {
  readonly name: string;
  /** in partition order */
  readonly partitions: readonly PartitionInfo[];
}

/**
 * Every topic of the cluster with its partitions. One request for all topics, not one per name:
 * librdkafka's producer asks the broker to auto-create a topic it requests by name, and a lookup
 * must not create what it looks for.
 */
export function fetchTopics(client: MetadataClient, timeoutMs: number): Promise<TopicInfo[]> {
  return new Promise((resolve, reject) => {
    client.getMetadata({ allTopics: true, timeout: timeoutMs }, (err, md) => {
      if (err) return reject(mapMetadataError(err, timeoutMs));
      resolve(
        md.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions
            .map((p) => ({ id: p.id, leader: p.leader, replicas: [...p.replicas], isrs: [...p.isrs] }))
            .sort((a, b) => a.id - b.id),
        })),
      );
    });
  });
}

/** The partition ids of a topic; empty when it does not exist (yet). */
export function fetchPartitions(client: MetadataClient, topic: string, timeoutMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.getMetadata({ topic, timeout: timeoutMs }, (err, md) => {
      if (err) {
        if (err.code === Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART) return resolve([]);
        return reject(mapAdminError(err, topic));
      }
      const t = md.topics.find((x) => x.name === topic);
      resolve((t?.partitions ?? []).map((p) => p.id).sort((a, b) => a - b));
    });
  });
}

export interface EnsureTopicsOptions {
  readonly clientId: string;
  readonly logger: Logger;
  /** partitions for a topic we create; -1 takes the broker's num.partitions */
  readonly partitions?: number;
  /** topic configs for a topic we create (cleanup.policy, retention.ms) */
  readonly config?: Readonly<Record<string, string>>;
}

/** Creates the topics that do not exist. Racing creators are fine: "already exists" is success. */
export async function ensureTopics(
  conn: KafkaConnection,
  metadata: PartitionSource,
  topics: readonly string[],
  opts: EnsureTopicsOptions,
): Promise<void> {
  const timeoutMs = conn.connectTimeoutMs;
  const missing: string[] = [];
  for (const topic of new Set(topics)) {
    if ((await metadata.partitionsOf(topic, timeoutMs)).length === 0) missing.push(topic);
  }
  if (missing.length === 0) return;

  const admin = buildClient(() => Kafka.AdminClient.create(connectionProps(conn, `${opts.clientId}-admin`)));
  try {
    for (const topic of missing) {
      opts.logger.info('creating topic', { topic });
      await new Promise<void>((resolve, reject) => {
        admin.createTopic(
          { topic, num_partitions: opts.partitions ?? -1, replication_factor: -1, ...(opts.config ? { config: { ...opts.config } } : {}) },
          timeoutMs,
          (err) => {
            if (!err || err.code === rdkafkaCodes.topicAlreadyExists) resolve();
            else reject(isRdkafkaError(err) ? mapAdminError(err, topic) : err);
          },
        );
      });
    }
  } finally {
    admin.disconnect();
  }
  // A created topic takes a moment to appear in every broker's metadata.
  const deadline = Date.now() + timeoutMs;
  for (const topic of missing) {
    while ((await metadata.partitionsOf(topic, timeoutMs)).length === 0) {
      if (Date.now() > deadline) {
        throw new KafkaError(
          'SF_KAFKA_TOPIC',
          'no-such-topic',
          `topic ${topic} was created but has no partitions yet`,
          'retry in a moment',
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
