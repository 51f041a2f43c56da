// The current view of the graph as a standalone SVG document (for design docs and issues): the drawn
// nodes with their icons and labels, the edges with their colour, width, dashes and labels, the host
// groups, on the theme's background. Pure: the view collects the shapes, this writes the text.

export interface SvgNode {
  x: number;
  y: number;
  /** The icon's data: URL and its drawn size (canvas units). */
  image: string;
  width: number;
  height: number;
  label: string;
  bold?: boolean;
}

export interface SvgEdge {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  colour: string;
  width: number;
  dashes?: number[];
  /** Bend (a curved link): the control point's offset, perpendicular to the line, as a share of its length. */
  bend?: number;
  label?: string;
  labelColour?: string;
}

export interface SvgGroup { x: number; y: number; width: number; height: number }

export interface SvgScene {
  /** The part of the canvas in view (canvas units). */
  view: { x: number; y: number; width: number; height: number };
  background: string;
  foreground: string;
  groupFill: string;
  groupStroke: string;
  font: string;
  fontSize: number;
  nodes: SvgNode[];
  edges: SvgEdge[];
  groups: SvgGroup[];
}

/** XML text and attribute escaping. */
export const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const n = (v: number) => (Math.round(v * 10) / 10).toString();

function lines(text: string, x: number, y: number, size: number, attrs: string): string {
  return text.split('\n').map((l, i) => `<text x="${n(x)}" y="${n(y + i * size * 1.2)}" ${attrs}>${xml(l)}</text>`).join('');
}

export function sceneSvg(s: SvgScene): string {
  const v = s.view;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="${n(v.x)} ${n(v.y)} ${n(v.width)} ${n(v.height)}" width="${Math.round(v.width)}" height="${Math.round(v.height)}">`);
  out.push(`<rect x="${n(v.x)}" y="${n(v.y)}" width="${n(v.width)}" height="${n(v.height)}" fill="${xml(s.background)}"/>`);
  for (const g of s.groups) {
    out.push(`<rect x="${n(g.x)}" y="${n(g.y)}" width="${n(g.width)}" height="${n(g.height)}" rx="18" fill="${xml(s.groupFill)}" fill-opacity="0.55" stroke="${xml(s.groupStroke)}" stroke-dasharray="8 6"/>`);
  }
  const font = `font-family="${xml(s.font)}"`;
  for (const e of s.edges) {
    const dash = e.dashes?.length ? ` stroke-dasharray="${e.dashes.join(' ')}"` : '';
    const mx = (e.x1 + e.x2) / 2;
    const my = (e.y1 + e.y2) / 2;
    let lx = mx;
    let ly = my;
    if (e.bend) {
      // A quadratic curve bent to the right of the line, like vis-network's curvedCW.
      const cx = mx - (e.y2 - e.y1) * e.bend;
      const cy = my + (e.x2 - e.x1) * e.bend;
      out.push(`<path d="M${n(e.x1)} ${n(e.y1)} Q${n(cx)} ${n(cy)} ${n(e.x2)} ${n(e.y2)}" fill="none" stroke="${xml(e.colour)}" stroke-width="${n(e.width)}"${dash}/>`);
      lx = (mx + cx) / 2;
      ly = (my + cy) / 2;
    } else {
      out.push(`<line x1="${n(e.x1)}" y1="${n(e.y1)}" x2="${n(e.x2)}" y2="${n(e.y2)}" stroke="${xml(e.colour)}" stroke-width="${n(e.width)}"${dash}/>`);
    }
    if (e.label) {
      const size = s.fontSize * 0.8;
      out.push(lines(e.label, lx, ly, size, `${font} font-size="${n(size)}" text-anchor="middle" fill="${xml(e.labelColour ?? s.foreground)}" stroke="${xml(s.background)}" stroke-width="3" paint-order="stroke"`));
    }
  }
  for (const d of s.nodes) {
    out.push(`<image x="${n(d.x - d.width / 2)}" y="${n(d.y - d.height / 2)}" width="${n(d.width)}" height="${n(d.height)}" href="${xml(d.image)}" xlink:href="${xml(d.image)}"/>`);
    if (d.label) {
      out.push(lines(d.label, d.x, d.y + d.height / 2 + s.fontSize, s.fontSize, `${font} font-size="${n(s.fontSize)}"${d.bold ? ' font-weight="bold"' : ''} text-anchor="middle" fill="${xml(s.foreground)}" stroke="${xml(s.background)}" stroke-width="3" paint-order="stroke"`));
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
