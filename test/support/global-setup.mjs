// Integration tests need a real broker. With KAFKA_BOOTSTRAP_SERVERS set, that broker is used.
// Otherwise the project's own script starts one of the tests' own, in .kafka/test (its data,
// certificates and ports apart from a broker `make kafka-up` runs for a person): the hundred
// topics the suite creates never show up in a user's broker. The teardown stops it and removes
// its data.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const testBrokerDir = `${root}.kafka/test`;

export function testBroker(command) {
  execFileSync(`${root}scripts/kafka-local.sh`, [command], {
    stdio: ['ignore', 'ignore', command === 'status' ? 'ignore' : 'inherit'],
    env: { ...process.env, KAFKA_LOCAL_DIR: testBrokerDir },
  });
}

export default function globalSetup() {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return;
  try {
    testBroker('status'); // left running by an interrupted run or by KEEP_KAFKA=1
  } catch {
    process.stderr.write("\nstarting the tests' own Kafka broker in .kafka/test (scripts/kafka-local.sh up)\n");
    testBroker('up');
  }
}
