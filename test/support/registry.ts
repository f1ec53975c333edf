/**
 * The Schema Registry the tests use: SCHEMA_REGISTRY_URL, or the one global-setup.mjs starts in
 * .schema-registry/test; and Confluent's own deserializers (@confluentinc/schemaregistry), which
 * read back what serve-producer wrote, independently of our codecs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { AvroDeserializer, JsonDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { projectRoot } from './broker.js';

export function registryUrl(): string {
  if (process.env.SCHEMA_REGISTRY_URL) return process.env.SCHEMA_REGISTRY_URL;
  const url = parse(readFileSync(`${projectRoot}.schema-registry/test/registry.env`, 'utf8')).SCHEMA_REGISTRY_URL;
  if (!url) throw new Error('no SCHEMA_REGISTRY_URL in .schema-registry/test/registry.env');
  return url;
}

/** Confluent's deserializers for one registry: Avro and JSON Schema, as a Confluent consumer reads them. */
export function confluentDeserializers(url: string): {
  avro: (topic: string, bytes: Buffer, part?: 'key' | 'value') => Promise<unknown>;
  json: (topic: string, bytes: Buffer) => Promise<unknown>;
} {
  const client = new SchemaRegistryClient({ baseURLs: [url] });
  const avroValue = new AvroDeserializer(client, SerdeType.VALUE, {});
  const avroKey = new AvroDeserializer(client, SerdeType.KEY, {});
  const json = new JsonDeserializer(client, SerdeType.VALUE, {});
  return {
    avro: (topic, bytes, part = 'value') => (part === 'key' ? avroKey : avroValue).deserialize(topic, bytes),
    json: (topic, bytes) => json.deserialize(topic, bytes),
  };
}

/**
 * A Protobuf value decoded by protoc (Debian's protobuf-compiler): the wire header and the
 * message index [0] cut off, the rest printed as Protobuf's text format.
 */
export async function protocDecode(proto: string, message: string, framed: Buffer): Promise<string> {
  if (framed[0] !== 0 || framed[5] !== 0)
    throw new Error(`not Confluent's Protobuf framing with index [0]: ${framed.subarray(0, 6).toString('hex')}`);
  const dir = mkdtempSync(join(tmpdir(), 'protoc-'));
  writeFileSync(join(dir, 'schema.proto'), proto);
  try {
    return await new Promise((resolve, reject) => {
      const child = execFile('protoc', [`--proto_path=${dir}`, `--decode=${message}`, 'schema.proto'], (err, stdout, stderr) =>
        err ? reject(new Error(`protoc failed: ${stderr || err.message}`)) : resolve(stdout),
      );
      child.stdin?.end(framed.subarray(6));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
