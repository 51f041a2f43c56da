// Up of a lab with its VMs split over two hosts vs the same VMs on one host, wall time, side by side:
//   (a) one host: N qemu guests on vsim-hv1, their network a bridge on hv1;
//   (b) two hosts: the same N guests, every other one on vsim-hv3, the network spanning hv1 and
//       hv3 over vxlan (a bridge and a tunnel port on each host); hosts applied and started in parallel.
// The guests are real QEMU/TCG started by vsim's Start from their declared launcher in each host's
// network namespace (test/sandbox-tests/fabricLab.ts): the sandbox's hv3 has no libvirtd, so this is
// how VMs run on both hosts (bench/lab-up-fabric.bench.ts keeps libvirt VMs on hv1 in both).
// Runs alternate (a, b, a, b …); each starts from hosts without the lab. Goal: (b) < 1.3× (a).
// Run: node --import tsx bench/lab-up-hosts.bench.ts [vms] [rounds]   (sandbox up, with vsim-hv3)
// Measured here (2 cores, after each item's steps went into one round trip and ssh -G was asked once):
// 4 guests 1.11× (median of 5: 6.05 s vs 5.45 s) and 1.25× (median of 3: 6.78 s vs 5.43 s) in a second run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cliDeps } from '../src/cliLab';
import type { Topology } from '../src/model/types';
import { fabricGuestDown, fabricGuestVm } from '../test/sandbox-tests/fabricLab';
import { removeLab, timedUp } from './lib/labUp';
import { REPO, runBench, writeResults } from './lib/results';
import { SANDBOX_SSH_CONFIG } from './lib/sandbox';
import { stats, type SummaryRow } from './lib/stats';

const nums = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const VMS = nums[0] ?? 4;
const ROUNDS = nums[1] ?? 3;
const ENV = path.join(REPO, '.sandbox', 'env.json');
const BRIDGE = 'hbbr0';
type Hv3 = { underlay: string; hv1Underlay: string; netns: string };

function lab(hv3: Hv3, spread: boolean): Topology {
  const hosts = spread ? ['vsim-hv1', 'vsim-hv3'] : ['vsim-hv1'];
  const netns: Record<string, string> = { 'vsim-hv1': 'vsim-hv1', 'vsim-hv3': hv3.netns };
  const vms = Object.fromEntries(Array.from({ length: VMS }, (_, i) => {
    const name = `hb${i + 1}`;
    const host = hosts[i % hosts.length] as string;
    const hex = (i + 1).toString(16).padStart(2, '0');
    return [name, fabricGuestVm(name, { host, netns: netns[host] as string, network: 'hb-net', bridge: BRIDGE, mac: `52:54:00:0e:b0:${hex}`, ip: `10.81.0.${i + 11}`, tap: `tap-${name}` })];
  }));
  return {
    version: 1, name: spread ? 'hb-two-hosts' : 'hb-one-host',
    hosts: {
      'vsim-hv1': { sshConfigHost: 'vsim-hv1', kvm: false, underlay: hv3.hv1Underlay },
      ...(spread ? { 'vsim-hv3': { sshConfigHost: 'vsim-hv3', kvm: false, underlay: hv3.underlay } } : {}),
    },
    networks: {
      'hb-net': spread
        ? { hosts: ['vsim-hv1', 'vsim-hv3'], bridge: BRIDGE, tunnel: { kind: 'vxlan', vni: 4646 }, subnet: '10.81.0.0/24', gateway: '10.81.0.1', mtu: 1450 }
        : { host: 'vsim-hv1', bridge: BRIDGE, subnet: '10.81.0.0/24', gateway: '10.81.0.1' },
    },
    vms,
  };
}

/** removeLab (stops the guests, removes bridge and tunnels), then the launcher's own cleanup of taps and sockets. */
async function clean(t: Topology): Promise<void> {
  await removeLab(t);
  const { deps, dispose } = cliDeps(SANDBOX_SSH_CONFIG);
  try {
    await Promise.all(Object.entries(t.vms ?? {}).map(async ([name, vm]) => fabricGuestDown(await deps.runnerFor(vm.host, t.hosts[vm.host]!, t), name)));
  } finally {
    dispose();
  }
}

async function main(): Promise<void> {
  const hv3 = existsSync(ENV) ? (JSON.parse(readFileSync(ENV, 'utf8')) as { fabricHosts?: Record<string, Hv3> }).fabricHosts?.['vsim-hv3'] : undefined;
  if (!existsSync(SANDBOX_SSH_CONFIG) || !hv3) {
    console.log('skipped: sandbox not up with its third host vsim-hv3 (bash test/sandbox/sandbox.sh up)');
    return;
  }
  const one = lab(hv3, false);
  const two = lab(hv3, true);
  const a: number[] = [];
  const b: number[] = [];
  try {
    await clean(two);
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await timedUp(one, true));
      await clean(one);
      b.push(await timedUp(two, true));
      await clean(two);
      console.log(`round ${i + 1}: one host ${(a[i]! / 1000).toFixed(2)} s, two hosts ${(b[i]! / 1000).toFixed(2)} s`);
    }
  } finally {
    await clean(two).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  }
  const ratio = stats(b).median / stats(a).median;
  console.log(`Up of ${VMS} QEMU guests: split over hv1+hv3 (vxlan) ${(stats(b).median / 1000).toFixed(2)} s vs all on hv1 ${(stats(a).median / 1000).toFixed(2)} s: ${ratio.toFixed(2)}× (median of ${ROUNDS})`);
  const summary: SummaryRow[] = [
    { measure: `Up of ${VMS} QEMU guests split over two hosts (network spanning them: bridge + vxlan port on each)`, value: stats(b).median / 1000, unit: 's', goal: '< 1.3× the same guests on one host',
      versus: { label: 'the same guests on one host', value: stats(a).median / 1000 }, ratio, met: ratio < 1.3 },
  ];
  writeResults('lab-up-hosts', { vms: VMS, rounds: ROUNDS, ms: { oneHost: a, twoHosts: b }, summary });
}

runBench(main);
