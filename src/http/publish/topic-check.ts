/**
 * The checks every gateway route makes before anything is sent: the path's partition and
 * cluster id, the allowlist (403), then the cluster's metadata (404 at once for a topic or
 * partition that does not exist). A cluster that does not answer is a 503: nothing was sent.
 */
import { HttpError } from '../../errors.js';
import type { ClusterIdentity } from '../../kafka/cluster-id.js';
import type { TopicInfo } from '../../kafka/topics.js';
import { produceFailure } from '../errors/failure-answer.js';
import { checkTopicAllowed } from './publish.js';
import type { ProducerServices, RouteServices } from '../services.js';
import { noSuchPartition, noSuchTopic } from '../errors/kafka-rest-errors.js';

type CheckServices = Pick<ProducerServices, 'catalog' | 'topicAllow'>;

/** A path partition: a non-negative 32-bit integer, as the Bridge's schema has it. */
export function pathPartition(text: string): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n <= 2147483647)) {
    throw new HttpError(400, 'SF_HTTP_VALIDATION', `partition ${JSON.stringify(text)} is not a partition number`, 'use an integer from 0');
  }
  return n;
}

/** The cluster's id and controller; a cluster that does not answer is the 503 that says so. */
export async function clusterIdentity(s: Pick<ProducerServices, 'publisher'>): Promise<ClusterIdentity> {
  try {
    return await s.publisher.clusterIdentity();
  } catch (err) {
    throw produceFailure(err);
  }
}

/** The cluster's identity, checked against the id in the path (404 for another cluster). */
export async function checkedCluster(s: Pick<ProducerServices, 'publisher'>, clusterId: string): Promise<ClusterIdentity> {
  const identity = await clusterIdentity(s);
  if (clusterId !== identity.clusterId) {
    throw new HttpError(
      404,
      'SF_HTTP_NOT_FOUND',
      `Cluster ${clusterId} cannot be found: this server is in front of cluster ${identity.clusterId}`,
      'GET /v3/clusters names it',
    );
  }
  return identity;
}

/**
 * The cluster a v3 produce route writes to. Self-managed Confluent REST Proxy takes any id in
 * the path ("validated only in Confluent Cloud"), so clients configured with a placeholder work
 * there: so they do here, unless --strict-cluster-id asks for the exact id.
 */
export async function producingCluster(
  s: Pick<ProducerServices, 'publisher' | 'strictClusterId'>,
  clusterId: string,
): Promise<ClusterIdentity> {
  return s.strictClusterId ? checkedCluster(s, clusterId) : clusterIdentity(s);
}

/** No problem with any record. */
export const NONE: ReadonlyArray<HttpError | undefined> = Object.freeze([]);

async function lookup(s: CheckServices, topic: string, partition: number | undefined) {
  try {
    return await s.catalog.partition(topic, partition);
  } catch (err) {
    throw produceFailure(err);
  }
}

/** The topic's metadata; throws the 403, 404 or 503 that says why not. */
export async function checkedTopic(s: CheckServices, topic: string, partition?: number): Promise<TopicInfo> {
  return knownTopic(s, topic, partition) ?? lookedUp(s, topic, partition);
}

type CountingServices = CheckServices & Pick<RouteServices, 'metrics' | 'route'>;

/** The failure counter's share of a request refused for its topic: each of its `records` is not written. */
function counted(s: CountingServices, topic: string, records: number, err: unknown): unknown {
  if (err instanceof HttpError && records > 0) s.metrics.failed(s.route, topic, err.code, records);
  return err;
}

/** knownTopic for a request of `records` records: a refusal (403) is counted for each. */
export function knownTopicFor(s: CountingServices, topic: string, partition: number | undefined, records: number): TopicInfo | undefined {
  try {
    return knownTopic(s, topic, partition);
  } catch (err) {
    throw counted(s, topic, records, err);
  }
}

/** checkedTopic for a request of `records` records: a refusal (403, 404, 503) is counted for each. */
export async function checkedTopicFor(
  s: CountingServices,
  topic: string,
  partition: number | undefined,
  records: number,
): Promise<TopicInfo> {
  try {
    return await checkedTopic(s, topic, partition);
  } catch (err) {
    throw counted(s, topic, records, err);
  }
}

/** Allowed, and known to the catalog without asking (the usual case): no promise at all. */
export function knownTopic(s: CheckServices, topic: string, partition?: number): TopicInfo | undefined {
  checkTopicAllowed(s, topic);
  return s.catalog.known(topic, partition);
}

async function lookedUp(s: CheckServices, topic: string, partition: number | undefined): Promise<TopicInfo> {
  const found = await lookup(s, topic, partition);
  if (found.kind === 'found') return found.topic;
  if (found.kind === 'no-topic') throw noSuchTopic(topic);
  const info = await lookup(s, topic, undefined);
  throw noSuchPartition(topic, partition as number, info.kind === 'found' ? info.topic.partitions.length : 0);
}

/** True when every record's own partition (if it names one) is in the topic as known: nothing to ask. */
export function partitionsKnown(topic: TopicInfo, partitions: ReadonlyArray<number | undefined>): boolean {
  return partitions.every((p) => p === undefined || topic.partitions.some((x) => x.id === p));
}

/** For each record's own partition: undefined when it exists (or none is named), else the 404 to answer it with. */
export async function partitionProblems(
  s: CheckServices,
  topic: TopicInfo,
  partitions: ReadonlyArray<number | undefined>,
): Promise<ReadonlyArray<HttpError | undefined>> {
  if (partitionsKnown(topic, partitions)) return NONE;
  let current = topic;
  const has = (p: number) => current.partitions.some((x) => x.id === p);
  // maybe added since the catalog's last answer: ask once more
  const again = await lookup(
    s,
    topic.name,
    partitions.find((p) => p !== undefined && !has(p)),
  );
  if (again.kind === 'found') current = again.topic;
  return partitions.map((p) => (p === undefined || has(p) ? undefined : noSuchPartition(topic.name, p, current.partitions.length)));
}
