// What the graph editor can ask for, as plain data (no yaml): the webview's protocol validates these
// without loading the model; src/model/edits/intents.ts turns them into text edits.
import type { Section } from '../types';

/** Sections whose entries have a position in the graph. */
export type PlacedSection = 'hosts' | 'networks' | 'vms' | 'slots';
export const PLACED_SECTIONS: readonly PlacedSection[] = ['hosts', 'networks', 'vms', 'slots'];

export interface XY {
  x: number;
  y: number;
}

export type Scalarish = string | number | boolean;

export type Intent =
  | { kind: 'addVm'; name?: string; host?: string; backend?: 'libvirt' | 'qemu'; network?: string; position?: XY }
  | { kind: 'addNetwork'; name?: string; host?: string; position?: XY }
  | { kind: 'connectNic'; vm: string; network: string }
  | { kind: 'disconnectNic'; vm: string; index: number }
  | { kind: 'addLink'; a: string; b: string; name?: string; profile?: string }
  | { kind: 'rename'; section: Section; from: string; to: string }
  | { kind: 'delete'; section: Section; name: string }
  | { kind: 'setLinkProfile'; link: string; profile: string | null }
  | { kind: 'setProperty'; path: (string | number)[]; value: Scalarish | null }
  | { kind: 'movePositions'; positions: { section: PlacedSection; name: string; x: number; y: number }[] };

export type IntentKind = Intent['kind'];
