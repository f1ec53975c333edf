// The memory of N live Idempotency-Keys in one replica's table (dist/http/idempotency/key-table.js,
// the code serve-producer runs): each key a UUID, each answer a /produce answer as served. Prints
// {"keys", "heap_mb", "rss_mb", "bytes_per_key"}: the heap after a full GC, less the heap before.
import { randomUUID } from 'node:crypto';
import { KeyTable } from '../dist/http/idempotency/key-table.js';

const n = Number(process.argv[2] ?? 1_000_000);
const gc = globalThis.gc ?? (() => undefined);
gc();
const before = process.memoryUsage();
const table = new KeyTable(3_600_000);
const now = Date.now();
for (let i = 0; i < n; i++) {
  // flat, as a header's or a record's key is (randomUUID's own string is a rope of its parts)
  const key = Buffer.from(randomUUID()).toString('latin1');
  const nonce = `${(i % 7).toString(36)}AbCdEfGh.${i.toString(36)}`;
  const body = JSON.stringify({
    success: true,
    message: 'Message delivered',
    topic: 'events',
    partition: i % 12,
    offset: 1_000_000 + i,
    timestamp: new Date(now + i).toISOString(),
  });
  table.applyClaim(key, { fp: 'x'.repeat(22) + i, owner: 'streamforge-idempotency-producer-7c9d-0', nonce, at: now });
  table.applyAnswer(key, { fp: 'x'.repeat(22) + i, status: 200, contentType: 'application/json; charset=utf-8', body, at: now, nonce });
}
gc();
const after = process.memoryUsage();
const heap = after.heapUsed - before.heapUsed;
process.stdout.write(
  JSON.stringify({
    keys: table.size,
    heap_mb: heap / 1048576,
    rss_mb: after.rss / 1048576,
    bytes_per_key: heap / table.size,
  }) + '\n',
);
