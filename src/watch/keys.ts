/**
 * What the operator is doing in the terminal view, and what each key does to it: pure functions
 * of (state, key, what is on screen), so every key is unit-tested without rendering. The view's
 * keys (onKey: modes, quit, help, Tab, filter, pause, detail, ping, stop) are the App's; moving
 * the selection (onPaneKey: j/k and the arrows) belongs to the focused pane. The two never
 * handle the same key, so it does not matter which of their input handlers ink calls first.
 * Work outside the view (quit, ping, stop, clear) comes back as an effect for the App to run.
 */

export type Pane = 'queues' | 'log';
export type Mode = 'keys' | 'filter' | 'confirm';

export interface ViewState {
  readonly pane: Pane;
  readonly mode: Mode;
  readonly paused: boolean;
  readonly queueIndex: number;
  /** undefined: the log follows the newest event */
  readonly logIndex: number | undefined;
  readonly filter: string;
  /** the filter being typed after `/` */
  readonly draft: string;
  readonly detail: boolean;
  readonly help: boolean;
  /** the queue a `y` would stop */
  readonly confirmStop: string | undefined;
  /** the footer's last word: what a key did, or what its effect came back with */
  readonly status: string;
}

export const initialViewState: ViewState = {
  pane: 'queues',
  mode: 'keys',
  paused: false,
  queueIndex: 0,
  logIndex: undefined,
  filter: '',
  draft: '',
  detail: false,
  help: false,
  confirmStop: undefined,
  status: '',
};

/** The parts of ink's Key the view reads. */
export interface KeyFlags {
  readonly escape?: boolean;
  readonly return?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly tab?: boolean;
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
}

/** What is on screen when a view key comes. */
export interface Screen {
  /** the queue table's rows, in order: the selection is an index into them */
  readonly queueIds: readonly string[];
}

/** What a pane shows when one of its keys comes. */
export interface PaneScreen {
  readonly count: number;
  /** the row shown as selected (in the log: the newest while it follows) */
  readonly selected: number;
}

export type Effect = { kind: 'exit' } | { kind: 'ping'; queueId: string } | { kind: 'stop'; queueId: string } | { kind: 'clear' };

export interface KeyResult {
  readonly state: ViewState;
  readonly effect?: Effect;
}

const clamp = (n: number, max: number): number => Math.max(0, Math.min(max, n));

function filterKey(s: ViewState, input: string, key: KeyFlags): ViewState {
  if (key.escape) return { ...s, filter: '', draft: '', mode: 'keys' };
  if (key.return) return { ...s, filter: s.draft, mode: 'keys' };
  if (key.backspace || key.delete) return { ...s, draft: s.draft.slice(0, -1) };
  if (input && !key.ctrl && !key.meta) return { ...s, draft: s.draft + input };
  return s;
}

function confirmKey(s: ViewState, input: string): KeyResult {
  const back = { ...s, confirmStop: undefined, mode: 'keys' as const };
  if (input === 'y' && s.confirmStop)
    return { state: { ...back, status: `stopping ${s.confirmStop}...` }, effect: { kind: 'stop', queueId: s.confirmStop } };
  return { state: { ...back, status: 'stop cancelled' } };
}

const isNavigation = (input: string, key: KeyFlags): boolean => Boolean(key.downArrow || key.upArrow) || input === 'j' || input === 'k';

/** The queue a key acts on: the table's selection, as the latest state has it. */
export const selectedQueue = (s: ViewState, screen: Screen): string | undefined =>
  screen.queueIds[clamp(s.queueIndex, screen.queueIds.length - 1)];

/**
 * A key for the pane `pane`: j/k and the arrows move its selection within bounds; anything
 * else is the view's (undefined). A key shown help is answered by hiding it, as any key is.
 */
export function onPaneKey(s: ViewState, pane: Pane, input: string, key: KeyFlags, screen: PaneScreen): KeyResult | undefined {
  if (s.mode !== 'keys' || !isNavigation(input, key)) return undefined;
  if (s.help) return { state: { ...s, help: false } };
  const by = key.downArrow || input === 'j' ? 1 : -1;
  if (pane === 'queues') return { state: { ...s, queueIndex: clamp(s.queueIndex + by, screen.count - 1) } };
  const next = clamp(screen.selected + by, screen.count - 1);
  // moving onto the newest row resumes following
  return { state: { ...s, logIndex: next >= screen.count - 1 ? undefined : next } };
}

/** A key for the view as a whole; the panes' navigation keys change nothing here. */
export function onKey(s: ViewState, input: string, key: KeyFlags, screen: Screen): KeyResult {
  if (s.mode === 'filter') return { state: filterKey(s, input, key) };
  if (s.mode === 'confirm') return confirmKey(s, input);
  if (input === 'q' || (key.ctrl && input === 'c')) return { state: s, effect: { kind: 'exit' } };
  if (isNavigation(input, key)) return { state: s };
  if (s.help) return { state: { ...s, help: false } };
  if (input === '?') return { state: { ...s, help: true } };
  if (key.tab) return { state: { ...s, pane: s.pane === 'queues' ? 'log' : 'queues' } };
  if (input === '/') return { state: { ...s, draft: s.filter, mode: 'filter' } };
  if (key.escape) return { state: { ...s, filter: '', detail: false, logIndex: undefined } };
  if (input === ' ') return { state: { ...s, paused: !s.paused } };
  if (key.return) return { state: { ...s, detail: !s.detail } };
  if (input === 'c') return { state: { ...s, logIndex: undefined }, effect: { kind: 'clear' } };
  const queue = selectedQueue(s, screen);
  if (input === 'p' && queue) return { state: { ...s, status: `pinging ${queue}...` }, effect: { kind: 'ping', queueId: queue } };
  if (input === 's' && queue) return { state: { ...s, confirmStop: queue, mode: 'confirm' } };
  return { state: s };
}
