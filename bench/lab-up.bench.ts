// Up of a 30-VM lab (tiny TCG guests, 128 MiB each) on the sandbox's vsim-hv1, wall time, in one run:
//   (a) vsim: upLab over the extension's SSH pool (plan + bridge + 30 defines + 30 starts; long
//       commands on their own exec channels, 8 per host at a time);
//   (b) the same with every command on the host's control shell (what a serialising runner does);
//   (c) OpenSSH: the bridge, then `virsh define` and `virsh start` loops with `xargs -P 8`, a fresh
//       `ssh` per command.
// Each run starts from a host without the lab; destroyLab removes it after each.
// Run: node --import tsx bench/lab-up.bench.ts [vms] [--serial]   (sandbox up; (b) only with --serial: it is slow)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { renderDomainXml } from '../src/backends/libvirt/renderDomainXml';
import type { Topology } from '../src/model/types';
import { PE_BRIDGE, peLabYaml, peName } from '../test/sandbox-tests/lifecycleLab';
import { removeLab, timedUp } from './lib/labUp';
import { REPO, runBench, writeResults } from './lib/results';
import { SANDBOX_SSH_CONFIG as CFG } from './lib/sandbox';
import type { SummaryRow } from './lib/stats';

const VMS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
const SERIAL = process.argv.includes('--serial');
const WORK = path.join(REPO, '.sandbox', 'tc-work', 'lab-up-bench');

function sh(script: string): void {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${script}: exit ${r.status}: ${r.stderr}`);
}

function opensshUp(t: Topology): number {
  mkdirSync(WORK, { recursive: true });
  const names = Object.keys(t.vms ?? {});
  for (const n of names) writeFileSync(path.join(WORK, `${n}.xml`), renderDomainXml(t, n));
  writeFileSync(path.join(WORK, 'names'), `${names.join('\n')}\n`);
  const ssh = `ssh -F '${CFG}' vsim-hv1`;
  const t0 = performance.now();
  sh(`${ssh} 'ip link add name ${PE_BRIDGE} type bridge && ip link set dev ${PE_BRIDGE} up && ip addr replace 192.168.150.1/24 dev ${PE_BRIDGE}'`);
  sh(`cd '${WORK}' && xargs -P 8 -I{} sh -c "${ssh} virsh define /dev/stdin < {}.xml >/dev/null" < names`);
  sh(`cd '${WORK}' && xargs -P 8 -I{} ${ssh} virsh start {} >/dev/null < names`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (!existsSync(CFG)) {
    console.log('skipped: sandbox not up (bash test/sandbox/sandbox.sh up)');
    return;
  }
  const t = parse(peLabYaml({ vms: VMS })) as Topology;
  const out: Record<string, number> = {};
  try {
    await removeLab(t);
    out.vsim = await timedUp(t, true);
    console.log(`vsim up (${VMS} VMs, own channels): ${(out.vsim / 1000).toFixed(1)} s`);
    await removeLab(t);
    out.openssh = opensshUp(t);
    console.log(`OpenSSH define + start, xargs -P 8: ${(out.openssh / 1000).toFixed(1)} s`);
    if (SERIAL) {
      await removeLab(t);
      out.vsimSerial = await timedUp(t, false);
      console.log(`vsim up, every command on the control shell: ${(out.vsimSerial / 1000).toFixed(1)} s`);
    }
  } finally {
    await removeLab(t).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  }
  const ratio = (out.vsim ?? NaN) / (out.openssh ?? NaN);
  console.log(`ratio vsim / OpenSSH xargs -P 8: ${ratio.toFixed(2)}× (serialised: ${((out.vsimSerial ?? NaN) / (out.openssh ?? NaN)).toFixed(2)}×); first VM ${peName(1)}`);
  const summary: SummaryRow[] = [
    { measure: `Up of a ${VMS}-VM libvirt lab (TCG) on one host`, value: (out.vsim ?? NaN) / 1000, unit: 's', goal: '≤ 1.2× the OpenSSH xargs -P 8 loop',
      versus: { label: 'virsh define + start, OpenSSH xargs -P 8', value: (out.openssh ?? NaN) / 1000 }, ratio, met: ratio <= 1.2 },
  ];
  if (out.vsimSerial !== undefined) {
    summary.push({ measure: `Up of ${VMS} VMs, all on the serialised control shell`, value: out.vsimSerial / 1000, unit: 's',
      versus: { label: 'vsim with own channels', value: (out.vsim ?? NaN) / 1000 }, ratio: out.vsimSerial / (out.vsim ?? NaN) });
  }
  writeResults('lab-up', { vms: VMS, ms: out, summary });
}

runBench(main);
