// The cloud-hypervisor API over the host's shell in one round trip: a constant sh script that asks
// every socket in turn (curl --unix-socket), its output read back per socket, and cloud-hypervisor's
// error bodies and vm.info states in words. Pure (no vscode).
import type { VmState, VmStatus } from '../backend';
import { splitSections } from '../script';
/**
 * $1 = METHOD, $2 = API path (e.g. vm.info), $3 = JSON body or '' (none), then sockets.
 * Per socket: `@@vsim sock PATH`, then `@@vsim absent` or the body + a last line with the HTTP
 * code (curl -w) and `@@vsim rc N` (curl's exit code: 7 = nothing listens).
 */
export const API_SCRIPT = [
  'm=$1; p=$2; d=$3; shift 3',
  'for s do',
  '  echo "@@vsim sock $s"',
  '  if [ ! -S "$s" ]; then echo "@@vsim absent"; continue; fi',
  '  if [ -n "$d" ]; then curl -s --max-time 30 --unix-socket "$s" -X "$m" -H "Content-Type: application/json" -d "$d" -w "\\n%{http_code}" "http://localhost/api/v1/$p"',
  '  else curl -s --max-time 30 --unix-socket "$s" -X "$m" -w "\\n%{http_code}" "http://localhost/api/v1/$p"; fi',
  '  rc=$?; echo; echo "@@vsim rc $rc"',
  'done',
].join('\n');

export interface ApiAnswer {
  kind: 'absent' | 'unreachable' | 'http';
  status?: number;
  body?: string;
  curlExit?: number;
}

/** Reads one socket's sections (body lines, then the HTTP code line) back. */
export function parseApiSections(stdout: string): Map<string, ApiAnswer> {
  const out = new Map<string, ApiAnswer>();
  const secs = splitSections(stdout);
  for (let i = 0; i < secs.length; i++) {
    const s = secs[i];
    if (s?.kind !== 'sock') continue;
    const next = secs[i + 1];
    if (next?.kind === 'absent') {
      out.set(s.arg, { kind: 'absent' });
      continue;
    }
    const curlExit = next?.kind === 'rc' ? Number(next.arg) : undefined;
    const lines = s.body.split('\n');
    const code = Number(lines.pop());
    if (curlExit !== 0 || !Number.isFinite(code) || code === 0) {
      out.set(s.arg, { kind: 'unreachable', ...(curlExit === undefined ? {} : { curlExit }) });
      continue;
    }
    out.set(s.arg, { kind: 'http', status: code, body: lines.join('\n').trim(), curlExit: 0 });
  }
  return out;
}

/** cloud-hypervisor's error body: a JSON array of messages (outermost first); anything else as text. */
export function errorMessages(body: string | undefined): string[] {
  if (!body) return [];
  try {
    const j = JSON.parse(body) as unknown;
    if (Array.isArray(j)) return j.map(String);
    if (j && typeof j === 'object' && 'message' in j) return [String((j as { message: unknown }).message)];
  } catch {
    /* plain text */
  }
  return [body.trim()];
}

const CH_STATES: Record<string, VmState> = { Created: 'stopped', Running: 'running', Shutdown: 'stopped', Paused: 'paused', BreakPoint: 'paused' };

export function vmInfoStatus(a: ApiAnswer | undefined): VmStatus {
  if (!a) return { state: 'unknown', detail: 'no answer for its API socket' };
  if (a.kind === 'absent') return { state: 'stopped', detail: 'no VMM (API socket absent)' };
  if (a.kind === 'unreachable') return { state: 'stopped', detail: `no VMM (nothing answers on the API socket${a.curlExit ? `, curl exit ${a.curlExit}` : ''})` };
  if (a.status === 404) return { state: 'stopped', detail: 'VMM up, VM not created' };
  if (a.status !== 200) return { state: 'unknown', detail: `vm.info: HTTP ${a.status}: ${errorMessages(a.body).join(': ')}` };
  try {
    const info = JSON.parse(a.body ?? '') as { state?: string; config?: { cpus?: { boot_vcpus?: number }; memory?: { size?: number } } };
    const facts: Record<string, string> = {};
    if (info.config?.cpus?.boot_vcpus) facts.vcpus = String(info.config.cpus.boot_vcpus);
    if (info.config?.memory?.size) facts.memory = `${Math.round(info.config.memory.size / 1048576)} MiB`;
    return { state: CH_STATES[info.state ?? ''] ?? 'unknown', detail: info.state ?? 'no state in vm.info', facts };
  } catch {
    return { state: 'unknown', detail: 'vm.info answered with something that is not JSON' };
  }
}

/** An API call that failed: names the host, the VM, the path and cloud-hypervisor's messages. */
export class CloudHypervisorApiError extends Error {
  constructor(readonly host: string, readonly vm: string, readonly path: string, readonly status: number | undefined, readonly messages: string[]) {
    super(`cloud-hypervisor ${path} for ${vm} on ${host} failed${status ? ` (HTTP ${status})` : ''}: ${messages.join(': ') || 'no message'}`);
  }
}
