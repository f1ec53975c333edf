#!/usr/bin/env node
// A fixed request rate, open loop: requests leave evenly spaced (every millisecond, the ones
// due by then), over a keep-alive pool of at most <connections> sockets, each timed to the
// microsecond. autocannon's -R is not this: each connection sends back to back until it has
// used its share of the second, then waits for the next second, so "2000 req/s over 64
// connections" is 64 connections saturating the server for part of every second, and its
// percentiles are those of a saturated server (and whole milliseconds).
// Usage: bench-fixed-rate.mjs <url> <body> <requests/s> <seconds> <connections>; prints JSON.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, body, rateArg, secondsArg, connectionsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connectionsArg) });
const target = new URL(url);
const payload = Buffer.from(body);
const times = [];
let non2xx = 0;
let errors = 0;
let sent = 0;
let settled = 0;
const total = rate * seconds;

function send() {
  const t0 = performance.now();
  const req = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': payload.length },
    },
    (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) times.push(performance.now() - t0);
        else non2xx++;
        settled++;
      });
    },
  );
  req.on('error', () => {
    errors++;
    settled++;
  });
  req.end(payload);
}

const start = performance.now();
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) {
      sent++;
      send();
    }
    if (sent >= total && settled >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
const elapsed = (performance.now() - start) / 1000;
agent.destroy();
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
console.log(
  JSON.stringify({
    reached: times.length / elapsed,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: times.at(-1),
    non2xx,
    errors,
    answered: times.length,
  }),
);
