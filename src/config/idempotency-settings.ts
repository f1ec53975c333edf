/**
 * serve-producer's Idempotency-Key settings: where every replica keeps its claims and answers
 * (two topics named after one prefix), how long a key lives, and the transaction bound that
 * decides when a silent replica's claim may be taken over.
 */
import { hostname } from 'node:os';
import { topicName } from './common-settings.js';
import { parse, ParseFailure, type Setting } from './setting.js';

/** A Kafka transactional.id takes any text; a replica id is part of one and of log lines: kept plain. */
const replicaId = (raw: string): string => {
  const v = parse.nonEmpty(raw);
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(v)) {
    throw new ParseFailure(`must be letters, digits, '.', '_' or '-' (at most 200), got '${raw}'`);
  }
  return v;
};

export const idempotencySettings = {
  idempotency: {
    flags: '--no-idempotency',
    env: 'PRODUCER_IDEMPOTENCY',
    description:
      'refuse the Idempotency-Key header (400) instead of serving it; with it on (the default), nothing is started until the first keyed request',
    defaultLabel: 'served (PRODUCER_IDEMPOTENCY=true)',
    switch: true,
    default: true,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  idempotencyTopic: {
    flags: '--idempotency-topic <prefix>',
    env: 'PRODUCER_IDEMPOTENCY_TOPIC',
    description:
      'Idempotency-Key: the claims go to <prefix>-claims and the answers to <prefix>-answers (created at the first keyed request where the user may); the transactional ids are <prefix>-<replica id>-<worker>',
    default: 'streamforge-idempotency',
    parse: topicName,
  } satisfies Setting<string>,
  idempotencyTtl: {
    flags: '--idempotency-ttl <duration>',
    env: 'PRODUCER_IDEMPOTENCY_TTL',
    description:
      "how long a key is remembered after its request: a retry within it gets the first answer; after it, the key is new again. Longer than clients retry (a Kubernetes Job's six retries span about 10.5 min). Every replica holds every live key: about 200 bytes plus its answer (a /produce answer about 330 bytes in all; 1,000 keyed requests a second for 15 min, about 300 MB)",
    default: 900_000,
    parse: parse.duration({ minMs: 1000, maxMs: 7 * 86_400_000 }),
  } satisfies Setting<number>,
  idempotencyTransactionTimeout: {
    flags: '--idempotency-transaction-timeout <duration>',
    env: 'PRODUCER_IDEMPOTENCY_TRANSACTION_TIMEOUT',
    description:
      "Kafka's transaction.timeout.ms for keyed requests: a replica that went silent holding a key is fenced and its key taken over 5 s after this",
    default: 10_000,
    parse: parse.duration({ minMs: 1000, maxMs: 900_000 }),
  } satisfies Setting<number>,
  replicaId: {
    flags: '--replica-id <id>',
    env: 'PRODUCER_REPLICA_ID',
    description:
      "this replica's name in its transactional ids: stable across its restarts where it can be (a StatefulSet's pod name); a Deployment's pod name does too, a restarted pod's claims are then taken over",
    defaultLabel: 'the host name (the pod name in Kubernetes)',
    derive: () => hostname(),
    parse: replicaId,
  } satisfies Setting<string>,
};
