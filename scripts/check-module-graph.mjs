#!/usr/bin/env node
// The shape rules a type checker cannot see, over src/'s import graph (TypeScript's own parser,
// so `./x.js` resolves to x.ts as tsc does):
//   1. no import cycle, type-only imports included (as madge counts them: a cycle of types is
//      still two modules that cannot be understood apart);
//   2. modules that must stay light never load node-rdkafka: the fastify app (tested with inject,
//      no broker) neither statically nor through import(); the program (--help stays fast) not
//      at start-up (its subcommands import their heavy modules when they run); the app loads the
//      Avro and Protobuf libraries only when a schema-typed record comes;
//   3. folders that must not know each other import nothing from each other, types included:
//      watch and monitor are two viewers of the control plane (src/plane/), not of each other.
// Run by `npm run lint`; exits 1 and names each cycle or each path to the forbidden module.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** [module, package it must not reach, through which imports] */
const mustNotReach = [
  ['src/http/app.ts', 'node-rdkafka', 'static and dynamic'],
  ['src/program.ts', 'node-rdkafka', 'static'],
  // the serdes of schema-typed records load when such a record first comes (schema/codec.ts)
  ['src/http/app.ts', 'avsc', 'static'],
  ['src/http/app.ts', 'protobufjs', 'static'],
  // tracing off loads no tracing code: the SDK is imported by tracing.ts when it is on
  ['src/http/app.ts', '@opentelemetry/api', 'static'],
  ['src/http/app.ts', '@opentelemetry/sdk-trace-base', 'static'],
  ['src/program.ts', '@opentelemetry/sdk-trace-base', 'static'],
  ['src/dummy/service.ts', '@opentelemetry/api', 'static'],
  ['src/control/kafka-control-io.ts', '@opentelemetry/api', 'static'],
];

/** [folder, folder it must not import from] */
const mustNotImport = [
  ['src/watch/', 'src/monitor/'],
  ['src/monitor/', 'src/watch/'],
];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.'))
    return spec.startsWith('node:')
      ? undefined
      : spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/');
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`${relative(root, from)}: cannot resolve ${spec}`);
}

const isTypeOnly = (node) => {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    !clause.name &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  );
};

/** file -> { static, dynamic: what it loads at run time; types: what it imports only as types } */
function graph(files) {
  const edges = new Map();
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const out = { static: new Set(), dynamic: new Set(), types: new Set() };
    const visit = (node) => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        const target = resolveSpecifier(file, node.moduleSpecifier.text);
        if (target) (isTypeOnly(node) ? out.types : out.static).add(target);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg && ts.isStringLiteral(arg)) {
          const target = resolveSpecifier(file, arg.text);
          if (target) out.dynamic.add(target);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    edges.set(file, out);
  }
  return edges;
}

/** Tarjan's strongly connected components over static imports (types too): each with more than one file is a cycle. */
function cycles(edges) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const strong = (v) => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of [...edges.get(v).static, ...edges.get(v).types]) {
      if (!edges.has(w)) continue;
      if (!meta.has(w)) {
        strong(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of edges.keys()) if (!meta.has(v)) strong(v);
  return found;
}

/** The import chain from `start` to `target`, if there is one. */
function pathTo(edges, start, target, through) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    const e = edges.get(v);
    for (const w of [...(e?.static ?? []), ...(through === 'static' ? [] : (e?.dynamic ?? []))]) {
      if (previous.has(w)) continue;
      previous.set(w, v);
      if (w === target) {
        const chain = [w];
        for (let p = v; p !== undefined; p = previous.get(p)) chain.unshift(p);
        return chain;
      }
      queue.push(w);
    }
  }
  return undefined;
}

const edges = graph(sourceFiles(src));
const show = (f) => (f.startsWith('/') ? relative(root, f) : f);
let failed = false;
for (const component of cycles(edges)) {
  failed = true;
  console.error(`import cycle: ${component.map(show).join(' -> ')}`);
}
for (const [module, forbidden, through] of mustNotReach) {
  const chain = pathTo(edges, join(root, module), forbidden, through);
  if (chain) {
    failed = true;
    console.error(`${module} must not load ${forbidden}, but does: ${chain.map(show).join(' -> ')}`);
  }
}
for (const [from, to] of mustNotImport) {
  for (const [file, e] of edges) {
    if (!show(file).startsWith(from)) continue;
    for (const target of [...e.static, ...e.dynamic, ...e.types]) {
      if (!show(target).startsWith(to)) continue;
      failed = true;
      console.error(`${show(file)} imports ${show(target)}: ${from} must not import from ${to} (share it through src/plane/ or below)`);
    }
  }
}
if (failed) process.exit(1);
console.log(
  `module graph: ${edges.size} modules, no cycle; ${mustNotReach.map(([m, f, t]) => `${m} never loads ${f} (${t} imports)`).join('; ')}; ${mustNotImport.map(([f, t]) => `${f} imports nothing from ${t}`).join('; ')}`,
);
