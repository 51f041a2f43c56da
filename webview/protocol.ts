// The one message protocol between the topology editor's extension side and its webview.
// Imported by both sides; messages FROM the webview are validated with `parseFromWebview` before use.
import type { GraphModel, GraphPatch } from '../src/model/edits/graph';
import { PLACED_SECTIONS, type Intent, type IntentKind } from '../src/model/edits/intentTypes';
import { VM_NAME_PATTERN } from '../src/model/namePattern';
import { SECTIONS, type Section } from '../src/model/types';

export type { Intent } from '../src/model/edits/intentTypes';
export type { GraphModel, GraphNode, GraphEdge, GraphPatch } from '../src/model/edits/graph';

export type LiveState = 'running' | 'stopped' | 'paused' | 'unknown';
export const LIVE_STATES: readonly LiveState[] = ['running', 'stopped', 'paused', 'unknown'];

/** Actions from the context menus and double-click, each run as the tree's command (src/editor/actions.ts). */
export const ACTION_COMMANDS = ['start', 'stop', 'restart', 'destroy', 'suspend', 'resume', 'console', 'ssh', 'snapshot', 'build',
  'applyProfile', 'clearProfile', 'partition', 'heal', 'setProfile', 'impair', 'clearImpair', 'capture'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** A link's live impairment as read back from the kernel (drawn on the link: label, tooltip, style). */
export interface LinkLive {
  /** Short values for the label, e.g. "delay 40ms rate 20mbit" ('' when none). */
  label: string;
  /** The kernel's readback, one line per end (tooltip). */
  tooltip: string;
  impaired: boolean;
  partitioned: boolean;
}

/** A VM's marker from the lab's plan: not defined on its host, defined otherwise, or a stale slot/profile. */
export type PlanMark = 'missing' | 'differs' | 'stale';
export const PLAN_MARKS: readonly PlanMark[] = ['missing', 'differs', 'stale'];

/** The graph toolbar's lab actions, run as the `vsim.planLab` / `vsim.labUp` / `vsim.labDown` / `vsim.labDestroy` commands. */
export type LabActionId = 'plan' | 'up' | 'down' | 'destroy';
export const LAB_ACTIONS: readonly LabActionId[] = ['plan', 'up', 'down', 'destroy'];

export interface Banner {
  message: string;
  /** 1-based line of the first problem. */
  line: number;
}

/** The document's state as the graph shows it (the last valid graph while the text has errors). */
export interface EditorState {
  /** Document version the graph was built from. */
  version: number;
  graph: GraphModel;
  readOnly: boolean;
  /** The page's embedded first view of a big graph (overviewGraph: hosts whole, the other nodes as stubs); the whole state follows as a message. */
  partial?: boolean;
}

/** Initial data embedded in the page (no round trip needed to draw). `banner`, here and in the
 * messages: the first error while the current text is invalid (the graph is then the last valid one). */
export interface InitialData {
  state: EditorState | null;
  banner: Banner | null;
}

// ---------------------------------------------------------------- extension → webview
export type ToWebview =
  | { type: 'state'; state: EditorState; banner: Banner | null }
  /**
   * The next state as a change of the state of version `base` (the one sent before): what changed in the
   * graph, and the state's other fields. A webview that does not hold `base` asks for a `resync`.
   */
  | { type: 'patch'; base: number; patch: GraphPatch; state: Omit<EditorState, 'graph'>; banner: Banner | null }
  | { type: 'banner'; banner: Banner | null }
  | { type: 'liveState'; states: Record<string, LiveState> }
  /** Live per-link impairments and partitions (replaces the previous set). */
  | { type: 'linkState'; links: Record<string, LinkLive> }
  /** The plan's markers: every VM that differs from the file or is missing (replaces the previous set). */
  | { type: 'planMarks'; marks: Record<string, PlanMark> }
  | { type: 'result'; requestId: number; ok: boolean; error?: string; created?: { section: Section; name: string } }
  | { type: 'focus'; nodeId: string };

// ---------------------------------------------------------------- webview → extension
export interface ReadyTiming {
  pageStart: number;
  pageLoaded: number;
  scriptLoaded: number;
  scriptStart: number;
}
const READY_TIMING = ['pageStart', 'pageLoaded', 'scriptLoaded', 'scriptStart'] as const;

export type FromWebview =
  /**
   * The page's script runs and listens (sent before it draws the initial state). `timing`: wall-clock
   * milliseconds since the epoch (performance.timeOrigin based) of the page's navigation start, of its
   * document received (in VS Code the webview host's placeholder page, which it then writes our HTML
   * into), of its script bundle received and of its script's start: page loading vs script work.
   */
  | { type: 'ready'; timing?: ReadyTiming }
  /** A patch did not apply (not based on the state the webview holds): send the whole state. */
  | { type: 'resync' }
  | { type: 'intent'; requestId: number; intent: Intent }
  | { type: 'undo'; requestId: number }
  | { type: 'redo'; requestId: number }
  /** `keepFocus`: the graph keeps the keyboard focus (a console opened by double-click). */
  | { type: 'command'; requestId: number; command: ActionCommand; target: { kind: 'vm' | 'link'; name: string }; keepFocus?: boolean }
  /**
   * A state drawn: `nodes`/`edges` of the model the view represents (drawn, or inside a drawn collapsed host), `drawn` nodes on the canvas;
   * `partial`: drawn from the embedded overview (EditorState.partial), before the whole state arrived.
   */
  | { type: 'rendered'; version: number; nodes: number; edges: number; drawn: number; ms: number; partial?: true }
  /** After a liveState message: how many drawn VM nodes show each state. */
  | { type: 'liveShown'; counts: Partial<Record<LiveState, number>> }
  /** A toolbar lab action (the extension confirms and runs it as its command). */
  | { type: 'labAction'; requestId: number; action: LabActionId }
  /** After a planMarks message: how many drawn VM nodes carry each marker. */
  | { type: 'marksShown'; counts: Partial<Record<PlanMark, number>> }
  | { type: 'openText'; section?: Section; name?: string }
  /** The view exported: an SVG document, or a PNG as base64; the extension asks where to save it. */
  | { type: 'export'; format: ExportFormat; data: string };

export type ExportFormat = 'svg' | 'png';
/** The biggest export the extension accepts (characters). */
export const MAX_EXPORT = 40 << 20;

// ---------------------------------------------------------------- validation

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// The widest name rule (a VM's, dots allowed: libvirt domains): safe characters only. The intents
// then look each name up, and check a new name against its section's own rule.
const isName = (v: unknown): v is string => typeof v === 'string' && VM_NAME_PATTERN.test(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = (o: Obj, k: string, check: (v: unknown) => boolean) => o[k] === undefined || check(o[k]);
const isXY = (v: unknown) => isObj(v) && isNum(v.x) && isNum(v.y) && Math.abs(v.x) < 1e7 && Math.abs(v.y) < 1e7;
/** Only these keys may appear (rejects smuggled fields). */
const onlyKeys = (o: Obj, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const isSection = (v: unknown) => (SECTIONS as readonly unknown[]).includes(v);

/** Each intent kind's check of a message's fields: the record's type makes it name every kind of the union. */
const INTENT_CHECKS: { [K in IntentKind]: (v: Obj) => boolean } = {
  addVm: (v) => onlyKeys(v, ['kind', 'name', 'host', 'backend', 'network', 'position']) && optional(v, 'name', isName) && optional(v, 'host', isName)
    && optional(v, 'network', isName) && optional(v, 'backend', (b) => b === 'libvirt' || b === 'qemu') && optional(v, 'position', isXY),
  addNetwork: (v) => onlyKeys(v, ['kind', 'name', 'host', 'position']) && optional(v, 'name', isName) && optional(v, 'host', isName) && optional(v, 'position', isXY),
  connectNic: (v) => onlyKeys(v, ['kind', 'vm', 'network']) && isName(v.vm) && isName(v.network),
  disconnectNic: (v) => onlyKeys(v, ['kind', 'vm', 'index']) && isName(v.vm) && isInt(v.index) && v.index >= 0 && v.index < 4096,
  addLink: (v) => onlyKeys(v, ['kind', 'a', 'b', 'name', 'profile']) && isName(v.a) && isName(v.b) && optional(v, 'name', isName) && optional(v, 'profile', isName),
  // `to` is checked by the intent itself (with a readable message), but must be a short string.
  rename: (v) => onlyKeys(v, ['kind', 'section', 'from', 'to']) && isSection(v.section) && isName(v.from) && typeof v.to === 'string' && v.to.length <= 63,
  delete: (v) => onlyKeys(v, ['kind', 'section', 'name']) && isSection(v.section) && isName(v.name),
  setLinkProfile: (v) => onlyKeys(v, ['kind', 'link', 'profile']) && isName(v.link) && (v.profile === null || isName(v.profile)),
  setProperty: (v) => onlyKeys(v, ['kind', 'path', 'value']) && Array.isArray(v.path) && v.path.length >= 3 && v.path.length <= 8
    && v.path.every((p) => (typeof p === 'string' && p.length > 0 && p.length <= 64 && !/[\n\r]/.test(p)) || (isInt(p) && p >= 0 && p < 4096))
    && (v.value === null || typeof v.value === 'boolean' || isNum(v.value) || (typeof v.value === 'string' && v.value.length <= 4096)),
  movePositions: (v) => onlyKeys(v, ['kind', 'positions']) && Array.isArray(v.positions) && v.positions.length <= 5000
    && v.positions.every((p) => isObj(p) && onlyKeys(p, ['section', 'name', 'x', 'y']) && (PLACED_SECTIONS as readonly unknown[]).includes(p.section) && isName(p.name) && isXY(p)),
};

export function isIntent(v: unknown): v is Intent {
  return isObj(v) && typeof v.kind === 'string' && Object.hasOwn(INTENT_CHECKS, v.kind) && INTENT_CHECKS[v.kind as IntentKind](v);
}

/** The message, when it is a well-formed message from the webview; undefined otherwise. */
export function parseFromWebview(v: unknown): FromWebview | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready': {
      const t = v.timing;
      if (t === undefined) return onlyKeys(v, ['type']) ? { type: 'ready' } : undefined;
      if (!onlyKeys(v, ['type', 'timing']) || !isObj(t) || !onlyKeys(t, [...READY_TIMING]) || !READY_TIMING.every((k) => isNum(t[k]))) return undefined;
      return { type: 'ready', timing: Object.fromEntries(READY_TIMING.map((k) => [k, t[k]])) as unknown as ReadyTiming };
    }
    case 'resync':
      return onlyKeys(v, ['type']) ? { type: v.type } : undefined;
    case 'intent':
      return onlyKeys(v, ['type', 'requestId', 'intent']) && isInt(v.requestId) && isIntent(v.intent) ? { type: 'intent', requestId: v.requestId, intent: v.intent } : undefined;
    case 'undo':
    case 'redo':
      return onlyKeys(v, ['type', 'requestId']) && isInt(v.requestId) ? { type: v.type, requestId: v.requestId } : undefined;
    case 'command': {
      const t = v.target;
      if (!onlyKeys(v, ['type', 'requestId', 'command', 'target', 'keepFocus']) || !isInt(v.requestId) || !(ACTION_COMMANDS as readonly unknown[]).includes(v.command)) return undefined;
      if (!optional(v, 'keepFocus', (b) => typeof b === 'boolean')) return undefined;
      if (!isObj(t) || !onlyKeys(t, ['kind', 'name']) || (t.kind !== 'vm' && t.kind !== 'link') || !isName(t.name)) return undefined;
      return { type: 'command', requestId: v.requestId, command: v.command as ActionCommand, target: { kind: t.kind, name: t.name }, ...(v.keepFocus === true ? { keepFocus: true } : {}) };
    }
    case 'rendered':
      return onlyKeys(v, ['type', 'version', 'nodes', 'edges', 'drawn', 'ms', 'partial']) && isInt(v.version) && isInt(v.nodes) && isInt(v.edges) && isInt(v.drawn) && isNum(v.ms)
        && optional(v, 'partial', (b) => b === true)
        ? { type: 'rendered', version: v.version, nodes: v.nodes, edges: v.edges, drawn: v.drawn, ms: v.ms, ...(v.partial === true ? { partial: true as const } : {}) } : undefined;
    case 'liveShown': {
      const c = v.counts;
      if (!onlyKeys(v, ['type', 'counts']) || !isObj(c)) return undefined;
      if (!Object.entries(c).every(([k, n]) => (LIVE_STATES as readonly string[]).includes(k) && isInt(n) && n >= 0)) return undefined;
      return { type: 'liveShown', counts: c as Partial<Record<LiveState, number>> };
    }
    case 'labAction':
      return onlyKeys(v, ['type', 'requestId', 'action']) && isInt(v.requestId) && (LAB_ACTIONS as readonly unknown[]).includes(v.action)
        ? { type: 'labAction', requestId: v.requestId, action: v.action as LabActionId } : undefined;
    case 'marksShown': {
      const c = v.counts;
      if (!onlyKeys(v, ['type', 'counts']) || !isObj(c)) return undefined;
      if (!Object.entries(c).every(([k, n]) => (PLAN_MARKS as readonly string[]).includes(k) && isInt(n) && n >= 0)) return undefined;
      return { type: 'marksShown', counts: c as Partial<Record<PlanMark, number>> };
    }
    case 'export': {
      if (!onlyKeys(v, ['type', 'format', 'data']) || typeof v.data !== 'string' || v.data.length > MAX_EXPORT) return undefined;
      if (v.format === 'svg' && v.data.startsWith('<svg ')) return { type: 'export', format: 'svg', data: v.data };
      if (v.format === 'png' && /^[A-Za-z0-9+/]+=*$/.test(v.data)) return { type: 'export', format: 'png', data: v.data };
      return undefined;
    }
    case 'openText':
      return onlyKeys(v, ['type', 'section', 'name']) && optional(v, 'section', isSection) && optional(v, 'name', isName)
        ? (v as FromWebview) : undefined;
  }
  return undefined;
}

/** Light check of messages from the extension (trusted, but the webview must not crash on surprises). */
export function isToWebview(v: unknown): v is ToWebview {
  return isObj(v) && typeof v.type === 'string' && ['state', 'patch', 'banner', 'liveState', 'linkState', 'planMarks', 'result', 'focus'].includes(v.type);
}
