// Integration tests need a real broker. With KAFKA_BOOTSTRAP_SERVERS set, that broker is used;
// otherwise the project's own script starts one (and the teardown stops it again).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const marker = `${root}/.kafka/started-by-tests`;

export default function globalSetup() {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) return;
  let running = true;
  try {
    execFileSync(`${root}/scripts/kafka-local.sh`, ['status'], { stdio: 'ignore' });
  } catch {
    running = false;
  }
  if (!running) {
    process.stderr.write('\nstarting the local Kafka broker for the integration tests (scripts/kafka-local.sh up)\n');
    execFileSync(`${root}/scripts/kafka-local.sh`, ['up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(marker, String(Date.now()));
  } else if (existsSync(marker)) {
    // left over by an interrupted run: it is ours to stop
  }
}
