import { Registry, collectDefaultMetrics } from 'prom-client';
import { createMonitorMetrics } from '../dist/monitor/metrics.js';
const N = 1040;
const rows = Array.from({ length: N }, (_, i) => ({
  queueId: `loader-btcusdt-api-2024-06-01-${String(i).padStart(5, '0')}`,
  row: {
    queueId: `q${i}`,
    status: 'loading',
    symbol: 'BTCUSDT',
    type: 'api',
    producer: 'loader-api',
    recordsWritten: i * 100,
    lastEventAt: Date.now(),
    pings: 0,
    pongs: 0,
    lastRttMs: null,
    terminalEvents: i % 50 === 0 ? 2 : 1,
  },
  status: 'loading',
  ageSeconds: 3.2,
}));
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const m = createMonitorMetrics(
  registry,
  () => rows,
  () => true,
);
for (const r of rows) {
  for (const e of ['started', 'loading', 'pong']) m.event(r.queueId, e);
  m.probeAnswered(r.queueId, 5);
  m.probeEnded(r.queueId, 'answered');
  m.probeEnded(r.queueId, 'lost');
}
for (let i = 0; i < 5; i++) await m.source.text();
const t0 = performance.now();
const K = 20;
let len = 0;
for (let i = 0; i < K; i++) len = (await m.source.text()).length;
console.log('per scrape ms', ((performance.now() - t0) / K).toFixed(1), 'bytes', len);
console.log('rss MB', (process.memoryUsage().rss / 1e6).toFixed(0), 'heap', (process.memoryUsage().heapUsed / 1e6).toFixed(0));
