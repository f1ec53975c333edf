/**
 * A setting is one knob with up to three ways in: a flag, an environment variable and the
 * same variable in a `.env` file. Declaring them as data lets one table drive the help text,
 * the precedence rules and the error messages, so they cannot drift apart.
 */
import { ConfigError } from '../errors.js';

/** What a derived default may know of the program besides the other settings. */
export interface ProgramFacts {
  readonly version: string;
}

/** Where a value came from; error messages name it so the user knows what to fix. */
export type Source =
  { kind: 'flag'; name: string } | { kind: 'env'; name: string } | { kind: 'dotenv'; name: string } | { kind: 'default' };

export function describeSource(source: Source): string {
  switch (source.kind) {
    case 'flag':
      return source.name;
    case 'env':
      return `${source.name} (environment)`;
    case 'dotenv':
      return `${source.name} (.env file)`;
    case 'default':
      return 'the default';
  }
}

/** Settings are declared in maps whose keys are commander's attribute names (`queueId`). */
export interface Setting<T> {
  /** commander flags, e.g. `-b, --bootstrap-servers <list>`; omit for env-only settings */
  readonly flags?: string;
  /** environment variable (also read from `.env`) */
  readonly env?: string;
  /** what --help shows for a setting with no variable of its own, e.g. "LOG_LEVEL=debug" */
  readonly envLabel?: string;
  /** older names of the same variable, still accepted */
  readonly envAliases?: readonly string[];
  readonly description: string;
  /** used when no source sets the value; undefined means "not set" */
  readonly default?: T;
  /**
   * A default computed from the other settings' resolved values (and facts of the program, such
   * as its version), used when no source sets this one; `default` is the fallback when it gives
   * undefined. Settings with one are resolved after all others, in table order; `defaultLabel`
   * says in --help how the value is computed.
   */
  readonly derive?: (values: Readonly<Record<string, unknown>>, facts: ProgramFacts) => T | undefined;
  /** how the default reads in --help when it is computed, e.g. "SASL_SSL if KAFKA_USER is set" */
  readonly defaultLabel?: string;
  /** text to value; throws ParseFailure with what is allowed */
  readonly parse: (raw: string) => T;
  /** for repeatable flags such as -X: collect every occurrence */
  readonly repeatable?: boolean;
  /** never echoed back: not in errors, logs or --help defaults */
  readonly secret?: boolean;
  /** a boolean switch (`--debug`): given means true */
  readonly switch?: boolean;
}

/** Thrown by parsers; the resolver adds which flag or variable carried the value. */
export class ParseFailure extends Error {}

