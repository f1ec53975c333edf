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
import { atFixedRate, latencySummary } from './bench-common.mjs';

const [url, body, rateArg, secondsArg, connectionsArg] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connectionsArg) });
const target = new URL(url);
const payload = Buffer.from(body);
const times = [];
let non2xx = 0;
let errors = 0;

/** One request; settles when its answer has been read (or it failed). */
const send = () =>
  new Promise((settle) => {
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
          settle();
        });
      },
    );
    req.on('error', () => {
      errors++;
      settle();
    });
    req.end(payload);
  });

const elapsed = await atFixedRate(Number(rateArg), Number(secondsArg), send);
agent.destroy();
console.log(JSON.stringify({ ...latencySummary(times, elapsed), non2xx, errors }));
