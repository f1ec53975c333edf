/**
 * Asking a queue to stop. With `wait`, the events reader is positioned before the command is
 * sent, and the run ends at the queue's terminal event (for "*": at the timeout, listing every
 * queue that stopped).
 */
import { commandRecord, makeCommand } from '../protocol/commands.js';
import { ANY_QUEUE, isTerminal, type ReceivedEvent } from '../protocol/types.js';
import { systemClock, type Clock, type ControlIo, type Delivered } from './control-io.js';

export interface StopOptions {
  readonly target: string;
  readonly wait: boolean;
  readonly timeoutMs: number;
}

export interface StoppedQueue {
  readonly queueId: string;
  readonly event: ReceivedEvent;
  readonly afterMs: number;
}

export interface StopResult {
  readonly commandId: string;
  readonly delivered: Delivered;
  /** undefined without `wait` */
  readonly stopped: readonly StoppedQueue[] | undefined;
}

export async function runStop(io: ControlIo, opts: StopOptions, clock: Clock = systemClock): Promise<StopResult> {
  const command = makeCommand(opts.target, 'stop', clock.wall());
  const stopped = new Map<string, StoppedQueue>();
  let sentMono = 0;
  let done: (() => void) | undefined;

  if (opts.wait) {
    await io.listen((event, arrivalMono) => {
      if (!isTerminal(event.event)) return;
      if (opts.target !== ANY_QUEUE && event.queue_id !== opts.target) return;
      if (stopped.has(event.queue_id)) return;
      stopped.set(event.queue_id, { queueId: event.queue_id, event, afterMs: arrivalMono - sentMono });
      if (opts.target !== ANY_QUEUE) done?.();
    });
  }
  sentMono = clock.mono();
  const delivered = await io.send(commandRecord(command));
  if (!opts.wait) return { commandId: command.command_id, delivered, stopped: undefined };

  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, opts.timeoutMs - (clock.mono() - sentMono)));
    done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (opts.target !== ANY_QUEUE && stopped.size > 0) done();
  });
  return { commandId: command.command_id, delivered, stopped: [...stopped.values()] };
}

/** 0 when every stop was confirmed and none ended in error; 1 otherwise. */
export function stopExitCode(result: StopResult): 0 | 1 {
  if (!result.stopped) return 0;
  if (result.stopped.length === 0) return 1;
  return result.stopped.some((s) => s.event.event === 'error') ? 1 : 0;
}
