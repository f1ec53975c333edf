/** serve-producer as a subprocess on a free port, ready when /ready answers 200. */
import type { BrokerEnv } from './broker.js';
import { CliProcess, freePort, type Launcher } from './cli-process.js';

export interface RunningServer {
  readonly url: string;
  readonly process: CliProcess;
}

export async function startProducerServer(
  args: readonly string[],
  env: BrokerEnv & Record<string, string>,
  launcher?: Launcher,
): Promise<RunningServer> {
  const port = await freePort();
  const proc = new CliProcess(['serve-producer', '--host', '127.0.0.1', '--port', String(port), ...args], env, undefined, launcher);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, process: proc };
    if (proc.child.exitCode !== null || i > 200) {
      proc.kill('SIGKILL');
      throw new Error(`serve-producer did not become ready\nstdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
