// Real names on libvirt: a VM key may have dots and capitals, and `domain` maps a key to a domain
// of another name. Every virsh call names the domain, listings come back under the key, and the
// names pass the real programs (sh for the inspect script, virsh's test driver for the XML).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLibvirtBackend } from '../../../src/backends/libvirt/backend';
import { createLibvirtProvisioner } from '../../../src/backends/libvirt/provisioner';
import { renderDomainXml } from '../../../src/backends/libvirt/renderDomainXml';
import { domainUuid } from '../../../src/backends/libvirt/renderUuid';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner } from '../fakes/runner';

const topo: Topology = {
  version: 1,
  hosts: { hv: { address: 'x' } },
  vms: {
    gateway: { host: 'hv', backend: 'libvirt', domain: 'edge.Gateway', memory: 128 },
    'gamma.with.dots': { host: 'hv', backend: 'libvirt' },
    UPPER_case: { host: 'hv', backend: 'libvirt' },
  },
};
const KEYS = ['gateway', 'gamma.with.dots', 'UPPER_case'];

const DOMSTATS = [
  "Domain: 'edge.Gateway'", '  state.state=1', '  state.reason=1', '',
  "Domain: 'gamma.with.dots'", '  state.state=5', '  state.reason=1', '',
  "Domain: 'UPPER_case'", '  state.state=3', '  state.reason=1', '',
  "Domain: 'gateway'", '  state.state=5', '  state.reason=0', '',
].join('\n');

test('list: domains come back under their VM keys; a domain the file names through `domain` is not undeclared', async () => {
  const run = fakeRunner(() => ({ stdout: DOMSTATS }));
  const l = await createLibvirtBackend().list(ctxFor(topo, 'hv', run), KEYS);
  assert.deepEqual(l.vms.gateway, { state: 'running', detail: 'running' });
  assert.equal(l.vms['gamma.with.dots']?.state, 'stopped');
  assert.equal(l.vms.UPPER_case?.state, 'paused');
  // A domain named like the key but not the one the key maps to: on the host, not in the file.
  assert.deepEqual(l.undeclared.map((u) => u.name), ['gateway']);
  const none = await createLibvirtBackend().list(ctxFor(topo, 'hv', fakeRunner(() => ({ stdout: '' }))), ['gateway']);
  assert.deepEqual(none.vms.gateway, { state: 'missing', detail: 'no libvirt domain edge.Gateway on hv' });
});

test('lifecycle, shutdown wait, console, snapshots and save name the domain, as one argv word each', async () => {
  const run = fakeRunner((argv) => (argv.includes('domstate') ? { stdout: 'shut off (shutdown)\n' } : argv.includes('snapshot-list') ? { stdout: 's1\n' } : {}));
  const b = createLibvirtBackend({ shutdownPollMs: 1 });
  const ctx = ctxFor(topo, 'hv', run);
  for (const op of ['start', 'shutdown', 'destroy'] as const) await b.lifecycle(ctx, 'gateway', op);
  await b.lifecycle(ctx, 'gamma.with.dots', 'start');
  assert.deepEqual(b.console!(ctx, 'gateway').argv.at(-1), 'edge.Gateway');
  assert.deepEqual(await b.snapshots!.list(ctx, 'gateway'), ['s1']);
  await b.snapshots!.create(ctx, 'gateway', 'before', { running: true });
  await b.save!.save(ctx, 'UPPER_case', '/var/lib/libvirt/qemu/save/UPPER_case.save');
  assert.deepEqual(run.calls.map((c) => c.slice(3).join(' ')), [
    'start edge.Gateway', 'shutdown edge.Gateway', 'domstate --reason edge.Gateway', 'destroy edge.Gateway', 'start gamma.with.dots',
    'snapshot-list --domain edge.Gateway --name', 'snapshot-create-as --domain edge.Gateway --name before',
    'save UPPER_case /var/lib/libvirt/qemu/save/UPPER_case.save',
  ]);
  // Snapshot names stay strict; a domain name that is no safe word never reaches a command.
  await assert.rejects(b.snapshots!.create(ctx, 'gateway', 'a.b', { running: true }), /Invalid snapshot name "a\.b"/);
  const bad = { ...topo, vms: { x: { host: 'hv', backend: 'libvirt' as const, domain: 'a b;reboot' } } };
  await assert.rejects(b.lifecycle(ctxFor(bad, 'hv', run), 'x', 'start'), /Invalid domain name "a b;reboot"/);
  assert.equal(run.calls.length, 8, 'nothing ran for the invalid name');
});

