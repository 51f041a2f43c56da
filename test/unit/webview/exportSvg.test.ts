// The graph's SVG export: a standalone document with the view's box, every node's icon and label,
// every edge, labels escaped (names and tc readback are the file's and the kernel's text).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sceneSvg, type SvgScene } from '../../../webview/topology/exportSvg';
import { parseFromWebview } from '../../../webview/protocol';

const scene: SvgScene = {
  view: { x: -100, y: -50, width: 800, height: 500 }, background: '#1e1e1e', foreground: '#ccc', groupFill: '#252526', groupStroke: '#b180d7',
  font: 'sans-serif', fontSize: 20,
  nodes: [
    { x: 0, y: 0, image: 'data:image/svg+xml;charset=utf-8,%3Csvg%3E', width: 44, height: 44, label: 'chassis' },
    { x: 200, y: 0, image: 'data:image/svg+xml;charset=utf-8,%3Csvg%3E', width: 44, height: 44, label: 'a<b>&"c\nsecond line', bold: true },
  ],
  edges: [{ x1: 0, y1: 0, x2: 200, y2: 0, colour: '#cca700', width: 4, dashes: [10, 5], bend: 0.25, label: 'delay 40ms & loss 1%' }],
  groups: [{ x: -60, y: -60, width: 320, height: 120 }],
};

test('the SVG has the view box, each node and its label lines, each edge, labels escaped', () => {
  const svg = sceneSvg(scene);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="-100 -50 800 500"/);
  assert.equal((svg.match(/<image /g) ?? []).length, 2);
  assert.ok(svg.includes('>chassis</text>'));
  assert.ok(svg.includes('>a&#60;b&#62;&#38;&#34;c</text>') && svg.includes('>second line</text>'), 'escaped, one <text> per line');
  assert.ok(!svg.includes('a<b>'), 'no raw markup from a label');
  assert.match(svg, /<path d="M0 0 Q[^"]+ 200 0" fill="none" stroke="#cca700" stroke-width="4" stroke-dasharray="10 5"\/>/);
  assert.ok(svg.includes('>delay 40ms &#38; loss 1%</text>'));
  assert.ok(svg.includes('font-weight="bold"'));
  assert.match(svg, /<\/svg>\n$/);
});

test('export messages: an SVG document or base64 PNG, nothing else', () => {
  assert.deepEqual(parseFromWebview({ type: 'export', format: 'svg', data: sceneSvg(scene) })?.type, 'export');
  assert.deepEqual(parseFromWebview({ type: 'export', format: 'png', data: 'iVBORw0KGgo=' }), { type: 'export', format: 'png', data: 'iVBORw0KGgo=' });
  assert.equal(parseFromWebview({ type: 'export', format: 'png', data: 'not base64!' }), undefined);
  assert.equal(parseFromWebview({ type: 'export', format: 'svg', data: '<script>' }), undefined);
  assert.equal(parseFromWebview({ type: 'export', format: 'pdf', data: '<svg ' }), undefined);
  assert.equal(parseFromWebview({ type: 'export', format: 'svg', data: '<svg ', path: '/etc/passwd' }), undefined);
});
