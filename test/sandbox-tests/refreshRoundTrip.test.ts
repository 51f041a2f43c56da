// One round trip per host per refresh against the real sandbox, through the extension's own path
// (Lab → backends + Services and network probes → pooled ssh2 control shell → sshd, ProxyJump for
// vsim-hv2): every host of examples/sandbox.vsim.yaml refreshed, the commands that reach each host
// counted at its runner and at the pool, and what each part read checked against the real host —
// libvirt domains and QEMU's QMP on vsim-hv1, microvm@ units and systemd on vsim-hv2, the
// cloud-hypervisor stand-ins, the bridges. Then one part made to fail for real (a libvirt URI
// whose driver the host's libvirtd lacks): the host says so, naming virsh, and the other parts of that round trip stand.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRunner } from '../../src/backends/backend';
import { createBackends } from '../../src/backends';
import { healthProbe } from '../../src/health/probe';
import { Lab } from '../../src/lab/lab';
import type { Topology } from '../../src/model/types';
import { KnownHostsPolicy } from '../../src/remote/hostKeyPolicy';
import { SshPool } from '../../src/remote/pool';
import { resolveEndpoint } from '../../src/remote/sshConfig';
import { sandboxTopology } from './lab';
import { SANDBOX, sandboxEnv } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP refresh round-trip sandbox tests: ${skip}`);

const REFRESHES = 3;
let pool: SshPool;
let cfg: string;
/** Commands each Lab host's runner was given. */
const execs = new Map<string, number>();

function lab(t: Topology): Lab {
  const runnerFor = async (name: string, host: Topology['hosts'][string]): Promise<CommandRunner> => {
    const shell = pool.get(resolveEndpoint({ ...host, name }, (x) => t.hosts[x], cfg)).shell;
    return { exec: (argv, opts) => { execs.set(name, (execs.get(name) ?? 0) + 1); return shell.exec(argv, opts); } };
  };
  return new Lab(t, { runnerFor, backends: createBackends(), trusted: () => true, health: healthProbe, probeNetworks: true });
}

before(() => {
  if (skip) return;
  cfg = readFileSync(join(SANDBOX, 'ssh', 'config'), 'utf8');
  pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '' });
});
after(() => pool?.dispose());

test('every sandbox host: one command per refresh for all its backends, Services and networks', { skip }, async () => {
  const t = sandboxTopology();
  const l = lab(t);
  try {
    for (const h of l.hostNames()) await l.refresh(h); // dial, and warm the control shells
    const pooled0 = pool.commandCount();
    const before = new Map(l.hostNames().map((h) => [h, execs.get(h) ?? 0]));
    for (let i = 0; i < REFRESHES; i++) for (const h of l.hostNames()) await l.refresh(h);
    const per = Object.fromEntries(l.hostNames().map((h) => [h, ((execs.get(h) ?? 0) - before.get(h)!) / REFRESHES]));
    console.log(`      commands per refresh: ${JSON.stringify(per)}; through the pool: ${pool.commandCount() - pooled0} for ${REFRESHES} × ${l.hostNames().length} refreshes`);
    for (const h of l.hostNames()) {
      assert.equal(per[h], 1, `${h} (${[...l.vmsByBackend(h).keys()].join(' + ')}, Services, networks): one command per refresh`);
      assert.equal(l.host(h).connection.kind, 'connected', `${h}: ${JSON.stringify(l.host(h).connection)}`);
    }
    assert.equal(pool.commandCount() - pooled0, REFRESHES * l.hostNames().length, 'the pool ran nothing else');

    const hv1 = l.host('vsim-hv1');
    assert.deepEqual([...l.vmsByBackend('vsim-hv1').keys()].sort(), ['cloud-hypervisor', 'libvirt', 'qemu'], 'vsim-hv1 lists three backends in its one round trip');
    assert.ok([1, 2, 3].every((n) => hv1.vms[`aspen-node-${n}`]?.facts?.api), `cloud-hypervisor vm.info read on vsim-hv1: ${JSON.stringify(hv1.vms)}`);
    assert.equal(hv1.vms.chassis?.state, 'running', 'libvirt domstats read: chassis runs');
    assert.ok(hv1.vms['jetson-1'] && hv1.vms['jetson-1'].state !== 'unknown', `QEMU's monitor answered: ${JSON.stringify(hv1.vms['jetson-1'])}`);
    assert.equal(hv1.health?.services.kind, 'absent', 'the Services probe answered (PID 1 is not systemd on vsim-hv1)');
    assert.ok(hv1.net && 'facts' in hv1.net && hv1.net.facts.links.some((k) => k.name === 'vsimbr0'), `network probe read vsimbr0: ${JSON.stringify(hv1.net && 'error' in hv1.net && hv1.net.error)}`);

    const hv2 = l.host('vsim-hv2');
    assert.ok(['slot1', 'slot2', 'slot3'].every((s) => hv2.vms[s]?.facts?.unit === `microvm@${s}.service`), `microvm list script read: ${JSON.stringify(hv2.vms)}`);
    const units = hv2.health?.services.kind === 'ok' ? hv2.health.services.units.map((u) => u.unit) : [];
    assert.ok(units.includes('sshd-hv2.service') && units.includes('vsim-flaky.service'), `systemd's units read: ${JSON.stringify(hv2.health)}`);
    assert.ok(hv2.net && 'facts' in hv2.net && hv2.net.facts.links.some((k) => k.name === 'br-slot1'), `network probe read br-slot1 on vsim-hv2: ${JSON.stringify(hv2.net && 'error' in hv2.net && hv2.net.error)}`);

    const aspen = l.host('aspen-standin');
    const nodes = l.vmsByBackend('aspen-standin').get('cloud-hypervisor') ?? [];
    assert.ok(nodes.length >= 3 && nodes.every((v) => aspen.vms[v]?.state === 'running' && aspen.vms[v]?.facts?.api), `cloud-hypervisor vm.info read: ${JSON.stringify(aspen.vms)}`);
  } finally {
    l.dispose();
  }
});

test('one part failing for real (a libvirt URI whose driver the host\'s libvirtd lacks): the host names virsh, the round trip\'s other parts stand', { skip }, async () => {
  const t = sandboxTopology();
  t.hosts['vsim-hv1'] = { ...t.hosts['vsim-hv1']!, libvirtUri: 'xen:///system' };
  const l = lab(t);
  try {
    await l.refresh('vsim-hv1');
    const n0 = execs.get('vsim-hv1') ?? 0;
    await l.refresh('vsim-hv1');
    assert.equal((execs.get('vsim-hv1') ?? 0) - n0, 1, 'still one command');
    const h = l.host('vsim-hv1');
    assert.equal(h.connection.kind, 'error', JSON.stringify(h.connection));
    const message = h.connection.kind === 'error' ? h.connection.message : '';
    assert.match(message, /^virsh -c xen:\/\/\/system .*domstats --state on vsim-hv1 failed \(exit 1\): ./);
    console.log(`      the host says: ${message}`);
    assert.equal(h.health?.services.kind, 'absent', 'the Services probe of the same round trip read');
    assert.ok(h.net && 'facts' in h.net && h.net.facts.links.some((k) => k.name === 'vsimbr0'), 'the network probe of the same round trip read');
  } finally {
    l.dispose();
  }
});
