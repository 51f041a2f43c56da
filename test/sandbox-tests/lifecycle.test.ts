// The plan engine against the sandbox's real libvirt on vsim-hv1 (real OpenSSH, virsh, bridges and
// iptables in the hypervisor's network namespace): a lab of its own (pe-*, bridge pebr0) that the
// host does not have → plan all missing → up (defined and booted, consoles answer) → plan empty →
// memory and MAC edited → exactly those two fields → apply → empty, restart needed → the sandbox's
// own domains listed as undeclared in every plan and untouched by up/down/destroy → destroy removes
// the pe- domains and pebr0 and nothing else. Plus `vsim plan` (the built CLI) exit codes and lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createBackends } from '../../src/backends';
import { parseVirshList } from '../../src/backends/libvirt/parseList';
import { lastBoot } from '../../src/console/bootPhases';
import type { Topology } from '../../src/model/types';
import { applyPlan, destroyLab, downLab, driftCount, planLab, upLab, type Change, type PlanDeps, type Plan } from '../../src/plan';
import { PE_BRIDGE, peLabYaml } from './lifecycleLab';
import { REPO, SANDBOX, sandboxEnv, SshRunner, until } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP lifecycle sandbox tests: ${skip}`);
const SANDBOX_DOMAINS = ['chassis', 'compute', 'edge.Gateway', 'storage']; // test/sandbox/sandbox.sh DOMAINS, sorted
const FILE = join(REPO, 'test-results', 'pe-lab.vsim.yaml');
let run: SshRunner;
let deps: PlanDeps;
let sandboxBefore = '';

const topology = (text: string): Topology => parse(text) as Topology;
const writeLab = (text: string): void => { mkdirSync(join(REPO, 'test-results'), { recursive: true }); writeFileSync(FILE, text); };

async function sandboxDomains(): Promise<string> {
  const r = await run.exec(['virsh', '-c', 'qemu:///system', '-q', 'list', '--all']);
  return parseVirshList(r.stdout).filter((d) => SANDBOX_DOMAINS.includes(d.name)).map((d) => `${d.name} ${d.state}`).sort().join(', ');
}

async function hostHas(): Promise<{ domains: string[]; bridge: boolean }> {
  const l = await run.exec(['virsh', '-c', 'qemu:///system', '-q', 'list', '--all', '--name']);
  const b = await run.exec(['ip', 'link', 'show', 'dev', PE_BRIDGE]);
  return { domains: l.stdout.split('\n').map((s) => s.trim()).filter((s) => s.startsWith('pe-')), bridge: b.code === 0 };
}

/** Domains other sandbox test files define for a while (they run side by side with this one). */
const OTHER_FILES_DOMAINS = ['vsim-bt']; // test/sandbox-tests/libvirt.test.ts

function undeclared(plan: Plan): string[] {
  return plan.hosts.flatMap((h) => h.changes).filter((c) => c.kind === 'vm-undeclared').map((c) => (c as { vm: string }).vm)
    .filter((vm) => !OTHER_FILES_DOMAINS.includes(vm)).sort();
}

function cli(...args: string[]): { code: number; lines: string[] } {
  const r = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), ...args, '--ssh-config', (env as { sshConfig: string }).sshConfig], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  return { code: r.status ?? -1, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) };
}

before(async () => {
  if (typeof env === 'string') return;
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  run = new SshRunner(env, 'vsim-hv1');
  run.master();
  deps = { runnerFor: async () => run, backends: createBackends(), trusted: () => true };
  // Leftovers of an interrupted run: destroy only touches what the pe- file declares.
  await destroyLab({ topology: topology(peLabYaml()) }, deps);
  sandboxBefore = await sandboxDomains();
});

after(async () => {
  if (typeof env === 'string') return;
  await destroyLab({ topology: topology(peLabYaml()) }, deps).catch(() => undefined);
  run.close();
});

test('plan: every pe- VM and the bridge missing; the sandbox domains undeclared; `vsim plan` exits 2 with one line per change', { skip }, async () => {
  assert.deepEqual(await hostHas(), { domains: [], bridge: false });
  const text = peLabYaml();
  writeLab(text);
  const plan = await planLab({ topology: topology(text) }, deps);
  const changes = plan.hosts[0]?.changes ?? [];
  assert.equal(plan.hosts[0]?.error, undefined);
  assert.deepEqual(changes.filter((c) => c.kind !== 'vm-undeclared').map((c) => c.id), ['vsim-hv1/network/pe-net', 'vsim-hv1/vm/pe-1', 'vsim-hv1/vm/pe-2']);
  assert.deepEqual(undeclared(plan), SANDBOX_DOMAINS);
  assert.equal(plan.hosts[0]?.roundTrips, 2, 'networks + libvirt (no VM runs: no tc read)');
  const c = cli('plan', FILE);
  assert.equal(c.code, 2, c.lines.join('\n'));
  assert.deepEqual(c.lines.slice(0, 4), [
    'vsim-hv1: 3 change(s), 2 round trip(s)',
    '  + network pe-net: bridge pebr0 missing on vsim-hv1, will be created',
    '  + pe-1: libvirt VM missing on vsim-hv1, will be created',
    '  + pe-2: libvirt VM missing on vsim-hv1, will be created',
  ]);
  const questioned = c.lines.filter((l) => l.startsWith('  ? ') && !OTHER_FILES_DOMAINS.some((d) => l.startsWith(`  ? ${d}:`)));
  assert.deepEqual(questioned.map((l) => l.slice(4, l.indexOf(':'))).sort(), SANDBOX_DOMAINS, c.lines.join('\n'));
});

test('up defines and boots every declared VM (boot logs hold the boot before any console is opened; consoles answer), then the plan is empty and `vsim plan` exits 0', { skip }, async () => {
  const t = topology(peLabYaml());
  const r = await upLab({ topology: t }, deps);
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.sort(), ['vsim-hv1/network/pe-net', 'vsim-hv1/start/pe-1', 'vsim-hv1/start/pe-2', 'vsim-hv1/vm/pe-1', 'vsim-hv1/vm/pe-2']);
  // Before any console is attached: the serial <log file> vsim's XML has by default holds the boot.
  const libvirt = deps.backends.libvirt!;
  const ctx = { hostName: 'vsim-hv1', host: t.hosts['vsim-hv1']!, topology: t, run };
  for (const vm of ['pe-1', 'pe-2']) {
    const src = libvirt.bootLog!(ctx, vm);
    assert.equal(src.where, `the <log file> of ${vm}'s serial (virtlogd)`);
    const boot = await until(`${vm}'s boot log reached its ready line`, 300_000, async () => {
      const b = await run.exec(src.read);
      assert.equal(b.code, 0, `${vm}: ${b.stderr}`);
      const text = lastBoot(b.stdout.replace(/\r/g, ''));
      return text.includes(`vsim-guest ${vm} ready`) && text;
    }, 1000);
    assert.match(boot, /Linux version \d/, `${vm}'s boot log has its kernel banner`);
    const file = await run.exec(['ls', `/var/log/libvirt/qemu/${vm}-serial.log`]);
    assert.equal(file.code, 0, `${vm}'s log is in libvirt's log directory: ${file.stderr}`);
  }
  for (const vm of ['pe-1', 'pe-2']) {
    // A TCG boot on a loaded machine can outlast one check's 20 s wait for the prompt: look again.
    let con = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8' });
    for (let i = 0; i < 4; i++) {
      con = spawnSync(process.execPath, [join(REPO, 'test/sandbox/lib/console-check.mjs'), join(SANDBOX, 'ssh', 'config'), 'vsim-hv1', vm], { encoding: 'utf8', timeout: 60_000 });
      if (con.status === 0) break;
    }
    assert.equal(con.status, 0, `console of ${vm}: ${con.stderr}`);
    assert.match(con.stdout, new RegExp(`uname -n = ${vm}`));
  }
  const plan = await planLab({ topology: t }, deps);
  assert.equal(driftCount(plan), 0, JSON.stringify(plan.hosts[0]?.changes));
  assert.deepEqual(undeclared(plan), SANDBOX_DOMAINS);
  assert.equal(plan.hosts[0]?.roundTrips, 3, 'networks + libvirt + tc readback of the running VMs');
  const c = cli('plan', FILE);
  assert.equal(c.code, 0, c.lines.join('\n'));
  assert.equal(c.lines[0], 'vsim-hv1: 0 change(s), 3 round trip(s)');
});

