/**
 * schemathesis, a fuzzer we did not write, against serve-producer on the real broker: every
 * operation of its own /openapi.json, every check, a fixed seed. Any 5xx other than 503/504,
 * or any answer the document does not describe, fails the run (scripts/schemathesis.sh).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { startProducerServer, type RunningServer } from '../support/http-server.js';
import { registryUrl } from '../support/registry.js';
import { createTopic } from '../support/kafka-admin.js';

// the first run on a machine installs schemathesis (about 20 s); the run itself about 2 minutes
jest.setTimeout(600_000);
const broker = requireBroker('plaintext');
let server: RunningServer | undefined;
afterAll(() => server?.process.kill('SIGKILL'));

it('schemathesis finds no disagreement between the OpenAPI document and the server', async () => {
  const eventsTopic = `sp-fuzz-events-${randomBytes(4).toString('hex')}`;
  await createTopic(broker, eventsTopic, 1);
  // typed events reach a real topic; /produce mostly names topics that do not exist, and a
  // short produce timeout keeps each of those 404s to about 2 s
  // with the suite's Schema Registry: the v2 avro/jsonschema/protobuf content types are served
  server = await startProducerServer(['--produce-timeout', '2s', '--batch-limit', '50', '--schema-registry-url', registryUrl()], {
    ...broker,
    KAFKA_TOPIC: eventsTopic,
  });
  const url = server.url;
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(`${projectRoot}/scripts/schemathesis.sh`, [url], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  if (code !== 0) console.error(output.slice(-20_000));
  expect(code).toBe(0);
  // it really ran: every operation, many cases, none failing
  expect(output).toMatch(/Tested: 21\b/);
  const cases = Number(/(\d+) generated, \1 passed/.exec(output)?.[1] ?? 0);
  expect(cases).toBeGreaterThan(200);
  // no 5xx other than 503/504 reached the log as a bug
  expect(`${server.process.stdout}${server.process.stderr}`).not.toContain('"request failed"');
});
