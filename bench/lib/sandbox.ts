// What the benches that talk to the sandbox's hosts share: its SSH config, an SSH pool that asks
// nothing, and each host's control shell as a Lab's runner.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from '../../src/backends/backend';
import type { Host, Topology } from '../../src/model/types';
import { KnownHostsPolicy } from '../../src/remote/hostKeyPolicy';
import { SshPool } from '../../src/remote/pool';
import { resolveEndpoint } from '../../src/remote/sshConfig';
import { REPO } from './results';

/** The OpenSSH config `bash test/sandbox/sandbox.sh up` writes (vsim-hv1, and vsim-hv2/3 through ProxyJump). */
export const SANDBOX_SSH_CONFIG = path.join(REPO, '.sandbox', 'ssh', 'config');

/** The sandbox's SSH config text; undefined (the bench skipped, saying why) when the sandbox is not up. */
export function sandboxSshConfig(): string | undefined {
  if (existsSync(SANDBOX_SSH_CONFIG)) return readFileSync(SANDBOX_SSH_CONFIG, 'utf8');
  console.log('skipped: sandbox not up (.sandbox/ssh/config absent): run `bash test/sandbox/sandbox.sh up`');
  return undefined;
}

/** A pool that trusts only the known_hosts the config names and never prompts (no agent either). */
export function benchPool(): SshPool {
  return new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '' });
}

/** A Lab's runnerFor: the host's pooled control shell, its endpoint resolved from `topology` and the ssh config text. */
export function shellRunner(pool: SshPool, topology: Topology, sshConfig: string): (name: string, host: Host) => Promise<CommandRunner> {
  return async (name, host) => pool.get(resolveEndpoint({ ...host, name }, (x) => topology.hosts[x], sshConfig)).shell;
}
