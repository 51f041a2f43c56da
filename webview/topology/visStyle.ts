// How each graph node and edge is drawn in vis-network: the kind's icon (theme.ts), its label, its
// tooltip; a collapsed host's summary; links with their live impairment or partition and their name.
import type { Edge, Node } from 'vis-network/esnext';
import type { GraphEdge, GraphNode, LinkLive, LiveState } from '../protocol';
import { hostIcon, networkIcon, slotIcon, vmIcon, type Palette } from './theme';

export type VNode = Node & { id: string; kind: GraphNode['kind']; host: string; name: string };
export type VEdge = Edge & { id: string; kind: GraphEdge['kind'] | 'hosts'; link?: string };

/** What the styles read besides the node or edge itself. */
export interface StyleContext {
  palette: Palette;
  live: Record<string, LiveState>;
  linkLive: Record<string, LinkLive>;
  /** Labels are drawn much bigger than their spacing was made for: VMs and networks show their name only, links none (the rest in the tooltip). */
  compact: boolean;
}

/** "hv1\n12 VMs · 10 running" for a collapsed host (the VM count and how many run). */
export function hostSummary(host: string, vms: string[], live: Record<string, LiveState>): string {
  const running = vms.filter((v) => live[v] === 'running').length;
  return `${host}\n${vms.length} VM${vms.length === 1 ? '' : 's'}${vms.length ? ` · ${running} running` : ''}`;
}

export function visNode(n: GraphNode, c: StyleContext, summary?: string): VNode {
  const p = c.palette;
  const base = { id: n.id, kind: n.kind, host: n.host, name: n.name, label: n.label, title: n.detail, shape: 'image' as const, shapeProperties: { useBorderWithImage: false } };
  const sel = { border: p.focus, background: p.bg };
  switch (n.kind) {
    case 'vm': {
      const st = c.live[n.name] ?? 'unknown';
      return { ...base, ...(c.compact ? { label: n.name } : {}), image: vmIcon(p, n.backend ?? '', n.arch ?? 'x86_64', st), size: 22, title: `${n.detail}\nstate: ${st}`, color: { border: p.focus, highlight: sel } };
    }
    case 'network':
      return { ...base, ...(c.compact ? { label: n.name } : {}), image: networkIcon(p, n.props.kind === 'ovs'), size: 20, color: { border: p.focus, highlight: sel } };
    case 'host':
      return summary
        ? { ...base, image: hostIcon(p, true), size: 26, label: summary, title: `${n.detail}\n${summary.split('\n')[1] ?? ''}\nDouble-click to expand`, font: { bold: { color: p.fg } }, color: { border: p.focus, highlight: sel } }
        : { ...base, image: hostIcon(p, false), size: 22, color: { border: p.focus, highlight: sel } };
    case 'slot':
      return { ...base, ...(c.compact ? { label: n.name } : {}), image: slotIcon(p), size: 18, color: { border: p.focus, highlight: sel } };
  }
}

export function visEdge(e: GraphEdge, c: StyleContext): VEdge {
  const p = c.palette;
  const base = { id: e.id, kind: e.kind, from: e.from, to: e.to, ...(e.label ? { label: e.label } : {}), ...(e.link ? { link: e.link } : {}) };
  switch (e.kind) {
    case 'link': {
      // Curved, so links between VMs in one row do not hide behind each other. The name is the tooltip.
      const curve = { enabled: true, type: 'curvedCW', roundness: 0.25 };
      const profiles = e.profiles?.length ? `\ntc profile: ${e.profiles.join(', ')}` : '';
      const live = e.link ? c.linkLive[e.link] : undefined;
      if (live && (live.impaired || live.partitioned)) {
        // Impaired: the live values on the link, dashed; partitioned: red, sparse dashes.
        const colour = live.partitioned ? p.partitioned : p.impaired;
        return { ...base, label: [e.label, live.label].filter(Boolean).join('\n'), title: `link ${e.link}${profiles}\n${live.partitioned ? 'PARTITIONED' : 'impaired'}${live.tooltip ? `\n${live.tooltip}` : ''}`,
          width: 4, dashes: live.partitioned ? [2, 6] : [10, 5], smooth: curve, color: { color: colour, highlight: p.focus, hover: p.focus }, font: { color: colour, strokeWidth: 3, strokeColor: p.bg } };
      }
      const { label: _name, ...unlabelled } = base;
      return { ...(c.compact ? unlabelled : base), title: `link ${e.link}${profiles}`, width: 3, smooth: curve, color: { color: e.profiles?.length ? p.link : p.fg, highlight: p.focus, hover: p.focus }, font: { color: p.link, strokeWidth: 3, strokeColor: p.bg } };
    }
    case 'nic':
      // The tap name and the VM's profiles in the tooltip: at the first view they would crowd the network.
      return { id: e.id, kind: e.kind, from: e.from, to: e.to, ...(e.label ? { title: e.label } : {}), width: 1.5, color: { color: e.profiles?.length ? p.link : p.network, highlight: p.focus, hover: p.focus, opacity: 0.8 } };
    case 'host':
      return { ...base, width: 1, dashes: [2, 4], color: { color: p.host, highlight: p.focus, hover: p.focus, opacity: 0.6 } };
    case 'slot':
      return { ...base, width: 1, dashes: [6, 3], color: { color: p.slot, highlight: p.focus, hover: p.focus } };
  }
}

/** The links between two collapsed hosts (or a collapsed host and a VM), drawn as one edge. */
export function visHostsEdge(id: string, from: string, to: string, links: string[], c: StyleContext): VEdge {
  const p = c.palette;
  const down = links.filter((l) => c.linkLive[l]?.partitioned).length;
  const colour = down ? p.partitioned : p.fg;
  return { id, kind: 'hosts', from, to, width: Math.min(2 + links.length, 8), label: `${links.length} link${links.length === 1 ? '' : 's'}${down ? ` · ${down} partitioned` : ''}`,
    title: links.slice(0, 20).join('\n') + (links.length > 20 ? `\n… ${links.length - 20} more` : ''), smooth: false,
    color: { color: colour, highlight: p.focus, hover: p.focus, opacity: 0.7 }, font: { color: colour, strokeWidth: 3, strokeColor: p.bg } };
}
