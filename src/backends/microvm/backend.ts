// microvm.nix backend (seeds 002/003, simple-microvm-infra): each VM is the systemd unit
// microvm@NAME with its state in STATE_DIR/NAME/{current,booted}. list: ONE round trip running a
// constant sh script (systemctl show for all units + `vm-state list` + readlink of booted/current).
// Portable states through `vm-state` exactly as the seeds call it. Pure (no vscode).
import { assertName, assertPath } from '../../model/names';
import { fileBootLog } from '../bootLog';
import { serialLogPath, socatConsoleArgv } from '../serialSocket';
import { mustRun, RemoteCommandError, type BackendContext, type BootLogSource, type ConsoleOptions, type HostListing, type VmBackend, type VmState, type VmStatus } from '../backend';
import { scriptProbe, splitSections } from '../script';
import { runProbe, type Probe } from '../probe';
import { parseSystemctlShow, type UnitStatus } from './parseSystemctl';
import { parseVmStateList, vmStateCommand } from './parseVmState';
import { createMicrovmProvisioner } from './provisioner';
import type { NixSettings } from '../../build/plan';

export interface MicrovmBackendOptions {
  /** microvm.nix's `microvm.stateDir`. */
  stateDir?: string;
  /** NIX_CONFIG / environment for the runner builds of provision and the `outdated` evaluation. */
  nix?: NixSettings;
}

export const DEFAULT_STATE_DIR = '/var/lib/microvms';

export const unitName = (vm: string): string => `microvm@${assertName(vm, 'VM name')}`;

/** $1 = read|follow, $2 = unit: the journal of the unit's current run (its InvocationID), from its first line. */
const JOURNAL_BOOT_SCRIPT = [
  'id=$(systemctl show -p InvocationID --value "$2")',
  '[ -n "$id" ] || { echo "$2 on $(hostname) has not run since the host booted: no boot log" >&2; exit 4; }',
  'if [ "$1" = follow ]; then exec journalctl -f --no-pager -o cat "_SYSTEMD_INVOCATION_ID=$id"; fi',
  'exec journalctl --no-pager -o cat "_SYSTEMD_INVOCATION_ID=$id"',
].join('\n');

function journalBootLog(vm: string): BootLogSource {
  const unit = unitName(vm);
  return {
    where: `the journal of ${unit}'s current run`,
    read: ['sh', '-c', JOURNAL_BOOT_SCRIPT, 'vsim-boot-log', 'read', unit],
    follow: ['sh', '-c', JOURNAL_BOOT_SCRIPT, 'vsim-boot-log', 'follow', unit],
  };
}

const journalFollow = (vm: string): { argv: string[]; pty: boolean } =>
  ({ argv: ['journalctl', '-f', '-n', '200', '--no-pager', '-o', 'cat', '-u', unitName(vm)], pty: false });

// $1 = state dir, then VM names. Sections: units (systemctl show), vm-state (list or absent), links.
const LIST_SCRIPT = [
  'dir=$1; shift',
  'echo "@@vsim units"',
  'for n do set -- "$@" "microvm@$n.service"; shift; done',
  'systemctl show -p Id,LoadState,ActiveState,SubState,MainPID,Result "$@" 2>&1; echo "@@vsim units-rc $?"',
  'echo "@@vsim vm-state"',
  'if command -v vm-state >/dev/null 2>&1; then NO_COLOR=1 vm-state list 2>&1; echo "@@vsim vm-state-rc $?"; else echo "@@vsim vm-state-absent"; fi',
  'echo "@@vsim links"',
  'for u do n=${u#microvm@}; n=${n%.service}; printf \'%s\\t%s\\t%s\\n\' "$n" "$(readlink "$dir/$n/booted" 2>/dev/null)" "$(readlink "$dir/$n/current" 2>/dev/null)"; done',
].join('\n');

const base = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? p;

function portable(u: UnitStatus | undefined): { state: VmState; detail: string } {
  if (!u) return { state: 'unknown', detail: 'not in systemctl output' };
  const a = u.activeState;
  const result = u.properties.Result;
  const detail = `${a}/${u.subState}${a === 'failed' && result ? ` (${result})` : ''}`;
  if (u.properties.LoadState === 'not-found') return { state: 'missing', detail: 'unit not found' };
  const state: VmState = a === 'active' || a === 'reloading' ? 'running'
    : a === 'activating' ? (u.subState === 'auto-restart' ? 'crashed' : 'starting')
      : a === 'deactivating' ? 'stopping'
        : a === 'failed' ? 'crashed'
          : a === 'inactive' ? 'stopped' : 'unknown';
  return { state, detail };
}

