import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import { renderDnsmasq, renderDnsmasqLines } from '../../../src/deploy/renderDnsmasq';
import { renderDnsmasqConf, renderNetworkSetup } from '../../../src/deploy/renderNetworkSetup';
import { isTolerated } from '../../../src/tc/steps';
import type { Topology } from '../../../src/model/types';
import { Netns } from '../tc/netns';

const root = join(__dirname, '../../..');
const load = (f: string): Topology => analyze(readFileSync(join(root, 'examples', f), 'utf8')).topology!;

test('dnsmasq lines: range, domain, router, leases (VM NICs then slots, MACs lowercased, no duplicates)', () => {
  const t = load('chassis-emulator.vsim.yaml');
  assert.deepEqual(renderDnsmasqLines(t, 'ovsbr0'), [
    'interface=vnet0',
    'dhcp-range=192.168.100.100,192.168.100.200,255.255.255.0,12h',
    'domain=local',
    'dhcp-option=option:router,192.168.100.1',
    'dhcp-host=52:54:00:00:00:10,192.168.100.10,chassis',
    'dhcp-host=52:54:00:00:00:11,192.168.100.11,compute',
    'dhcp-host=52:54:00:00:00:12,192.168.100.12,storage',
  ]);
  const s: Topology = {
    version: 1, hosts: { h: { address: 'h' } },
    networks: { n: { host: 'h', subnet: '10.1.0.0/24', dhcp: {} } },
    vms: { a: { host: 'h', backend: 'microvm', nics: [{ network: 'n', mac: '02:00:00:00:00:0A', ip: '10.1.0.2' }] } },
    slots: { s1: { host: 'h', network: 'n', mac: '02:00:00:00:00:0a', ip: '10.1.0.2' }, s2: { host: 'h', network: 'n', mac: '02:00:00:00:00:0b', ip: '10.1.0.3' } },
  };
  assert.deepEqual(renderDnsmasqLines(s, 'n'), ['interface=n', 'dhcp-range=10.1.0.0,static,255.255.255.0', 'dhcp-host=02:00:00:00:00:0a,10.1.0.2,a', 'dhcp-host=02:00:00:00:00:0b,10.1.0.3,s2']);
  assert.deepEqual(renderDnsmasq(load('simple-microvm-infra.vsim.yaml')), {});
});

const dnsmasq = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'].find((p) => existsSync(p));
test('dnsmasq --test accepts the rendered configuration', { skip: dnsmasq ? false : 'dnsmasq not installed (test/unit/backends/install-test-deps.sh)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-dnsmasq-'));
  try {
    for (const f of ['chassis-emulator.vsim.yaml', 'n3x-emulation.vsim.yaml']) {
      const conf = join(dir, 'd.conf');
      writeFileSync(conf, renderDnsmasqConf(renderDnsmasq(load(f))));
      const r = spawnSync(dnsmasq!, ['--test', `--conf-file=${conf}`], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr + r.stdout, /syntax check OK/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('network setup: linux bridge + address + NAT, OVS with an internal host interface', () => {
  const s = renderNetworkSetup(load('simple-microvm-infra.vsim.yaml')).map((x) => x.argv.join(' '));
  assert.deepEqual(s.slice(0, 5), [
    'ip link add name br-slot1 type bridge', 'ip link set dev br-slot1 up', 'ip addr replace 10.1.0.1/24 dev br-slot1',
    'iptables -t nat -D POSTROUTING -s 10.1.0.0/24 ! -d 10.1.0.0/24 -o enP2p4s0 -j MASQUERADE',
    'iptables -t nat -A POSTROUTING -s 10.1.0.0/24 ! -d 10.1.0.0/24 -o enP2p4s0 -j MASQUERADE',
  ]);
  assert.equal(s.at(-1), 'sysctl -w net.ipv4.ip_forward=1');
  assert.deepEqual(renderNetworkSetup(load('chassis-emulator.vsim.yaml')).map((x) => x.argv.join(' ')), [
    'ovs-vsctl --may-exist add-br ovsbr0',
    'ovs-vsctl --may-exist add-port ovsbr0 vnet0 -- set interface vnet0 type=internal',
    'ip link set dev ovsbr0 up', 'ip link set dev vnet0 up', 'ip addr replace 192.168.100.1/24 dev vnet0',
  ]);
});

test('network setup for real in a throwaway namespace (bridges, idempotent)', (t) => {
  const ns = Netns.open();
  if (typeof ns === 'string') return t.skip(ns);
  try {
    assert.ok(ns.ready());
    const steps = renderNetworkSetup(load('sandbox.vsim.yaml'), 'vsim-hv2');
    for (let round = 0; round < 2; round++) {
      for (const st of steps) {
        const r = ns.run(st.argv);
        assert.ok(isTolerated(st, r.status, r.stderr), `${st.argv.join(' ')}: ${r.stderr}`);
      }
    }
    const addrs = JSON.parse(ns.run(['ip', '-4', '-j', 'addr', 'show']).stdout) as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[];
    const got = Object.fromEntries(addrs.filter((a) => a.ifname.startsWith('br-')).map((a) => [a.ifname, a.addr_info.map((i) => `${i.local}/${i.prefixlen}`)]));
    assert.deepEqual(got, { 'br-slot1': ['10.1.0.1/24'], 'br-slot2': ['10.2.0.1/24'], 'br-slot3': ['10.3.0.1/24'] });
  } finally {
    ns.close();
  }
});
