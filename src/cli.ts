/**
 * The streamforge program: commander wiring, help texts built from the settings tables, and
 * the only place that reads process.env, handles signals and exits. Subcommands' heavy modules
 * load inside their `run`, so `streamforge --help` stays fast.
 */
// React's development build keeps bookkeeping for every render: under watch's 5,000 events/s
// its heap grew past 1.5 GB in 10 s (150-180 MB in production mode). Default to production
// before anything imports React; an explicit NODE_ENV still wins.
process.env.NODE_ENV ??= 'production';

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { CommandSpec, RunContext } from './commands/command-spec.js';
import { commands } from './commands/index.js';
import { readDotenv } from './config/dotenv.js';
import { resolveSettings, type SettingMap } from './config/resolve.js';
import { showValue, type Setting } from './config/setting.js';
import { completionScript, shells, type Shell } from './completion.js';
import { ConfigError, describeError, ExitCode, StreamforgeError } from './errors.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function helpText(setting: Setting<unknown>): string {
  const notes: string[] = [];
  const env = setting.env ? [setting.env, ...(setting.envAliases ?? [])].join(' or ') : setting.envLabel;
  if (env) notes.push(`env ${env}`);
  const def =
    setting.defaultLabel ?? (setting.default === undefined || setting.default === false ? undefined : showValue(setting, setting.default));
  if (def !== undefined) notes.push(`default ${def}`);
  return notes.length ? `${setting.description} [${notes.join('; ')}]` : setting.description;
}

function envOnlyHelp(settings: SettingMap): string {
  const lines = Object.values(settings)
    .filter((s) => !s.flags && s.env)
    .map((s) => `  ${String(s.env).padEnd(22)} ${s.description}`);
  return lines.length ? `\nEnvironment only:\n${lines.join('\n')}\n` : '';
}

/** A subcommand began to run: from here on, stdout carries its output, not help. */
let commandStarted = false;

function register(program: Command, spec: CommandSpec<SettingMap>, ctx: RunContext, setExit: (code: number) => void): void {
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
    commandStarted = true;
    // Only what was typed counts as a flag: commander gives `--no-x` an implicit default of true.
    const typed = Object.fromEntries(Object.entries(self.opts()).filter(([k]) => self.getOptionValueSource(k) === 'cli'));
    const resolved = resolveSettings(spec.settings, { flags: typed, env: ctx.env, dotenv: await readDotenv(ctx.cwd) });
    setExit(await spec.run(resolved.values, resolved.sources, ctx));
  });
}

export function buildProgram(ctx: RunContext, setExit: (code: number) => void): Command {
  const program = new Command('streamforge')
    .description(
      'The StreamForge control plane from one executable: a dummy service, ping and stop over Kafka, and HTTP ingestion into Kafka.',
    )
    .version(pkg.version, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });
  for (const spec of commands) register(program, spec, ctx, setExit);
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
      commandStarted = true;
      if (!(shells as readonly string[]).includes(shell)) {
        throw new ConfigError(`no completion for shell '${shell}'`, `choose one of ${shells.join(', ')}`);
      }
      ctx.stdout.write(completionScript(shell as Shell, commands));
    });
  program.addHelpText(
    'after',
    `
Exit codes: 0 done, 1 an answer missing or bad, 2 usage or configuration error, 3 Kafka unreachable or authentication failed.

Examples:
  $ streamforge dummy --queue-id q1 --simulate-loading --exit-after 30
  $ streamforge ping --queue-id q1 --expect-pong --repeat 5
  $ streamforge stop --queue-id q1 --wait
  $ streamforge serve-producer --port 8001 --topics 'orders|events'
  $ streamforge watch --since 10m
`,
  );
  return program;
}

export async function main(argv: readonly string[], ctx: RunContext): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(ctx, (code) => (exitCode = code));
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

const signalHandlers: Array<(signal: string) => void> = [];
let signalsSeen = 0;
// A signal that comes before the command registers its handler (serve-producer registers once
// it listens, after connecting to Kafka) is kept and delivered on registration, not lost.
let earlySignal: string | undefined;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    // A second Ctrl-C means "now": do not wait for a flush that may never end.
    if (++signalsSeen > 1 && sig === 'SIGINT') process.exit(130);
    if (signalHandlers.length === 0) earlySignal ??= sig;
    for (const h of signalHandlers) h(sig);
  });
}
const onSignal = (handler: (signal: string) => void): void => {
  signalHandlers.push(handler);
  const early = earlySignal;
  if (early) queueMicrotask(() => handler(early));
};

// stdout closed by its reader (`streamforge ping --help | head -1`, `watch --json | head -3`):
// Node ignores SIGPIPE and reports EPIPE as an 'error' event that, unhandled, printed a stack
// trace. Help ends as it would have (status 0); a running command stops as on SIGTERM (a dummy
// still sends `interrupted`) and ends with 141, the status SIGPIPE gives in a shell. Nothing is
// written to stderr: the reader had what it wanted.
let stdoutClosed = false;
const stdoutStatus = (code: number): number => (stdoutClosed && commandStarted ? ExitCode.stdoutClosed : code);
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (stdoutClosed) return;
  stdoutClosed = true;
  if (!commandStarted) return;
  process.exitCode = ExitCode.stdoutClosed;
  // kept, like an early SIGTERM, for a command that has not registered its handler yet
  if (signalHandlers.length === 0) earlySignal ??= 'SIGPIPE';
  for (const h of signalHandlers) h('SIGPIPE');
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY);
// ink reads CI / CONTINUOUS_INTEGRATION when it loads and then draws nothing until the view
// exits (it takes them to mean "a CI log, not a screen"). Its only user, watch's view, runs only
// on a terminal at both ends, so there a CI variable is a leftover of the shell (a CI job's
// debug shell, a tmux server started by a test runner), and honouring it left the screen blank.
if (interactive) for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[key];

const code = await main(process.argv, {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive,
  onSignal,
  version: pkg.version,
});
process.exitCode = stdoutStatus(code);
// librdkafka threads can outlive a clean disconnect by a moment; do not let them hold the exit.
setTimeout(() => process.exit(stdoutStatus(code)), 1000).unref();
