import { describe, expect, it } from '@jest/globals';
import { initialState, step, type DummyInput, type DummyState, type Effect } from '../../../src/dummy/state-machine.js';
import type { Command } from '../../../src/protocol/types.js';

const opts = { queueId: 'q1', exitOnPing: false };
const cmd = (command: 'ping' | 'stop', queue_id = 'q1'): DummyInput => ({
  type: 'command',
  command: { queue_id, command, sent_at: 1, command_id: 'c' } as Command,
});

function run(inputs: DummyInput[], o = opts): { state: DummyState; effects: Effect[] } {
  let state = initialState;
  const effects: Effect[] = [];
  for (const input of inputs) {
    const next = step(state, input, o);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const statuses = (effects: Effect[]): string[] =>
  effects.flatMap((e) => (e.type === 'status' ? [e.status] : e.type === 'pong' ? ['pong'] : []));

describe('the dummy state machine', () => {
  it('sends exactly one started, and only once ready', () => {
    expect(run([cmd('ping'), { type: 'loading-tick', records: 5 }]).effects).toEqual([]);
    expect(statuses(run([{ type: 'ready' }, { type: 'ready' }]).effects)).toEqual(['started']);
  });

  it('answers pings for its queue and for "*", and ignores other queues', () => {
    const { effects } = run([{ type: 'ready' }, cmd('ping'), cmd('ping', '*'), cmd('ping', 'q2'), cmd('stop', 'q2')]);
    expect(statuses(effects)).toEqual(['started', 'pong', 'pong']);
  });

  it('grows records_written with each loading tick, never down', () => {
    const { state, effects } = run([
      { type: 'ready' },
      { type: 'loading-tick', records: 10 },
      { type: 'loading-tick', records: -5 },
      { type: 'loading-tick', records: 7 },
    ]);
    expect(state.recordsWritten).toBe(17);
    expect(statuses(effects)).toEqual(['started', 'loading', 'loading', 'loading']);
  });

  it.each([
    ['a stop command', cmd('stop'), 'interrupted', 0],
    ['a stop for "*"', cmd('stop', '*'), 'interrupted', 0],
    [
      "the loaders' bare stop (no sent_at, no command_id)",
      { type: 'command', command: { command: 'stop', queue_id: 'q1' } } as DummyInput,
      'interrupted',
      0,
    ],
    ['SIGTERM', { type: 'signal', signal: 'SIGTERM' } as DummyInput, 'interrupted', 0],
    ['--exit-after', { type: 'exit-after', seconds: 30 } as DummyInput, 'finished', 0],
    ['--fail-after', { type: 'fail-after', seconds: 5 } as DummyInput, 'error', 1],
    ['a fault', { type: 'fault', message: 'reader lost Kafka' } as DummyInput, 'error', 1],
  ])('ends on %s with one terminal event and its exit code', (_what, input, status, code) => {
    const { state, effects } = run([
      { type: 'ready' },
      input,
      cmd('ping'),
      { type: 'signal', signal: 'SIGINT' },
      { type: 'exit-after', seconds: 1 },
    ]);
    expect(statuses(effects)).toEqual(['started', status]);
    expect(effects.at(-1)).toEqual({ type: 'exit', code });
    expect(state.phase).toBe('done');
  });

  it('carries the error message on error', () => {
    const { effects } = run([{ type: 'ready' }, { type: 'fail-after', seconds: 5 }]);
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'status', status: 'error', errorMessage: 'simulated failure after 5 s' }),
    );
  });

  it('with --exit-on-ping, pongs first and then finishes', () => {
    const { effects } = run([{ type: 'ready' }, cmd('ping')], { queueId: 'q1', exitOnPing: true });
    expect(statuses(effects)).toEqual(['started', 'pong', 'finished']);
  });

  it('a signal before start-up still ends with one interrupted and never starts', () => {
    const { effects } = run([{ type: 'signal', signal: 'SIGTERM' }, { type: 'ready' }]);
    expect(statuses(effects)).toEqual(['interrupted']);
  });
});
