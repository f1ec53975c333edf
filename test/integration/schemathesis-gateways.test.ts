/**
 * schemathesis with the gateways' own OpenAPI documents (test/fixtures/gateways/: the Strimzi
 * Bridge's produce operations, the Confluent REST Proxy's v3 produce) against serve-producer on
 * the real broker: what a client written against those documents sends and expects. Each run's
 * config (test/schemathesis/strimzi-bridge.toml, confluent-v3.toml) says why a check is left out:
 * where the document and the gateway's own measured behaviour disagree.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { registryUrl } from '../support/registry.js';

jest.setTimeout(600_000);
const broker = requireBroker('plaintext');
let server: RunningServer;
const topic = `st-gw-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  await createTopic(broker, topic, 3);
  // with the suite's Schema Registry: the v3 document's AVRO/JSONSCHEMA/PROTOBUF data and schema
  // fields (random schema texts, ids and subjects included) reach the registry and the codecs
  server = await startProducerServer(['--produce-timeout', '2s', '--batch-limit', '50', '--schema-registry-url', registryUrl()], {
    ...broker,
  });
}, 120_000);
afterAll(() => server?.process.kill('SIGKILL'));

function schemathesis(url: string, env: Record<string, string>, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      `${projectRoot}/scripts/schemathesis.sh`,
      [url, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

function expectClean(run: { code: number; output: string }, operations: number, minCases: number): void {
  if (run.code !== 0) console.error(run.output.slice(-20_000));
  expect(run.code).toBe(0);
  expect(run.output).toMatch(new RegExp(`Tested: ${operations}\\b`));
  const cases = Number(/(\d+) generated, \1 passed/.exec(run.output)?.[1] ?? 0);
  expect(cases).toBeGreaterThan(minCases);
}

it("the Strimzi Bridge's own document (send, sendToPartition, getTopic, getPartition)", async () => {
  const run = await schemathesis(
    server.url,
    {
      SCHEMATHESIS_SPEC: `${projectRoot}/test/fixtures/gateways/strimzi-kafka-bridge-openapi.json`,
      SCHEMATHESIS_CONFIG: 'strimzi-bridge',
      BRIDGE_TOPIC: topic,
    },
    // why each is left out: test/schemathesis/strimzi-bridge.toml
    ['--exclude-checks', 'status_code_conformance,negative_data_rejection,response_schema_conformance'],
  );
  expectClean(run, 4, 200);
});

it("the Confluent REST Proxy's own v3 document (produce records)", async () => {
  const clusters = (await (await fetch(`${server.url}/v3/clusters`)).json()) as { data: Array<{ cluster_id: string }> };
  const run = await schemathesis(
    `${server.url}/v3`,
    {
      SCHEMATHESIS_SPEC: `${projectRoot}/test/fixtures/gateways/confluent-kafka-rest-v3-openapi.yaml`,
      SCHEMATHESIS_CONFIG: 'confluent-v3',
      CLUSTER_ID: clusters.data[0]?.cluster_id ?? '',
      V3_TOPIC: topic,
    },
    // why: test/schemathesis/confluent-v3.toml
    ['--exclude-checks', 'status_code_conformance'],
  );
  expectClean(run, 1, 100);
  // no answer was a bug
  expect(`${server.process.stdout}${server.process.stderr}`).not.toContain('"request failed"');
});
