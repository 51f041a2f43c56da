// Fakes for the plan engine's unit tests: a host runner that answers the network script from a
// description and records every other command, and an in-memory backend with a provisioner.
import type { CommandRunner, ExecResult, InspectedVm, VmBackend, VmSpec } from '../../../src/backends/backend';
import type { PlanDeps } from '../../../src/plan';
import { answerBatch, asMarked, runMarkOf, unmarked } from '../fakes/runner';

export interface FakeHostState {
  tools: string[];
  bridges?: { name: string; up?: boolean; addrs?: string[] }[];
  nat?: string[];
  dnsmasq?: Record<string, string>;
  /** Other interfaces with addresses (an underlay interface). */
  ifaces?: { name: string; addrs: string[] }[];
  /** Linux vxlan devices, as `ip -j -d link show type vxlan` prints them (kept up to date by ip link add/set/del). */
  vxlan?: { ifname: string; flags: string[]; mtu: number; master?: string; linkinfo: { info_kind: 'vxlan'; info_data: { id: number; remote?: string; local?: string; port: number } } }[];
  /** `bridge fdb show` flood entries (`00:00:00:00:00:00 dev D dst IP self permanent`). */
  fdb?: string[];
}

/** ip link add/set/del of a vxlan device and bridge fdb append, on the fake's state; false for other commands. */
function vxlanCommand(s: FakeHostState, argv: readonly string[]): boolean {
  const a = [...argv];
  const opt = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  if (a[0] === 'ip' && a[1] === 'link' && a[2] === 'add' && opt('type') === 'vxlan') {
    const remote = opt('remote');
    const local = opt('local');
    s.vxlan = [...(s.vxlan ?? []), { ifname: a[3] as string, flags: ['BROADCAST'], mtu: 1500, linkinfo: { info_kind: 'vxlan', info_data: { id: Number(opt('id')), port: Number(opt('dstport') ?? 8472), ...(remote ? { remote } : {}), ...(local ? { local } : {}) } } }];
    return true;
  }
  const dev = a[0] === 'ip' && a[1] === 'link' ? s.vxlan?.find((v) => v.ifname === a[4]) : undefined;
  if (a[0] === 'ip' && a[1] === 'link' && a[2] === 'del') {
    if (!s.vxlan?.some((v) => v.ifname === a[4])) return false;
    s.vxlan = s.vxlan.filter((v) => v.ifname !== a[4]);
    s.fdb = (s.fdb ?? []).filter((l) => !l.includes(` dev ${a[4]} `));
    return true;
  }
  if (dev && a[2] === 'set') {
    if (a[5] === 'master') dev.master = a[6];
    if (a[5] === 'mtu') dev.mtu = Number(a[6]);
    if (a[5] === 'up') dev.flags = ['BROADCAST', 'UP'];
    return true;
  }
  if (a[0] === 'bridge' && a[1] === 'fdb' && a[2] === 'append') {
    s.fdb = [...(s.fdb ?? []), `${a[3]} dev ${a[5]} dst ${a[7]} self permanent`];
    return true;
  }
  return false;
}

export function networkStdout(s: FakeHostState): string {
  const links = (s.bridges ?? []).map((b) => ({ ifname: b.name, flags: b.up === false ? ['BROADCAST'] : ['BROADCAST', 'UP'] }));
  const addrs = [...(s.bridges ?? []), ...(s.ifaces ?? [])].map((b) => ({ ifname: b.name, addr_info: (b.addrs ?? []).map((a) => ({ family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]) })) }));
  return ['@@vsim tools', ...s.tools, '@@vsim links', JSON.stringify(links), '@@vsim addrs', JSON.stringify(addrs), '@@vsim ovs',
    '@@vsim vxlan', JSON.stringify(s.vxlan ?? []), '@@vsim fdb', ...(s.fdb ?? []), '@@vsim nat', '-P POSTROUTING ACCEPT', ...(s.nat ?? []),
    ...Object.entries(s.dnsmasq ?? {}).flatMap(([f, t]) => [`@@vsim dnsmasq ${f}`, t])].join('\n');
}

export interface FakeHost extends CommandRunner {
  state: FakeHostState;
  calls: string[][];
  /** argv[0..1] joined → a failing answer. */
  fail: Map<string, Partial<ExecResult>>;
}

