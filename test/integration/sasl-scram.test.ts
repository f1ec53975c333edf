/**
 * The production path: SASL_SSL with SCRAM-SHA-512 and a CA file, against a real listener
 * configured that way with a CA the set-up generated. kcat checks the topics through the same
 * broker's PLAINTEXT listener (Debian's kcat is built on librdkafka 2.0.2, whose SCRAM login
 * this Kafka 4.x broker refuses; the streamforge client, librdkafka 2.12, is accepted).
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { brokerEnv, requireBroker } from '../support/broker.js';
import { runCli, startDummy, startMonitor, uniqueTopics, type CliProcess } from '../support/cli-process.js';
import { startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readJson } from '../support/kcat.js';

jest.setTimeout(90_000);
const sasl = brokerEnv('sasl');
const plaintext = requireBroker('plaintext');
const describeSasl = sasl ? describe : describe.skip;
if (!sasl) process.stderr.write('SASL tests skipped: set STREAMFORGE_TEST_SASL_ENV to a dotenv file for a SASL_SSL listener\n');

const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

describeSasl('SASL_SSL + SCRAM-SHA-512 + CA file', () => {
  const env = sasl ?? {};

  it('a dummy answers pings and stops, with every event on the topic', async () => {
    expect(env.KAFKA_SECURITY_PROTOCOL).toBe('SASL_SSL');
    expect(env.KAFKA_CA_PATH).toBeTruthy();
    const topics = uniqueTopics('sasl');
    const d = await startDummy(['--queue-id', 'q-sasl', '--simulate-loading', '--loading-interval', '0.5'], { ...env, ...topics });
    running.push(d);

    const ping = await runCli(['ping', '--queue-id', 'q-sasl', '--expect-pong', '--repeat', '3', '--interval', '0.2'], {
      ...env,
      ...topics,
    });
    expect(ping.stdout).toMatch(/3 sent, 3 received, 0 lost/);
    expect(ping.code).toBe(0);
    const stop = await runCli(['stop', '--queue-id', 'q-sasl', '--wait'], { ...env, ...topics });
    expect(stop.code).toBe(0);
    expect((await d.exited).code).toBe(0);

    const events = await readJson(plaintext, topics.QUEUE_EVENTS_TOPIC);
    expect(events.filter((e) => e.event === 'started')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'pong')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ event: 'interrupted', finished: true });
    // no secrets and no user names in events (legacy services sent kafka_user; we do not)
    const text = JSON.stringify(events);
    expect(text).not.toContain(env.KAFKA_PASSWORD as string);
    expect(text).not.toContain('kafka_user');
    expect(d.stdout).not.toContain(env.KAFKA_PASSWORD as string);
  });

  it('monitor probes a queue over SASL_SSL, and logs no secret', async () => {
    const topics = uniqueTopics('sasl-monitor');
    const d = await startDummy(['--queue-id', 'q-sasl-m'], { ...env, ...topics });
    running.push(d);
    const { monitor, port } = await startMonitor(['--probe-interval', '500ms', '--probe-timeout', '400ms', '--since', '1m'], {
      ...env,
      ...topics,
      LOG_LEVEL: 'debug',
    });
    running.push(monitor);
    let text = '';
    for (let i = 0; i < 300 && !text.includes('streamforge_probe_success{queue_id="q-sasl-m"} 1'); i++) {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('streamforge_queue_status{queue_id="q-sasl-m",status="started"} 1');
    expect(text).toContain('streamforge_probe_success{queue_id="q-sasl-m"} 1');
    expect(monitor.stdout + monitor.stderr).not.toContain(env.KAFKA_PASSWORD as string);
  });

  it("serve-producer's gateway routes: the cluster id and a v2 produce over SASL_SSL, no secret in the log", async () => {
    const topic = `sasl-gw-${Date.now()}`;
    await createTopic(plaintext, topic, 1);
    const server = await startProducerServer([], { ...env });
    running.push(server.process);
    const clusters = (await (await fetch(`${server.url}/v3/clusters`)).json()) as { data: Array<{ cluster_id: string }> };
    expect(clusters.data[0]?.cluster_id).toMatch(/^\S{10,}$/);
    const res = await fetch(`${server.url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.kafka.json.v2+json' },
      body: JSON.stringify({ records: [{ key: 'k', value: { over: 'sasl' } }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { offsets: Array<{ offset: number }> }).offsets[0]?.offset).toBe(0);
    expect(await readJson(plaintext, topic)).toEqual([{ over: 'sasl' }]);
    expect(`${server.process.stdout}${server.process.stderr}`).not.toContain(env.KAFKA_PASSWORD ?? 'no password');
  });

  it('a wrong password is exit 3, fast, and the message does not contain it', async () => {
    const wrong = 'not-the-password-5f1c';
    for (const args of [
      ['ping', '--queue-id', 'q'],
      ['dummy', '--queue-id', 'q', '--metrics-port', '0'],
      ['monitor', '--metrics-port', '0'],
    ]) {
      const r = await runCli(args, { ...env, KAFKA_PASSWORD: wrong, LOG_LEVEL: 'debug' });
      expect(r.stderr).toMatch(/authentication to Kafka at localhost:\d+ failed/);
      expect(r.stderr).toContain('hint: check KAFKA_USER, KAFKA_PASSWORD');
      expect(r.code).toBe(3);
      expect(r.ms).toBeLessThan(10_000);
      expect(r.stdout + r.stderr).not.toContain(wrong);
    }
  });

  it('a CA that did not sign the broker certificate is exit 3 with a TLS message', async () => {
    const r = await runCli(['ping', '--queue-id', 'q', '--connect-timeout', '10'], {
      ...env,
      KAFKA_CA_PATH: '/etc/ssl/certs/ca-certificates.crt',
    });
    expect(r.stderr).toMatch(/TLS handshake with Kafka at localhost:\d+ failed/);
    expect(r.code).toBe(3);
  });

  it('the plaintext protocol against the TLS listener is exit 3, not a hang', async () => {
    const r = await runCli(['ping', '--queue-id', 'q', '--connect-timeout', '3', '--security-protocol', 'PLAINTEXT'], { ...env });
    expect(r.stderr).toMatch(/cannot reach Kafka at localhost:\d+ within 3\.0s|failed/);
    expect(r.code).toBe(3);
  });
});
