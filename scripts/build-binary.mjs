#!/usr/bin/env node
// make dist: dist/streamforge-linux-x64 and its .sha256, one file that runs without Node, npm or
// node_modules: Node's single executable applications (SEA) with the program bundled into one
// CommonJS script (esbuild), compiled to V8's code cache at build time, and the files it reads
// carried as SEA assets. See docs/install.md, "How the executable is made".
//   node scripts/build-binary.mjs      (after npm run build: it bundles dist/cli.js)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { log, root } from './bench-common.mjs';

const out = join(root, 'build', 'sea');
const target = join(root, 'dist', 'streamforge-linux-x64');
const rdkafka = join(root, 'node_modules', 'node-rdkafka', 'build');
const swaggerUi = join(root, 'node_modules', '@fastify', 'swagger-ui', 'static');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'files'), { recursive: true });

// The files the program opens from a disk, each with the hash it is checked against in the cache.
// librdkafka's libraries lose their debug symbols here (11 of their 13 MB).
function packFile(from, path, executable = false) {
  const to = join(out, 'files', path);
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(from, to);
  if (from.endsWith('.so.1')) execFileSync('strip', ['--strip-debug', to]);
  return { path, sha256: sha256(readFileSync(to)), ...(executable ? { executable: true } : {}), file: to };
}
const addon = [
  packFile(join(rdkafka, 'Release', 'node-librdkafka.node'), 'addon/build/Release/node-librdkafka.node', true),
  packFile(join(rdkafka, 'deps', 'librdkafka.so.1'), 'addon/build/deps/librdkafka.so.1', true),
  packFile(join(rdkafka, 'deps', 'librdkafka++.so.1'), 'addon/build/deps/librdkafka++.so.1', true),
];
const swagger = readdirSync(swaggerUi)
  .filter((f) => statSync(join(swaggerUi, f)).isFile())
  .map((f) => packFile(join(swaggerUi, f), `swagger-ui/${f}`));
const build12 = sha256([...addon, ...swagger].map((f) => f.sha256).join('\n')).slice(0, 12);
const manifest = {
  build: `${pkg.version}-${build12}`,
  addon: addon.map(({ file: _, ...f }) => f),
  swaggerUi: swagger.map(({ file: _, ...f }) => f),
};
writeFileSync(join(out, 'binary.json'), JSON.stringify(manifest));

// One CommonJS script. Three modules need a hand, each for a reason the executable has and
// node_modules has not: node-rdkafka finds its addon through `bindings` (a search of
// node_modules), yoga-layout compiles its WebAssembly in a top-level await, and ink's reconciler
// awaits React's devtools when DEV is set. SEA's require reaches only Node's built-ins, so
// everything else is in the bundle.
const packedFiles = join(root, 'dist', 'binary', 'packed-files.js');
const executableShims = {
  name: 'executable-shims',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'shim' }));
    b.onLoad({ filter: /^bindings$/, namespace: 'shim' }, () => ({
      contents: `module.exports = function bindings() { return require(${JSON.stringify(packedFiles)}).loadAddon(); };`,
      resolveDir: root,
      loader: 'js',
    }));
    b.onLoad({ filter: /yoga-layout[/\\]dist[/\\]src[/\\]index\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      const awaited = 'const Yoga = wrapAssembly(await loadYoga());';
      if (!text.includes(awaited)) throw new Error(`yoga-layout changed: ${a.path} no longer has "${awaited}"`);
      return {
        contents: text.replace(
          awaited,
          'const Yoga = {};\nexport const ready = loadYoga().then((m) => Object.assign(Yoga, wrapAssembly(m)));',
        ),
        loader: 'js',
      };
    });
    // React's packages choose their build by NODE_ENV when loaded; streamforge sets production
    // before anything loads React, and the development builds (a third of the bundle's React)
    // would only weigh on every start
    b.onLoad({ filter: /node_modules[/\\](react|react-reconciler|scheduler)[/\\](index|jsx-runtime|constants)\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      const chosen = /if \(process\.env\.NODE_ENV === 'production'\) \{\s*(module\.exports = require\([^)]+\);)\s*\} else \{[^}]*\}/;
      if (!chosen.test(text)) return undefined;
      return { contents: text.replace(chosen, '$1'), loader: 'js' };
    });
    b.onLoad({ filter: /ink[/\\]build[/\\]reconciler\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      const devtools = "await import('./devtools.js');";
      const packageJson = 'isDev()\n    ? await loadPackageJson()\n    : { name: undefined, version: undefined }';
      if (!text.includes(devtools) || !text.includes(packageJson)) throw new Error(`ink changed: ${a.path} no longer awaits as expected`);
      return { contents: text.replace(devtools, '').replace(packageJson, '{ name: undefined, version: undefined }'), loader: 'js' };
    });
  },
};
const bundle = join(out, 'streamforge.cjs');
await build({
  entryPoints: [join(root, 'dist', 'binary', 'main.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: bundle,
  plugins: [executableShims],
  external: ['react-devtools-core'],
  // import.meta is read only outside the executable (resources.ts)
  logOverride: { 'empty-import-meta': 'silent' },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  logLevel: 'warning',
});
log(`bundle: ${(statSync(bundle).size / 1e6).toFixed(1)} MB`);

const assets = {
  'binary.json': join(out, 'binary.json'),
  'package.json': join(root, 'package.json'),
  ...Object.fromEntries(readdirSync(join(root, 'schemas')).map((f) => [`schemas/${f}`, join(root, 'schemas', f)])),
  ...Object.fromEntries([...addon, ...swagger].map((f) => [f.path, f.file])),
};
const config = join(out, 'sea-config.json');
writeFileSync(
  config,
  JSON.stringify({ main: bundle, output: join(out, 'sea-prep.blob'), disableExperimentalSEAWarning: true, useSnapshot: true, assets }),
);
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
mkdirSync(join(root, 'dist'), { recursive: true });
rmSync(target, { force: true });
copyFileSync(process.execPath, target);
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    target,
    'NODE_SEA_BLOB',
    join(out, 'sea-prep.blob'),
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const digest = sha256(readFileSync(target));
writeFileSync(`${target}.sha256`, `${digest}  ${relative(join(root, 'dist'), target)}\n`);
log(`${relative(root, target)}: ${(statSync(target).size / 1e6).toFixed(1)} MB, sha256 ${digest}`);
