/**
 * A keyed request's won claim (its lease), found by the route's services: its records go into
 * the lease's transaction instead of straight to the producer. Per request, as request-span.ts
 * keeps the request's span.
 */
import type { FastifyRequest } from 'fastify';
import type { Delivery } from '../../kafka/producer.js';
import type { Publisher } from '../publish/publisher.js';
import type { Lease } from './idempotency-store.js';

const leases = new WeakMap<FastifyRequest, Lease>();

export function setLease(req: FastifyRequest, lease: Lease): void {
  leases.set(req, lease);
}

export function takeLease(req: FastifyRequest): Lease | undefined {
  const lease = leases.get(req);
  leases.delete(req);
  return lease;
}

export const leaseOf = (req: FastifyRequest): Lease | undefined => leases.get(req);

/** `base`, its records sent in the lease's transaction (everything else as `base` does it). */
export function leasedPublisher(base: Publisher, lease: Lease): Publisher {
  // each call forwarded, not spread: a Publisher may be a class whose methods are on its prototype
  return {
    health: () => base.health(),
    queueDepth: () => base.queueDepth(),
    inFlight: () => base.inFlight(),
    tally: () => base.tally(),
    topics: (timeoutMs) => base.topics(timeoutMs),
    clusterIdentity: () => base.clusterIdentity(),
    async publish(msg) {
      const [outcome] = await lease.member.send([msg]);
      if (outcome instanceof Error) throw outcome;
      return outcome as Delivery;
    },
    publishMany: (msgs) => lease.member.send(msgs),
  };
}
