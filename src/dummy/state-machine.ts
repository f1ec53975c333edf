/**
 * The dummy's life as a pure function: (state, input) -> (state, effects). It guarantees the
 * protocol's promises in one place: exactly one `started`, at most one terminal event, nothing
 * after it, and records_written that never decreases.
 */
import { ANY_QUEUE, type Command, type StatusName, type TerminalStatus } from '../protocol/types.js';

export type Phase = 'starting' | 'running' | 'done';

export interface DummyState {
  readonly phase: Phase;
  readonly status: StatusName | undefined;
  readonly recordsWritten: number;
}

export type DummyInput =
  | { readonly type: 'ready' }
  | { readonly type: 'loading-tick'; readonly records: number }
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'exit-after'; readonly seconds: number }
  | { readonly type: 'fail-after'; readonly seconds: number }
  | { readonly type: 'signal'; readonly signal: string }
  /** something broke underneath, e.g. the command reader lost Kafka */
  | { readonly type: 'fault'; readonly message: string };

export type Effect =
  | { readonly type: 'status'; readonly status: StatusName; readonly message: string; readonly errorMessage?: string }
  | { readonly type: 'pong'; readonly command: Command }
  | { readonly type: 'exit'; readonly code: 0 | 1 };

export interface MachineOptions {
  readonly queueId: string;
  readonly exitOnPing: boolean;
}

export const initialState: DummyState = { phase: 'starting', status: undefined, recordsWritten: 0 };

export interface Step {
  readonly state: DummyState;
  readonly effects: readonly Effect[];
}

function terminate(state: DummyState, status: TerminalStatus, message: string, extra: Effect[] = [], errorMessage?: string): Step {
  const statusEffect: Effect =
    errorMessage === undefined ? { type: 'status', status, message } : { type: 'status', status, message, errorMessage };
  return {
    state: { ...state, phase: 'done', status },
    effects: [...extra, statusEffect, { type: 'exit', code: status === 'error' ? 1 : 0 }],
  };
}

export function isAddressedTo(command: Command, queueId: string): boolean {
  return command.queue_id === queueId || command.queue_id === ANY_QUEUE;
}

export function step(state: DummyState, input: DummyInput, opts: MachineOptions): Step {
  const none: Step = { state, effects: [] };
  if (state.phase === 'done') return none;

  if (input.type === 'signal') {
    return terminate(state, 'interrupted', `interrupted by ${input.signal}`);
  }
  if (input.type === 'fault') {
    return terminate(state, 'error', `stopped by an error: ${input.message}`, [], input.message);
  }
  if (state.phase === 'starting') {
    if (input.type !== 'ready') return none;
    return {
      state: { ...state, phase: 'running', status: 'started' },
      effects: [{ type: 'status', status: 'started', message: 'service started, listening for commands' }],
    };
  }

  switch (input.type) {
    case 'ready':
      return none;
    case 'loading-tick': {
      const recordsWritten = state.recordsWritten + Math.max(0, Math.floor(input.records));
      return {
        state: { ...state, status: 'loading', recordsWritten },
        effects: [{ type: 'status', status: 'loading', message: `loading: ${recordsWritten} records written` }],
      };
    }
    case 'command': {
      const { command } = input;
      if (!isAddressedTo(command, opts.queueId)) return none;
      if (command.command === 'stop') return terminate(state, 'interrupted', 'stopped by a stop command');
      const pong: Effect = { type: 'pong', command };
      if (opts.exitOnPing) return terminate(state, 'finished', 'finished after answering a ping (--exit-on-ping)', [pong]);
      return { state, effects: [pong] };
    }
    case 'exit-after':
      return terminate(state, 'finished', `finished after ${input.seconds} s (--exit-after)`);
    case 'fail-after':
      return terminate(state, 'error', `failed after ${input.seconds} s (--fail-after)`, [], `simulated failure after ${input.seconds} s`);
  }
}
