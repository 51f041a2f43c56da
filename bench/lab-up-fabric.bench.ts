// Up of a lab whose network spans two hosts vs the same lab on one host, wall time, side by side:
//   (a) one host: the pe- lab (test/sandbox-tests/lifecycleLab.ts) on vsim-hv1 — bridge + N VMs defined and started;
//   (b) two hosts: the same VMs on vsim-hv1, the network spanning vsim-hv1 and vsim-hv3 (the sandbox's
//       third host) over vxlan — plus the bridge and tunnel port on each host, hosts applied in parallel.
// The VMs stay on hv1 in both: the sandbox has one libvirtd, so none can run on hv3. Runs alternate
// (a, b, a, b …); each starts from hosts without the lab (destroyLab after each). Goal: (b) < 1.3× (a).
// Run: node --import tsx bench/lab-up-fabric.bench.ts [vms] [rounds]   (sandbox up, with vsim-hv3)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Topology } from '../src/model/types';
import { peLabYaml } from '../test/sandbox-tests/lifecycleLab';
import { removeLab, timedUp } from './lib/labUp';
import { REPO, runBench, writeResults } from './lib/results';
import { SANDBOX_SSH_CONFIG } from './lib/sandbox';
import { stats, type SummaryRow } from './lib/stats';

const median = (xs: number[]): number => stats(xs).median;

const nums = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const VMS = nums[0] ?? 6;
const ROUNDS = nums[1] ?? 3;
const ENV = path.join(REPO, '.sandbox', 'env.json');

function twoHosts(one: Topology, hv3: { underlay: string; hv1Underlay: string }): Topology {
  const t = structuredClone(one);
  t.hosts['vsim-hv1'] = { ...t.hosts['vsim-hv1'], underlay: hv3.hv1Underlay };
  t.hosts['vsim-hv3'] = { sshConfigHost: 'vsim-hv3', kvm: false, underlay: hv3.underlay };
  const net = t.networks?.['pe-net'];
  if (!net) throw new Error('the pe- lab has no pe-net');
  delete net.host;
  Object.assign(net, { hosts: ['vsim-hv1', 'vsim-hv3'], tunnel: { kind: 'vxlan', vni: 4545 }, mtu: 1450 });
  return t;
}

async function main(): Promise<void> {
  const hv3 = existsSync(ENV) ? (JSON.parse(readFileSync(ENV, 'utf8')) as { fabricHosts?: Record<string, { underlay: string; hv1Underlay: string }> }).fabricHosts?.['vsim-hv3'] : undefined;
  if (!existsSync(SANDBOX_SSH_CONFIG) || !hv3) {
    console.log('skipped: sandbox not up with its third host vsim-hv3 (bash test/sandbox/sandbox.sh up)');
    return;
  }
  const one = parse(peLabYaml({ vms: VMS })) as Topology;
  const two = twoHosts(one, hv3);
  const a: number[] = [];
  const b: number[] = [];
  try {
    await removeLab(two);
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await timedUp(one, true));
      await removeLab(one);
      b.push(await timedUp(two, true));
      await removeLab(two);
      console.log(`round ${i + 1}: one host ${(a[i]! / 1000).toFixed(2)} s, two hosts ${(b[i]! / 1000).toFixed(2)} s`);
    }
  } finally {
    await removeLab(two).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  }
  const ratio = median(b) / median(a);
  console.log(`Up of ${VMS} VMs: two hosts (network spanning hv1+hv3, vxlan) ${(median(b) / 1000).toFixed(2)} s vs one host ${(median(a) / 1000).toFixed(2)} s: ${ratio.toFixed(2)}× (median of ${ROUNDS})`);
  const summary: SummaryRow[] = [
    { measure: `Up of a ${VMS}-VM lab whose network spans two hosts (bridge + vxlan port on each)`, value: median(b) / 1000, unit: 's', goal: '< 1.3× the same lab on one host',
      versus: { label: 'the same VMs, network on one host', value: median(a) / 1000 }, ratio, met: ratio < 1.3 },
  ];
  writeResults('lab-up-fabric', { vms: VMS, rounds: ROUNDS, ms: { oneHost: a, twoHosts: b }, summary });
}

runBench(main);
