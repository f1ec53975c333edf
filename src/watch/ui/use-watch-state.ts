import { useEffect, useReducer, useRef, useState } from 'react';
import { initialPlaneState, planeReducer, type Incoming, type PlaneState } from '../../plane/reducer.js';
import type { WatchSource } from '../source.js';

/** At most ~15 redraws a second, however fast events arrive: they are applied in batches. */
export const FRAME_MS = 66;

export interface LiveState {
  readonly state: PlaneState;
  readonly eventsPerSecond: number;
  readonly buffered: number;
  readonly now: number;
  readonly dispatchRtt: (queueId: string, ms: number) => void;
  readonly clear: () => void;
}

export function useWatchState(source: WatchSource, maxEvents: number, paused: boolean): LiveState {
  const [state, dispatch] = useReducer(planeReducer, maxEvents, initialPlaneState);
  const buffer = useRef<Incoming[]>([]);
  const arrivals = useRef<number[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const [now, setNow] = useState(Date.now());
  const [buffered, setBuffered] = useState(0);

  useEffect(
    () =>
      source.subscribe((items) => {
        for (const item of items) buffer.current.push(item);
        arrivals.current.push(...new Array<number>(items.length).fill(Date.now()));
      }),
    [source],
  );

  useEffect(() => {
    const timer = setInterval(() => {
      const t = Date.now();
      arrivals.current = arrivals.current.filter((a) => t - a < 1000);
      setNow(t);
      // Paused: keep buffering, apply nothing; resuming applies everything that came.
      if (pausedRef.current) return setBuffered(buffer.current.length);
      setBuffered(0);
      if (buffer.current.length === 0) return;
      const items = buffer.current;
      buffer.current = [];
      dispatch({ type: 'records', items, now: t });
    }, FRAME_MS);
    return () => clearInterval(timer);
  }, []);

  return {
    state,
    eventsPerSecond: arrivals.current.length,
    buffered,
    now,
    dispatchRtt: (queueId, ms) => dispatch({ type: 'rtt', queueId, ms }),
    clear: () => dispatch({ type: 'clear' }),
  };
}