export const parse = {
  string: (raw: string): string => raw,

  nonEmpty: (raw: string): string => {
    const v = raw.trim();
    if (!v) throw new ParseFailure('must not be empty');
    return v;
  },

  bool: (raw: string): boolean => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    throw new ParseFailure(`must be true or false (also 1/0, yes/no, on/off), got '${raw}'`);
  },

  int:
    (min: number, max = Number.MAX_SAFE_INTEGER) =>
    (raw: string): number => {
      const v = raw.trim();
      if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        throw new ParseFailure(`must be a whole number from ${min} to ${max}, got '${raw}'`);
      }
      return Number(v);
    },

  /** the allowed values travel with the parser, so shell completion can offer them */
  oneOf: <T extends string>(
    allowed: readonly T[],
    normalise: (s: string) => string = (s) => s,
  ): ((raw: string) => T) & { choices: readonly T[] } =>
    Object.assign(
      (raw: string): T => {
        const v = normalise(raw.trim());
        const hit = allowed.find((a) => normalise(a) === v);
        if (!hit) throw new ParseFailure(`must be one of ${allowed.join(', ')}, got '${raw}'`);
        return hit;
      },
      { choices: allowed },
    ),

  /**
   * Every time flag's one grammar, in milliseconds: a plain number is seconds (`5`, `0.5`, as
   * the Python seed took them), or a number with a unit as the Go seed took them (`500ms`,
   * `15s`, `1m`, `1h`; and `2d`, for --since). `minMs` and `maxMs` bound it.
   */
  duration: (opts: { minMs: number; maxMs?: number }): ((raw: string) => number) & { show: (ms: number) => string } =>
    Object.assign(
      (raw: string): number => {
        const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
        const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
        const ms = m ? Math.round(Number(m[1]) * unit) : Number.NaN;
        const maxMs = opts.maxMs ?? MAX_TIMER_MS;
        if (!Number.isFinite(ms) || ms < opts.minMs || ms > maxMs) {
          const range = `from ${formatDuration(opts.minMs)} to ${formatDuration(maxMs)}`;
          throw new ParseFailure(`must be a duration such as 5 (seconds), 500ms, 15s or 1m (${range}), got '${raw}'`);
        }
        return ms;
      },
      { show: formatDuration },
    ),

  /** a size in bytes, with an optional unit: 1048576, 1mb, 512kb */
  bytes:
    (opts: { min: number; max: number }) =>
    (raw: string): number => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib)?\s*$/i.exec(raw);
      const units: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 * 1024, mib: 1024 * 1024 };
      const n = m ? Math.floor(Number(m[1]) * (units[(m[2] ?? 'b').toLowerCase()] ?? 1)) : Number.NaN;
      if (!Number.isFinite(n) || n < opts.min || n > opts.max) {
        throw new ParseFailure(`must be a size such as 1048576, 512kb or 1mb (from ${opts.min} to ${opts.max} bytes), got '${raw}'`);
      }
      return n;
    },

  /**
   * An http:// or https:// URL without a user or password (those belong in variables of their
   * own, out of logs and ps), without its trailing slash. `example` shows a valid one; `credentials`
   * says where the credentials go.
   */
  httpUrl:
    (example: string, credentials: string) =>
    (raw: string): string => {
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new ParseFailure(`must be an http:// or https:// URL, e.g. ${example}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ParseFailure(`must be an http:// or https:// URL, not ${url.protocol}`);
      if (url.username || url.password) throw new ParseFailure(`must not hold a user or password: ${credentials}`);
      return url.href.replace(/\/$/, '');
    },

  port: (raw: string): number => {
    // ":9090" as the Go service wrote it
    const v = raw.trim().replace(/^:/, '');
    if (!/^\d+$/.test(v) || Number(v) > 65_535) {
      throw new ParseFailure(`must be a TCP port from 0 to 65535 (0 turns it off), got '${raw}'`);
    }
    return Number(v);
  },
};

/**
 * Node's timers hold at most 2^31-1 ms (24.8 days); a longer one fires at once, with only a
 * warning. A time flag that becomes a timer stops at 24 days.
 */
const MAX_TIMER_MS = 24 * 86_400_000;

/** A duration as a person writes it: 30s, 500ms, 1.5s, 2m, 1h. */
export function formatDuration(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 || ms === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A setting's flag names: the long one (`--queue-id`) and the one-letter one (`-b`), if any. */
export function flagNamesOf(setting: Setting<unknown>): { long: string | undefined; short: string | undefined; takesValue: boolean } {
  const parts = setting.flags?.split(/[ ,]+/) ?? [];
  return {
    long: parts.find((p) => p.startsWith('--')),
    short: parts.find((p) => /^-[a-zA-Z]$/.test(p)),
    takesValue: setting.flags?.includes('<') ?? false,
  };
}

/** How a value of this setting reads in --help: durations as 30s, the rest as written. */
export function showValue(setting: Setting<unknown>, value: unknown): string {
  const show = (setting.parse as { show?: (v: never) => string }).show;
  return show ? show(value as never) : String(value);
}

/** How the default reads in --help and the reference pages; undefined when there is none to show. */
export function defaultText(setting: Setting<unknown>): string | undefined {
  if (setting.defaultLabel !== undefined) return setting.defaultLabel;
  const d: unknown = setting.default;
  return d === undefined || d === false || (Array.isArray(d) && d.length === 0) ? undefined : showValue(setting, d);
}

/** Wraps a parser failure into the user-facing error that names the source. */
export function configErrorFor(setting: Setting<unknown>, source: Source, failure: unknown): ConfigError {
  const what = describeSource(source);
  const why = failure instanceof Error ? failure.message : String(failure);
  // A secret's parser must not echo it back; say only that it is wrong.
  const safeWhy = setting.secret ? 'is not valid' : why;
  const alt = [flagNamesOf(setting).long, setting.env].filter(Boolean).join(' or ');
  return new ConfigError(`${what} ${safeWhy}`, `set ${alt}: ${setting.description}`);
}

/** The values a setting accepts, when it is an enumeration (for shell completion). */
export function choicesOf(setting: Setting<unknown>): readonly string[] | undefined {
  return (setting.parse as { choices?: readonly string[] }).choices;
}
