/**
 * What the operator is doing in the terminal view, and what each key does to it: a pure
 * function of (state, key, what is on screen), so every key is unit-tested without rendering.
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

/** What is on screen when the key comes. */
export interface Screen {
  readonly queueCount: number;
  readonly entryCount: number;
  /** the log row shown as selected (the newest when following) */
  readonly logSelected: number;
  readonly selectedQueue: string | undefined;
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

function move(s: ViewState, screen: Screen, by: 1 | -1): ViewState {
  if (s.pane === 'queues') return { ...s, queueIndex: clamp(s.queueIndex + by, screen.queueCount - 1) };
  const next = clamp(screen.logSelected + by, screen.entryCount - 1);
  // moving onto the newest row resumes following
  return { ...s, logIndex: next >= screen.entryCount - 1 ? undefined : next };
}

export function onKey(s: ViewState, input: string, key: KeyFlags, screen: Screen): KeyResult {
  if (s.mode === 'filter') return { state: filterKey(s, input, key) };
  if (s.mode === 'confirm') return confirmKey(s, input);
  if (input === 'q' || (key.ctrl && input === 'c')) return { state: s, effect: { kind: 'exit' } };
  if (s.help) return { state: { ...s, help: false } };
  if (input === '?') return { state: { ...s, help: true } };
  if (key.tab) return { state: { ...s, pane: s.pane === 'queues' ? 'log' : 'queues' } };
  if (input === '/') return { state: { ...s, draft: s.filter, mode: 'filter' } };
  if (key.escape) return { state: { ...s, filter: '', detail: false, logIndex: undefined } };
  if (input === ' ') return { state: { ...s, paused: !s.paused } };
  if (key.return) return { state: { ...s, detail: !s.detail } };
  if (input === 'c') return { state: { ...s, logIndex: undefined }, effect: { kind: 'clear' } };
  if (key.downArrow || input === 'j') return { state: move(s, screen, 1) };
  if (key.upArrow || input === 'k') return { state: move(s, screen, -1) };
  if (input === 'p' && screen.selectedQueue) {
    return { state: { ...s, status: `pinging ${screen.selectedQueue}...` }, effect: { kind: 'ping', queueId: screen.selectedQueue } };
  }
  if (input === 's' && screen.selectedQueue) return { state: { ...s, confirmStop: screen.selectedQueue, mode: 'confirm' } };
  return { state: s };
}
