/**
 * The streamforge program: commander wiring and help texts built from the settings tables.
 * Built apart from the process (cli.ts owns process.env, signals and the exit), so tests run
 * help, completion and bad usage in-process.
 */
import { readPackageFile } from './resources.js';
import { Command, CommanderError, Option } from 'commander';
import type { CommandSpec, RunContext } from './commands/command-spec.js';
import { commands } from './commands/index.js';
import { readDotenv } from './config/dotenv.js';
import { resolveSettings, type SettingMap } from './config/resolve.js';
import { defaultText, type Setting } from './config/setting.js';
import { completionScript, shells, type Shell } from './completion.js';
import { ConfigError, describeError, ExitCode, exitCodeMeanings, StreamforgeError } from './errors.js';

/** package.json's version: read when asked, not when this module loads (the executable's snapshot) */
export const packageVersion = (): string => (JSON.parse(readPackageFile('package.json')) as { version: string }).version;

function helpText(setting: Setting<unknown>): string {
  const notes: string[] = [];
  const env = setting.env ? [setting.env, ...(setting.envAliases ?? [])].join(' or ') : setting.envLabel;
  if (env) notes.push(`env ${env}`);
  const def = defaultText(setting);
  if (def !== undefined) notes.push(`default ${def}`);
  return notes.length ? `${setting.description} [${notes.join('; ')}]` : setting.description;
}

function envOnlyHelp(settings: SettingMap): string {
  const lines = Object.values(settings)
    .filter((s) => !s.flags && s.env)
    .map((s) => `  ${String(s.env).padEnd(22)} ${s.description}`);
  return lines.length ? `\nEnvironment only:\n${lines.join('\n')}\n` : '';
}

/** Called when a subcommand begins to run: from then on, stdout carries its output, not help. */
type OnStart = () => void;

function register(
  program: Command,
  spec: CommandSpec<SettingMap>,
  ctx: RunContext,
  setExit: (code: number) => void,
  onStart: OnStart,
): void {
  const cmd = program.command(spec.name).summary(spec.summary).description(spec.description);
  for (const [key, setting] of Object.entries(spec.settings)) {
    if (!setting.flags) continue;
    const option = new Option(setting.flags, helpText(setting));
    if (setting.repeatable) option.argParser((value: string, prev: string[] | undefined) => [...(prev ?? []), value]);
    if (option.attributeName() !== key) throw new Error(`setting ${key} does not match its flag ${setting.flags}`);
    cmd.addOption(option);
  }
  cmd.addHelpText(
    'after',
    `${envOnlyHelp(spec.settings)}
Precedence: flags, then the environment, then a .env file in the working directory, then defaults.

Examples:
${spec.examples.map((e) => `  $ ${e}`).join('\n')}
`,
  );
  cmd.action(async (_opts: unknown, self: Command) => {
    onStart();
    // Only what was typed counts as a flag: commander gives `--no-x` an implicit default of true.
    const typed = Object.fromEntries(Object.entries(self.opts()).filter(([k]) => self.getOptionValueSource(k) === 'cli'));
    const resolved = resolveSettings(spec.settings, {
      flags: typed,
      env: ctx.env,
      dotenv: await readDotenv(ctx.cwd),
      facts: { version: ctx.version },
    });
    setExit(await spec.run(resolved.values, resolved.sources, ctx));
  });
}

export function buildProgram(ctx: RunContext, setExit: (code: number) => void, onStart: OnStart = () => undefined): Command {
  const program = new Command('streamforge')
    .description(
      'The StreamForge control plane from one executable: a dummy service, ping and stop over Kafka, HTTP ingestion into Kafka, and a live terminal view of the queues.',
    )
    .version(ctx.version, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });
  for (const spec of commands) register(program, spec, ctx, setExit, onStart);
  program
    .command('completion')
    .summary('print a shell completion script: bash, zsh or fish')
    .description('Prints a completion script for your shell, generated from the same flags as --help.')
    .argument('<shell>', `one of ${shells.join(', ')}`)
    .addHelpText(
      'after',
      `
Examples:
  $ eval "$(streamforge completion bash)"                       # in ~/.bashrc
  $ streamforge completion zsh > "\${fpath[1]}/_streamforge"
  $ streamforge completion fish > ~/.config/fish/completions/streamforge.fish
`,
    )
    .action((shell: string) => {
      onStart();
      if (!(shells as readonly string[]).includes(shell)) {
        throw new ConfigError(`no completion for shell '${shell}'`, `choose one of ${shells.join(', ')}`);
      }
      ctx.stdout.write(completionScript(shell as Shell, commands));
    });
  program.addHelpText(
    'after',
    `
Exit codes: ${exitCodeMeanings.map((m) => `${m.code} ${m.short}`).join(', ')}.

Examples:
  $ streamforge dummy --queue-id q1 --simulate-loading --exit-after 30
  $ streamforge ping --queue-id q1 --expect-pong --repeat 5
  $ streamforge stop --queue-id q1 --wait
  $ streamforge serve-producer --port 8001 --topics 'orders|events'
  $ streamforge watch --since 10m
  $ streamforge monitor --metrics-port 9108 --probe-interval 15s
`,
  );
  return program;
}

/** Runs one command line to its exit code; throws nothing and exits nothing (cli.ts does). */
export async function main(argv: readonly string[], ctx: RunContext, onStart?: OnStart): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(ctx, (code) => (exitCode = code), onStart);
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is a usage error.
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code) ? ExitCode.ok : ExitCode.usage;
    }
    const { code, message, hint } = describeError(err);
    ctx.stderr.write(`streamforge: ${message} (${code})\n${hint ? `  hint: ${hint}\n` : ''}`);
    if (!(err instanceof StreamforgeError) && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return err instanceof StreamforgeError ? err.exitCode : ExitCode.failed;
  }
}
