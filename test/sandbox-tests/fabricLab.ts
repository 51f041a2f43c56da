// Real guests on any sandbox host for labs that span hosts: qemu-backend VMs whose declared start
// argv is the sandbox's launcher (test/sandbox/qemu/up.sh via .sandbox/bin/vsim-sandbox-qemu-up)
// told the host's network namespace and bridge (and not to wait for the boot: vsim's Start waits for
// the QMP socket, tests for the banner), so vsim's Start runs a real QEMU/TCG guest in that
// host's namespace with its tap on that host's end of the network. hv3 has no libvirtd (the sandbox
// has one, on hv1): this is how a guest runs there. Used by fabric.test.ts and bench/lab-up-hosts.
import { join } from 'node:path';
import type { CommandRunner } from '../../src/backends/backend';
import type { Vm } from '../../src/model/types';
import { REPO, SANDBOX } from './sshRunner';

export interface FabricGuest {
  host: string;
  /** The host's network namespace (env.json: hosts.*.netns / fabricHosts.*.netns). */
  netns: string;
  network: string;
  bridge: string;
  mac: string;
  ip: string;
  tap: string;
}

/** Where the guest's sockets are, as the hosts see them (/run/vsim-sandbox → .sandbox). */
export const guestSockDir = (vm: string): string => `/run/vsim-sandbox/qemu/${vm}`;

export function fabricGuestVm(name: string, g: FabricGuest): Vm {
  return {
    host: g.host, backend: 'qemu', accel: 'tcg', memory: 256,
    nics: [{ network: g.network, mac: g.mac, ip: g.ip, tap: g.tap }],
    sockets: { qmp: `${guestSockDir(name)}/qmp.sock`, serial: `${guestSockDir(name)}/serial.sock` },
    start: { argv: ['env', `VSIM_HV1_NETNS=${g.netns}`, `VSIM_QEMU_BRIDGE=${g.bridge}`, 'VSIM_QEMU_WAIT_READY=0', '/run/vsim-sandbox/bin/vsim-sandbox-qemu-up', name, g.mac, `${g.ip}/24`, g.tap] },
  };
}

/** Stops a guest the sandbox's way (QMP quit, its tap and sockets removed); nothing running is fine. */
export async function fabricGuestDown(run: CommandRunner, name: string): Promise<void> {
  await run.exec(['env', `VSIM_SANDBOX_DIR=${SANDBOX}`, join(REPO, 'test/sandbox/qemu/down.sh'), name], { timeoutMs: 30_000 });
}
