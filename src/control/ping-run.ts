/**
 * A ping run: listen first, then send on a fixed cadence, classify every pong, report
 * timeouts once, and stop as soon as waiting longer cannot change the result. The Kafka side
 * comes in through `ControlIo`, so the timing logic is testable without a broker.
 */
import { commandRecord, makeCommand } from '../protocol/commands.js';
import { systemClock, type Clock, type ControlIo, type Delivered } from './control-io.js';
import { PingTracker, type PingSummary, type PongOutcome, type SentPing } from './ping-tracker.js';

export interface PingReporter {
  start(info: { target: string; repeat: number; intervalMs: number; timeoutMs: number }): void;
  sent(ping: SentPing, delivered: Delivered): void;
  outcome(outcome: Exclude<PongOutcome, { kind: 'unrelated' }>): void;
  timeout(ping: SentPing): void;
  summary(summary: PingSummary): void;
}

export interface PingOptions {
  readonly target: string;
  readonly repeat: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Ctrl-C: stop sending and summarise what was seen, as unix ping does */
  readonly signal?: AbortSignal;
}

const TICK_MS = 20;

export async function runPing(io: ControlIo, opts: PingOptions, reporter: PingReporter, clock: Clock = systemClock): Promise<PingSummary> {
  const tracker = new PingTracker(opts.target, opts.timeoutMs);
  const reportedTimeouts = new Set<number>();
  let allSent = false;
  let failure: unknown;

  await io.listen((event, arrivalMono) => {
    const outcome = tracker.recordEvent(event, arrivalMono);
    if (outcome.kind !== 'unrelated') reporter.outcome(outcome);
  });
  reporter.start({ target: opts.target, repeat: opts.repeat, intervalMs: opts.intervalMs, timeoutMs: opts.timeoutMs });

  const sends: Promise<void>[] = [];
  const t0 = clock.mono();
  const sendOne = (seq: number): void => {
    const sentMono = clock.mono();
    const command = makeCommand(opts.target, 'ping', clock.wall());
    const ping: SentPing = { seq, commandId: command.command_id, sentAt: command.sent_at, sentMono };
    tracker.recordSent(ping);
    sends.push(
      io.send(commandRecord(command)).then(
        (d) => reporter.sent(ping, d),
        (err: unknown) => {
          failure ??= err;
        },
      ),
    );
  };

  await new Promise<void>((resolve) => {
    let seq = 0;
    // Each send is scheduled against t0, so a slow reply or a slow tick never shifts the cadence.
    const scheduleNext = (): void => {
      if (seq >= opts.repeat || opts.signal?.aborted) {
        allSent = true;
        return;
      }
      const due = t0 + seq * opts.intervalMs;
      setTimeout(
        () => {
          sendOne(++seq);
          scheduleNext();
        },
        Math.max(0, due - clock.mono()),
      );
    };
    scheduleNext();

    const ticker = setInterval(() => {
      const now = clock.mono();
      for (const p of tracker.expired(now)) {
        if (!reportedTimeouts.has(p.seq)) {
          reportedTimeouts.add(p.seq);
          reporter.timeout(p);
        }
      }
      if (failure || opts.signal?.aborted || tracker.settled(now, allSent)) {
        clearInterval(ticker);
        resolve();
      }
    }, TICK_MS);
  });

  await Promise.allSettled(sends);
  if (failure) throw failure;
  const summary = tracker.summary();
  reporter.summary(summary);
  return summary;
}