export function createMicrovmBackend(options: MicrovmBackendOptions = {}): VmBackend & {
  console(ctx: BackendContext, vmName: string, opts?: ConsoleOptions): { argv: string[]; pty: boolean };
  followLog(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean };
} {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const slotOf = (ctx: BackendContext, vm: string): string => ctx.topology.vms?.[vm]?.slot ?? vm;

  async function systemctl(ctx: BackendContext, verb: string, vm: string): Promise<void> {
    const unit = unitName(vm);
    const argv = ['systemctl', verb, unit];
    const r = await ctx.run.exec(argv);
    if (r.code === 0) return;
    // The unit's last log lines usually say why (the guest's console is its stdout).
    const log = await ctx.run.exec(['journalctl', '-u', unit, '-n', '8', '--no-pager', '-o', 'cat']).catch(() => undefined);
    const tail = log && log.code === 0 ? log.stdout.trim() : '';
    throw new MicrovmUnitError(ctx.hostName, argv, r, tail);
  }

  /** ONE run of LIST_SCRIPT → every VM's unit state, slot assignment and booted/current links. */
  function listProbe(ctx: BackendContext, vmNames: readonly string[]): Probe<HostListing> {
    if (vmNames.length === 0) return { label: 'microvm listing', parse: () => ({ vms: {}, undeclared: [] }) };
    vmNames.forEach((n) => assertName(n, 'VM name'));
    return scriptProbe(ctx, 'microvm list script', LIST_SCRIPT, [stateDir, ...vmNames], (r) => {
      const secs = splitSections(r.stdout);
      const units = parseSystemctlShow(secs.find((s) => s.kind === 'units')?.body ?? '');
      const unitRc = secs.find((s) => s.kind === 'units-rc')?.arg;
      if (unitRc && unitRc !== '0' && units.length === 0) {
        throw RemoteCommandError.fromResult(ctx.hostName, ['systemctl', 'show', ...vmNames.map(unitName)],
          { ...r, code: Number(unitRc), stderr: secs.find((s) => s.kind === 'units')?.body ?? '' });
      }
      const byId = new Map(units.map((u) => [u.unit.replace(/\.service$/, ''), u]));
      const vmStateText = secs.find((s) => s.kind === 'vm-state')?.body ?? '';
      const hasVmState = !secs.some((s) => s.kind === 'vm-state-absent') && secs.find((s) => s.kind === 'vm-state-rc')?.arg === '0';
      const assigned = new Map(hasVmState ? parseVmStateList(vmStateText).slots.map((row) => [row.slot, row]) : []);
      const links = new Map((secs.find((s) => s.kind === 'links')?.body ?? '').split('\n').filter(Boolean).map((l) => {
        const [n, booted, current] = l.split('\t');
        return [n ?? '', { booted: booted ?? '', current: current ?? '' }];
      }));
      const vms: Record<string, VmStatus> = {};
      for (const n of vmNames) {
        const p = portable(byId.get(`microvm@${n}`));
        const link = links.get(n) ?? { booted: '', current: '' };
        const facts: Record<string, string> = { unit: `microvm@${n}.service` };
        if (link.current) facts.current = base(link.current);
        if (link.booted) facts.booted = base(link.booted);
        if (link.booted && link.current) facts.drift = link.booted === link.current ? 'current' : 'stale';
        else if (link.current) facts.drift = 'not booted';
        const row = assigned.get(slotOf(ctx, n));
        if (row) facts.state = row.state;
        const pid = byId.get(`microvm@${n}`)?.mainPid;
        if (pid) facts.pid = String(pid);
        let status: VmStatus = { ...p, facts };
        if (!link.current && p.state === 'stopped') status = { state: 'missing', detail: `no runner: ${stateDir}/${n}/current does not exist`, facts };
        vms[n] = status;
      }
      return { vms, undeclared: [] };
    });
  }

  return {
    kind: 'microvm',
    tool: 'systemctl',
    provisioner: createMicrovmProvisioner({ stateDir, ...(options.nix ? { nix: options.nix } : {}) }),

    list: async (ctx, vmNames) => runProbe(ctx, listProbe(ctx, vmNames)),

    listProbe,

    async lifecycle(ctx, vm, op) {
      switch (op) {
        case 'start': {
          await systemctl(ctx, 'start', vm);
          // A failed ConditionPathExists (no runner built: STATE_DIR/NAME/current/bin/microvm-run)
          // makes `systemctl start` succeed while nothing starts: say so.
          const r = await mustRun(ctx, ['systemctl', 'show', '-p', 'ActiveState,ConditionResult', unitName(vm)]);
          if (/^ConditionResult=no$/m.test(r.stdout) && /^ActiveState=inactive$/m.test(r.stdout)) {
            throw new Error(`microvm@${vm} on ${ctx.hostName} did not start: its start condition failed ` +
              `(${stateDir}/${vm}/current/bin/microvm-run does not exist; build the VM's runner first).`);
          }
          return;
        }
        case 'shutdown': return systemctl(ctx, 'stop', vm);
        case 'reboot': return systemctl(ctx, 'restart', vm);
        case 'destroy':
          // SIGKILL the runner, then stop the unit so that Restart=always does not bring it back.
          await mustRun(ctx, ['systemctl', 'kill', '--signal=SIGKILL', unitName(vm)]).catch(() => undefined);
          return systemctl(ctx, 'stop', vm);
        case 'suspend':
        case 'resume':
          throw new Error(`${op} is not supported for microvm.nix VMs (systemd unit microvm@${vm} on ${ctx.hostName}): stop, start or restart it instead.`);
      }
    },

    /**
     * `console.kind: unix`: the guest's serial on its unix socket (STATE_DIR/NAME/console.sock
     * unless console.path says otherwise; nix/ sets it up), raw in a pty. Otherwise read-only: the
     * unit's journal (microvm.nix's default puts the serial on the unit's stdout), followed.
     */
    console(ctx, vmName, opts = {}) {
      const vm = ctx.topology.vms?.[vmName];
      if (vm?.console?.kind === 'unix') {
        const p = vm.console.path ?? `${stateDir}/${assertName(vmName, 'VM name')}/console.sock`;
        return { argv: socatConsoleArgv(assertPath(p, `console socket of ${vmName}`), opts.force === true), pty: true };
      }
      return journalFollow(vmName);
    },
    consoleOptions: { force: true },

    /** console.kind unix: the runner's console.log beside the socket (chardev logfile=); otherwise the journal of the unit's current run. */
    bootLog(ctx, vmName) {
      const vm = ctx.topology.vms?.[vmName];
      if (vm?.console?.kind === 'unix') {
        const p = vm.console.path ?? `${stateDir}/${assertName(vmName, 'VM name')}/console.sock`;
        return fileBootLog(serialLogPath(assertPath(p, `console socket of ${vmName}`)), 'the runner\'s chardev logfile');
      }
      return journalBootLog(vmName);
    },

    /** The unit's journal, followed ("Show Log"): QEMU's and systemd's lines, the guest's too without a serial socket. */
    followLog(_ctx, vmName) {
      return journalFollow(vmName);
    },
  };
}

