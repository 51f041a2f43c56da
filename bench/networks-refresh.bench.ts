// One refresh of a host with networks + 100 VMs, with the Networks probe and without it, side by
// side through the extension's real path (Lab → libvirt backend + hostnet probe → pooled ssh2
// control shell → sandbox sshd → virsh, ip, bridge, /proc, lease files).
// Run after `bash test/sandbox/sandbox.sh up`: node --import tsx bench/networks-refresh.bench.ts [n=20]
import { createBackends } from '../src/backends';
import { Lab } from '../src/lab/lab';
import type { Topology } from '../src/model/types';
import { runBench, writeResults } from './lib/results';
import { benchPool, sandboxSshConfig, shellRunner } from './lib/sandbox';
import { fmt, measure, type SummaryRow } from './lib/stats';

const n = Number(process.argv[2] ?? 20);
const HOST = 'vsim-hv1';

/** 100 VMs on vsimbr0 (the sandbox's three running ones among them, with their taps and MACs). */
function topology(): Topology {
  const vms: Topology['vms'] = {};
  const real = ['chassis', 'compute', 'storage'];
  for (let i = 0; i < 100; i++) {
    const name = real[i] ?? `vm-${i}`;
    const mac = `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(0x10 + i).toString(16).slice(-2).padStart(2, '0')}`;
    vms[name] = { host: HOST, backend: 'libvirt', accel: 'tcg', nics: [{ network: 'vsimbr0', mac, ip: `192.168.100.${10 + i}`, tap: real[i] ? `tap-${name}` : `tap-vm${i}` }] };
  }
  return { version: 1, hosts: { [HOST]: { sshConfigHost: HOST, kvm: false } }, networks: { vsimbr0: { host: HOST, subnet: '192.168.100.0/24', gateway: '192.168.100.1' } }, vms };
}

async function main(): Promise<void> {
  const cfg = sandboxSshConfig();
  if (cfg === undefined) return;
  const pool = benchPool();
  const backends = createBackends();
  const t = topology();
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  const trips: Record<string, number> = {};
  try {
    // Two labs on the same pooled connection: the one without the probe is the baseline.
    const labs = Object.fromEntries([false, true].map((probe) => [probe ? 'with' : 'without',
      new Lab(t, { runnerFor: shellRunner(pool, t, cfg), backends, trusted: () => true, probeNetworks: probe })]));
    for (const lab of Object.values(labs)) {
      await lab.refresh(HOST);
      if (lab.host(HOST).connection.kind !== 'connected') throw new Error(`${HOST}: ${JSON.stringify(lab.host(HOST).connection)}`);
    }
    const net = labs.with!.host(HOST).net;
    if (!net || !('facts' in net)) throw new Error(`probe failed: ${JSON.stringify(net)}`);
    for (const [k, lab] of Object.entries(labs)) {
      const count = (): number => lab.roundTrips.get(HOST) ?? 0;
      const before = count();
      results[k] = await measure(n, () => lab.refresh(HOST), 2);
      trips[k] = (count() - before) / (n + 2);
    }
    for (const lab of Object.values(labs)) lab.dispose();
    const w = results.with!;
    const wo = results.without!;
    const ratio = w.median / wo.median;
    console.log(`\none refresh of ${HOST} with 100 VMs and a network (real sshd + libvirt + ip/bridge/dnsmasq files), median of ${n}:`);
    console.log(`  without the Networks probe ${fmt(wo.median)} ms (p10 ${fmt(wo.p10)}, p90 ${fmt(wo.p90)}), ${trips.without} round trip(s)`);
    console.log(`  with it                    ${fmt(w.median)} ms (p10 ${fmt(w.p10)}, p90 ${fmt(w.p90)}), ${trips.with} round trip(s)`);
    console.log(`  ratio with/without: ${fmt(ratio, 2)}`);
    const summary: SummaryRow[] = [
      { measure: 'host refresh, 100 VMs + networks: with vs without the Networks probe', value: w.median, unit: 'ms', spread: `p10 ${fmt(w.p10)}–p90 ${fmt(w.p90)}`,
        goal: `${trips.with} round trip(s), as without (the probe rides the listing's)`, versus: { label: 'without', value: wo.median }, ratio, met: trips.with === trips.without },
    ];
    writeResults('networks-refresh', { n, results, roundTripsPerRefresh: trips, summary });
  } finally {
    pool.dispose();
  }
}

runBench(main);
