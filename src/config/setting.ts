/**
 * A setting is one knob with up to three ways in: a flag, an environment variable and the
 * same variable in a `.env` file. Declaring them as data lets one table drive the help text,
 * the precedence rules and the error messages, so they cannot drift apart.
 */
import { ConfigError } from '../errors.js';

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

  /** seconds as a decimal number, e.g. `0.5` */
  seconds:
    (opts: { min: number; allowZero?: boolean; max?: number }) =>
    (raw: string): number => {
      const v = raw.trim();
      const n = Number(v);
      const max = opts.max ?? 86_400 * 365;
      const tooSmall = opts.allowZero ? n < 0 : n < opts.min || n === 0;
      if (!v || !Number.isFinite(n) || tooSmall || n > max) {
        const floor = opts.allowZero ? '0 or more' : `at least ${opts.min}`;
        throw new ParseFailure(`must be a number of seconds, ${floor} (at most ${max}), got '${raw}'`);
      }
      return n;
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

  /** Go-style durations as the seed services take them ("15s", "500ms", "1m"), or plain seconds. */
  duration:
    (opts: { min: number; max?: number }) =>
    (raw: string): number => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
      const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[(m?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
      const seconds = m ? Number(m[1]) * unit : Number.NaN;
      const max = opts.max ?? 86_400;
      if (!Number.isFinite(seconds) || seconds < opts.min || seconds > max) {
        throw new ParseFailure(`must be a duration such as 15s, 500ms or 1m (from ${opts.min}s to ${max}s), got '${raw}'`);
      }
      return seconds;
    },

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

  port: (raw: string): number => {
    // ":9090" as the Go service wrote it
    const v = raw.trim().replace(/^:/, '');
    if (!/^\d+$/.test(v) || Number(v) > 65_535) {
      throw new ParseFailure(`must be a TCP port from 0 to 65535 (0 turns it off), got '${raw}'`);
    }
    return Number(v);
  },
};

/** Wraps a parser failure into the user-facing error that names the source. */
export function configErrorFor(setting: Setting<unknown>, source: Source, failure: unknown): ConfigError {
  const what = describeSource(source);
  const why = failure instanceof Error ? failure.message : String(failure);
  // A secret's parser must not echo it back; say only that it is wrong.
  const safeWhy = setting.secret ? 'is not valid' : why;
  const alt = [setting.flags?.split(/[ ,]+/).find((f) => f.startsWith('--')), setting.env].filter(Boolean).join(' or ');
  return new ConfigError(`${what} ${safeWhy}`, `set ${alt}: ${setting.description}`);
}

/** The values a setting accepts, when it is an enumeration (for shell completion). */
export function choicesOf(setting: Setting<unknown>): readonly string[] | undefined {
  return (setting.parse as { choices?: readonly string[] }).choices;
}
