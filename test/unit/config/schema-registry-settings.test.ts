/** config/schema-registry-settings.ts: the registry's URL, credentials and CA, as serve-producer takes and hands them on. */
import { describe, expect, it } from '@jest/globals';
import { serveProducerSettings, serverOptions } from '../../../src/commands/serve-producer.js';
import { connectionFrom } from '../../../src/config/kafka-connection.js';
import { resolveSettings } from '../../../src/config/resolve.js';
import { ConfigError } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

const resolved = (flags: Record<string, unknown>, env: Record<string, string> = {}) =>
  resolveSettings(serveProducerSettings, { flags, env, dotenv: {}, facts: { version: '1.2.3' } });

describe('--schema-registry-*', () => {
  it('hands the app the URL (SCHEMA_REGISTRY_URL, as the REST Proxy names it), the credentials, the CA and the timeout', () => {
    const r = resolved(
      { schemaRegistryCa: 'ca.pem', schemaRegistryTimeout: '2s' },
      { SCHEMA_REGISTRY_URL: 'https://registry:8081/', SCHEMA_REGISTRY_USER: 'sr', SCHEMA_REGISTRY_PASSWORD: 's3cret' },
    );
    expect(serverOptions(r.values, connectionFrom(r)).app.schemaRegistry).toEqual({
      url: 'https://registry:8081',
      user: 'sr',
      password: 's3cret',
      caPath: 'ca.pem',
      timeoutMs: 2000,
    });
  });

  it('leaves the registry out when no URL is set: schema-typed records are refused', () => {
    const r = resolved({});
    expect(serverOptions(r.values, connectionFrom(r)).app.schemaRegistry).toBeUndefined();
    expect(r.values.schemaRegistryTimeout).toBe(5000);
  });

  it.each([
    ['ftp://registry', 'must be an http:// or https:// URL, not ftp:'],
    ['registry:8081', 'must be an http:// or https:// URL'],
    ['http://u:p@registry:8081', 'must not hold a user or password'],
  ])('refuses the URL %s, saying why (and never echoing a password)', (url, words) => {
    let err: unknown;
    try {
      resolved({}, { SCHEMA_REGISTRY_URL: url });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(words);
    expect((err as Error).message).not.toContain('u:p@');
  });

  it('refuses a user or CA without a URL before anything starts (exit 2)', async () => {
    const out = await runProgram(['serve-producer', '--schema-registry-user', 'sr']);
    expect(out.code).toBe(2);
    expect(out.err + out.out).toContain('--schema-registry-user is set without --schema-registry-url');
  });
});

describe('--schema-registry-user without its password', () => {
  it('is refused before anything starts (exit 2), naming the variable', async () => {
    const out = await runProgram(['serve-producer', '--schema-registry-url', 'http://r:8081', '--schema-registry-user', 'sr']);
    expect(out.code).toBe(2);
    expect(out.err + out.out).toContain('--schema-registry-user is set without SCHEMA_REGISTRY_PASSWORD');
  });
});
