// Colours for the canvas, read from VS Code's theme CSS variables (light, dark, high contrast), and
// the VM icons (an SVG per backend × arch × live state, as data: URLs, cached).
import type { LiveState } from '../protocol';

export interface Palette {
  kind: 'light' | 'dark' | 'hc';
  fg: string;
  bg: string;
  muted: string;
  border: string;
  focus: string;
  font: string;
  host: string;
  network: string;
  slot: string;
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
    host: cssVar('--vscode-charts-purple', '#b180d7'),
    network: cssVar('--vscode-charts-blue', '#3794ff'),
    slot: cssVar('--vscode-charts-yellow', '#cca700'),
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

/** The VM icon: a screen with the backend's glyph, an `arm` tag for aarch64, the border in the live-state colour. */
export function vmIcon(p: Palette, backend: string, arch: string, state: LiveState): string {
  const key = `${p.kind}|${p.bg}|${backend}|${arch}|${state}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const colour = p.backend[backend] ?? p.muted;
  const stroke = state === 'unknown' ? colour : p.state[state];
  const width = state === 'unknown' ? 2 : 4;
  const arm = arch === 'aarch64' ? `<rect x="24" y="30" width="18" height="11" rx="2" fill="${esc(p.slot)}"/><text x="33" y="38.5" font-size="8" font-family="monospace" text-anchor="middle" fill="#000">arm</text>` : '';
  const dot = state === 'unknown' ? '' : `<circle cx="38" cy="6" r="5" fill="${esc(p.state[state])}" stroke="${esc(p.bg)}" stroke-width="1.5"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="44" height="44" viewBox="0 0 44 44">`
    + `<rect x="2" y="2" width="40" height="40" rx="7" fill="${esc(p.bg)}" stroke="${esc(stroke)}" stroke-width="${width}"/>`
    + `<rect x="8" y="9" width="28" height="18" rx="2" fill="none" stroke="${esc(colour)}" stroke-width="2"/>`
    + `<text x="22" y="23" font-size="11" font-weight="bold" font-family="monospace" text-anchor="middle" fill="${esc(colour)}">${esc(GLYPH[backend] ?? '?')}</text>`
    + `<line x1="15" y1="33" x2="${arch === 'aarch64' ? 21 : 29}" y2="33" stroke="${esc(colour)}" stroke-width="2"/>`
    + arm + dot + `</svg>`;
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  cache.set(key, url);
  return url;
}
