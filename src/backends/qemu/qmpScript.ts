// QEMU's monitors over the host's shell in one round trip: a constant sh script that talks to every
// QMP or HMP socket in turn (socat); QMP's lines read back and the run state in words (HMP's in
// hmpProtocol.ts). Pure (no vscode).
import type { VmState, VmStatus } from '../backend';
/**
 * Every monitor socket of a listing in turn: `$1` = the QMP command name, `$2` = the same as an HMP
 * line, then `PROTO SOCK` pairs (PROTO `qmp` or `hmp`).
 * `qmp SOCK WANT CMD…`: sends each CMD (one JSON per line) and keeps the write side open until WANT
 * answers (`{"return"…` / `{"error"…`) arrived — QEMU drops queued commands when a client
 * half-closes — then closes. No greeting within ~1 s: another client holds the socket.
 * `hmp SOCK LINE`: waits for the `(qemu)` prompt, sends LINE, keeps the write side open until the
 * next prompt or until QEMU closed the connection (`quit`). No prompt within ~1 s: busy.
 * Per socket: `@@vsim PROTO PATH`, then `@@vsim absent` or QEMU's output + `@@vsim rc N`.
 */
export const MONITOR_SCRIPT = [
  'qmp() {',
  '  s=$1; want=$2; shift 2',
  '  out=$(mktemp) || return 1',
  '  { i=0; while [ $i -lt 50 ] && ! grep -q "^{\\"QMP\\"" "$out" && ! grep -q -i "refused\\|no such file" "$out"; do sleep 0.02; i=$((i+1)); done',
  '    if grep -q "^{\\"QMP\\"" "$out"; then',
  '      for c do printf "%s\\n" "$c"; done',
  '      i=0; while [ $i -lt 250 ] && [ "$(grep -c "^{\\"\\(return\\|error\\)\\"" "$out")" -lt "$want" ]; do sleep 0.02; i=$((i+1)); done',
  '    fi',
  '  } | socat -t 0.2 - "UNIX-CONNECT:$s" >"$out" 2>&1',
  '  rc=$?; cat "$out"; rm -f "$out"; return $rc',
  '}',
  'hmp() {',
  '  s=$1; line=$2',
  '  out=$(mktemp) || return 1',
  '  { i=0; while [ $i -lt 50 ] && ! grep -q "(qemu)" "$out" && ! grep -q -i "refused\\|no such file" "$out"; do sleep 0.02; i=$((i+1)); done',
  '    if grep -q "(qemu)" "$out"; then',
  '      printf "%s\\n" "$line"',
  '      i=0; while [ $i -lt 250 ] && [ ! -e "$out.end" ] && [ "$(grep -o "(qemu)" "$out" | wc -l)" -lt 2 ]; do sleep 0.02; i=$((i+1)); done',
  '    fi',
  '  } | { socat -t 0.2 - "UNIX-CONNECT:$s" >"$out" 2>&1; echo $? >"$out.end"; }',
  '  rc=$(cat "$out.end"); cat "$out"; echo; rm -f "$out" "$out.end"; return "$rc"',
  '}',
  'cmd=$1; line=$2; shift 2',
  'while [ $# -ge 2 ]; do',
  '  p=$1; s=$2; shift 2',
  '  echo "@@vsim $p $s"',
  '  if [ ! -S "$s" ]; then echo "@@vsim absent"; continue; fi',
  '  if [ "$p" = hmp ]; then hmp "$s" "$line"',
  '  elif [ "$cmd" = query-status ]; then qmp "$s" 2 \'{"execute":"qmp_capabilities"}\' \'{"execute":"query-status"}\'',
  '  else qmp "$s" 2 \'{"execute":"qmp_capabilities"}\' "{\\"execute\\":\\"$cmd\\"}"; fi',
  '  echo "@@vsim rc $?"',
  'done',
].join('\n');

/** The QMP commands vsim sends. */
export const QMP_COMMANDS = new Set(['query-status', 'system_powerdown', 'system_reset', 'quit', 'stop', 'cont']);

export interface QmpReply {
  greeting: boolean;
  /** `return` values in order (qmp_capabilities' first). */
  returns: unknown[];
  errors: { class: string; desc: string }[];
  events: string[];
  /** Non-JSON lines (socat's complaints). */
  other: string[];
}

export function parseQmpLines(text: string): QmpReply {
  const r: QmpReply = { greeting: false, returns: [], errors: [], events: [], other: [] };
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(t) as Record<string, unknown>;
    } catch {
      r.other.push(t);
      continue;
    }
    if ('QMP' in j) r.greeting = true;
    else if ('return' in j) r.returns.push(j.return);
    else if ('error' in j) {
      const e = j.error as { class?: string; desc?: string };
      r.errors.push({ class: e.class ?? 'GenericError', desc: e.desc ?? t });
    } else if ('event' in j) r.events.push(String(j.event));
  }
  return r;
}

// QMP RunState → portable state.
const RUN_STATES: Record<string, VmState> = {
  running: 'running', paused: 'paused', suspended: 'paused', prelaunch: 'starting', inmigrate: 'starting',
  'finish-migrate': 'paused', postmigrate: 'paused', 'restore-vm': 'starting', 'save-vm': 'paused',
  debug: 'paused', watchdog: 'paused', 'io-error': 'paused', colo: 'running',
  shutdown: 'stopped', 'guest-panicked': 'crashed', 'internal-error': 'crashed',
};

/** What one socket's answer says about its VM. */
export function qmpStatus(kind: 'absent' | 'answered', text: string): VmStatus {
  if (kind === 'absent') return { state: 'stopped', detail: 'no QMP socket (QEMU not running)' };
  const r = parseQmpLines(text);
  if (!r.greeting) {
    if (r.other.some((l) => /refused|no such file/i.test(l))) return { state: 'stopped', detail: 'QMP socket stale (QEMU not running)' };
    return { state: 'unknown', detail: 'QMP socket busy (another client is connected; QMP serves one at a time)' };
  }
  if (r.errors.length) return { state: 'unknown', detail: `QMP error: ${r.errors[0]?.desc}` };
  const st = r.returns[1] as { status?: string } | undefined;
  if (!st?.status) return { state: 'unknown', detail: 'no answer to query-status' };
  return { state: RUN_STATES[st.status] ?? 'unknown', detail: st.status };
}
