// What the toolbar and the graph's menu and keys use of the page (page.ts implements it).
import type { LayoutMode } from '../../src/model/edits/layout';
import type { GraphModel, Intent } from '../protocol';
import type { GraphView } from './graphView';
import type { Legend } from './legend';

export interface Page {
  readonly view: GraphView;
  readonly graphEl: HTMLElement;
  readonly legend: Legend;
  readonly model: GraphModel | undefined;
  readonly locked: boolean;
  readonly layout: LayoutMode | 'force';
  readonly linkMode: boolean;
  /** Locked by the user, or a file vsim does not edit. */
  readonly readOnly: boolean;
  /** The side form's first field (Enter and "Rename…" focus it). */
  readonly formFirst: HTMLElement | undefined;
  readonly toolbar: { search: { focus(): void } };
  send(intent: Intent): void;
  selectedEntity(): { kind: string; name: string } | undefined;
  setLinkMode(on: boolean): void;
  setLocked(locked: boolean): void;
  setLayout(layout: LayoutMode | 'force'): void;
  setStatus(note?: string): void;
  /** Ids of the nodes whose name or label contains the query. */
  matches(q: string): string[];
}