export function fakeHost(state: FakeHostState): FakeHost {
  const h: FakeHost = {
    state,
    calls: [],
    fail: new Map(),
    async exec(argv) {
      await new Promise((r) => setTimeout(r, 1));
      // A sequence of steps in one round trip (src/plan/apply.ts runSteps): each part answered as if run alone.
      return answerBatch(argv, one) ?? one(argv);
    },
  };
  function one(argv: readonly string[]): ExecResult {
    h.calls.push([...argv]);
    if (argv[0] === 'sh' && unmarked(argv[2])?.includes('@@vsim tools')) return { stdout: asMarked(networkStdout(h.state), runMarkOf(argv)), stderr: '', code: 0, durationMs: 1 };
    const f = h.fail.get(argv.slice(0, 2).join(' ')) ?? h.fail.get(argv.join(' '));
    if (f) return { stdout: '', stderr: '', code: 1, durationMs: 1, ...f };
    if (vxlanCommand(h.state, argv)) return { stdout: '', stderr: '', code: 0, durationMs: 1 };
    if (argv[0] === 'ip' && argv[2] === 'del' && argv[4]?.startsWith('vx')) return { stdout: '', stderr: `Cannot find device "${argv[4]}"`, code: 1, durationMs: 1 };
    if (argv[0] === 'ip' && argv[2] === 'add') h.state.bridges = [...(h.state.bridges ?? []), { name: argv[4] as string }];
    if (argv[0] === 'ip' && argv[2] === 'replace') {
      const b = h.state.bridges?.find((x) => x.name === argv[5]);
      if (b) b.addrs = [argv[3] as string];
    }
    if (argv[0] === 'iptables' && argv[3] === '-A') h.state.nat = [...(h.state.nat ?? []), `-A ${argv.slice(4).join(' ')}`];
    return { stdout: '', stderr: '', code: 0, durationMs: 1 };
  }
  return h;
}

export interface FakeVm {
  spec: VmSpec;
  running: boolean;
}

/** An in-memory backend: `vms` is what the host has; declared() returns `declared[name]`. */
export function fakeBackend(declared: Record<string, VmSpec>, vms: Map<string, FakeVm>, log: string[] = [], opts: { delayMs?: number; failProvision?: Set<string> } = {}): VmBackend & { log: string[] } {
  const wait = (): Promise<void> => new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
  return {
    kind: 'libvirt',
    tool: 'virsh',
    log,
    async list(_ctx, names) {
      return { vms: Object.fromEntries(names.map((n) => [n, vms.has(n) ? { state: vms.get(n)?.running ? 'running' : 'stopped' } : { state: 'missing' }])), undeclared: [] };
    },
    async lifecycle(_ctx, vm, op) {
      log.push(`${op} ${vm} begin`);
      await wait();
      const v = vms.get(vm);
      if (!v) throw new Error(`no ${vm}`);
      v.running = op === 'start' || op === 'resume' || op === 'reboot';
      log.push(`${op} ${vm} end`);
    },
    provisioner: {
      async inspect(ctx, names) {
        await ctx.run.exec(['virsh', 'inspect-stand-in', ...names]);
        const out: Record<string, InspectedVm> = {};
        for (const n of names) {
          const v = vms.get(n);
          out[n] = v ? { exists: true, running: v.running, spec: { ...v.spec } } : { exists: false, running: false };
        }
        for (const [n, v] of vms) if (!names.includes(n) && !(n in declared)) out[n] = { exists: true, running: v.running, detail: v.running ? 'running' : 'shutoff' };
        return out;
      },
      declared: (_t, vm) => ({ ...(declared[vm] ?? {}) }),
      async provision(_ctx, vm) {
        log.push(`provision ${vm} begin`);
        await wait();
        if (opts.failProvision?.has(vm)) throw new Error(`virsh define on hv failed (exit 1): error: bad ${vm}`);
        const v = vms.get(vm);
        vms.set(vm, { spec: { ...(declared[vm] ?? {}) }, running: v?.running ?? false });
        log.push(`provision ${vm} end`);
      },
      async deprovision(_ctx, vm) {
        log.push(`deprovision ${vm}`);
        vms.delete(vm);
      },
    },
  };
}

export function depsFor(hosts: Record<string, CommandRunner>, backend: VmBackend, extra: Partial<PlanDeps> = {}): PlanDeps {
  return {
    runnerFor: async (name) => {
      const h = hosts[name];
      if (!h) throw new Error(`${name}: connection refused`);
      return h;
    },
    backends: { libvirt: backend },
    trusted: () => true,
    ...extra,
  };
}