test('memory and a MAC changed in the file: the plan shows exactly those two fields; apply; empty again, restart needed', { skip }, async () => {
  const text = peLabYaml({ memory: 192, mac1: '52:54:00:00:5e:77' });
  writeLab(text);
  const t = topology(text);
  const plan = await planLab({ topology: t }, deps);
  const drift = (plan.hosts[0]?.changes ?? []).filter((c) => c.kind !== 'vm-undeclared');
  assert.equal(drift.length, 1);
  const c = drift[0] as Change & { kind: 'vm-differs' };
  assert.equal(c.kind, 'vm-differs');
  assert.equal(c.vm, 'pe-1');
  assert.equal(c.running, true);
  assert.deepEqual(c.fields, [
    { field: 'memory', want: '192MiB', have: '128MiB' },
    { field: 'nics[0].mac', want: '52:54:00:00:5e:77', have: '52:54:00:00:5e:01' },
  ]);
  const cl = cli('plan', FILE);
  assert.equal(cl.code, 2);
  assert.equal(cl.lines[1], '  ~ pe-1: memory 192MiB (host: 128MiB), nics[0].mac 52:54:00:00:5e:77 (host: 52:54:00:00:5e:01) (running: restart needed after apply)');
  const r = await applyPlan(plan, 'all', { topology: t }, deps);
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.restartNeeded, ['pe-1']);
  const again = await planLab({ topology: t }, deps);
  assert.equal(driftCount(again), 0, JSON.stringify(again.hosts[0]?.changes));
  assert.deepEqual(undeclared(again), SANDBOX_DOMAINS);
  const state = await run.exec(['virsh', '-c', 'qemu:///system', 'domstate', 'pe-1']);
  assert.equal(state.stdout.trim(), 'running', 'not restarted');
});

