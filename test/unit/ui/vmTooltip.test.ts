// Tooltips of VM and host rows, rendered with marked (the Markdown library VS Code renders
// MarkdownString with): a hostile name or fact from the host stays text — no link, image,
// autolink, HTML or formatting — and reads back as written.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { hostTooltipHead, vmTooltip } from '../../../src/tree/vmTooltip';

const HOSTILE = [
  '[click](https://evil.example/x)', '![img](https://evil.example/p.png)', 'https://evil.example/a', 'www.evil.example',
  'root@evil.example', '<img src=x onerror=alert(1)>', '**bold** _it_ `code`', 'a | b', '&lt;b&gt;', '# heading',
];

/** The rendered HTML: only the tags the tooltip itself makes (bold names, the table), never an <a>, <img> or <code>. */
function render(md: string): string {
  return marked.parse(md, { async: false });
}

const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('VM and host tooltips: remote values stay text', () => {
  for (const evil of HOSTILE) {
    it(`${JSON.stringify(evil)} as a name, detail and fact`, () => {
      const html = render(vmTooltip({ name: evil, state: 'running', detail: evil, ips: [], facts: { [evil]: evil }, undeclared: true, planDrift: evil }));
      assert.doesNotMatch(html, /<(a|img|code|em|h\d)\b/, html);
      assert.equal((html.match(/<strong>/g) ?? []).length, 2, 'only the name and "Plan:" are bold');
      assert.ok(text(html).includes(evil), `reads back as written: ${text(html)}`);
      const head = render(hostTooltipHead(evil, evil));
      assert.doesNotMatch(head, /<(a|img|code|em|h\d)\b/, head);
      assert.ok(text(head).includes(evil));
    });
  }

  it('a declared VM: its table, escaped values, the traffic-control lines', () => {
    const html = render(vmTooltip({
      name: 'chassis', state: 'running', ips: ['192.168.100.10'],
      vm: { host: 'hv1', backend: 'libvirt', arch: 'aarch64', accel: 'tcg', vcpus: 2, memory: '512M', role: 'chassis' },
      tc: { lines: ['vnet0 egress: netem delay 20ms'], at: 0 },
    }));
    assert.match(html, /<table>/);
    for (const cell of ['libvirt', 'aarch64 (tcg)', '512M', '192.168.100.10', 'vnet0 egress: netem delay 20ms']) assert.ok(text(html).includes(cell), cell);
  });
});
