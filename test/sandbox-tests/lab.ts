// The sandbox topology (examples/sandbox.vsim.yaml) plus the cloud-hypervisor stand-in nodes of
// test/sandbox/stand-ins/ch-cluster.sh, and helpers shared by the sandbox backend tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { BackendContext } from '../../src/backends/backend';
import type { Topology } from '../../src/model/types';
import { REPO, SshRunner, type SandboxEnv } from './sshRunner';

export function sandboxTopology(): Topology {
  const t = parse(readFileSync(join(REPO, 'examples', 'sandbox.vsim.yaml'), 'utf8')) as Topology;
  t.vms ??= {};
  for (const n of [1, 2, 3]) {
    t.vms[`aspen-node-${n}`] = { host: 'vsim-hv1', backend: 'cloud-hypervisor', sockets: { api: `/run/vsim-sandbox/ch/node-${n}.sock` } };
  }
  return t;
}

export function context(env: SandboxEnv, topology: Topology, hostName: string, opts: { fresh?: boolean } = {}): BackendContext & { run: SshRunner } {
  const host = topology.hosts[hostName];
  if (!host) throw new Error(`no host ${hostName}`);
  return { hostName, host, topology, run: new SshRunner(env, hostName, opts) };
}

/** Times `n` calls of `f` (ms each), for the figures. */
export async function timeIt(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(Math.round(performance.now() - t0));
  }
  return out;
}

export function writeFigures(name: string, figures: unknown): void {
  mkdirSync(join(REPO, 'test-results'), { recursive: true });
  writeFileSync(join(REPO, 'test-results', `sandbox-backend-${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
