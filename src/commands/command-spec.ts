/**
 * What a subcommand is: its settings, its help, and a `run` that returns an exit code. Modules
 * here stay light (no node-rdkafka, no ink): `run` imports what it needs when it runs, so
 * `streamforge --help` loads none of it.
 */
import type { Readable, Writable } from 'node:stream';
import type { SettingMap, ValuesOf } from '../config/resolve.js';
import type { Source } from '../config/setting.js';

export interface RunContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  /** stdout is a terminal: the TUI is possible */
  readonly interactive: boolean;
  /** registers the handler for SIGTERM and SIGINT for the life of the run */
  readonly onSignal: (handler: (signal: string) => void) => void;
  readonly version: string;
}

export interface CommandSpec<S extends SettingMap> {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly examples: readonly string[];
  readonly settings: S;
  run(values: ValuesOf<S>, sources: { readonly [K in keyof S]: Source }, ctx: RunContext): Promise<number>;
}

export function defineCommand<S extends SettingMap>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}
