/**
 * The local broker's env files (scripts/kafka-local.sh writes plaintext.env and sasl.env in its
 * directory: .kafka/ for a user, .kafka/test/ for the tests) work both ways a user takes them: sourced in a shell, which must pass them on to the
 * commands it starts, and read as dotenv (the tests, a copy as .env).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { parse } from 'dotenv';
import { projectRoot } from '../support/broker.js';
import { uniqueTopics } from '../support/cli-process.js';

jest.setTimeout(60_000);
// the tests' own broker (global-setup.mjs), written by the same script as a user's
const brokerDir = join(projectRoot, '.kafka', 'test');
const files = ['plaintext', 'sasl'].map((name) => join(brokerDir, `${name}.env`));
const usingOwnBroker = process.env.STREAMFORGE_TEST_SASL_ENV === undefined;

(usingOwnBroker ? describe : describe.skip)("the local broker's env files", () => {
  it.each(files)('%s, sourced in a shell, reaches the commands it starts', (file) => {
    const topics = uniqueTopics('envfile');
    // nothing of Kafka in the environment but what the file brings
    const run = spawnSync(
      '/bin/sh',
      [
        '-c',
        `. "${file}" && exec "${process.execPath}" bin/streamforge ping --queue-id nobody --expect-pong --timeout 1 --connect-timeout 10`,
      ],
      { cwd: projectRoot, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...topics } },
    );
    // 1: it reached Kafka and no dummy answered; 3 would be localhost:9092, unreachable
    expect(run.stdout).toMatch(/1 sent, 0 received, 1 lost/);
    expect(run.status).toBe(1);
  });

  it('creates a topic on request (`kafka-local.sh topic NAME PARTITIONS`), and again leaves it as it is', () => {
    const topic = `made-by-hand-${Date.now()}`;
    for (let i = 0; i < 2; i++) {
      const made = spawnSync(join(projectRoot, 'scripts', 'kafka-local.sh'), ['topic', topic, '2'], {
        encoding: 'utf8',
        env: { ...process.env, KAFKA_LOCAL_DIR: brokerDir },
      });
      expect(made.status).toBe(0);
    }
    const brokers = parse(readFileSync(files[0]!, 'utf8')).KAFKA_BOOTSTRAP_SERVERS ?? '';
    const listed = JSON.parse(spawnSync('kcat', ['-b', brokers, '-L', '-J', '-t', topic], { encoding: 'utf8' }).stdout) as {
      topics: Array<{ topic: string; partitions: unknown[] }>;
    };
    expect(listed.topics.find((t) => t.topic === topic)?.partitions).toHaveLength(2);
  });

  it.each(files)('%s reads as dotenv, KAFKA_BOOTSTRAP_SERVERS included', (file) => {
    expect(parse(readFileSync(file, 'utf8')).KAFKA_BOOTSTRAP_SERVERS).toMatch(/^(127\.0\.0\.1|localhost):\d+$/);
  });
});
