// The side form: the selected node's or link's fields, edited in place (each change is one intent).
import type { Intent } from '../protocol';
import type { GraphEdge, GraphModel, GraphNode } from '../protocol';
import { button } from './ui/button';
import { field } from './ui/field';
import { select } from './ui/select';
import { el } from './ui/toolkit';

type Section = 'hosts' | 'networks' | 'vms' | 'slots' | 'links';
const SECTION: Record<GraphNode['kind'], Section> = { host: 'hosts', network: 'networks', vm: 'vms', slot: 'slots' };

/** Editable scalar fields per kind (dotted paths are nested maps). */
const FIELDS: Record<Section, { key: string; choices?: string[]; number?: boolean }[]> = {
  vms: [
    { key: 'role' }, { key: 'description' }, { key: 'backend', choices: ['libvirt', 'microvm', 'qemu', 'cloud-hypervisor'] },
    { key: 'arch', choices: ['', 'x86_64', 'aarch64'] }, { key: 'accel', choices: ['', 'kvm', 'tcg'] }, { key: 'vcpus', number: true }, { key: 'memory', number: true },
    { key: 'autostart', choices: ['', 'true', 'false'] },
  ],
  networks: [{ key: 'description' }, { key: 'kind', choices: ['', 'bridge', 'ovs'] }, { key: 'bridge' }, { key: 'subnet' }, { key: 'gateway' }],
  hosts: [{ key: 'description' }, { key: 'address' }, { key: 'sshConfigHost' }, { key: 'user' }, { key: 'port', number: true }, { key: 'arch', choices: ['', 'x86_64', 'aarch64'] }, { key: 'kvm', choices: ['', 'true', 'false'] }],
  slots: [{ key: 'description' }, { key: 'ip' }, { key: 'mac' }],
  links: [{ key: 'description' }],
};

export interface FormContext {
  model: GraphModel;
  readOnly: boolean;
  send(intent: Intent): void;
  /** Clears the selection (the form's ✕; the form then hides). */
  close(): void;
}

function typed(v: string, number?: boolean): string | number | boolean | null {
  if (v.trim() === '') return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (number && /^\d+$/.test(v.trim())) return Number(v.trim());
  return v;
}

export function renderForm(root: HTMLElement, ctx: FormContext, node: GraphNode | undefined, edge: GraphEdge | undefined): HTMLElement | undefined {
  root.replaceChildren();
  if (!node && !(edge?.kind === 'link' && edge.link)) return undefined;
  const section: Section = node ? SECTION[node.kind] : 'links';
  const name = node ? node.name : edge!.link!;
  const props = (node ? node.props : edge!.props) ?? {};
  const ro = ctx.readOnly;
  const close = button({ label: '✕', title: 'Close (clears the selection)', appearance: 'icon', id: 'form-close', onClick: () => ctx.close() });
  root.append(el('header', {}, el('h2', {}, `${section === 'vms' ? 'VM' : section.slice(0, -1)} ${name}`), close.element));
  const nameField = field({ label: 'Name', value: name, readOnly: ro, id: 'form-name', onCommit: (to) => ctx.send({ kind: 'rename', section, from: name, to }) });
  root.append(nameField.element);
  if (node && node.kind !== 'host') {
    root.append(select({ label: 'Host', id: 'form-host', value: node.host, disabled: ro, options: ctx.model.hosts.map((h) => ({ value: h })),
      onChange: (h) => ctx.send({ kind: 'setProperty', path: [section, name, 'host'], value: h }) }));
  }
  for (const f of FIELDS[section]) {
    const cur = props[f.key];
    const value = cur === undefined ? '' : String(cur);
    const onCommit = (v: string) => {
      const path = [section, name, ...f.key.split('.')];
      ctx.send({ kind: 'setProperty', path, value: typed(v, f.number) });
    };
    if (f.choices) {
      const opts = f.choices.includes(value) ? f.choices : [...f.choices, value];
      root.append(select({ label: f.key, id: `form-${f.key.replace(/\./g, '-')}`, value, disabled: ro, options: opts.map((c) => ({ value: c, label: c || '(default)' })), onChange: onCommit }));
    } else {
      root.append(field({ label: f.key, id: `form-${f.key.replace(/\./g, '-')}`, value, readOnly: ro, onCommit }).element);
    }
  }
  if (section === 'links') {
    root.append(select({ label: 'tc profile', id: 'form-profile', value: String(props.profile ?? ''), disabled: ro,
      options: [{ value: '', label: '(none)' }, ...ctx.model.profiles.map((p) => ({ value: p }))],
      onChange: (p) => ctx.send({ kind: 'setLinkProfile', link: name, profile: p || null }) }));
  }
  if (node?.kind === 'vm') {
    root.append(el('h3', {}, 'NICs'));
    (node.nics ?? []).forEach((nic, i) => {
      const row = el('div', { class: 'nic' }, el('span', {}, `${i}: ${nic.network}${nic.ip ? ` ${nic.ip}` : ''}${nic.tap ? ` (${nic.tap})` : ''}`));
      if (!ro) row.append(button({ label: '✕', title: `Disconnect NIC ${i} from ${nic.network}`, appearance: 'icon', onClick: () => ctx.send({ kind: 'disconnectNic', vm: name, index: i }) }).element);
      root.append(row);
    });
    const nets = ctx.model.nodes.filter((n) => n.kind === 'network' && n.host === node.host).map((n) => n.name);
    if (!ro && nets.length) {
      root.append(select({ label: 'Connect to network', value: '', options: [{ value: '', label: '(choose)' }, ...nets.map((n) => ({ value: n }))],
        onChange: (net) => net && ctx.send({ kind: 'connectNic', vm: name, network: net }) }));
    }
  }
  if (!ro) {
    root.append(el('div', { class: 'row' }, button({ label: 'Delete', title: `Delete ${name} and what refers to it`, onClick: () => ctx.send({ kind: 'delete', section, name }) }).element));
  }
  return nameField.element;
}
