import { useRef, useState } from 'react';
import { initialViewState, type Effect, type KeyResult, type ViewState } from '../keys.js';

/** Applies a key's pure reduction to the latest view state; undefined: the key was not its. */
export type UpdateView = (reduce: (latest: ViewState) => KeyResult | undefined) => void;

/**
 * The view state, with every key's reduction applied to the latest one: keys typed faster than
 * a render (a pasted filter) must each see the one before, so the reductions read a ref, not
 * the render's copy. An effect a key produces goes to `run`.
 */
export function useViewState(run: (effect: Effect) => void): { readonly view: ViewState; readonly update: UpdateView } {
  const [view, setView] = useState<ViewState>(initialViewState);
  const latest = useRef(view);
  const update: UpdateView = (reduce) => {
    const result = reduce(latest.current);
    if (!result) return;
    latest.current = result.state;
    setView(result.state);
    if (result.effect) run(result.effect);
  };
  return { view, update };
}
