import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const marker = `${root}/.kafka/started-by-tests`;

// Stop the broker only when the tests started it: a developer's own broker keeps running.
export default function globalTeardown() {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS || !existsSync(marker) || process.env.KEEP_KAFKA) return;
  rmSync(marker);
  execFileSync(`${root}/scripts/kafka-local.sh`, ['down'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
