// `vsim plan|apply|up|down|destroy FILE`: the lab bring-up from the command line (CI pipelines),
// over the extension's own SSH code (src/remote: one pooled connection per host, ssh config with
// Include, known_hosts; unknown host keys are refused unless the user says yes on a terminal).
// plan exits 0 in sync, 2 on drift, 1 on error; the others 1 when anything failed.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { CommandRunner } from './backends/backend';
import { createBackends } from './backends';
import { analyze } from './model/analyze';
import type { Topology } from './model/types';
import { applyPlan, describeChange, destroyLab, downLab, driftCount, planLab, upLab, type PlanDeps, type PlanInput } from './plan';
import type { ApplyEvent, ApplyResult, Plan } from './plan/types';
import { KnownHostsPolicy } from './remote/hostKeyPolicy';
import { SshPool } from './remote/pool';
import { defaultSshEnv, resolveEndpointWith, type AsyncOptionsSource } from './remote/sshConfig';
import { configFileSource } from './remote/sshG';
import { onHost } from './model/fabric';
import { tunnelPorts } from './deploy/renderTunnels';

export interface LabCliOptions {
  file: string;
  sshConfig?: string;
  yes: boolean;
  timeoutMs?: number;
}

const tty = (): boolean => !!process.stdin.isTTY && !!process.stdout.isTTY;

