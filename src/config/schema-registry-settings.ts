/**
 * serve-producer's Schema Registry settings, named as the Confluent REST Proxy's
 * `schema.registry.url` and its basic-auth and TLS settings are: what schema-typed records
 * (Avro, JSON Schema, Protobuf) need. Unset, those records are refused (415 on v2, 42207 on v3).
 */
import { parse, type Setting } from './setting.js';

export const schemaRegistrySettings = {
  schemaRegistryUrl: {
    flags: '--schema-registry-url <url>',
    env: 'SCHEMA_REGISTRY_URL',
    description:
      "a Confluent-compatible Schema Registry (Confluent's, or Apicurio's /apis/ccompat/v7): serves Avro, JSON Schema and Protobuf records on the v2 and v3 routes",
    defaultLabel: 'none: schema-typed records are refused',
    parse: parse.httpUrl(
      'http://schema-registry:8081 or http://apicurio:8080/apis/ccompat/v7',
      'set SCHEMA_REGISTRY_USER and SCHEMA_REGISTRY_PASSWORD instead',
    ),
  } satisfies Setting<string>,
  schemaRegistryUser: {
    flags: '--schema-registry-user <name>',
    env: 'SCHEMA_REGISTRY_USER',
    description: "the Schema Registry's basic-auth user",
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  schemaRegistryPassword: {
    env: 'SCHEMA_REGISTRY_PASSWORD',
    description: "the Schema Registry's basic-auth password (environment or .env only: flags are visible in ps)",
    parse: parse.string,
    secret: true,
  } satisfies Setting<string>,
  schemaRegistryCa: {
    flags: '--schema-registry-ca <file>',
    env: 'SCHEMA_REGISTRY_CA_PATH',
    description: "PEM file of the CA that signed an https:// Schema Registry's certificate (default: the system's CAs)",
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  schemaRegistryTimeout: {
    flags: '--schema-registry-timeout <duration>',
    env: 'SCHEMA_REGISTRY_TIMEOUT',
    description:
      'how long a request to the Schema Registry may take before the record is refused with 503 and 40801 (nothing written; schemas already used are cached and need no request)',
    default: 5000,
    parse: parse.duration({ minMs: 100, maxMs: 120_000 }),
  } satisfies Setting<number>,
};
