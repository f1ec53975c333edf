/**
 * Precedence, in one function: flags beat the environment, the environment beats `.env`,
 * `.env` beats defaults. Every value is parsed here, so a bad one fails before any I/O.
 */
import { configErrorFor, flagNamesOf, ParseFailure, type ProgramFacts, type Setting, type Source } from './setting.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a map of settings of any value type
export type SettingMap = Record<string, Setting<any>>;

type ValueOf<D> = D extends Setting<infer T> ? (D['repeatable'] extends true ? T[] : T) : never;

/** The settings whose value is always there: a default, a derived default that always gives one, a repeatable list (empty), a switch. */
type AlwaysSet<S extends SettingMap> = {
  [K in keyof S]: S[K] extends
    { default: unknown } | { repeatable: true } | { switch: true } | { derive: (...args: never[]) => NonNullable<unknown> }
    ? K
    : never;
}[keyof S];

/**
 * What a command's run() receives: a setting with a default is typed as present (the resolver
 * merged the default, once), the others may be undefined. The table is the only place a
 * default is written.
 */
export type ValuesOf<S extends SettingMap> = { readonly [K in AlwaysSet<S>]: ValueOf<S[K]> } & {
  readonly [K in Exclude<keyof S, AlwaysSet<S>>]?: ValueOf<S[K]>;
};

export interface Inputs {
  /** what commander parsed: strings, `true` for switches, string arrays for repeatables */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dotenv: Readonly<Record<string, string>>;
  /** for derived defaults (Setting.derive); the program passes its version */
  readonly facts?: ProgramFacts;
}

export interface Resolved<S extends SettingMap> {
  readonly values: ValuesOf<S>;
  readonly sources: { readonly [K in keyof S]: Source };
}

function parseWith<T>(setting: Setting<T>, raw: string, source: Source): T {
  try {
    return setting.parse(raw);
  } catch (failure) {
    if (failure instanceof ParseFailure) throw configErrorFor(setting, source, failure);
    throw failure;
  }
}

/** The raw text of a setting from the environment or `.env`, with its aliases. */
function lookupVar(
  setting: Setting<unknown>,
  vars: Readonly<Record<string, string | undefined>>,
  kind: 'env' | 'dotenv',
): { raw: string; source: Source } | undefined {
  for (const name of [setting.env, ...(setting.envAliases ?? [])]) {
    if (!name) continue;
    const raw = vars[name];
    if (raw !== undefined) return { raw, source: { kind, name } };
  }
  return undefined;
}

export function resolveSettings<S extends SettingMap>(settings: S, inputs: Inputs): Resolved<S> {
  const values: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  const derived: Array<[string, Setting<unknown>]> = [];

  for (const [key, setting] of Object.entries(settings)) {
    const flagValue = inputs.flags[key];
    if (flagValue !== undefined) {
      const source: Source = { kind: 'flag', name: flagNamesOf(setting).long ?? '' };
      sources[key] = source;
      if (setting.switch) values[key] = flagValue === true;
      else if (setting.repeatable) {
        const list = Array.isArray(flagValue) ? flagValue : [flagValue];
        values[key] = list.map((raw) => parseWith(setting, String(raw), source));
      } else values[key] = parseWith(setting, String(flagValue), source);
      continue;
    }
    const fromVar = lookupVar(setting, inputs.env, 'env') ?? lookupVar(setting, inputs.dotenv, 'dotenv');
    if (fromVar) {
      sources[key] = fromVar.source;
      if (setting.repeatable) {
        // Several values in one variable are separated by semicolons: commas occur inside
        // librdkafka values (broker lists), semicolons do not.
        values[key] = fromVar.raw
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((raw) => parseWith(setting, raw, fromVar.source));
      } else values[key] = parseWith(setting, fromVar.raw, fromVar.source);
      continue;
    }
    sources[key] = { kind: 'default' };
    if (setting.derive) derived.push([key, setting]);
    else values[key] = setting.repeatable ? (setting.default ?? []) : setting.switch ? (setting.default ?? false) : setting.default;
  }
  // after every value a source or a plain default set, so a derived default can read them
  const facts = inputs.facts ?? { version: 'unknown' };
  for (const [key, setting] of derived) values[key] = setting.derive?.(values, facts) ?? setting.default;
  return { values: values as ValuesOf<S>, sources: sources as Resolved<S>['sources'] };
}
