/**
 * stop's run and report on a fake clock and a fake other side: which terminal events count,
 * when the wait ends, the exit code, and the lines people and machines read.
 */
import type { CommandRecord } from '../../../src/protocol/commands.js';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Clock, ControlIo } from '../../../src/control/control-io.js';
import { stopJsonLines, stopTextLines } from '../../../src/control/stop-report.js';
import { runStop, stopExitCode, type StopResult } from '../../../src/control/stop-run.js';
import type { OutgoingCommand, ReceivedEvent } from '../../../src/protocol/types.js';

const now = (): number => globalThis.performance.now();
const clock: Clock = { mono: now, wall: () => Date.now() };

beforeEach(() => {
  jest.useFakeTimers({ now: 1_754_202_651_997 });
});
afterEach(() => {
  jest.useRealTimers();
});

const event = (queueId: string, name: ReceivedEvent['event'], extra: Partial<ReceivedEvent> = {}): ReceivedEvent =>
  ({ queue_id: queueId, event: name, timestamp: 1, producer: 'dummy', ...extra }) as ReceivedEvent;

/** The other side: after `afterMs` of fake time from the send, these events arrive. */
function fakeIo(
  replies: Array<{ afterMs: number; event: ReceivedEvent }>,
): ControlIo & { sent: OutgoingCommand[]; keys: string[]; listened: boolean } {
  let onEvent: ((e: ReceivedEvent, t: number) => void) | undefined;
  const io = {
    sent: [] as OutgoingCommand[],
    keys: [] as string[],
    listened: false,
    listen: async (cb: (e: ReceivedEvent, t: number) => void) => {
      onEvent = cb;
      io.listened = true;
    },
    send: async ({ key, command }: CommandRecord) => {
      io.sent.push(command);
      io.keys.push(key);
      for (const r of replies) setTimeout(() => onEvent?.(r.event, now()), r.afterMs);
      return { partition: 2, offset: 41 };
    },
    close: async () => undefined,
  };
  return io;
}

async function finish(p: Promise<StopResult>): Promise<{ result: StopResult; tookMs: number }> {
  const t0 = now();
  let done = false;
  void p.finally(() => (done = true)).catch(() => undefined);
  for (let i = 0; i < 100_000 && !done; i++) await jest.advanceTimersByTimeAsync(1);
  return { result: await p, tookMs: now() - t0 };
}

describe('runStop', () => {
  it('without --wait: sends one complete stop and returns at once, exit 0', async () => {
    const io = fakeIo([]);
    const { result } = await finish(runStop(io, { target: 'q1', wait: false, timeoutMs: 30_000 }, clock));
    expect(io.listened).toBe(false);
    expect(io.sent).toEqual([{ queue_id: 'q1', command: 'stop', sent_at: 1_754_202_651.997, command_id: result.commandId }]);
    // the fleet's rule: a command's record is keyed by the queue it is for
    expect(io.keys).toEqual(['q1']);
    expect(result.stopped).toBeUndefined();
    expect(stopExitCode(result)).toBe(0);
  });

  it("with --wait: listens before sending, ends at the queue's terminal event, ignores others", async () => {
    const io = fakeIo([
      { afterMs: 10, event: event('other', 'interrupted') },
      { afterMs: 20, event: event('q1', 'pong') },
      { afterMs: 250, event: event('q1', 'interrupted', { message: 'stop command' }) },
    ]);
    const { result, tookMs } = await finish(runStop(io, { target: 'q1', wait: true, timeoutMs: 30_000 }, clock));
    expect(io.listened).toBe(true);
    expect(tookMs).toBe(250);
    expect(result.stopped?.map((s) => [s.queueId, s.event.event, s.afterMs])).toEqual([['q1', 'interrupted', 250]]);
    expect(stopExitCode(result)).toBe(0);
  });

  it('with --wait and no terminal event: waits the whole timeout, exit 1', async () => {
    const { result, tookMs } = await finish(runStop(fakeIo([]), { target: 'q1', wait: true, timeoutMs: 3000 }, clock));
    expect(tookMs).toBe(3000);
    expect(result.stopped).toEqual([]);
    expect(stopExitCode(result)).toBe(1);
  });

  it('"*" waits the timeout and lists every queue that stopped, once each; an error makes exit 1', async () => {
    const io = fakeIo([
      { afterMs: 5, event: event('a', 'interrupted') },
      { afterMs: 7, event: event('b', 'error', { error_message: 'disk full' }) },
      { afterMs: 9, event: event('a', 'finished') },
    ]);
    const { result, tookMs } = await finish(runStop(io, { target: '*', wait: true, timeoutMs: 1000 }, clock));
    expect(tookMs).toBe(1000);
    expect(result.stopped?.map((s) => `${s.queueId}:${s.event.event}`)).toEqual(['a:interrupted', 'b:error']);
    expect(stopExitCode(result)).toBe(1);
  });
});

describe('stop report', () => {
  const base = { commandId: 'c-1', delivered: { partition: 2, offset: 41 } };
  const stopped: StopResult = {
    ...base,
    stopped: [
      { queueId: 'a', event: event('a', 'interrupted', { message: 'stop command', records_written: 12 }), afterMs: 12.6 },
      { queueId: 'b', event: event('b', 'error', { message: 'failed', error_message: 'disk full' }), afterMs: 30 },
    ],
  };

  it('text: what was sent, each queue with its event, time and reason', () => {
    expect(stopTextLines(stopped, { target: '*', timeoutMs: 5000, code: 1 })).toEqual([
      'stop sent to * (partition 2, offset 41, command_id c-1)',
      'a: interrupted after 13 ms: stop command',
      'b: error after 30 ms: disk full',
    ]);
    expect(stopTextLines({ ...base, stopped: [] }, { target: 'q1', timeoutMs: 2500, code: 1 })).toEqual([
      'stop sent to q1 (partition 2, offset 41, command_id c-1)',
      'no terminal event from q1 within 2.5 s',
    ]);
    expect(stopTextLines({ ...base, stopped: undefined }, { target: 'q1', timeoutMs: 2500, code: 0 })).toHaveLength(1);
  });

  it('JSON: one object per line, a summary only when it waited', () => {
    const lines = stopJsonLines(stopped, { target: '*', timeoutMs: 5000, code: 1 }).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { type: 'sent', queue_id: '*', command_id: 'c-1', partition: 2, offset: 41 },
      { type: 'stopped', queue_id: 'a', event: 'interrupted', after_ms: 13, message: 'stop command', records_written: 12 },
      { type: 'stopped', queue_id: 'b', event: 'error', after_ms: 30, message: 'failed', records_written: null },
      { type: 'summary', confirmed: 2, ok: false },
    ]);
    expect(stopJsonLines({ ...base, stopped: undefined }, { target: 'q1', timeoutMs: 1, code: 0 })).toHaveLength(1);
  });
});
