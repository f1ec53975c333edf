/**
 * ink lays its boxes out with yoga-layout, WebAssembly that yoga-layout compiles when it loads,
 * in a top-level await. The single executable runs CommonJS, where a module cannot await, so its
 * build gives yoga-layout a `ready` promise instead (scripts/build-binary.mjs): the view waits
 * for it before the first render. From node_modules there is no such export and nothing to wait.
 */
export async function layoutEngineReady(): Promise<void> {
  const yoga = (await import('yoga-layout')) as { ready?: Promise<unknown> };
  await yoga.ready;
}
