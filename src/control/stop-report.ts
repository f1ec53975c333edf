/** How a stop reads: one line per fact for people, one JSON object per line for machines. */
import type { StopResult } from './stop-run.js';

export interface StopReportInfo {
  readonly target: string;
  readonly timeoutMs: number;
  /** the exit code the result gives (stopExitCode): a JSON summary says whether it is 0 */
  readonly code: number;
}

export function stopJsonLines(result: StopResult, info: StopReportInfo): string[] {
  const lines = [
    JSON.stringify({
      type: 'sent',
      queue_id: info.target,
      command_id: result.commandId,
      partition: result.delivered.partition,
      offset: result.delivered.offset,
    }),
  ];
  for (const s of result.stopped ?? []) {
    lines.push(
      JSON.stringify({
        type: 'stopped',
        queue_id: s.queueId,
        event: s.event.event,
        after_ms: Math.round(s.afterMs),
        message: s.event.message ?? null,
        records_written: s.event.records_written ?? null,
      }),
    );
  }
  if (result.stopped) lines.push(JSON.stringify({ type: 'summary', confirmed: result.stopped.length, ok: info.code === 0 }));
  return lines;
}

export function stopTextLines(result: StopResult, info: StopReportInfo): string[] {
  const { partition, offset } = result.delivered;
  const lines = [`stop sent to ${info.target} (partition ${partition}, offset ${offset}, command_id ${result.commandId})`];
  for (const s of result.stopped ?? []) {
    const why = s.event.event === 'error' && s.event.error_message ? s.event.error_message : s.event.message;
    lines.push(`${s.queueId}: ${s.event.event} after ${Math.round(s.afterMs)} ms${why ? `: ${why}` : ''}`);
  }
  if (result.stopped?.length === 0) lines.push(`no terminal event from ${info.target} within ${(info.timeoutMs / 1000).toFixed(1)} s`);
  return lines;
}
