// What a command was called with, read once: commands take (target?, selection?, …values, options?)
// however they are called. From a tree menu: the clicked node (an element the view handed out,
// src/activation/viewElements.ts), then the selection when several rows are selected, else undefined
// (what VS Code's tree passes: the selection only when it holds more than one row); from the graph:
// { kind, name, uri }; from the palette: nothing (the command asks); from tests, keybindings and
// other commands: a node or a name, then plain values (a profile, a snapshot name…), then options.
// Pure (the registry passes how to recognise a vscode.Uri), so it is unit-tested.
import type * as vscode from 'vscode';
import type { FileNode, HostNode, LabNode, ServiceNode, SlotNode, VmNode } from '../tree/nodes';
import type { PlanChangeNode, PlanNode } from '../tree/planTree';
import { isViewElement } from '../activation/viewElements';

/** A name to look up in the topologies: from the graph (a VM or link of `uri`) or given bare. */
export interface NamedTarget {
  kind: 'named';
  name: string;
  /** The graph says what the name is and which file defines it; a bare name says neither. */
  is?: 'vm' | 'link';
  uri?: vscode.Uri;
}

/** The Plan view's file and host rows arrive as a FileNode / HostNode; its change rows as themselves. */
export type Target = FileNode | HostNode | SlotNode | VmNode | ServiceNode | PlanChangeNode | NamedTarget;

/** What a confirming command would ask the user: its modal's message, one line per item, the button. */
export interface ConfirmRequest { message: string; lines: string[]; button: string }

/** Set explicitly by a caller; never inferred from the other arguments. */
export interface CommandOptions {
  /** The caller already asked the user (the graph's own prompt) or runs unattended (tests): no confirmation modal. */
  confirmed?: boolean;
  /** Answers the confirmation instead of the modal (tests read exactly what a user would confirm). */
  confirm?(c: ConfirmRequest): boolean | Promise<boolean>;
  /** Limits a lab command to these hosts of its file. */
  hosts?: string[];
  /** A terminal the command opens does not take the keyboard focus (the graph's double-click keeps it). */
  preserveFocus?: boolean;
}

export interface CommandCall {
  /** What the command acts on; undefined from the palette (the command asks). */
  target: Target | undefined;
  /** The tree's selection when it has more than one node (the clicked one among them), else empty. */
  selection: Target[];
  /** The plain values after the target: strings, or undefined where the caller left one out. Each is validated by the command. */
  values: (string | undefined)[];
  options: CommandOptions;
  /** Called from the palette or a view's menu (not by code): the command shows its result in the UI. */
  fromUi: boolean;
}

/** What the topology graph passes to a command: a VM or link of the file the graph shows. */
export interface GraphTarget { kind: 'vm' | 'link'; name: string; uri: vscode.Uri }

export type IsUri = (x: unknown) => x is vscode.Uri;

const NODE_KINDS = new Set<LabNode['kind']>(['file', 'host', 'slot', 'vm', 'service']);

function toTarget(x: unknown, isUri: IsUri): Target | undefined {
  if (typeof x === 'string') return { kind: 'named', name: x };
  if (isUri(x)) return { kind: 'file', uri: x };
  if (!x || typeof x !== 'object' || !isUri((x as { uri?: unknown }).uri)) return undefined;
  const t = x as Partial<GraphTarget> | LabNode | PlanNode;
  if ((t.kind === 'vm' || t.kind === 'link') && 'name' in t && typeof t.name === 'string') return { kind: 'named', name: t.name, is: t.kind, uri: t.uri as vscode.Uri };
  if (t.kind === 'plan-file') return { kind: 'file', uri: t.uri };
  if (t.kind === 'plan-host' && typeof t.host === 'string') return { kind: 'host', uri: t.uri, host: t.host };
  // The Labs tree's "not in topology (N)" row stands for its host (Import All from Host).
  if (t.kind === 'undeclared' && typeof t.host === 'string') return { kind: 'host', uri: t.uri, host: t.host };
  if (t.kind === 'plan-change' && typeof t.host === 'string' && typeof t.id === 'string') return { kind: 'plan-change', uri: t.uri, host: t.host, id: t.id };
  if (t.kind && NODE_KINDS.has(t.kind as LabNode['kind'])) return t as FileNode | HostNode | SlotNode | VmNode | ServiceNode;
  return undefined;
}

/** A target in a log line: `storage on vsim-hv1`, `vsim-hv1`, `lab.vsim.yaml`; empty when none was given (the command asks). */
export function describeTarget(t: Target | undefined): string {
  switch (t?.kind) {
    case 'vm': return `${t.vm} on ${t.host}`;
    case 'slot': return `${t.slot} on ${t.host}`;
    case 'service': return `${t.unit} on ${t.host}`;
    case 'host': return t.host;
    case 'file': return t.uri.path.split('/').pop() ?? '';
    case 'plan-change': return t.id;
    case 'named': return t.name;
    default: return '';
  }
}

function isOptions(x: unknown, isUri: IsUri): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x) && !isUri(x) && !('kind' in x);
}

/** Only the options a caller spelled out with the right type; anything else is not given. */
function readOptions(o: Record<string, unknown>): CommandOptions {
  const hosts = o.hosts;
  return {
    confirmed: o.confirmed === true,
    ...(typeof o.confirm === 'function' ? { confirm: o.confirm as CommandOptions['confirm'] } : {}),
    ...(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string') ? { hosts: [...hosts] as string[] } : {}),
    ...(o.preserveFocus === true ? { preserveFocus: true } : {}),
  };
}

/** Reads a command's arguments; what is none of the accepted kinds counts as not given. */
export function resolveTargets(args: readonly unknown[], isUri: IsUri): CommandCall {
  const [first, ...rest] = args;
  const target = toTarget(first, isUri);
  const fromView = isViewElement(first);
  const fromUi = first === undefined || fromView || Array.isArray(rest[0]);
  // A view's second argument is the selection, or undefined when one row is selected: never a value.
  let selected: unknown[] = [];
  if (Array.isArray(rest[0])) selected = rest.shift() as unknown[];
  else if (fromView && rest.length && rest[0] === undefined) rest.shift();
  const options = readOptions(isOptions(rest[rest.length - 1], isUri) ? (rest.pop() as Record<string, unknown>) : {});
  const values = rest.map((v) => (typeof v === 'string' ? v : undefined));
  const selection = selected.length > 1 ? selected.map((x) => toTarget(x, isUri)).filter((t): t is Target => !!t) : [];
  return { target, selection, values, options, fromUi };
}
