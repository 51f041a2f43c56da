// Completion at an offset: keys from the schema (minus those present), enum/boolean values,
// references to names defined in the file, next free IP / a fresh MAC, and new-item snippets.
import type { Analysis } from '../analyze';
import { ruleAt } from '../references';
import type { Section } from '../types';
import { cursorContext, type CursorContext, type Seg } from './cursor';
import { generateMac, nextFreeIpIn } from './quickFixes';
import { schemaAt, typeLabel, view, type SchemaView } from './schemaNav';
import { detailOf, sourceOf, type Source } from './source';
import { namesIn, singular } from '../references';

export interface CompletionItem {
  label: string;
  kind: 'key' | 'value' | 'reference' | 'snippet';
  detail?: string;
  documentation?: string;
  /** Snippet syntax (`$0`, `${1|a,b|}`) when `snippet` is true, plain text otherwise. */
  insertText: string;
  snippet: boolean;
  /** Range the item replaces. */
  start: number;
  end: number;
  sortText?: string;
  /** Retrigger completion after inserting (a key whose value has choices). */
  retrigger?: boolean;
}

const PLAIN_UNSAFE = /^(true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.:]*|.*[:#,[\]{}].*|)$/i;

function scalarText(v: unknown): string {
  if (typeof v !== 'string') return String(v);
  return PLAIN_UNSAFE.test(v) ? JSON.stringify(v) : v;
}

function snippetEscape(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}

function choiceEscape(s: string): string {
  return s.replace(/[$}\\,|]/g, '\\$&');
}

export function complete(text: string, offset: number, analysis?: Analysis): CompletionItem[] {
  const ctx = cursorContext(text, offset);
  if (ctx.kind === 'none') return [];
  const src = sourceOf(text, analysis);
  if (ctx.kind === 'key' && ctx.afterDash) {
    const v = view(schemaAt(ctx.path));
    if (!v.types.includes('object') && !v.properties.size) return valueItems(src, ctx, ctx.path);
  }
  if (ctx.kind === 'key') return keyItems(src, ctx);
  return valueItems(src, ctx, ctx.path);
}

function keyItems(src: Source, ctx: CursorContext): CompletionItem[] {
  const v = view(schemaAt(ctx.path));
  const range = { start: ctx.wordStart, end: ctx.wordEnd };
  const present = new Set(ctx.presentKeys);
  const out: CompletionItem[] = [];
  // Keys that are themselves references (layout positions, per-target overrides).
  const keyRule = ruleAt([...ctx.path, ctx.word || '_'], true);
  if (keyRule) {
    for (const section of keyRule.targets) {
      for (const name of namesIn(src.t, section)) {
        if (present.has(name)) continue;
        out.push({ label: name, kind: 'reference', detail: `${singular(section)} ${detailOf(src.t, section, name)}`.trim(),
          insertText: keyInsert(name, view(schemaAt([...ctx.path, name])), ctx), snippet: true, ...range });
      }
    }
    return out;
  }
  for (const [key, node] of v.properties) {
    if (present.has(key)) continue;
    const pv = view([node]);
    out.push({
      label: key,
      kind: 'key',
      detail: `${v.required.has(key) ? 'required · ' : ''}${typeLabel(pv)}`,
      documentation: pv.description,
      insertText: keyInsert(key, pv, ctx),
      snippet: true,
      sortText: `${v.required.has(key) ? '0' : '1'}${key}`,
      retrigger: !!ruleAt([...ctx.path, key], false),
      ...range,
    });
  }
  // A map of user-chosen names: offer a new entry with its required keys.
  const section = ctx.path.length === 1 ? (ctx.path[0] as Section) : undefined;
  if (v.nameMap && !v.properties.size && section && !ctx.flow) {
    out.push(newItemSnippet(src, section, ctx));
  }
  return out;
}

function keyInsert(key: string, pv: SchemaView, ctx: CursorContext): string {
  const k = snippetEscape(key);
  if (ctx.hasColon) return k;
  if (ctx.flow) return `${k}: $0`;
  if (pv.types.includes('object') && (pv.properties.size || pv.nameMap)) return `${k}:\n  $0`;
  if (pv.types.includes('array')) return `${k}:\n  - $0`;
  const choices = pv.enumValues.filter((e) => typeof e !== 'boolean' || pv.enumValues.length === 2);
  if (choices.length > 1) return `${k}: \${1|${choices.map((c) => choiceEscape(scalarText(c))).join(',')}|}`;
  if (choices.length === 1) return `${k}: ${snippetEscape(scalarText(choices[0]))}$0`;
  return `${k}: $0`;
}

