/**
 * Where the single executable's cache is (XDG_CACHE_HOME, HOME) and where to say that a cached
 * file was damaged: given once by cli.ts, the only module that reads the environment, before any
 * command runs. Apart from packed-files.ts so that every start does not load node:crypto for it.
 */
export interface CacheSetup {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warn: (line: string) => void;
}

let setup: CacheSetup = { env: {}, warn: () => undefined };

export function configurePackedFiles(env: CacheSetup['env'], warn: CacheSetup['warn']): void {
  setup = { env, warn };
}

export const cacheSetup = (): CacheSetup => setup;
