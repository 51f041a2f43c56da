// Tunnel ports with the real iproute2 in a throwaway network namespace: the rendered setup runs,
// the network script (the plan's one round trip) reads the ports back, and the plan finds them in
// sync — for two hosts (one remote) and three (flood entries per peer); a changed peer is reported
// as differing and applying again recreates it; teardown leaves no vxlan device.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markedScript } from '../../../src/backends/script';
import { renderNetworkSetup } from '../../../src/deploy/renderNetworkSetup';
import { renderTunnelSetup, renderTunnelTeardown, tunnelPorts } from '../../../src/deploy/renderTunnels';
import { analyze } from '../../../src/model/analyze';
import type { Topology } from '../../../src/model/types';
import { oneNetwork } from '../../../src/plan/apply';
import { NETWORK_SCRIPT, parseHostNetworks } from '../../../src/plan/networks';
import { tunnelChanges } from '../../../src/plan/tunnels';
import { isTolerated, type TcStep } from '../../../src/tc/steps';
import { Netns } from '../tc/netns';

let ns: Netns | undefined;
let skip: string | false = spawnSync('sh', ['-c', 'command -v ip && command -v bridge && command -v nsenter']).status === 0 ? false : 'ip/bridge/nsenter not installed';

function topology(hosts = 2): Topology {
  const t = analyze(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'two-host-fabric.vsim.yaml'), 'utf8')).topology;
  assert.ok(t);
  const net = t.networks?.fabric;
  assert.ok(net);
  delete t.networks?.storage; // OVS: no kernel module here
  delete net.dhcp;
  if (hosts === 3) {
    t.hosts.hv3 = { address: '198.51.100.13', underlay: '10.99.0.3' };
    net.hosts = ['hv1', 'hv2', 'hv3'];
  }
  return t;
}

function runSteps(steps: readonly TcStep[]): void {
  for (const s of steps) {
    const r = ns!.run(s.argv);
    assert.ok(isTolerated(s, r.status, r.stderr), `${s.argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  }
}

function planHv1(t: Topology): string[] {
  const r = ns!.run(['sh', '-c', markedScript(NETWORK_SCRIPT), 'vsim', 'ip', 'bridge']);
  assert.equal(r.status, 0, r.stderr);
  const have = parseHostNetworks(r.stdout);
  return tunnelChanges(t, 'hv1', { tools: have.tools, addrs: have.addrs, linux: have.linuxTunnels, ovs: have.ovsTunnels })
    .map((c) => (c.kind === 'tunnel-differs' ? `${c.kind} ${c.fields.map((f) => `${f.field} ${f.want} (${f.have})`).join(', ')}` : c.kind));
}

before(() => {
  if (skip) return;
  const n = Netns.openWith([['ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p'], ['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'eth1'], ['ip', 'link', 'set', 'eth1', 'up']]);
  if (typeof n === 'string') skip = n;
  else ns = n;
});

after(() => ns?.close());

test('two hosts: bridge + vxlan port set up for real, read back in sync; a changed peer differs and is recreated', (ctx) => {
  if (skip) return ctx.skip(skip);
  const t = topology();
  runSteps(renderNetworkSetup(oneNetwork(t, 'fabric'), 'hv1'));
  assert.deepEqual(planHv1(t), ['tunnel-missing']);
  const [port] = tunnelPorts(t, 'hv1');
  assert.ok(port);
  runSteps(renderTunnelSetup(port));
  assert.deepEqual(planHv1(t), []);
  runSteps(renderTunnelSetup(port)); // again: delete + create, still in sync
  assert.deepEqual(planHv1(t), []);
  t.hosts.hv2!.underlay = '10.99.0.9';
  assert.deepEqual(planHv1(t), ['tunnel-differs remote 10.99.0.9 (10.99.0.2)']);
  const [moved] = tunnelPorts(t, 'hv1');
  runSteps(renderTunnelSetup(moved!));
  assert.deepEqual(planHv1(t), []);
  runSteps(renderTunnelTeardown(moved!));
  assert.deepEqual(planHv1(t), ['tunnel-missing']);
});

test('three hosts: one vxlan device with a flood entry per peer, read back in sync', (ctx) => {
  if (skip) return ctx.skip(skip);
  const t = topology(3);
  runSteps(renderNetworkSetup(oneNetwork(t, 'fabric'), 'hv1'));
  const [port] = tunnelPorts(t, 'hv1');
  assert.deepEqual(port?.remotes, ['10.99.0.2', '10.99.0.3']);
  runSteps(renderTunnelSetup(port!));
  assert.deepEqual(planHv1(t), []);
  const fdb = ns!.run(['bridge', 'fdb', 'show', 'dev', 'vx42']).stdout;
  assert.match(fdb, /00:00:00:00:00:00 dst 10\.99\.0\.2/);
  assert.match(fdb, /00:00:00:00:00:00 dst 10\.99\.0\.3/);
  runSteps(renderTunnelTeardown(port!));
  assert.equal(ns!.run(['ip', '-j', 'link', 'show', 'type', 'vxlan']).stdout.trim(), '[]');
});
