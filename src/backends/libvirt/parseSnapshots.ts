// `virsh snapshot-list --name` and `virsh -q domiflist` output. Pure.

export function parseSnapshotNames(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

export interface DomainInterface {
  /** Host-side device ("-" → undefined when the domain is not running). */
  iface?: string;
  type: string;
  source?: string;
  model?: string;
  mac: string;
}

/** `virsh [-q] domiflist DOMAIN`: Interface Type Source Model MAC. */
export function parseDomiflist(text: string): DomainInterface[] {
  const out: DomainInterface[] = [];
  const dash = (s: string | undefined): string | undefined => (s === undefined || s === '-' ? undefined : s);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^-+$/.test(line)) continue;
    const cols = line.split(/\s+/);
    if (cols.length !== 5 || cols[0] === 'Interface') continue;
    const [iface, type, source, model, mac] = cols as [string, string, string, string, string];
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) continue;
    out.push({ iface: dash(iface), type, source: dash(source), model: dash(model), mac: mac.toLowerCase() });
  }
  return out;
}
