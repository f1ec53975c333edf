/**
 * schema/registry-client.ts against a real registry (the suite's own, global-setup.mjs: Apicurio's
 * Confluent-compatible API): register, by id, latest, BACKWARD evolution, the registry's own
 * error codes, an unreachable registry.
 */
import { describe, expect, it } from '@jest/globals';
import { RegistryClient, RegistryError } from '../../../src/schema/registry-client.js';
import { registryUrl } from '../../support/registry.js';

const url = registryUrl();

const avro = (fields: string[]) =>
  JSON.stringify({
    type: 'record',
    name: 'User',
    fields: fields.map((f) => (f === 'email' ? { name: f, type: ['null', 'string'], default: null } : { name: f, type: 'string' })),
  });

const client = (now = () => Date.now()) => new RegistryClient({ url, timeoutMs: 5000, latestTtlMs: 30_000, now });

describe('RegistryClient against a real registry', () => {
  it('registers a schema, finds it by id and as the latest version, and gives the same id again', async () => {
    const c = client();
    const subject = `users-${Date.now()}-value`;
    const id = await c.register(subject, avro(['id']), 'AVRO');
    expect(await client().byId(id)).toMatchObject({ id, schemaType: 'AVRO' });
    expect(await client().latest(subject)).toMatchObject({ id, version: 1, subject });
    expect(await client().register(subject, avro(['id']), 'AVRO')).toBe(id);
  });

  it('refuses an incompatible change under BACKWARD with 409, and takes a compatible one', async () => {
    const c = client();
    const subject = `evolve-${Date.now()}-value`;
    const first = await c.register(subject, avro(['id']), 'AVRO');
    // a new optional field with a default: BACKWARD-compatible
    expect(await c.register(subject, avro(['id', 'email']), 'AVRO')).not.toBe(first);
    // a new required field: readers of the new schema cannot read old records
    const err = await c.register(subject, avro(['id', 'email', 'name']), 'AVRO').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).status).toBe(409);
  });

  it('answers an unknown subject with 404 and the registry’s code, an unreachable registry as unreachable', async () => {
    const err = await client()
      .latest(`missing-${Date.now()}`)
      .catch((e: unknown) => e);
    // Confluent's registry says 40401 (subject not found); Apicurio's ccompat says 40402 (version not found)
    expect(err).toMatchObject({ status: 404 });
    expect([40401, 40402]).toContain((err as RegistryError).errorCode);
    const gone = new RegistryClient({ url: 'http://127.0.0.1:1/apis/ccompat/v7', timeoutMs: 1000, latestTtlMs: 0 });
    const down = await gone.byId(1).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RegistryError);
    expect((down as RegistryError).unreachable).toBe(true);
  });
});

describe('RegistryClient, registrations at the same moment', () => {
  it('registers 12 new subjects in parallel, each once, as a registry that races creating them would refuse some', async () => {
    const c = client();
    const run = Date.now();
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => c.register(`race-${run}-${i}-value`, avro(['id']), 'AVRO')));
    expect(new Set(ids).size).toBe(1);
  });
});
