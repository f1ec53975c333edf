/**
 * The Schema Registry frozen, then killed, under a running serve-producer: subjects it has
 * used keep producing from its cache; a new subject is refused with 503, Retry-After and the
 * REST Proxy's 40801, and nothing of it is written. A registry of this suite's own (the shared
 * one must live on for the other suites).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'dotenv';
import { projectRoot, requireBroker } from '../support/broker.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopicBytes } from '../support/kcat.js';
import { confluentDeserializers } from '../support/registry.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const dir = `${projectRoot}.schema-registry/outage`;
const script = `${projectRoot}scripts/schema-registry-local.sh`;
const env = { ...process.env, SCHEMA_REGISTRY_LOCAL_DIR: dir };
const AVRO_V2 = 'application/vnd.kafka.avro.v2+json';
const run = randomBytes(4).toString('hex');
const cached = `out-cached-${run}`;
const fresh = `out-new-${run}`;
const schema = JSON.stringify({ type: 'record', name: 'Tick', fields: [{ name: 'n', type: 'int' }] });

let url = '';
let pid = 0;
let server: RunningServer;

beforeAll(async () => {
  execFileSync(script, ['up'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  url = parse(readFileSync(`${dir}/registry.env`, 'utf8')).SCHEMA_REGISTRY_URL ?? '';
  pid = Number(readFileSync(`${dir}/registry.pid`, 'utf8'));
  await Promise.all([createTopic(broker, cached, 1), createTopic(broker, fresh, 1)]);
  server = await startProducerServer(['--schema-registry-url', url, '--schema-registry-timeout', '1s'], { ...broker });
});

afterAll(() => {
  server?.process.kill();
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already gone
  }
  execFileSync(script, ['down'], { env, stdio: 'ignore' });
});

const v2 = (topic: string, body: unknown) => postJson(`${server.url}/topics/${topic}`, body, { 'content-type': AVRO_V2 });
const v3 = (topic: string, body: unknown) => postJson(`${server.url}/v3/clusters/any/topics/${topic}/records`, body);

describe('the Schema Registry down', () => {
  it('cached subjects keep producing; a new subject gets 503 with 40801 and Retry-After, nothing written', async () => {
    const decode = confluentDeserializers(url);
    const first = await v2(cached, { value_schema: schema, records: [{ value: { n: 1 } }] });
    expect(first.status).toBe(200);
    const id = first.body.value_schema_id as number;
    expect((await v3(cached, { value: { type: 'AVRO', data: { n: 2 } } })).status).toBe(200);
    // read while the registry still answers: the decoder fetches the schema once
    const before = await readTopicBytes(broker, cached);
    expect(await decode.avro(cached, before[0]?.value as Buffer)).toEqual({ n: 1 });

    for (const [signal, why] of [
      ['SIGSTOP', 'did not answer within 1000 ms'],
      ['SIGKILL', 'cannot be reached'],
    ] as const) {
      process.kill(pid, signal);
      expect((await v2(cached, { value_schema: schema, records: [{ value: { n: 3 } }] })).status).toBe(200);
      expect((await v2(cached, { value_schema_id: id, records: [{ value: { n: 4 } }] })).status).toBe(200);
      expect((await v3(cached, { value: { type: 'AVRO', data: { n: 5 } } })).status).toBe(200);
      const refused = await v2(fresh, { value_schema: schema, records: [{ value: { n: 6 } }] });
      expect({ status: refused.status, code: refused.body.error_code, retryAfter: refused.headers.get('retry-after') }).toEqual({
        status: 503,
        code: 40801,
        retryAfter: '5',
      });
      expect(refused.body.message).toContain(why);
      const v3Refused = await v3(fresh, { value: { type: 'AVRO', data: { n: 7 } } });
      expect({ status: v3Refused.status, code: v3Refused.body.error_code }).toEqual({ status: 503, code: 40801 });
    }
    expect(await readTopicBytes(broker, fresh)).toEqual([]);
    // every record of the cached subject, framed with its schema's id: 2 before, 3 per outage
    const after = await readTopicBytes(broker, cached);
    expect(after).toHaveLength(8);
    expect(after.map((r) => r.value?.readUInt32BE(1))).toEqual(Array(8).fill(id));
  });
});
