/** The young generation the cluster's workers start with: 32 MB unless the operator chose one. */
import { describe, expect, it } from '@jest/globals';
import { withYoungGeneration } from '../../../../src/http/process/cluster.js';

describe('withYoungGeneration', () => {
  it('adds --max-semi-space-size=32 to what NODE_OPTIONS already holds', () => {
    expect(withYoungGeneration(undefined, [], false)).toEqual({ NODE_OPTIONS: '--max-semi-space-size=32' });
    expect(withYoungGeneration('--enable-source-maps', [], false)).toEqual({
      NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=32',
    });
  });

  it('leaves the single executable alone: its start-up snapshot fixes the heap (a worker given the flag exits 14)', () => {
    expect(withYoungGeneration(undefined, [], true)).toBeUndefined();
  });

  it("leaves the operator's own choice alone, in NODE_OPTIONS or on node's command line", () => {
    expect(withYoungGeneration('--max-semi-space-size=64', [], false)).toBeUndefined();
    expect(withYoungGeneration(undefined, ['--max-semi-space-size=8'], false)).toBeUndefined();
  });
});
