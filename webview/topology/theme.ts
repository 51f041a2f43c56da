// Colours for the canvas, read from VS Code's theme CSS variables (light, dark, high contrast), and
// the node icons (SVG data: URLs, cached): VM per backend × arch × live state, host, bridge / OVS, slot,
// and the legend's state badges and link samples.
import type { LiveState } from '../protocol';

export interface Palette {
  kind: 'light' | 'dark' | 'hc';
  fg: string;
  bg: string;
  muted: string;
  border: string;
  focus: string;
  font: string;
  /** The editor's font size in px (labels are drawn at least this big at the fitted zoom). */
  fontSize: number;
  host: string;
  network: string;
  slot: string;
  /** Open vSwitch networks (bridges are `network`). */
  ovs: string;
  link: string;
  nic: string;
  group: string;
  /** Impaired link (live netem values) and partitioned link. */
  impaired: string;
  partitioned: string;
  state: Record<LiveState, string>;
  backend: Record<string, string>;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function readPalette(): Palette {
  const cls = document.body.classList;
  const kind = cls.contains('vscode-high-contrast') || cls.contains('vscode-high-contrast-light') ? 'hc' : cls.contains('vscode-light') ? 'light' : 'dark';
  const dark = kind !== 'light';
  const fg = cssVar('--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
  return {
    kind,
    fg,
    bg: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    border: cssVar('--vscode-contrastBorder', '') || cssVar('--vscode-widget-border', '') || cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    fontSize: Math.max(10, Math.min(32, parseFloat(cssVar('--vscode-editor-font-size', '14')) || 14)),
    host: cssVar('--vscode-charts-purple', '#b180d7'),
    network: cssVar('--vscode-charts-blue', '#3794ff'),
    slot: cssVar('--vscode-charts-yellow', '#cca700'),
    ovs: cssVar('--vscode-terminal-ansiCyan', dark ? '#29b8db' : '#0598bc'),
    link: cssVar('--vscode-charts-orange', '#d18616'),
    nic: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    group: cssVar('--vscode-editorWidget-background', dark ? '#252526' : '#f3f3f3'),
    impaired: cssVar('--vscode-charts-yellow', '#cca700'),
    partitioned: cssVar('--vscode-charts-red', cssVar('--vscode-errorForeground', '#f14c4c')),
    state: {
      running: cssVar('--vscode-testing-iconPassed', cssVar('--vscode-charts-green', '#89d185')),
      stopped: cssVar('--vscode-disabledForeground', dark ? '#858585' : '#a0a0a0'),
      paused: cssVar('--vscode-charts-yellow', '#cca700'),
      unknown: cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    },
    backend: {
      libvirt: cssVar('--vscode-charts-blue', '#3794ff'),
      microvm: cssVar('--vscode-charts-purple', '#b180d7'),
      qemu: cssVar('--vscode-charts-orange', '#d18616'),
      'cloud-hypervisor': cssVar('--vscode-charts-green', '#89d185'),
    },
  };
}

const GLYPH: Record<string, string> = { libvirt: 'LV', microvm: 'μ', qemu: 'Q', 'cloud-hypervisor': 'CH' };
const cache = new Map<string, string>();

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const svgUrl = (w: number, h: number, body: string) =>
  `data:image/svg+xml;charset=utf-8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`)}`;
const cached = (key: string, make: () => string): string => {
  const hit = cache.get(key);
  if (hit) return hit;
  const url = make();
  cache.set(key, url);
  return url;
};

/**
 * A live state's badge at (cx, cy), radius r: its colour AND its shape, so it reads without colour —
 * running ▶ on a disc, paused ❚❚ on a disc, stopped ■ on a square, unknown ? on a hollow disc.
 */
function stateBadge(p: Palette, state: LiveState, cx: number, cy: number, r: number): string {
  const c = esc(p.state[state]);
  const bg = esc(p.bg);
  const ring = `stroke="${bg}" stroke-width="1.5"`;
  switch (state) {
    case 'running':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${c}" ${ring}/><path d="M${cx - r * 0.35} ${cy - r * 0.5} L${cx + r * 0.55} ${cy} L${cx - r * 0.35} ${cy + r * 0.5} Z" fill="${bg}"/>`;
    case 'paused':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${c}" ${ring}/><rect x="${cx - r * 0.45}" y="${cy - r * 0.45}" width="${r * 0.3}" height="${r * 0.9}" fill="${bg}"/><rect x="${cx + r * 0.15}" y="${cy - r * 0.45}" width="${r * 0.3}" height="${r * 0.9}" fill="${bg}"/>`;
    case 'stopped':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" rx="2" fill="${c}" ${ring}/><rect x="${cx - r * 0.4}" y="${cy - r * 0.4}" width="${r * 0.8}" height="${r * 0.8}" fill="${bg}"/>`;
    case 'unknown':
      return `<circle cx="${cx}" cy="${cy}" r="${r - 0.75}" fill="${bg}" stroke="${esc(p.muted)}" stroke-width="1.5" stroke-dasharray="2 2"/><text x="${cx}" y="${cy + r * 0.45}" font-size="${r * 1.3}" font-family="sans-serif" font-weight="bold" text-anchor="middle" fill="${esc(p.muted)}">?</text>`;
  }
}