function newItemSnippet(src: Source, section: Section, ctx: CursorContext): CompletionItem {
  const item = view(schemaAt([section, '_']));
  let n = 1;
  const lines = [`\${${n++}:${singular(section).toLowerCase()}-name}:`];
  for (const key of item.required) {
    const rule = ruleAt([section, '_', key], false);
    const pv = view(schemaAt([section, '_', key]));
    const names = rule ? rule.targets.flatMap((s) => namesIn(src.t, s)) : [];
    const choices = names.length ? names : pv.enumValues.map((e) => scalarText(e));
    if (pv.types.includes('array')) lines.push(`  ${key}: [\${${n++}}]`);
    else lines.push(`  ${key}: ${choices.length ? `\${${n++}|${choices.map(choiceEscape).join(',')}|}` : `\${${n++}}`}`);
  }
  lines.push('  $0');
  return { label: `new ${singular(section)}`, kind: 'snippet', detail: `Add a ${singular(section)} with its required keys`,
    documentation: item.description, insertText: lines.join('\n'), snippet: true, start: ctx.wordStart, end: ctx.wordEnd, sortText: '2' };
}

function valueItems(src: Source, ctx: CursorContext, path: Seg[]): CompletionItem[] {
  const range = { start: ctx.wordStart, end: ctx.wordEnd };
  const pre = ctx.needsSpace ? ' ' : '';
  const out: CompletionItem[] = [];
  const rule = ruleAt(path, false);
  if (rule) {
    const host = hostOf(src, path);
    for (const section of rule.targets) {
      for (const name of namesIn(src.t, section)) {
        if (path[0] === section && path[1] === name && section !== 'hosts') continue; // not itself
        const sameHost = host !== undefined && hostOfItem(src, section, name) === host;
        out.push({ label: name, kind: 'reference', detail: `${singular(section)} ${detailOf(src.t, section, name)}`.trim(),
          insertText: pre + name, snippet: false, sortText: `${sameHost ? '0' : '1'}${name}`, ...range });
      }
    }
    return out;
  }
  const v = view(schemaAt(path));
  for (const e of v.enumValues) {
    out.push({ label: String(e), kind: 'value', detail: e === v.default ? 'default' : typeLabel(v), documentation: v.description,
      insertText: pre + scalarText(e), snippet: false, sortText: e === v.default ? '0' : '1', ...range });
  }
  const last = path[path.length - 1];
  if (last === 'ip' && typeof path[0] === 'string') {
    const network = networkFor(src, path);
    const next = network ? nextFreeIpIn(src.t, network) : undefined;
    if (next) out.push({ label: next.ip, kind: 'value', detail: `next free IP in ${next.subnet}`, insertText: pre + next.ip, snippet: false, sortText: '0', ...range });
  }
  if (last === 'mac') {
    const mac = generateMac(src.t);
    out.push({ label: mac, kind: 'value', detail: 'new locally administered MAC', insertText: `${pre}"${mac}"`, snippet: false, sortText: '0', ...range });
  }
  if (!v.enumValues.length) {
    for (const e of v.examples) {
      out.push({ label: String(e), kind: 'value', detail: 'example', documentation: v.description, insertText: pre + scalarText(e), snippet: false, sortText: '5', ...range });
    }
  }
  return out;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The host of the item that contains `path` (a VM's or slot's host), for sorting references. */
function hostOf(src: Source, path: Seg[]): string | undefined {
  const [section, name] = path;
  if (typeof section !== 'string' || typeof name !== 'string') return undefined;
  const h = obj(obj(obj(src.t)[section])[name]).host;
  return typeof h === 'string' ? h : undefined;
}

function hostOfItem(src: Source, section: Section, name: string): string | undefined {
  const h = obj(obj(obj(src.t)[section])[name]).host;
  return typeof h === 'string' ? h : undefined;
}

/** Network of the NIC or slot whose `ip` is at `path`. */
function networkFor(src: Source, path: Seg[]): string | undefined {
  let node: unknown = src.t;
  for (const seg of path.slice(0, -1)) node = Array.isArray(node) ? node[seg as number] : obj(node)[seg as string];
  const n = obj(node).network;
  return typeof n === 'string' ? n : undefined;
}
