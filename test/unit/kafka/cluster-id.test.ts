/** The cluster id from librdkafka's metadata debug line (the line as librdkafka 2.12 writes it here). */
import { describe, expect, it } from '@jest/globals';
import { clusterIdentityFromLog } from '../../../src/kafka/cluster-id.js';

describe('clusterIdentityFromLog', () => {
  it('reads the id and the controller from the metadata line', () => {
    expect(clusterIdentityFromLog('[thrd:main]: 127.0.0.1:38851/1: ClusterId: 0zQHfVGjRtSEmINxGKC0YQ, ControllerId: 1')).toEqual({
      clusterId: '0zQHfVGjRtSEmINxGKC0YQ',
      controllerId: 1,
    });
    expect(clusterIdentityFromLog('x/bootstrap: ClusterId: abc-DEF_123, ControllerId: -1')?.controllerId).toBe(-1);
  });

  it('is undefined for any other line', () => {
    expect(clusterIdentityFromLog('[thrd:main]: 127.0.0.1:38851/1: Topic t with 3 partitions')).toBeUndefined();
    expect(clusterIdentityFromLog('')).toBeUndefined();
  });
});
