/**
 * Traces against a real collector (Jaeger v2, the suite's own) and the real broker: a /produce
 * with a client's traceparent, and a ping to a dummy. The spans are read back from Jaeger's
 * query API, the record's header with kcat: what a traced system sees end to end.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { runCli, startDummy, uniqueTopics, type CliProcess } from '../support/cli-process.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { jaegerEnv, serviceTraces, traceSpans, type FoundSpan } from '../support/jaeger.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(90_000);
const broker = requireBroker('plaintext');
const jaeger = jaegerEnv();
const run = randomBytes(4).toString('hex');
// spans leave in batches every 200 ms, not the SDK's 5 s
const traced = (service: string) => ({
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_SERVICE_NAME: `${service}-${run}`,
  OTEL_BSP_SCHEDULE_DELAY: '200',
});
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

describe('serve-producer', () => {
  let server: RunningServer;
  const topic = `trace-${run}`;

  beforeAll(async () => {
    await createTopic(broker, topic, 3);
    server = await startProducerServer([], { ...broker, ...traced('producer') });
  });
  afterAll(() => server?.process.kill());

  it("continues the client's traceparent: a server span, a producer span, and the record's traceparent header is the producer span's", async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const res = await postJson(
      `${server.url}/produce`,
      { topic, key: 'k-1', message: { n: 1 } },
      { traceparent: `00-${traceId}-${clientSpan}-01` },
    );
    expect(res.status).toBe(200);
    const spans = await traceSpans(jaeger, traceId, (s) => s.length >= 2);
    const serverSpan = spans.find((s) => s.kind === SERVER) as FoundSpan;
    const producerSpan = spans.find((s) => s.kind === PRODUCER) as FoundSpan;
    expect(serverSpan).toMatchObject({
      service: `producer-${run}`,
      name: 'POST /produce',
      parentSpanId: clientSpan,
      attributes: expect.objectContaining({ 'http.request.method': 'POST', 'http.route': '/produce', 'http.response.status_code': 200 }),
    });
    expect(producerSpan).toMatchObject({
      name: `send ${topic}`,
      parentSpanId: serverSpan.spanId,
      attributes: expect.objectContaining({
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.kafka.message.key': 'k-1',
        'messaging.destination.partition.id': String(res.body.partition),
        'messaging.kafka.offset': res.body.offset,
      }),
    });
    const record = (await readTopic(broker, topic)).find(
      (r) => r.offset === res.body.offset && r.partition === res.body.partition,
    ) as unknown as {
      headers: string[];
    };
    expect(record.headers).toEqual(['traceparent', `00-${traceId}-${producerSpan.spanId}-01`]);
  });

  it('ends the span of a request whose client went away before the answer, as an error', async () => {
    const traceId = randomBytes(16).toString('hex');
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    // the headers and a part of the body, then gone
    socket.write(
      `POST /produce HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\ntraceparent: 00-${traceId}-${randomBytes(8).toString('hex')}-01\r\n\r\n{"topic":`,
    );
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    const spans = await traceSpans(jaeger, traceId, (s) => s.length >= 1);
    expect(spans).toEqual([expect.objectContaining({ kind: SERVER, name: 'POST /produce', error: true })]);
  });

  it('starts a new trace for a malformed traceparent, and answers as always', async () => {
    const res = await postJson(
      `${server.url}/topics/${topic}`,
      { records: [{ value: { n: 2 } }] },
      {
        'content-type': 'application/vnd.kafka.json.v2+json',
        traceparent: '00-not-a-trace-01',
      },
    );
    expect(res.status).toBe(200);
    const offset = (res.body.offsets as Array<{ partition: number; offset: number }>)[0];
    const record = (await readTopic(broker, topic)).find(
      (r) => r.offset === offset?.offset && r.partition === offset?.partition,
    ) as unknown as {
      headers: string[];
    };
    const [, traceparent] = record.headers;
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = await traceSpans(jaeger, (traceparent as string).slice(3, 35), (s) => s.length >= 2);
    expect(spans.find((s) => s.kind === SERVER)?.parentSpanId).toBeUndefined();
  });
});

describe('ping and the dummy', () => {
  let dummy: CliProcess;
  const queue = `trace-q-${run}`;
  const topics = uniqueTopics(`trace-${run}`);

  beforeAll(async () => {
    dummy = await startDummy(['--queue-id', queue], { ...broker, ...topics, ...traced('dummy') });
  });
  afterAll(() => dummy?.kill());

  it('one ping is one trace across both processes: ping -> the command -> the pong', async () => {
    const ping = await runCli(['ping', '--queue-id', queue, '--repeat', '3', '--interval', '0.2', '--expect-pong'], {
      ...broker,
      ...topics,
      ...traced('ping'),
    });
    expect(ping.code).toBe(0);
    const traces = await serviceTraces(jaeger, `ping-${run}`, (t) => t.size >= 3 && [...t.values()].every((s) => s.length >= 3));
    expect(traces.size).toBe(3);
    for (const spans of traces.values()) {
      const sent = spans.find((s) => s.service === `ping-${run}`) as FoundSpan;
      const handled = spans.find((s) => s.service === `dummy-${run}` && s.kind === CONSUMER) as FoundSpan;
      const pong = spans.find((s) => s.service === `dummy-${run}` && s.kind === PRODUCER) as FoundSpan;
      expect(sent).toMatchObject({
        name: `ping ${queue}`,
        kind: PRODUCER,
        error: false,
        attributes: expect.objectContaining({ 'streamforge.reply.event': 'pong' }),
      });
      expect(handled).toMatchObject({
        parentSpanId: sent.spanId,
        attributes: expect.objectContaining({ 'streamforge.command': 'ping', 'streamforge.queue_id': queue }),
      });
      expect(pong).toMatchObject({ parentSpanId: handled.spanId, attributes: expect.objectContaining({ 'streamforge.event': 'pong' }) });
    }
  });
});
