/**
 * From a request's `message` to the bytes Kafka stores. Objects are enriched as the FastAPI
 * server did (timestamp, source, server_time), but a field the client sent is never
 * overwritten: enrichment adds, it does not lose data.
 */
export interface Enrichment {
  readonly source: string;
  readonly now: Date;
}

export function messageValue(message: unknown, enrichment: Enrichment | undefined): Buffer {
  if (typeof message === 'string') return Buffer.from(message);
  if (enrichment && typeof message === 'object' && message !== null && !Array.isArray(message)) {
    const added = {
      timestamp: enrichment.now.toISOString(),
      source: enrichment.source,
      server_time: enrichment.now.getTime() / 1000,
    };
    return Buffer.from(JSON.stringify({ ...added, ...(message as Record<string, unknown>) }));
  }
  return Buffer.from(JSON.stringify(message));
}
