/**
 * The single executable's entry point (scripts/build-binary.mjs): the V8 startup snapshot is
 * taken after this module has loaded everything cli.ts imports, so a start only deserializes
 * it and runs the command line. Nothing here may read the environment or the terminal while
 * the snapshot is built: that machine is not the one the executable runs on.
 */
import { startupSnapshot } from 'node:v8';
import { runCli } from '../cli.js';

if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(() => runCli());
else runCli();
