import { describe, expect, it } from '@jest/globals';
import { CommandProgress } from '../../../src/dummy/command-progress.js';

const T = 'queue-control';

describe('the committable position of the control topic', () => {
  it('commits the start of a first life, and nothing when resuming where the group stopped', () => {
    const first = new CommandProgress();
    first.start(T, 0, 40, undefined);
    first.start(T, 1, 0, undefined);
    expect(first.uncommitted()).toEqual([
      { topic: T, partition: 0, offset: 40 },
      { topic: T, partition: 1, offset: 0 },
    ]);
    const resumed = new CommandProgress();
    resumed.start(T, 0, 40, 40);
    expect(resumed.uncommitted()).toEqual([]);
  });

  it('commits a start that differs from the group offset (commands expired, topic recreated)', () => {
    const p = new CommandProgress();
    p.start(T, 0, 20, 50);
    expect(p.uncommitted()).toEqual([{ topic: T, partition: 0, offset: 20 }]);
  });

  it('never passes a command whose events are not settled: a crash repeats it, never skips it', () => {
    const p = new CommandProgress();
    p.start(T, 0, 10, 10);
    p.begin(T, 0, 10); // a stop: its interrupted is on the way
    p.skip(T, 0, 11); // another queue's ping, nothing to do
    expect(p.uncommitted()).toEqual([]);
    p.finish(T, 0, 10);
    expect(p.uncommitted()).toEqual([{ topic: T, partition: 0, offset: 12 }]);
  });

  it('moves to the first unfinished command when later ones finish first', () => {
    const p = new CommandProgress();
    p.start(T, 0, 0, 0);
    p.begin(T, 0, 0);
    p.begin(T, 0, 1);
    p.begin(T, 0, 2);
    p.finish(T, 0, 0);
    p.finish(T, 0, 2);
    expect(p.uncommitted()).toEqual([{ topic: T, partition: 0, offset: 1 }]);
    p.finish(T, 0, 1);
    expect(p.uncommitted()).toEqual([{ topic: T, partition: 0, offset: 3 }]);
  });

  it('offers only what moved since the last commit, per partition', () => {
    const p = new CommandProgress();
    p.start(T, 0, 5, 5);
    p.start(T, 1, 7, 7);
    p.skip(T, 1, 7);
    const pending = p.uncommitted();
    expect(pending).toEqual([{ topic: T, partition: 1, offset: 8 }]);
    p.committed(pending);
    expect(p.uncommitted()).toEqual([]);
    // a late answer to an older commit never moves the stored position back
    p.committed([{ topic: T, partition: 1, offset: 6 }]);
    p.skip(T, 1, 8);
    expect(p.uncommitted()).toEqual([{ topic: T, partition: 1, offset: 9 }]);
  });
});
