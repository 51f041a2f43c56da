// `virsh dumpxml` text → the domain facts vsim compares with the file (plan/diff.ts): vCPUs,
// memory, arch, accelerator, direct kernel boot, disks, NICs (bridge / OVS, MAC, tap, model, QoS).
// A small reader for libvirt's own well-formed output, not a general XML parser. Pure.

export interface DumpedNic {
  type: string;
  bridge: string;
  ovs: boolean;
  mac: string;
  tap: string;
  model: string;
  /** `<bandwidth>` children: `average=… peak=… burst=…` per direction ('' when absent). */
  inbound: string;
  outbound: string;
}

export interface DumpedDisk {
  device: string;
  path: string;
  format: string;
  readonly: boolean;
  target: string;
}

export interface DumpedDomain {
  name: string;
  uuid: string;
  /** `kvm` or `qemu` (TCG). */
  type: string;
  memoryMiB: number;
  vcpus: number;
  arch: string;
  machine: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  disks: DumpedDisk[];
  nics: DumpedNic[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };

export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

/** Attributes of the first `<tag …>` in `xml` (undefined when there is none). */
export function attrsOf(xml: string, tag: string): Record<string, string> | undefined {
  const m = new RegExp(`<${tag}(\\s[^>]*?)?/?>`).exec(xml);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const a of (m[1] ?? '').matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) {
    out[a[1] as string] = xmlUnescape(a[2] ?? a[3] ?? '');
  }
  return out;
}

/** Text of the first `<tag …>text</tag>` ('' when absent or empty). */
export function textOf(xml: string, tag: string): string {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m ? xmlUnescape(m[1] as string).trim() : '';
}

/** The inner text of every `<tag …>…</tag>` block (not nested in itself), with the opening tag kept. */
function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>[\\s\\S]*?</${tag}>`, 'g'))].map((m) => m[0]);
}

function memoryMiB(value: string, unit: string | undefined): number {
  const n = Number(value);
  const factor: Record<string, number> = { b: 1 / 1048576, bytes: 1 / 1048576, KiB: 1 / 1024, k: 1 / 1024, MiB: 1, M: 1, GiB: 1024, G: 1024, TiB: 1048576, T: 1048576 };
  return Math.round(n * (factor[unit ?? 'KiB'] ?? 1 / 1024));
}

function bandwidth(dir: Record<string, string> | undefined): string {
  if (!dir) return '';
  return (['average', 'peak', 'burst'] as const).filter((k) => dir[k] !== undefined).map((k) => `${k}=${dir[k]}`).join(' ');
}

/** Parses one domain's dumpxml; throws when the text is not a domain. */
export function parseDumpxml(xml: string): DumpedDomain {
  const dom = attrsOf(xml, 'domain');
  if (!dom) throw new Error('not a libvirt domain XML (no <domain>)');
  const os = /<os(?:\s[^>]*)?>[\s\S]*?<\/os>/.exec(xml)?.[0] ?? '';
  const osType = attrsOf(os, 'type') ?? {};
  const mem = attrsOf(xml, 'memory');
  const devices = /<devices>[\s\S]*<\/devices>/.exec(xml)?.[0] ?? '';
  const disks = blocks(devices, 'disk').map((d): DumpedDisk => {
    const a = attrsOf(d, 'disk') ?? {};
    const src = attrsOf(d, 'source') ?? {};
    return {
      device: a.device ?? 'disk',
      path: src.file ?? src.dev ?? src.name ?? '',
      format: attrsOf(d, 'driver')?.type ?? '',
      readonly: /<readonly\s*\/>/.test(d),
      target: attrsOf(d, 'target')?.dev ?? '',
    };
  });
  const nics = blocks(devices, 'interface').map((n): DumpedNic => {
    const a = attrsOf(n, 'interface') ?? {};
    const src = attrsOf(n, 'source') ?? {};
    const bw = /<bandwidth>[\s\S]*?<\/bandwidth>/.exec(n)?.[0] ?? '';
    return {
      type: a.type ?? '',
      bridge: src.bridge ?? src.network ?? src.dev ?? '',
      ovs: attrsOf(n, 'virtualport')?.type === 'openvswitch',
      mac: (attrsOf(n, 'mac')?.address ?? '').toLowerCase(),
      tap: attrsOf(n, 'target')?.dev ?? '',
      model: attrsOf(n, 'model')?.type ?? '',
      inbound: bandwidth(attrsOf(bw, 'inbound')),
      outbound: bandwidth(attrsOf(bw, 'outbound')),
    };
  });
  return {
    name: textOf(xml, 'name'),
    uuid: textOf(xml, 'uuid'),
    type: dom.type ?? '',
    memoryMiB: mem ? memoryMiB(textOf(xml, 'memory'), mem.unit) : 0,
    vcpus: Number(textOf(xml, 'vcpu') || '0'),
    arch: osType.arch ?? '',
    machine: osType.machine ?? '',
    kernel: textOf(os, 'kernel'),
    initrd: textOf(os, 'initrd'),
    cmdline: textOf(os, 'cmdline'),
    disks: disks.filter((d) => d.device === 'disk'),
    nics,
  };
}