test('down stops the pe- VMs only; destroy (CLI needs --yes without a terminal) removes the declared domains and bridge, nothing else', { skip }, async () => {
  const t = topology(peLabYaml({ memory: 192, mac1: '52:54:00:00:5e:77' }));
  const d = await downLab({ topology: t }, deps, { timeoutMs: 60_000 });
  assert.deepEqual(d.failed, []);
  assert.deepEqual(d.done.sort(), ['vsim-hv1/shutdown/pe-1', 'vsim-hv1/shutdown/pe-2']);
  assert.equal(await sandboxDomains(), sandboxBefore);
  const refused = cli('destroy', FILE);
  assert.equal(refused.code, 1);
  assert.ok(refused.lines.includes('  vsim-hv1: VMs pe-1, pe-2'), refused.lines.join('\n'));
  assert.ok(refused.lines.some((l) => /pass --yes/.test(l)));
  assert.equal((await hostHas()).domains.length, 2, 'nothing removed without --yes');
  const c = cli('destroy', FILE, '--yes');
  assert.equal(c.code, 0, c.lines.join('\n'));
  assert.deepEqual(await hostHas(), { domains: [], bridge: false });
  assert.equal(await sandboxDomains(), sandboxBefore);
  const nat = await run.exec(['iptables', '-t', 'nat', '-S', 'POSTROUTING']);
  assert.doesNotMatch(nat.stdout, /192\.168\.150\.0\/24/);
});
