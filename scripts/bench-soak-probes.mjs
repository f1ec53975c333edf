// The second round of bench:soak's hostile clients (the defects a second probe run found), each
// running until stopped and counting what it met: v3 streams that outlive --read-timeout, TLS
// connections that never say hello (on a server of their own), and names made up for every
// request. Used by bench-soak.mjs.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './bench-common.mjs';

/**
 * `n` chunked v3 streams of a record every `everyMs`, each reopened when the server ends it.
 * `count(outcome)`: 'ended well formed, last report 408' when the answer parses to its end with
 * that last line, else what broke it.
 */
export function longStreams({ port, topic, n, everyMs, running, count }) {
  const open = () => {
    if (!running()) return;
    let body = '';
    let timer;
    const done = (outcome) => {
      clearInterval(timer);
      count(outcome);
      setTimeout(open, 100);
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v3/clusters/any/topics/${topic}/records`,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        res.on('data', (d) => (body += d.toString()));
        res.on('end', () => {
          const last = body.trim().split('\n').at(-1) ?? '';
          let code;
          try {
            code = JSON.parse(last).error_code;
          } catch {
            code = 'unparsable';
          }
          done(code === 408 ? 'ended well formed, last report 408' : `ended, last report ${code}`);
        });
        res.on('error', (err) => done(`broken: ${err.message}`));
      },
    );
    req.on('error', (err) => !body && done(`broken: ${err.message}`));
    let i = 0;
    const send = () => req.write(JSON.stringify({ value: { type: 'JSON', data: { i: i++ } } }));
    send();
    timer = setInterval(() => (running() && !req.destroyed ? send() : clearInterval(timer)), everyMs);
  };
  for (let k = 0; k < n; k++) open();
}

/**
 * A serve-producer over HTTPS (a certificate openssl makes) beside the soak's, and `n` TCP
 * connections to it that never send a ClientHello, each reopened when the server closes it.
 * Returns its open descriptors now and then, and the stop.
 */
export async function silentTls({ env, port, n, readTimeout, running, count }) {
  const dir = mkdtempSync(join(tmpdir(), 'soak-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', 'k.pem', '-out', 'c.pem'],
    { cwd: dir, stdio: 'ignore' },
  );
  const args = [
    'serve-producer',
    '--workers',
    '1',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--tls-cert',
    `${dir}/c.pem`,
    '--tls-key',
    `${dir}/k.pem`,
  ];
  const server = spawn(process.execPath, [`${root}/bin/streamforge`, ...args, '--read-timeout', readTimeout], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((r) =>
      connect(port, '127.0.0.1')
        .once('connect', function () {
          this.destroy();
          r(true);
        })
        .once('error', () => r(false)),
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const open = () => {
    if (!running()) return;
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => {
      count('silent TLS socket closed by the server');
      setTimeout(open, 50);
    });
  };
  for (let k = 0; k < n; k++) open();
  let peakFds = 0;
  const fds = setInterval(() => {
    try {
      peakFds = Math.max(peakFds, readdirSync(`/proc/${server.pid}/fd`).length);
    } catch {
      // the server is gone: its figures stop
    }
  }, 1000);
  return {
    peakFds: () => peakFds,
    stop: () => {
      clearInterval(fds);
      server.kill('SIGTERM');
    },
  };
}
