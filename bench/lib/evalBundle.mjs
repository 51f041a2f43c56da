// Evaluates built bundles in this fresh node process with a stand-in `vscode` module (a proxy: any
// member is a constructible no-op) and prints, on one line, how long each require() took as
// `wall:cpu` in ms (CPU time, user + system, is the steadier figure on a loaded machine).
// Usage: node bench/lib/evalBundle.mjs FILE…   (bench/bundle-eval.bench.mjs runs it repeatedly)
import Module, { createRequire } from 'node:module';
import path from 'node:path';

// esbuild's interop copies a module's own properties and keeps its prototype: members are found
// through the prototype, which is a proxy too.
const members = new Proxy({}, { get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : stub) });
const stub = new Proxy(function vscodeStandIn() {}, {
  get: (_t, key) => (key === 'prototype' ? {} : key === Symbol.toPrimitive ? () => '' : stub),
  getPrototypeOf: () => members,
  construct: () => ({}),
  apply: () => stub,
});
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? stub : load.call(this, request, ...rest);
};

const require = createRequire(import.meta.url);
// The extension host has node's own modules loaded before any extension: load them first here too,
// so the figure is the bundle's own evaluation.
for (const m of ['assert', 'buffer', 'child_process', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https',
  'net', 'os', 'path', 'readline', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url', 'util', 'zlib']) require(`node:${m}`);

const out = [];
for (const file of process.argv.slice(2)) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  require(path.resolve(file));
  const c = process.cpuUsage(c0);
  out.push(`${(performance.now() - t0).toFixed(2)}:${((c.user + c.system) / 1000).toFixed(2)}`);
}
console.log(out.join(' '));
