// Up and destroy of a whole lab on the sandbox's hosts through the CLI's deps (as `vsim up` and
// `vsim destroy` run them), for the benches that time Up from hosts without the lab.
import { cliDeps } from '../../src/cliLab';
import type { Topology } from '../../src/model/types';
import { destroyLab, upLab } from '../../src/plan';
import { SANDBOX_SSH_CONFIG } from './sandbox';

/** ms of upLab of `t` (8 commands per host at a time); `channels`: long commands on their own exec channels. Throws on a failed step. */
export async function timedUp(t: Topology, channels: boolean): Promise<number> {
  const { deps, dispose } = cliDeps(SANDBOX_SSH_CONFIG, { channels });
  try {
    const t0 = performance.now();
    const r = await upLab({ topology: t }, deps, { perHostConcurrency: 8 });
    const ms = performance.now() - t0;
    if (r.failed.length) throw new Error(`up failed: ${JSON.stringify(r.failed.slice(0, 3))}`);
    return ms;
  } finally {
    dispose();
  }
}

/** Removes everything of `t` from its hosts (VMs, bridges, tunnels); throws on a failed step. */
export async function removeLab(t: Topology): Promise<void> {
  const { deps, dispose } = cliDeps(SANDBOX_SSH_CONFIG);
  try {
    const r = await destroyLab({ topology: t }, deps);
    if (r.failed.length) throw new Error(`destroy failed: ${JSON.stringify(r.failed.slice(0, 3))}`);
  } finally {
    dispose();
  }
}