test('the domain XML is named (and its UUID seeded) by the domain; libvirt accepts the dotted, capitalised name', { skip: spawnSync('sh', ['-c', 'command -v virsh']).status === 0 ? false : 'virsh not installed' }, () => {
  const xml = renderDomainXml(topo, 'gateway');
  assert.match(xml, /<name>edge\.Gateway<\/name>/);
  assert.match(xml, new RegExp(`<uuid>${domainUuid('edge.Gateway')}</uuid>`));
  const dir = mkdtempSync(join(tmpdir(), 'vsim-names-'));
  try {
    writeFileSync(join(dir, 'g.xml'), xml);
    writeFileSync(join(dir, 'd.xml'), renderDomainXml(topo, 'gamma.with.dots'));
    const out = execFileSync('virsh', ['-q', '-c', 'test:///default', `define ${join(dir, 'g.xml')}; define ${join(dir, 'd.xml')}; list --all --name`], { encoding: 'utf8' });
    assert.match(out, /^edge\.Gateway$/m);
    assert.match(out, /^gamma\.with\.dots$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect: the script (run by sh) asks for the domains and the answer comes back under the VM keys', async () => {
  const dir = join(__dirname, '..', '..', '..', 'test-results', 'fake-virsh-names');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'virsh'), [
    '#!/bin/sh',
    'shift 2',
    'case "$*" in',
    '  "-q list --all --name") printf "edge.Gateway\\nUPPER_case\\n";;',
    '  "domstats --state") printf "Domain: \'edge.Gateway\'\\n  state.state=1\\nDomain: \'UPPER_case\'\\n  state.state=5\\n";;',
    '  *) printf "%s\\n" "$*" > "$(dirname "$0")/cmds"; set -- $*; printf "%s dom edge.Gateway\\n<domain type=\'qemu\'><name>edge.Gateway</name><memory unit=\'KiB\'>131072</memory><vcpu>1</vcpu></domain>\\n" "$2";;',
    'esac',
  ].join('\n'));
  chmodSync(join(dir, 'virsh'), 0o755);
  const run = localRunner({ PATH: `${dir}:${process.env.PATH}` });
  const r = await createLibvirtProvisioner().inspect(ctxFor(topo, 'hv', run), KEYS);
  assert.deepEqual(run.calls[0]?.slice(-3), ['edge.Gateway', 'gamma.with.dots', 'UPPER_case']);
  assert.match(readFileSync(join(dir, 'cmds'), 'utf8'), /dom edge\.Gateway; dumpxml --inactive edge\.Gateway; echo \S+ dom UPPER_case; dumpxml --inactive UPPER_case;/);
  assert.deepEqual(Object.keys(r).sort(), ['UPPER_case', 'gamma.with.dots', 'gateway']);
  assert.equal(r.gateway?.running, true);
  assert.equal(r.gateway?.spec?.memory, '128MiB');
  assert.equal(r['gamma.with.dots']?.exists, false);
  assert.equal(r.UPPER_case?.exists, true);
});

test('deprovision undefines the domain', async () => {
  const run = fakeRunner(() => ({}));
  await createLibvirtProvisioner().deprovision(ctxFor(topo, 'hv', run), 'gateway');
  assert.equal(run.calls[0]?.at(-1), 'edge.Gateway');
});
