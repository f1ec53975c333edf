/**
 * Idempotency-Key proven by chaos, against three brokers (what transactions need): two
 * serve-producer processes, clients that send each of 10,000 keyed requests and retry it on any
 * error, timeout or reset on a random process, a process SIGKILLed every few seconds and
 * restarted under the same replica id, and a broker frozen (SIGSTOP) once. At the end, read with
 * read_committed (kcat's default): every key answered 200 is in Kafka exactly once, at the
 * answered partition and offset; no key is there twice; a key's answers never differ.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'dotenv';
import { projectRoot, type BrokerEnv } from '../support/broker.js';
import { CliProcess, freePort } from '../support/cli-process.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(600_000);
const script = `${projectRoot}/scripts/kafka-local.sh`;
const clusterEnv = { ...process.env, KAFKA_LOCAL_BROKERS: '3' };
let cluster: BrokerEnv;

const KEYS = 10_000;
const CLIENTS = 24;
const KILL_EVERY_MS = 4000;
/** a client gives up on one attempt after this (the server's --produce-timeout is 5 s) */
const ATTEMPT_TIMEOUT_MS = 4000;

beforeAll(() => {
  execFileSync(script, ['up'], { env: clusterEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  cluster = parse(readFileSync(`${projectRoot}/.kafka/cluster/plaintext.env`, 'utf8'));
});

afterAll(() => {
  for (const r of replicas) r.proc?.kill('SIGKILL');
  execFileSync(script, ['thaw-node', '2'], { env: clusterEnv, stdio: 'ignore' });
  if (!process.env.KEEP_KAFKA) execFileSync(script, ['down'], { env: clusterEnv, stdio: 'ignore' });
});

interface Replica {
  readonly id: string;
  readonly port: number;
  proc: CliProcess | undefined;
  up: boolean;
}
const replicas: Replica[] = [];

async function start(r: Replica, prefix: string): Promise<void> {
  r.proc = new CliProcess(
    [
      'serve-producer',
      '--host',
      '127.0.0.1',
      '--port',
      String(r.port),
      '--workers',
      '1',
      '--no-enrich',
      '--replica-id',
      r.id,
      '--idempotency-topic',
      prefix,
      '--idempotency-transaction-timeout',
      '4s',
      '--produce-timeout',
      '5s',
    ],
    { ...cluster, LOG_LEVEL: 'warn' },
  );
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`http://127.0.0.1:${r.port}/ready`).then(
        (res) => res.ok,
        () => false,
      )
    ) {
      r.up = true;
      return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`serve-producer ${r.id} did not start\n${r.proc.stderr}\n${r.proc.stdout}`);
}

interface Answer {
  readonly partition: number;
  readonly offset: number;
}

describe('Idempotency-Key under chaos', () => {
  it('10,000 keyed requests retried through kills and a frozen broker: each answered key is in Kafka once, where its answer says', async () => {
    const topic = `idem-chaos-${randomBytes(4).toString('hex')}`;
    const prefix = `idem-chaos-${randomBytes(4).toString('hex')}`;
    await createTopic(cluster, topic, 3, { 'min.insync.replicas': '2' });
    for (const id of ['a', 'b']) replicas.push({ id, port: await freePort(), proc: undefined, up: false });
    await Promise.all(replicas.map((r) => start(r, prefix)));

    const answers = new Map<string, Answer[]>();
    const statuses = new Map<string, number>();
    let requests = 0;
    let next = 0;
    let gaveUp = 0;
    const count = (what: string): void => void statuses.set(what, (statuses.get(what) ?? 0) + 1);

    const sendKey = async (n: number): Promise<void> => {
      const key = `chaos-${prefix}-${n}`;
      const body = JSON.stringify({ topic, key, message: { key } });
      const until = Date.now() + 120_000;
      while (Date.now() < until) {
        const r = replicas[Math.floor(Math.random() * replicas.length)] as Replica;
        requests++;
        try {
          const res = await fetch(`http://127.0.0.1:${r.port}/produce`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body,
            signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
          });
          const answer = (await res.json()) as { partition?: number; offset?: number };
          count(String(res.status));
          if (res.status === 200) {
            const list = answers.get(key) ?? [];
            list.push({ partition: answer.partition as number, offset: answer.offset as number });
            answers.set(key, list);
            // now and then, ask again: a retry must get the same answer
            if (n % 10 !== 0 || list.length > 1) return;
            continue;
          }
        } catch (err) {
          count((err as Error).name === 'TimeoutError' ? 'timeout' : 'reset');
        }
        await new Promise((res) => setTimeout(res, 20 + Math.random() * 80));
      }
      gaveUp++;
    };
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (next < KEYS) await sendKey(next++);
    });

    let kills = 0;
    let freezes = 0;
    let stop = false;
    const chaos = (async () => {
      for (let round = 0; !stop; round++) {
        await new Promise((res) => setTimeout(res, KILL_EVERY_MS));
        if (stop) break;
        if (round === 2) {
          execFileSync(script, ['freeze-node', '2'], { env: clusterEnv, stdio: 'ignore' });
          freezes++;
          await new Promise((res) => setTimeout(res, 6000));
          execFileSync(script, ['thaw-node', '2'], { env: clusterEnv, stdio: 'ignore' });
          continue;
        }
        const victim = replicas[round % replicas.length] as Replica;
        victim.proc?.kill('SIGKILL');
        victim.up = false;
        kills++;
        await victim.proc?.exited;
        await start(victim, prefix);
      }
    })();
    await Promise.all(clients);
    stop = true;
    await chaos;

    const records = await readTopic(cluster, topic);
    const byKey = new Map<string, Array<{ partition: number; offset: number }>>();
    for (const rec of records) {
      const list = byKey.get(rec.key ?? '') ?? [];
      list.push({ partition: rec.partition, offset: rec.offset });
      byKey.set(rec.key ?? '', list);
    }
    const duplicates = [...byKey].filter(([, at]) => at.length > 1).map(([key, at]) => ({ key, at }));
    const differing = [...answers].filter(([, list]) =>
      list.some((a) => a.partition !== list[0]?.partition || a.offset !== list[0]?.offset),
    );
    const missing = [...answers].filter(([key, list]) => {
      const at = byKey.get(key);
      return !at || at.length !== 1 || at[0]?.partition !== list[0]?.partition || at[0]?.offset !== list[0]?.offset;
    });
    const retries = requests - KEYS;
    process.stdout.write(
      `idempotency chaos: keys ${KEYS}, answered 200 ${answers.size}, gave up ${gaveUp}, requests ${requests}, retries ${retries}, ` +
        `kills ${kills}, broker freezes ${freezes}, duplicates ${duplicates.length}, missing ${missing.length}, differing answers ${differing.length}; ` +
        `answers ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(duplicates).toEqual([]);
    expect(missing.map(([key]) => key)).toEqual([]);
    expect(differing.map(([key]) => key)).toEqual([]);
    expect(answers.size).toBe(KEYS);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(freezes).toBe(1);
    // the records in Kafka are exactly the answered keys'
    expect(byKey.size).toBe(KEYS);
  });
});
