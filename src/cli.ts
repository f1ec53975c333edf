/**
 * The streamforge process: the only place that reads process.env, handles signals and a closed
 * stdout, and exits. The program itself is program.ts; subcommands' heavy modules load inside
 * their `run`, so `streamforge --help` stays fast.
 */
import { realpathSync } from 'node:fs';
import { configurePackedFiles } from './binary/cache-setup.js';
import { ExitCode } from './errors.js';
import { main, packageVersion } from './program.js';
import { inBinary } from './resources.js';

/** Whether a command-line word names this very executable. */
function isSelf(word: string | undefined): boolean {
  try {
    return word !== undefined && realpathSync(word) === realpathSync(process.execPath);
  } catch {
    return false;
  }
}

/**
 * Runs the command line of this process to its exit. Called by bin/streamforge, and by the
 * single executable when it starts (its V8 snapshot holds everything imported above, ready).
 */
export function runCli(): void {
  // React's development build keeps bookkeeping for every render: under watch's 5,000 events/s
  // its heap grew past 1.5 GB in 10 s (150-180 MB in production mode). Default to production
  // before anything imports React; an explicit NODE_ENV still wins (except in the single
  // executable, which carries React's production build only).
  process.env.NODE_ENV ??= 'production';
  if (inBinary()) configurePackedFiles(process.env, (line) => process.stderr.write(line));

  /** A subcommand began to run: from here on, stdout carries its output, not help. */
  let commandStarted = false;
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

  // A worker of `serve-producer --workers` in the single executable: node:cluster starts it as
  // `<executable> <main script> <args>`, its main script being the executable itself.
  const argv = inBinary() && isSelf(process.argv[2]) ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv;
  void main(
    argv,
    {
      env: process.env,
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      interactive,
      onSignal,
      version: packageVersion(),
    },
    () => (commandStarted = true),
  ).then((code) => {
    process.exitCode = stdoutStatus(code);
    // librdkafka threads can outlive a clean disconnect by a moment; do not let them hold the exit.
    setTimeout(() => process.exit(stdoutStatus(code)), 1000).unref();
  });
}