/** The VM icon: a screen with the backend's glyph (and colour), an `arm` tag for aarch64, the live state's badge top right. */
export function vmIcon(p: Palette, backend: string, arch: string, state: LiveState): string {
  return cached(`vm|${p.kind}|${p.bg}|${p.fg}|${backend}|${arch}|${state}`, () => {
    const colour = esc(p.backend[backend] ?? p.muted);
    const stroke = state === 'running' ? esc(p.state.running) : colour;
    const arm = arch === 'aarch64' ? `<rect x="22" y="30" width="20" height="12" rx="2" fill="${esc(p.slot)}"/><text x="32" y="39" font-size="9" font-family="monospace" font-weight="bold" text-anchor="middle" fill="#000">arm</text>` : '';
    return svgUrl(48, 48,
      `<rect x="2" y="6" width="40" height="38" rx="7" fill="${esc(p.bg)}" stroke="${stroke}" stroke-width="${state === 'running' ? 3 : 2}"${state === 'stopped' ? ' stroke-dasharray="5 3"' : ''}/>`
      + `<rect x="8" y="12" width="28" height="18" rx="2" fill="none" stroke="${colour}" stroke-width="2"/>`
      + `<text x="22" y="26" font-size="11" font-weight="bold" font-family="monospace" text-anchor="middle" fill="${colour}">${esc(GLYPH[backend] ?? '?')}</text>`
      + `<line x1="14" y1="37" x2="${arch === 'aarch64' ? 20 : 30}" y2="37" stroke="${colour}" stroke-width="2"/>`
      + arm + stateBadge(p, state, 40, 8, 7));
  });
}

/** The host icon: a server (two stacked units with lights). `summary`: a collapsed host (a stack behind it). */
export function hostIcon(p: Palette, summary: boolean): string {
  return cached(`host|${p.kind}|${p.bg}|${summary}`, () => {
    const c = esc(p.host);
    const unit = (y: number) => `<rect x="4" y="${y}" width="40" height="15" rx="3" fill="${esc(p.group)}" stroke="${c}" stroke-width="2"/><circle cx="11" cy="${y + 7.5}" r="2.2" fill="${c}"/><line x1="18" y1="${y + 7.5}" x2="38" y2="${y + 7.5}" stroke="${c}" stroke-width="2"/>`;
    const stack = summary ? `<rect x="8" y="2" width="40" height="36" rx="3" fill="none" stroke="${c}" stroke-width="1.5" stroke-dasharray="3 2"/>` : '';
    return svgUrl(52, 44, stack + unit(8) + unit(26));
  });
}

/** The network icon: a switch with ports; Open vSwitch drawn as a hexagon with "OVS", a Linux bridge as a bar. */
export function networkIcon(p: Palette, ovs: boolean): string {
  return cached(`net|${p.kind}|${p.bg}|${ovs}`, () => {
    const c = esc(ovs ? p.ovs : p.network);
    if (ovs) {
      return svgUrl(48, 40, `<path d="M12 4 L36 4 L46 20 L36 36 L12 36 L2 20 Z" fill="${esc(p.bg)}" stroke="${c}" stroke-width="2.5"/>`
        + `<text x="24" y="24.5" font-size="12" font-weight="bold" font-family="monospace" text-anchor="middle" fill="${c}">OVS</text>`);
    }
    const ports = [9, 17, 25, 33].map((x) => `<rect x="${x}" y="18" width="5" height="6" fill="${c}"/>`).join('');
    return svgUrl(48, 40, `<rect x="3" y="10" width="42" height="20" rx="4" fill="${esc(p.bg)}" stroke="${c}" stroke-width="2.5"/>${ports}`);
  });
}

/** The slot icon: a dashed outline of a VM (a place a microvm state is deployed to). */
export function slotIcon(p: Palette): string {
  return cached(`slot|${p.kind}|${p.bg}`, () => {
    const c = esc(p.slot);
    return svgUrl(44, 40, `<rect x="3" y="4" width="38" height="32" rx="6" fill="${esc(p.bg)}" stroke="${c}" stroke-width="2.5" stroke-dasharray="5 3"/>`
      + `<text x="22" y="25" font-size="11" font-weight="bold" font-family="monospace" text-anchor="middle" fill="${c}">slot</text>`);
  });
}

/** A state badge alone (the legend). */
export function stateIcon(p: Palette, state: LiveState): string {
  return cached(`state|${p.kind}|${p.bg}|${state}`, () => svgUrl(18, 18, stateBadge(p, state, 9, 9, 7.5)));
}

/** A link sample (the legend): plain, impaired (dashed) or partitioned (sparse dashes, red). */
export function linkIcon(p: Palette, kind: 'link' | 'impaired' | 'partitioned'): string {
  return cached(`link|${p.kind}|${kind}`, () => {
    const c = esc(kind === 'link' ? p.fg : kind === 'impaired' ? p.impaired : p.partitioned);
    const dash = kind === 'impaired' ? ' stroke-dasharray="8 4"' : kind === 'partitioned' ? ' stroke-dasharray="2 5"' : '';
    return svgUrl(32, 12, `<line x1="2" y1="6" x2="30" y2="6" stroke="${c}" stroke-width="3"${dash}/>`);
  });
}
