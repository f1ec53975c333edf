/** Every subcommand, for the program, shell completion and the manifest checks. */
import type { SettingMap } from '../config/resolve.js';
import type { CommandSpec } from './command-spec.js';
import { dummyCommand } from './dummy.js';
import { monitorCommand } from './monitor.js';
import { pingCommand } from './ping.js';
import { serveProducerCommand } from './serve-producer.js';
import { stopCommand } from './stop.js';
import { watchCommand } from './watch.js';

export const commands = [
  dummyCommand,
  pingCommand,
  stopCommand,
  serveProducerCommand,
  watchCommand,
  monitorCommand,
] as unknown as ReadonlyArray<CommandSpec<SettingMap>>;
