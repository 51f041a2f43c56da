// The only networks tests and the demo may dial (src/remote/dialGuard.ts reads VSIM_DIAL_ONLY):
// loopback (the sandbox's sshd behind socat, the unit tests' sshd) and the veth between the
// sandbox's namespaces (hv2 at 10.77.0.2, hv3 at 10.78.0.3, test/sandbox/sandbox.sh). Never a seed's real address.
export const SANDBOX_NETWORKS = '127.0.0.0/8,::1/128,10.77.0.0/24,10.78.0.0/24';

/** `env` with the dial guard on. */
export function withDialGuard(env = process.env) {
  return { ...env, VSIM_DIAL_ONLY: SANDBOX_NETWORKS };
}
