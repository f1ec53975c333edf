/** Small pure helpers for the screen. */
import type { EventName } from '../../protocol/types.js';

export function age(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

export const eventColor: Record<EventName | 'invalid' | 'command', string> = {
  started: 'cyan',
  loading: 'blue',
  pong: 'green',
  interrupted: 'yellow',
  finished: 'magenta',
  error: 'red',
  invalid: 'redBright',
  command: 'gray',
};