/** A systemctl verb failed; carries the unit's last journal lines. */
export class MicrovmUnitError extends RemoteCommandError {
  constructor(host: string, argv: readonly string[], result: import('../backend').ExecResult, readonly journalTail: string) {
    super(RemoteCommandError.fromResult(host, argv, result).message, host, argv, result);
    if (journalTail) this.message += `\nLast lines of journalctl -u ${argv[2]}:\n${journalTail}`;
  }
}

// --- vm-state (simple-microvm-infra): argv exactly as the seeds use it -----------------------------

/** vm-state argv exactly as the seeds use it (names checked by vmStateCommand, the script's own rule). */
export const vmStateArgv = {
  list: (): string[] => vmStateCommand('list'),
  create: (state: string): string[] => vmStateCommand('create', state),
  snapshot: (slot: string, snapshot: string): string[] => vmStateCommand('snapshot', slot, snapshot),
  clone: (source: string, target: string): string[] => vmStateCommand('clone', source, target),
  assign: (slot: string, state: string): string[] => vmStateCommand('assign', slot, state),
  migrate: (state: string, slot: string): string[] => vmStateCommand('migrate', state, slot),
  restore: (snapshot: string, target: string): string[] => vmStateCommand('restore', snapshot, target),
};

/** Runs a vm-state verb; failures ([ERROR] … on stderr) become RemoteCommandError with that text. */
export async function vmState(ctx: BackendContext, argv: string[]): Promise<string> {
  const r = await ctx.run.exec(argv, { timeoutMs: 300_000 });
  const clean = { ...r, stdout: stripAnsi(r.stdout), stderr: stripAnsi(r.stderr) };
  if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, argv, clean);
  return clean.stdout;
}

function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
