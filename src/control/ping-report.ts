/** How a ping run reads: unix ping's lines for people, one JSON object per line for machines. */
import { ANY_QUEUE } from '../protocol/types.js';
import type { PingReporter } from './ping-run.js';
import type { PingSummary, QueueSummary } from './ping-tracker.js';
import type { RttStats } from './rtt-stats.js';

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
const round = (x: number): number => Math.round(x * 1000) / 1000;

function statsLine(label: string, s: RttStats): string {
  return `${label} min/avg/max/mdev = ${ms(s.min)}/${ms(s.avg)}/${ms(s.max)}/${ms(s.mdev)} ms, p50/p95/p99 = ${ms(s.p50)}/${ms(s.p95)}/${ms(s.p99)} ms`;
}

function queueBlock(q: QueueSummary): string[] {
  const lines = [
    `--- ${q.queueId} ping statistics ---`,
    `${q.sent} sent, ${q.received} received, ${q.lost} lost, ${q.late} late, ${q.duplicates} duplicates, ${q.lossPercent.toFixed(1)}% loss`,
  ];
  if (q.rtt) lines.push(statsLine('rtt', q.rtt));
  if (q.oneWay) lines.push(`${statsLine('one-way', q.oneWay)} (ponged_at - ping_ts: clock skew between hosts applies)`);
  return lines;
}

export function textReporter(write: (line: string) => void): PingReporter {
  return {
    start: (i) =>
      write(
        `PING ${i.target === ANY_QUEUE ? 'every queue (*)' : i.target}: ${i.repeat} ping(s) every ${(i.intervalMs / 1000).toFixed(1)} s, timeout ${(i.timeoutMs / 1000).toFixed(1)} s`,
      ),
    sent: () => undefined,
    outcome: (o) => {
      if (o.kind === 'reply') {
        const oneWay = o.oneWayMs === undefined ? '' : ` one-way=${ms(o.oneWayMs)} ms`;
        write(`pong from ${o.queueId}: seq=${o.seq} time=${ms(o.rttMs)} ms${oneWay}`);
      } else if (o.kind === 'late') {
        write(`late pong from ${o.queueId}: seq=${o.seq} time=${ms(o.rttMs)} ms (after the timeout; counted as lost)`);
      } else write(`duplicate pong from ${o.queueId}: seq=${o.seq}`);
    },
    timeout: (p) => write(`no pong: seq=${p.seq} (timed out)`),
    summary: (s: PingSummary) => {
      write('');
      if (s.queues.length === 0) write(`--- ${s.target} ping statistics ---\n${s.sent} sent, no queue answered`);
      for (const q of s.queues) for (const line of queueBlock(q)) write(line);
      if (s.target === ANY_QUEUE && s.queues.length > 0) {
        write(`${s.queues.length} queue(s) answered; ${s.unanswered} of ${s.sent} ping(s) answered by none`);
      }
    },
  };
}

function statsJson(s: RttStats | undefined): Record<string, number> | null {
  if (!s) return null;
  return {
    min: round(s.min),
    avg: round(s.avg),
    max: round(s.max),
    mdev: round(s.mdev),
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
  };
}

export function jsonReporter(write: (line: string) => void): PingReporter {
  const out = (o: Record<string, unknown>): void => write(JSON.stringify(o));
  return {
    start: () => undefined,
    sent: (p, d) => out({ type: 'sent', seq: p.seq, command_id: p.commandId, sent_at: p.sentAt, partition: d.partition, offset: d.offset }),
    outcome: (o) => {
      if (o.kind === 'reply') {
        out({
          type: 'reply',
          queue_id: o.queueId,
          seq: o.seq,
          rtt_ms: round(o.rttMs),
          one_way_ms: o.oneWayMs === undefined ? null : round(o.oneWayMs),
        });
      } else if (o.kind === 'late') out({ type: 'late', queue_id: o.queueId, seq: o.seq, rtt_ms: round(o.rttMs) });
      else out({ type: 'duplicate', queue_id: o.queueId, seq: o.seq });
    },
    timeout: (p) => out({ type: 'timeout', seq: p.seq, command_id: p.commandId }),
    summary: (s) =>
      out({
        type: 'summary',
        target: s.target,
        sent: s.sent,
        unanswered: s.unanswered,
        queues: s.queues.map((q) => ({
          queue_id: q.queueId,
          sent: q.sent,
          received: q.received,
          lost: q.lost,
          late: q.late,
          duplicates: q.duplicates,
          loss_percent: round(q.lossPercent),
          rtt_ms: statsJson(q.rtt),
          one_way_ms: statsJson(q.oneWay),
        })),
      }),
  };
}
