/**
 * kcat (Debian's package), an independent Kafka client: it checks what really landed on a
 * topic, and writes what our own producer never would (garbage, legacy messages).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerEnv } from './broker.js';

function kcatArgs(env: BrokerEnv): string[] {
  const args = ['-b', env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092'];
  const protocol = env.KAFKA_SECURITY_PROTOCOL ?? (env.KAFKA_USER ? 'SASL_SSL' : 'PLAINTEXT');
  args.push('-X', `security.protocol=${protocol.toLowerCase()}`);
  if (protocol.startsWith('SASL')) {
    args.push('-X', `sasl.mechanisms=${env.KAFKA_SASL_MECHANISM ?? 'SCRAM-SHA-512'}`);
    args.push('-X', `sasl.username=${env.KAFKA_USER ?? ''}`, '-X', `sasl.password=${env.KAFKA_PASSWORD ?? ''}`);
  }
  if (env.KAFKA_CA_PATH) args.push('-X', `ssl.ca.location=${env.KAFKA_CA_PATH}`);
  return args;
}

export interface KcatRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly payload: string | null;
}

/** Every record of a topic, from the beginning to the current end. */
export function readTopic(env: BrokerEnv, topic: string): Promise<KcatRecord[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      [...kcatArgs(env), '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kcat failed: ${stderr || err.message}`));
        resolve(
          stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as KcatRecord),
        );
      },
    );
  });
}

/** The JSON payloads of a topic's records (skipping any that are not JSON). */
export async function readJson(env: BrokerEnv, topic: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const r of await readTopic(env, topic)) {
    try {
      out.push(JSON.parse(r.payload ?? '') as Record<string, unknown>);
    } catch {
      // not JSON: the tests that write garbage check for it themselves
    }
  }
  return out;
}

/** Writes one record, raw bytes and all (kcat sends each file argument as one message). */
export async function produceRaw(env: BrokerEnv, topic: string, value: Buffer, key?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kcat-'));
  const file = join(dir, 'message');
  writeFileSync(file, value);
  // librdkafka's own batch limit (1,000,000 bytes) sits below the broker's 1 MiB default.
  const args = [...kcatArgs(env), '-X', 'message.max.bytes=2000000', '-P', '-t', topic, ...(key === undefined ? [] : ['-k', key]), file];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('kcat', args, (err, _o, stderr) => (err ? reject(new Error(`kcat failed: ${stderr || err.message}`)) : resolve()));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RawRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/**
 * Every record of a topic as bytes (kcat's -J would turn binary values into text): kcat writes
 * a line "partition offset keylength valuelength" and then the key's and the value's bytes.
 */
export function readTopicBytes(env: BrokerEnv, topic: string): Promise<RawRecord[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      [...kcatArgs(env), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %K %S\n%k%s'],
      { maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kcat failed: ${stderr.toString() || err.message}`));
        const out: RawRecord[] = [];
        let at = 0;
        while (at < stdout.length) {
          const eol = stdout.indexOf(0x0a, at);
          const [p, o, k, s] = stdout.subarray(at, eol).toString().split(' ').map(Number) as [number, number, number, number];
          at = eol + 1;
          const key = k < 0 ? null : stdout.subarray(at, (at += k));
          const value = s < 0 ? null : stdout.subarray(at, (at += s));
          out.push({ partition: p, offset: o, key, value });
        }
        resolve(out);
      },
    );
  });
}
