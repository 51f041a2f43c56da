// Hover, go to definition and the outline.
import { isMap, isPair, isScalar, type Node } from 'yaml';
import type { Analysis } from '../analyze';
import { ruleAt } from '../references';
import type { Section } from '../types';
import { schemaAt, typeLabel, view } from './schemaNav';
import { definitionRange, detailOf, isSection, nodeAt, sectionOf, sourceOf, summarize, type Source } from './source';
import { singular } from '../references';

export interface HoverResult {
  markdown: string;
  start: number;
  end: number;
}

const code = (s: unknown) => `\`${String(s)}\``;

function schemaMarkdown(path: (string | number)[]): string | undefined {
  const nodes = schemaAt(path);
  if (!nodes.length) return undefined;
  const v = view(nodes);
  const key = [...path].reverse().find((p) => typeof p === 'string') ?? '';
  const lines = [`**${code(key)}** — ${v.enumValues.length ? v.enumValues.map(code).join(' | ') : typeLabel(v)}`];
  if (v.description) lines.push('', v.description);
  const extra: string[] = [];
  if (v.default !== undefined) extra.push(`Default: ${code(v.default)}`);
  if (v.examples.length) extra.push(`Examples: ${v.examples.map(code).join(', ')}`);
  if (extra.length) lines.push('', extra.join(' · '));
  return lines.join('\n');
}

/** The referenced item a reference at `path` points to, when it exists. */
function referenceTarget(src: Source, path: (string | number)[], isKey: boolean, name: string): { section: Section; name: string } | undefined {
  const rule = ruleAt(path, isKey);
  if (!rule) return undefined;
  const section = sectionOf(src.t, rule.targets, name);
  return section ? { section, name } : undefined;
}

export function hover(text: string, offset: number, analysis?: Analysis): HoverResult | undefined {
  const src = sourceOf(text, analysis);
  const hit = nodeAt(src, offset);
  if (!hit || !hit.node.range) return undefined;
  const range = { start: hit.node.range[0], end: hit.node.range[1] };
  const name = isScalar(hit.node) ? String(hit.node.value) : '';
  const rule = ruleAt(hit.path, hit.isKey);
  if (rule) {
    const target = referenceTarget(src, hit.path, hit.isKey, name);
    if (target) return { markdown: summarize(src.t, target.section, target.name), ...range };
    return { markdown: `No ${rule.targets.map(singular).join(' or ')} named ${code(name)} in this file.`, ...range };
  }
  if (hit.isKey && hit.path.length === 2 && isSection(hit.path[0])) {
    return { markdown: summarize(src.t, hit.path[0], name), ...range };
  }
  const md = schemaMarkdown(hit.path);
  return md ? { markdown: md, ...range } : undefined;
}

export function definition(text: string, offset: number, analysis?: Analysis): { start: number; end: number } | undefined {
  const src = sourceOf(text, analysis);
  const hit = nodeAt(src, offset);
  if (!hit || !isScalar(hit.node)) return undefined;
  const target = referenceTarget(src, hit.path, hit.isKey, String(hit.node.value));
  return target ? definitionRange(src, target.section, target.name) : undefined;
}

export interface OutlineSymbol {
  name: string;
  detail: string;
  /** A section name for items, `section` for top-level maps, `property` otherwise. */
  kind: Section | 'section' | 'property';
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineSymbol[];
}

function pairSymbol(text: string, key: Node, value: Node | null | undefined, name: string, kind: OutlineSymbol['kind'], detail: string): OutlineSymbol | undefined {
  if (!key.range) return undefined;
  let end = value?.range ? Math.max(value.range[1], key.range[1]) : key.range[1];
  while (end > key.range[1] && /\s/.test(text[end - 1] ?? '')) end--;
  return { name, detail, kind, start: key.range[0], end, selectionStart: key.range[0], selectionEnd: key.range[1], children: [] };
}

export function symbols(text: string, analysis?: Analysis): OutlineSymbol[] {
  const src = sourceOf(text, analysis);
  const root = src.analysis.parsed.root;
  if (!isMap(root)) return [];
  const out: OutlineSymbol[] = [];
  for (const p of root.items) {
    if (!isPair(p) || !isScalar(p.key)) continue;
    const name = String(p.key.value);
    const value = p.value as Node | null;
    const section = isSection(name);
    const detail = isScalar(value) ? String(value.value) : isMap(value) ? `${value.items.length}` : '';
    const sym = pairSymbol(text, p.key as Node, value, name, section || name === 'layout' ? 'section' : 'property', detail);
    if (!sym) continue;
    if (isMap(value)) {
      for (const c of value.items) {
        if (!isPair(c) || !isScalar(c.key)) continue;
        const cname = String(c.key.value);
        const child = pairSymbol(text, c.key as Node, c.value as Node | null, cname, section ? (name as Section) : 'property',
          section ? detailOf(src.t, name as Section, cname) : '');
        if (child) sym.children.push(child);
      }
    }
    out.push(sym);
  }
  return out;
}
