// Test and demo mode: VSIM_DIAL_ONLY lists the networks vsim may dial (the sandbox: loopback and
// the namespaces it made, e.g. `127.0.0.0/8,::1/128,10.77.0.0/24`). Any other destination — a
// seed's real address, a name that would need DNS — fails loudly before a socket is opened, so a
// test or the demo can never reach a lab that is not the sandbox. Unset (a user's VS Code): no limit.
import { BlockList, isIP } from 'node:net';

export const DIAL_ONLY_ENV = 'VSIM_DIAL_ONLY';

export interface DialGuard {
  /** Throws when `host` (the endpoint's address) is outside the allowed networks. */
  check(host: string, label: string): void;
}

/** The guard from the environment, or undefined when dialing is not limited. */
export function dialGuardFrom(env: NodeJS.ProcessEnv = process.env): DialGuard | undefined {
  const spec = env[DIAL_ONLY_ENV]?.trim();
  if (!spec) return undefined;
  const allow = new BlockList();
  for (const cidr of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '');
    if (!family || !/^\d+$/.test(bits ?? '')) throw new Error(`${DIAL_ONLY_ENV}: ${JSON.stringify(cidr)} is not ADDRESS/PREFIX`);
    allow.addSubnet(net as string, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    check(host, label) {
      const ip = host.toLowerCase() === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
      const family = isIP(ip);
      if (family && allow.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return;
      throw new Error(`Refusing to dial ${label}: test/demo mode allows only ${spec} (${DIAL_ONLY_ENV})`);
    },
  };
}
