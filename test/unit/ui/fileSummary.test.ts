// The Labs tree's file row for a file with errors: counts in the description, each error with its
// line and what is left out in the tooltip (rendered with marked, as VS Code renders it); names and
// messages from the file stay text.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { fileDescription, fileTooltip, type FileSummaryInput } from '../../../src/tree/fileSummary';

const render = (md: string): string => marked.parse(md, { async: false });
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const base: FileSummaryInput = { path: 'labs/a.vsim.yaml', errors: [], leftOut: [], current: true, hasLab: true };

describe('file row summary', () => {
  it('without errors: the path (offline first when the file says so)', () => {
    assert.equal(fileDescription(base), 'labs/a.vsim.yaml');
    assert.equal(fileDescription({ ...base, offline: true }), 'offline · labs/a.vsim.yaml');
  });

  it('the valid part shown: error and left-out counts; the tooltip lists each error with its line and the left-out entries', () => {
    const evil = '[x](https://evil.example) <img src=x>';
    const s: FileSummaryInput = {
      ...base,
      errors: [{ line: 12, message: 'VM name `m.x` is not valid for backend microvm' }, { line: 30, message: evil }],
      leftOut: [{ section: 'vms', name: 'm.x', reason: 'r' }, { section: 'links', name: evil, reason: 'r' }],
    };
    assert.equal(fileDescription(s), '2 errors · 2 entries left out');
    assert.equal(fileDescription({ ...s, leftOut: [s.leftOut[0]!] }), '2 errors · 1 entry left out');
    assert.equal(fileDescription({ ...s, leftOut: [] }), '2 errors');
    const html = render(fileTooltip(s));
    assert.doesNotMatch(html, /<(a|img|h\d)\b/, html);
    const t = text(html);
    assert.match(t, /line 12: VM name `m\.x` is not valid for backend microvm/);
    assert.ok(t.includes(`line 30: ${evil}`), t);
    assert.match(t, /Left out until fixed \(not shown, never sent to a host\): vms\.m\.x, links\.\[x\]/);
  });

  it('an error outside the entries: the last valid version, or nothing', () => {
    const s: FileSummaryInput = { ...base, errors: [{ line: 1, message: 'version must be 1' }], current: false };
    assert.equal(fileDescription(s), '1 error (showing last valid)');
    assert.match(text(render(fileTooltip(s))), /the tree shows the last valid version/);
    assert.equal(fileDescription({ ...s, hasLab: false }), '1 error');
    assert.match(text(render(fileTooltip({ ...s, hasLab: false }))), /nothing can be shown until it is fixed/);
  });
});
