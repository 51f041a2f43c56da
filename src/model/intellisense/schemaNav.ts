// Navigating the topology JSON Schema by document path: $ref, properties, additionalProperties,
// items, and oneOf/anyOf/allOf merged into one view.
import schema from '../../../schemas/topology.schema.json';
import type { Seg } from './cursor';

export interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  required?: string[];
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

const ROOT = schema as unknown as SchemaNode;

function pointer(ref: string): SchemaNode | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = ROOT;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
  }
  return node as SchemaNode | undefined;
}

/** Follows `$ref`, with the referring node's own keywords (description, examples) winning. */
export function resolve(node: SchemaNode, depth = 0): SchemaNode {
  if (!node.$ref || depth > 20) return node;
  const target = pointer(node.$ref);
  if (!target) return node;
  const { $ref: _ref, ...own } = node;
  return { ...resolve(target, depth + 1), ...own };
}

/** The node and every alternative under oneOf/anyOf/allOf, resolved. */
export function alternatives(node: SchemaNode, depth = 0): SchemaNode[] {
  const r = resolve(node);
  const out = [r];
  if (depth > 10) return out;
  for (const alt of [...(r.oneOf ?? []), ...(r.anyOf ?? []), ...(r.allOf ?? [])]) out.push(...alternatives(alt, depth + 1));
  return out;
}

/** Schema nodes for the value at `path` (empty when the schema has nothing there). */
export function schemaAt(path: readonly Seg[]): SchemaNode[] {
  let nodes: SchemaNode[] = [ROOT];
  for (const seg of path) {
    const next: SchemaNode[] = [];
    for (const n of nodes.flatMap((x) => alternatives(x))) {
      if (typeof seg === 'number') {
        if (n.items) next.push(n.items);
      } else if (n.properties?.[seg]) {
        next.push(n.properties[seg]);
      } else if (n.additionalProperties && typeof n.additionalProperties === 'object') {
        next.push(n.additionalProperties);
      }
    }
    nodes = next;
    if (!nodes.length) break;
  }
  return nodes;
}

export interface SchemaView {
  description?: string;
  types: string[];
  enumValues: unknown[];
  default?: unknown;
  examples: unknown[];
  properties: Map<string, SchemaNode>;
  required: Set<string>;
  /** A map keyed by user-chosen names (hosts, vms, …). */
  nameMap: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

export function view(nodes: SchemaNode[]): SchemaView {
  const all = nodes.flatMap((n) => alternatives(n));
  const first = nodes[0] ? resolve(nodes[0]) : undefined;
  const v: SchemaView = {
    description: first?.description ?? all.find((n) => n.description)?.description,
    types: [],
    enumValues: [],
    examples: [],
    properties: new Map(),
    required: new Set(),
    nameMap: false,
  };
  for (const n of all) {
    const types = n.type === undefined ? [] : Array.isArray(n.type) ? n.type : [n.type];
    for (const t of types) if (!v.types.includes(t)) v.types.push(t);
    if (n.properties || n.additionalProperties !== undefined) if (!v.types.includes('object')) v.types.push('object');
    for (const e of n.enum ?? []) if (!v.enumValues.includes(e)) v.enumValues.push(e);
    if (n.const !== undefined && !v.enumValues.includes(n.const)) v.enumValues.push(n.const);
    if (v.default === undefined && n.default !== undefined) v.default = n.default;
    for (const e of n.examples ?? []) if (!v.examples.includes(e)) v.examples.push(e);
    for (const [k, p] of Object.entries(n.properties ?? {})) if (!v.properties.has(k)) v.properties.set(k, p);
    for (const r of n.required ?? []) v.required.add(r);
    if (n.additionalProperties && typeof n.additionalProperties === 'object') v.nameMap = true;
    v.pattern ??= n.pattern;
    v.minimum ??= n.minimum;
    v.maximum ??= n.maximum;
  }
  if (v.types.includes('boolean')) for (const b of [true, false]) if (!v.enumValues.includes(b)) v.enumValues.push(b);
  return v;
}

/** One-line type summary, e.g. `string`, `integer 1–512`, `libvirt | microvm`. */
export function typeLabel(v: SchemaView): string {
  if (v.enumValues.length) return v.enumValues.map((e) => String(e)).join(' | ');
  const t = v.types.map((x) => (x === 'object' ? (v.nameMap ? 'map of names' : 'map') : x === 'array' ? 'list' : x)).join(' or ') || 'value';
  const range = v.minimum !== undefined || v.maximum !== undefined ? ` ${v.minimum ?? ''}–${v.maximum ?? ''}` : '';
  return t + range;
}