async function ask(question: string): Promise<boolean> {
  if (!tty()) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Runners over one pooled SSH connection per host (the extension's pool, without VS Code).
 * `channels: false` runs every command on the host's control shell, one at a time (benchmarks).
 */
export function cliDeps(sshConfig: string | undefined, opts: { channels?: boolean } = {}): { deps: PlanDeps; dispose(): void } {
  const pool = new SshPool({
    hostKeys: new KnownHostsPolicy({ askTrust: (r) => ask(`The authenticity of host ${r.label} can't be established. ${r.keyType} key fingerprint is ${r.fingerprint}. Trust it and add it to ${r.knownHostsFile}?`) }),
    askPassphrase: async () => undefined,
    idleMs: 0,
  });
  const configPath = sshConfig ?? `${os.homedir()}/.ssh/config`;
  // Hosts resolve as in the extension: `ssh -G` on the config file where OpenSSH is installed, else vsim's parser of it.
  let source: Promise<AsyncOptionsSource> | undefined;
  const options = (): Promise<AsyncOptionsSource> => (source ??= configFileSource(configPath, defaultSshEnv(), { defaultFiles: sshConfig === undefined }));
  const deps: PlanDeps = {
    async runnerFor(hostName, host, topology: Topology): Promise<CommandRunner> {
      const pooled = pool.get(await resolveEndpointWith({ ...host, name: hostName }, (n) => topology.hosts?.[n], await options()));
      const channels = opts.channels ?? true;
      return { exec: (argv, o) => pooled.shell.exec(argv, channels || !o ? o : { ...o, channel: false }) };
    },
    backends: createBackends(),
    trusted: () => true,
  };
  return { deps, dispose: () => pool.dispose() };
}

/** The file's topology and its error diagnostics (as plan blockers), or a message. */
function load(file: string): { input: PlanInput } | { error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { error: `${file}: cannot read: ${(err as Error).message}` };
  }
  const a = analyze(text);
  if (!a.topology) return { error: `${file}: not a topology: ${a.problems.map((p) => p.message).join('; ')}` };
  const blockers = a.problems.filter((p) => p.severity === 'error').map((p) => ({ message: p.message, line: a.parsed.lines.position(p.start).line + 1 }));
  return { input: { topology: a.topology, blockers } };
}

/** One line per change, grouped by host. */
export function printPlan(plan: Plan, out: (s: string) => void = console.log): void {
  for (const b of plan.blockers) out(`blocked: line ${b.line ?? '?'}: ${b.message}`);
  for (const h of plan.hosts) {
    out(`${h.host}: ${h.error ? `error: ${h.error}` : `${h.changes.filter((c) => c.kind !== 'vm-undeclared').length} change(s), ${h.roundTrips} round trip(s)`}`);
    for (const c of h.changes) out(`  ${describeChange(c)}`);
  }
}

/** plan's exit code: 1 on error (blockers, a host not inspected), 2 on drift, 0 in sync. */
export function planExitCode(plan: Plan): number {
  if (plan.blockers.length || plan.hosts.some((h) => h.error)) return 1;
  return driftCount(plan) ? 2 : 0;
}

function printEvent(e: ApplyEvent): void {
  if (e.kind === 'start') return;
  const text = e.kind === 'done' ? `done: ${e.title}${e.note ? ` (${e.note})` : ''}`
    : e.kind === 'failed' ? `FAILED: ${e.title}: ${e.message}` : `skipped: ${e.title} (${e.reason})`;
  console.log(`${e.host ? `${e.host}: ` : ''}${text}`);
}

function summary(r: ApplyResult): number {
  console.log(`${r.done.length} done, ${r.failed.length} failed, ${r.skipped.length} skipped${r.cancelled ? ', cancelled' : ''}` +
    `${r.restartNeeded.length ? `; restart needed: ${r.restartNeeded.join(', ')}` : ''}`);
  for (const f of r.failed.filter((x) => x.offerDestroy)) console.log(`  ${f.id}: still running; \`vsim destroy\` removes the lab, or stop it by hand (virsh destroy)`);
  return r.failed.length ? 1 : 0;
}

/** What destroy removes: every declared VM and network, by host. */
function destroyList(t: Topology): string[] {
  const lines: string[] = [];
  for (const host of Object.keys(t.hosts)) {
    const vms = Object.entries(t.vms ?? {}).filter(([, v]) => v.host === host).map(([n]) => n);
    const nets = Object.entries(t.networks ?? {}).filter(([, n]) => onHost(n, host)).map(([n, net]) => `${n} (bridge ${net.bridge ?? n})`);
    if (vms.length) lines.push(`${host}: VMs ${vms.join(', ')}`);
    if (nets.length) lines.push(`${host}: networks ${nets.join(', ')}`);
    const ports = tunnelPorts(t, host).map((p) => `${p.name} (${p.network})`);
    if (ports.length) lines.push(`${host}: tunnel ports ${ports.join(', ')}`);
  }
  return lines;
}

export async function labCommand(cmd: 'plan' | 'apply' | 'up' | 'down' | 'destroy', o: LabCliOptions): Promise<number> {
  const loaded = load(o.file);
  if ('error' in loaded) {
    console.error(loaded.error);
    return 1;
  }
  const { input } = loaded;
  if (cmd === 'destroy') {
    console.log(`vsim destroy removes what ${o.file} declares (VMs stopped hard and undefined; bridges deleted; VMs the file does not declare are left alone):`);
    for (const l of destroyList(input.topology)) console.log(`  ${l}`);
    if (!o.yes && !(await ask('Destroy these?'))) {
      console.error(tty() ? 'Not destroyed.' : 'Not destroyed: pass --yes to destroy without a terminal.');
      return 1;
    }
  }
  const { deps, dispose } = cliDeps(o.sshConfig);
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  const opts = { onEvent: printEvent, signal: ac.signal };
  try {
    if (cmd === 'plan') {
      const plan = await planLab(input, deps);
      printPlan(plan);
      return planExitCode(plan);
    }
    if (input.blockers?.length) {
      for (const b of input.blockers) console.error(`blocked: line ${b.line ?? '?'}: ${b.message}`);
      return 1;
    }
    if (cmd === 'apply') {
      const plan = await planLab(input, deps);
      printPlan(plan);
      if (planExitCode(plan) === 1) return 1;
      return summary(await applyPlan(plan, 'all', input, deps, opts));
    }
    if (cmd === 'up') return summary(await upLab(input, deps, opts));
    if (cmd === 'down') return summary(await downLab(input, deps, { ...opts, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) }));
    return summary(await destroyLab(input, deps, opts));
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    dispose();
  }
}
