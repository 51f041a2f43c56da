// Completion, hover, definition, outline and quick fixes at cursor positions (| marks the cursor).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analyze';
import { complete, cursorContext, definition, hover, quickFixes, symbols, type TextEdit } from '../../../src/model/intellisense';
import { BASE, cursor, mutate, prng } from './helpers';

function ctxAt(src: string) {
  const { text, offset } = cursor(src);
  return cursorContext(text, offset);
}

function labels(src: string): string[] {
  const { text, offset } = cursor(src);
  return complete(text, offset).map((i) => i.label);
}

function itemsAt(src: string) {
  const { text, offset } = cursor(src);
  return { text, offset, items: complete(text, offset) };
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

describe('cursorContext', () => {
  test('top level key position in an empty file', () => {
    assert.deepEqual(ctxAt('|'), { kind: 'key', path: [], word: '', wordStart: 0, wordEnd: 0, presentKeys: [], afterDash: false, flow: false, needsSpace: false, hasColon: false });
  });
  test('value of a nested key, with the partial word and its range', () => {
    const c = ctxAt('vms:\n  a:\n    backend: lib|v\n');
    assert.equal(c.kind, 'value');
    assert.deepEqual(c.path, ['vms', 'a', 'backend']);
    assert.equal(c.word, 'lib');
    assert.equal(c.wordEnd - c.wordStart, 4);
  });
  test('key inside a VM lists the present keys, before and after the cursor', () => {
    const c = ctxAt('vms:\n  a:\n    host: h\n    ba|\n    nics: []\n  b:\n    host: x\n');
    assert.equal(c.kind, 'key');
    assert.deepEqual(c.path, ['vms', 'a']);
    assert.equal(c.word, 'ba');
    assert.deepEqual(c.presentKeys.sort(), ['host', 'nics']);
  });
  test('list items get their index by counting siblings; comments and blank lines are skipped', () => {
    const c = ctxAt('vms:\n  a:\n    nics:\n      # first\n      - network: n1\n\n        ip: 10.0.0.2\n      - network: n2\n        |\n');
    assert.deepEqual([c.kind, c.path, c.presentKeys], ['key', ['vms', 'a', 'nics', 1], ['network']]);
  });
  test('compact sequences (dash at the parent key column)', () => {
    const c = ctxAt('vms:\n  a:\n    nics:\n    - network: n1\n    - network: |\n');
    assert.deepEqual([c.kind, c.path], ['value', ['vms', 'a', 'nics', 1, 'network']]);
  });
  test('a key on the dash line', () => {
    const c = ctxAt('vms:\n  a:\n    nics:\n      - net|\n');
    assert.deepEqual([c.kind, c.path, c.afterDash, c.word], ['key', ['vms', 'a', 'nics', 0], true, 'net']);
  });
  test('flow map on one line: value and key positions', () => {
    assert.deepEqual(ctxAt('vms:\n  a:\n    nics: [{ network: n1, ip: |}]\n').path, ['vms', 'a', 'nics', 0, 'ip']);
    const k = ctxAt('slots:\n  s1: { host: h, n| }\n');
    assert.deepEqual([k.kind, k.path, k.presentKeys, k.flow], ['key', ['slots', 's1'], ['host'], true]);
  });
  test('flow sequence items count commas', () => {
    assert.deepEqual(ctxAt('links:\n  l: { endpoints: [a, |] }\n').path, ['links', 'l', 'endpoints', 1]);
  });
  test('comments and block scalars are no completion positions', () => {
    assert.equal(ctxAt('vms: # a comm|ent\n').kind, 'none');
    assert.equal(ctxAt('description: >\n  some te|xt\n').kind, 'none');
  });
  test('after a block scalar ends, keys work again', () => {
    const c = ctxAt('description: >\n  text\n|\n');
    assert.deepEqual([c.kind, c.path, c.presentKeys], ['key', [], ['description']]);
  });
  test('invalid documents still give a context', () => {
    const c = ctxAt('version: 1\nhosts:\n  h: [unclosed\nvms:\n  a:\n    host: |\n');
    assert.deepEqual([c.kind, c.path], ['value', ['vms', 'a', 'host']]);
  });
  test('quoted keys and `key:` directly before the cursor', () => {
    const c = ctxAt('vms:\n  "a":\n    host:|\n');
    assert.deepEqual([c.kind, c.path, c.needsSpace], ['value', ['vms', 'a', 'host'], true]);
  });
});

describe('completion', () => {
  test('top-level keys minus those present, required first', () => {
    const { items } = itemsAt('version: 1\n|\n');
    assert.ok(!items.some((i) => i.label === 'version'));
    const hosts = items.find((i) => i.label === 'hosts');
    assert.equal(hosts?.kind, 'key');
    assert.match(hosts?.detail ?? '', /^required/);
    assert.equal(hosts?.insertText, 'hosts:\n  $0');
    assert.match(hosts?.documentation ?? '', /Hypervisor hosts/);
  });
  test('keys of a VM minus those present, with enum choices in the snippet', () => {
    const { items } = itemsAt(mutate(['    vcpus: 2\n', '    vcpus: 2\n    |\n']));
    const l = items.map((i) => i.label);
    assert.ok(l.includes('arch') && l.includes('memory') && l.includes('slot'));
    assert.ok(!l.includes('host') && !l.includes('vcpus') && !l.includes('nics'));
    assert.equal(items.find((i) => i.label === 'arch')?.insertText, 'arch: ${1|x86_64,aarch64|}');
    assert.equal(items.find((i) => i.label === 'disks')?.insertText, 'disks:\n  - $0');
  });
  test('keys of a NIC list item', () => {
    assert.deepEqual(labels(mutate(['        tap: tap-a\n', '        tap: tap-a\n      - network: lan\n        |\n'])).sort(), ['ip', 'mac', 'model', 'tap']);
  });
  test('enum values and booleans', () => {
    assert.deepEqual(labels('vms:\n  a:\n    backend: |\n'), ['libvirt', 'microvm', 'qemu', 'cloud-hypervisor']);
    assert.deepEqual(labels('hosts:\n  h:\n    kvm: |\n'), ['true', 'false']);
    assert.deepEqual(labels('|version: 1').slice(0, 0), []);
    assert.deepEqual(labels('version: |\n'), ['1']);
  });
  test('after `network: ` in a NIC: the networks of the file, same host first', () => {
    const { items } = itemsAt(mutate(['      - network: slotnet\n', '      - network: |\n']));
    assert.deepEqual(items.map((i) => i.label).sort(), ['lan', 'slotnet']);
    const sorted = [...items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.equal(sorted[0]?.label, 'slotnet'); // VM m is on hv2 like slotnet
    assert.equal(items[0]?.kind, 'reference');
    assert.match(items.find((i) => i.label === 'lan')?.detail ?? '', /network 192\.168\.1\.0\/24 on hv1/);
  });
  test('references: hosts, slots, states, profiles, link endpoints, profile targets', () => {
    assert.deepEqual(labels('hosts:\n  h1: {address: a}\n  h2: {address: b}\nvms:\n  v:\n    host: h|\n'), ['h1', 'h2']);
    assert.deepEqual(labels(mutate(['    slot: s1\n', '    slot: |\n'])), ['s1']);
    assert.deepEqual(labels(mutate(['state: st1 }', 'state: | }'])), ['st1']);
    assert.deepEqual(labels(mutate(['profile: slow }', 'profile: |}'])), ['slow']);
    assert.deepEqual(labels(mutate(['endpoints: [a, b]', 'endpoints: [a, |]'])), ['a', 'b', 'm']);
    assert.deepEqual(labels(mutate(['targets: [a, ab]', 'targets: [a, |]'])), ['a', 'b', 'm', 'ab']);
  });
  test('a scalar list item after `- ` completes values (profile targets)', () => {
    assert.deepEqual(labels(mutate(['  slow: { rate: 10mbit, delay: 50ms, jitter: 5ms, targets: [a, ab] }', '  slow:\n    targets:\n      - |'])), ['a', 'b', 'm', 'ab']);
  });
  test('reference keys: layout positions and profile overrides offer names not yet present', () => {
    assert.deepEqual(labels(mutate(['    a: { x: 0, y: 0 }', '    a: { x: 0, y: 0 }\n    |'])), ['b', 'm']);
  });
  test('flow map keys minus present ones', () => {
    assert.deepEqual(labels(mutate(['  st1: { host: hv2 }', '  st1: { host: hv2, | }'])), ['description']);
  });
  test('`ip: ` offers the next free IP of the NIC\'s network', () => {
    const { items } = itemsAt(mutate(['        ip: 192.168.1.11\n', '        ip: |\n']));
    assert.deepEqual(items.map((i) => [i.label, i.detail]), [['192.168.1.2', 'next free IP in 192.168.1.0/24']]);
  });
  test('`mac: ` offers an unused locally administered MAC, quoted', () => {
    const { items } = itemsAt(mutate(['        mac: "52:54:00:00:00:02"\n', '        mac: |\n']));
    assert.match(items[0]?.insertText ?? '', /^"02(:[0-9a-f]{2}){5}"$/);
  });
  test('a section map offers a new-item snippet with its required keys', () => {
    const { items } = itemsAt('hosts:\n  h1: {address: a}\nvms:\n  |\n');
    const s = items.find((i) => i.kind === 'snippet');
    assert.equal(s?.label, 'new VM');
    assert.equal(s?.insertText, '${1:vm-name}:\n  host: ${2|h1|}\n  backend: ${3|libvirt,microvm,qemu,cloud-hypervisor|}\n  $0');
  });
  test('`key:` right before the cursor inserts a space first', () => {
    const { items } = itemsAt('vms:\n  a:\n    accel:|\n');
    assert.deepEqual(items.map((i) => i.insertText), [' kvm', ' tcg']);
  });
  test('the replaced range is the whole word under the cursor', () => {
    const { text, items } = itemsAt('vms:\n  a:\n    backend: li|bvirt\n');
    assert.equal(text.slice(items[0]!.start, items[0]!.end), 'libvirt');
  });
  test('nothing inside comments', () => assert.deepEqual(labels('# hosts|\n'), []));
  test('renaming a key that already has `: value` inserts the name only', () => {
    const { text, items } = itemsAt('vms:\n  a:\n    ar|ch: x86_64\n');
    const arch = items.find((i) => i.label === 'arch');
    assert.equal(arch?.insertText, 'arch');
    assert.equal(text.slice(arch!.start, arch!.end), 'arch');
  });
  test('CRLF line endings', () => {
    const { items, offset } = itemsAt('version: 1\r\nhosts:\r\n  h1: { address: a }\r\nvms:\r\n  a:\r\n    host: |\r\n');
    assert.deepEqual(items.map((i) => [i.label, i.start, i.end]), [['h1', offset, offset]]);
  });
});

describe('hover', () => {
  test('a key shows its schema description, type, default and examples', () => {
    const { text, offset } = cursor(mutate(['    vcpus: 2', '    vc|pus: 2']));
    const h = hover(text, offset);
    assert.ok(h);
    assert.match(h.markdown, /\*\*`vcpus`\*\* — integer 1–512/);
    assert.match(h.markdown, /Number of virtual CPUs\./);
    assert.match(h.markdown, /Default: `1`/);
    assert.equal(text.slice(h.start, h.end), 'vcpus');
  });
  test('an enum key lists its values', () => {
    const { text, offset } = cursor(mutate(['backend: libvirt', 'back|end: libvirt']));
    assert.match(hover(text, offset)?.markdown ?? '', /`libvirt` \| `microvm` \| `qemu` \| `cloud-hypervisor`/);
  });
  test('a `$ref` property keeps its own description', () => {
    const { text, offset } = cursor(mutate(['    subnet: 10.1.0.0/24', '    sub|net: 10.1.0.0/24']));
    const md = hover(text, offset)?.markdown ?? '';
    assert.match(md, /IPv4 subnet of the network/);
    assert.match(md, /Examples: `192\.168\.100\.0\/24`/);
  });
  test('a network reference summarises the network: host, subnet, gateway, VMs on it', () => {
    const { text, offset } = cursor(mutate(['      - network: lan\n        mac: "52:54:00:00:00:02"', '      - network: l|an\n        mac: "52:54:00:00:00:02"']));
    const md = hover(text, offset)?.markdown ?? '';
    assert.match(md, /\*\*network `lan`\*\*/);
    assert.match(md, /host: `hv1`/);
    assert.match(md, /subnet: 192\.168\.1\.0\/24/);
    assert.match(md, /gateway: 192\.168\.1\.1/);
    assert.match(md, /dhcp: 192\.168\.1\.100–192\.168\.1\.200/);
    assert.match(md, /VMs: `a` 192\.168\.1\.10, `b` 192\.168\.1\.11/);
  });
  test('a VM reference (link endpoint) summarises the VM: host, backend, arch, IPs', () => {
    const { text, offset } = cursor(mutate(['endpoints: [a, b]', 'endpoints: [a, |b]']));
    const md = hover(text, offset)?.markdown ?? '';
    assert.match(md, /\*\*VM `b`\*\*/);
    assert.match(md, /host: `hv1`/);
    assert.match(md, /backend: qemu/);
    assert.match(md, /arch: x86_64 \/ kvm/);
    assert.match(md, /NICs: `lan` 192\.168\.1\.11 52:54:00:00:00:02/);
  });
  test('a missing reference says so', () => {
    const { text, offset } = cursor(mutate(['profile: slow }', 'profile: sl|wo }']));
    assert.equal(hover(text, offset)?.markdown, 'No profile named `slwo` in this file.');
  });
  test('an item name shows its summary', () => {
    const { text, offset } = cursor(mutate(['  s1: { host', '  s|1: { host']));
    const md = hover(text, offset)?.markdown ?? '';
    assert.match(md, /\*\*slot `s1`\*\*/);
    assert.match(md, /VM: `m`/);
  });
  test('nothing on blank space', () => {
    const { text, offset } = cursor(mutate(['networks:\n', 'networks:\n|\n']));
    assert.equal(hover(text, offset), undefined);
  });
});

describe('definition', () => {
  const def = (src: string) => {
    const { text, offset } = cursor(src);
    const d = definition(text, offset);
    return d && { name: text.slice(d.start, d.end), line: analyze(text).parsed.lines.position(d.start).line };
  };
  test('a NIC network goes to the network key', () => {
    assert.deepEqual(def(mutate(['      - network: slotnet', '      - network: slot|net'])), { name: 'slotnet', line: 15 });
  });
  test('host, slot, state, profile, endpoints, targets and layout keys', () => {
    assert.deepEqual(def(mutate(['  m:\n    host: hv2', '  m:\n    host: |hv2']))?.line, 6);
    assert.deepEqual(def(mutate(['    slot: s1', '    slot: s1|']))?.name, 's1');
    assert.deepEqual(def(mutate(['state: st1 }', 'state: st|1 }']))?.name, 'st1');
    assert.deepEqual(def(mutate(['profile: slow }', 'profile: s|low }']))?.line, 50);
    assert.deepEqual(def(mutate(['endpoints: [a, b]', 'endpoints: [a, b|]']))?.line, 28);
    assert.deepEqual(def(mutate(['targets: [a, ab]', 'targets: [a, a|b]']))?.line, 52);
    assert.deepEqual(def(mutate(['    a: { x: 0, y: 0 }', '    |a: { x: 0, y: 0 }']))?.line, 19);
  });
  test('not on non-references or missing names', () => {
    assert.equal(def(mutate(['backend: libvirt', 'backend: lib|virt'])), undefined);
    assert.equal(def(mutate(['profile: slow }', 'profile: sl|wo }'])), undefined);
  });
});

describe('symbols', () => {
  test('sections → items with details and ranges', () => {
    const syms = symbols(BASE);
    assert.deepEqual(syms.map((s) => s.name), ['version', 'name', 'hosts', 'networks', 'vms', 'slots', 'states', 'profiles', 'links', 'layout']);
    const vms = syms.find((s) => s.name === 'vms')!;
    assert.equal(vms.kind, 'section');
    assert.deepEqual(vms.children.map((c) => [c.name, c.kind, c.detail]), [['a', 'vms', 'libvirt on hv1'], ['b', 'vms', 'qemu on hv1'], ['m', 'vms', 'microvm on hv2']]);
    const a = vms.children[0]!;
    assert.equal(BASE.slice(a.selectionStart, a.selectionEnd), 'a');
    assert.match(BASE.slice(a.start, a.end), /^a:\n    host: hv1[\s\S]*tap: tap-a$/);
    assert.equal(syms.find((s) => s.name === 'networks')?.children[0]?.detail, '192.168.1.0/24 on hv1');
  });
  test('an empty or broken file gives no symbols and no exception', () => {
    assert.deepEqual(symbols(''), []);
    assert.doesNotThrow(() => symbols('vms: [\n  - :'));
  });
});

describe('quick fixes', () => {
  const problemOf = (text: string, code: string) => {
    const p = analyze(text).problems.find((x) => x.code === code);
    assert.ok(p, `no ${code}`);
    return p;
  };
  test('replace-reference: "Change to `X`", preferred when it is the only candidate', () => {
    const text = mutate(['profile: slow }', 'profile: slwo }']);
    const fixes = quickFixes(text, problemOf(text, 'unknown-reference'));
    assert.deepEqual(fixes.map((f) => [f.title, f.isPreferred]), [['Change to `slow`', true]]);
    const fixed = apply(text, fixes[0]!.edits);
    assert.equal(fixed, BASE);
    assert.ok(analyze(fixed).ok);
  });
  test('replace-reference with several candidates: one action each, none preferred', () => {
    const text = mutate(['  slotnet:\n', '  lan2: { host: hv1 }\n  slotnet:\n'], ['      - network: lan\n        mac: "52:54:00:00:00:01"', '      - network: lan3\n        mac: "52:54:00:00:00:01"']);
    const fixes = quickFixes(text, problemOf(text, 'unknown-reference'));
    assert.deepEqual(fixes.map((f) => [f.title, f.isPreferred]), [['Change to `lan`', false], ['Change to `lan2`', false]]);
  });
  test('next-free-ip: first address not used by NICs, slots or the gateway, outside the DHCP range', () => {
    const text = mutate(['ip: 192.168.1.11', 'ip: 192.168.1.10'], ['  m:\n', '  c:\n    host: hv1\n    backend: libvirt\n    nics: [{ network: lan, ip: 192.168.1.2 }]\n  m:\n']);
    const fixes = quickFixes(text, problemOf(text, 'duplicate-ip'));
    assert.deepEqual(fixes.map((f) => f.title), ['Use next free IP in 192.168.1.0/24 (192.168.1.3)']);
    const fixed = apply(text, fixes[0]!.edits);
    assert.match(fixed, /ip: 192\.168\.1\.3\n        tap: tap-b/);
    assert.ok(analyze(fixed).ok);
  });
  test('next-free-ip skips the DHCP range when the addresses before it are taken', () => {
    const text = 'version: 1\nhosts:\n  h: { address: x }\nnetworks:\n  n: { host: h, subnet: 10.0.0.0/29, gateway: 10.0.0.1, dhcp: { start: 10.0.0.3, end: 10.0.0.5 } }\n' +
      'vms:\n  a: { host: h, backend: libvirt, nics: [{ network: n, ip: 10.0.0.2 }] }\n  b: { host: h, backend: libvirt, nics: [{ network: n, ip: 10.0.0.2 }] }\n';
    const fixes = quickFixes(text, problemOf(text, 'duplicate-ip'));
    assert.equal(fixes[0]?.title, 'Use next free IP in 10.0.0.0/29 (10.0.0.6)');
  });
  test('next-free-ip falls back into the DHCP range when nothing else is left', () => {
    const text = 'version: 1\nhosts:\n  h: { address: x }\nnetworks:\n  n: { host: h, subnet: 10.0.0.0/30, dhcp: { start: 10.0.0.1, end: 10.0.0.2 } }\n' +
      'vms:\n  a: { host: h, backend: libvirt, nics: [{ network: n, ip: 10.0.0.1 }] }\n  b: { host: h, backend: libvirt, nics: [{ network: n, ip: 10.0.0.1 }] }\n';
    assert.equal(quickFixes(text, problemOf(text, 'duplicate-ip'))[0]?.title, 'Use next free IP in 10.0.0.0/30 (10.0.0.2)');
  });
  test('generate-mac: deterministic with an injected RNG, locally administered, keeps quoting', () => {
    const text = mutate(['mac: "52:54:00:00:00:02"', 'mac: "52:54:00:00:00:01"']);
    const p = problemOf(text, 'duplicate-mac');
    const a = quickFixes(text, p, { random: prng(1) });
    const b = quickFixes(text, p, { random: prng(1) });
    assert.deepEqual(a, b);
    assert.match(a[0]?.title ?? '', /^Generate a locally administered MAC \(02(:[0-9a-f]{2}){5}\)$/);
    const fixed = apply(text, a[0]!.edits);
    assert.match(fixed, /mac: "02(:[0-9a-f]{2}){5}"\n        ip: 192\.168\.1\.11/);
    assert.ok(analyze(fixed).ok);
  });
  test('generate-mac never returns a MAC already in the file', () => {
    // An RNG that first yields the slot's MAC 02:00:00:01:00:01, then something else.
    const seq = [0, 0, 1, 0, 1].map((x) => x / 256);
    let i = 0;
    const random = () => (i < seq.length ? seq[i++]! : 0.5);
    const text = mutate(['mac: "52:54:00:00:00:02"', 'mac: "52:54:00:00:00:01"']);
    const fix = quickFixes(text, problemOf(text, 'duplicate-mac'), { random })[0]!;
    assert.equal(fix.edits[0]?.newText, '"02:80:80:80:80:80"');
  });
  test('problems without fix data give no fixes', () => {
    const text = mutate(['tap: tap-b', 'tap: tap-a']);
    assert.deepEqual(quickFixes(text, problemOf(text, 'duplicate-interface')), []);
  });
});

describe('robustness', () => {
  test('every IntelliSense function at every offset of a half-typed file never throws', () => {
    const texts = [BASE.slice(0, 700), 'vms:\n  a: {host: [\n', '- - - :\n  ? x\n', 'a: |\n  b\n c: {d: [e, {f: g}]}\n', '\u0000\u0001'];
    for (const t of texts) {
      for (let o = 0; o <= t.length; o++) {
        assert.doesNotThrow(() => {
          complete(t, o);
          hover(t, o);
          definition(t, o);
        }, `${JSON.stringify(t)} @ ${o}`);
      }
      assert.doesNotThrow(() => symbols(t));
    }
  });
  test('fuzz: completion at random offsets of random YAML-ish text', () => {
    const rnd = prng(99);
    const atoms = ['vms:', '\n', '  ', '- ', 'host: ', 'nics: [', '{', '}', ']', ', ', 'network: ', '#', '"', 'a', '|', '>'];
    for (let i = 0; i < 200; i++) {
      let t = '';
      const n = Math.floor(rnd() * 40);
      for (let j = 0; j < n; j++) t += atoms[Math.floor(rnd() * atoms.length)];
      const o = Math.floor(rnd() * (t.length + 1));
      assert.doesNotThrow(() => complete(t, o), `${JSON.stringify(t)} @ ${o}`);
    }
  });
});
