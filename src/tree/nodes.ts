// The tree's node kinds. Commands receive these as their first argument (and the selection as the second).
import type * as vscode from 'vscode';

export type LabNode = FileNode | HostNode | SlotNode | UndeclaredGroupNode | VmNode | MessageNode | ServicesNode | ServiceNode | NetworksNode | NetworkNode;

export interface FileNode { kind: 'file'; uri: vscode.Uri }
export interface HostNode { kind: 'host'; uri: vscode.Uri; host: string }
export interface SlotNode { kind: 'slot'; uri: vscode.Uri; host: string; slot: string }
/** "not in topology (N)": a host's VMs that the file does not declare, under the host. */
export interface UndeclaredGroupNode { kind: 'undeclared'; uri: vscode.Uri; host: string }
export interface VmNode {
  kind: 'vm';
  uri: vscode.Uri;
  host: string;
  vm: string;
  /** Found on the host but not in the topology. */
  undeclared?: boolean;
}
/** "Services": the host's systemd units the lab depends on (src/tree/services.ts). */
export interface ServicesNode { kind: 'services'; uri: vscode.Uri; host: string }
/** One unit under Services (`unit`: the full name asked for, e.g. `libvirtd.service`). */
export interface ServiceNode { kind: 'service'; uri: vscode.Uri; host: string; unit: string }
/** "Networks": the host's declared networks as the host has them (src/tree/networksTree.ts). */
export interface NetworksNode { kind: 'networks'; uri: vscode.Uri; host: string }
export interface NetworkNode { kind: 'network'; uri: vscode.Uri; host: string; network: string }
export interface MessageNode {
  kind: 'message'; id: string; text: string; tooltip?: string; icon?: string;
  /** Clicking the row opens this file at this 1-based line (an error's place). */
  open?: { uri: vscode.Uri; line: number };
}

export function isVmNode(x: unknown): x is VmNode {
  return !!x && typeof x === 'object' && (x as LabNode).kind === 'vm';
}

export function isHostNode(x: unknown): x is HostNode {
  return !!x && typeof x === 'object' && (x as LabNode).kind === 'host';
}

export function nodeId(n: LabNode): string {
  switch (n.kind) {
    case 'file': return `file:${n.uri.toString()}`;
    case 'host': return `host:${n.uri.toString()}#${n.host}`;
    case 'slot': return `slot:${n.uri.toString()}#${n.host}/${n.slot}`;
    case 'undeclared': return `undeclared:${n.uri.toString()}#${n.host}`;
    case 'vm': return `vm:${n.uri.toString()}#${n.host}/${n.vm}${n.undeclared ? '?' : ''}`;
    case 'services': return `services:${n.uri.toString()}#${n.host}`;
    case 'service': return `service:${n.uri.toString()}#${n.host}/${n.unit}`;
    case 'message': return `msg:${n.id}`;
    case 'networks': return `networks:${n.uri.toString()}#${n.host}`;
    case 'network': return `network:${n.uri.toString()}#${n.host}/${n.network}`;
  }
}
