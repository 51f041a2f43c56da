// OpenSSH Include in ~/.ssh/config: spliced in place, globs sorted, relative to ~/.ssh, loops and
// missing files harmless; a host defined in an included file resolves like one in the main file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expandIncludes, MAX_INCLUDE_DEPTH, type IncludeFs } from '../../../src/remote/sshConfigInclude';
import { resolveSshDestination } from '../../../src/remote/sshConfig';

const REPO = path.join(__dirname, '..', '..', '..');

test('Include: globs in sorted order, relative to ~/.ssh, ~ and absolute paths, nested, quoted', () => {
  mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
  const home = mkdtempSync(path.join(REPO, '.sandbox', 'test-include-'));
  try {
    const ssh = path.join(home, '.ssh');
    mkdirSync(path.join(ssh, 'config.d'), { recursive: true });
    writeFileSync(path.join(ssh, 'config.d', '20-lab'), 'Host hv-lab\n  HostName 192.0.2.20\n  User root\n  Include nested\n');
    writeFileSync(path.join(ssh, 'config.d', '10-bastion'), 'Host bastion\n  HostName 192.0.2.10\n');
    writeFileSync(path.join(ssh, 'config.d', '.hidden'), 'Host hidden\n');
    writeFileSync(path.join(ssh, 'nested'), '  Port 2202\n');
    writeFileSync(path.join(home, 'other config'), 'Host other\n  HostName 192.0.2.30\n');
    const main = 'Include config.d/*\nInclude "~/other config" /nonexistent/file\n\nHost *\n  ServerAliveInterval 15\n';
    const out = expandIncludes(main, { home });
    const hosts = [...out.matchAll(/^Host (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(hosts, ['bastion', 'hv-lab', 'other', '*'], 'sorted glob matches, dotfiles skipped, then the quoted path; missing file ignored');
    const ep = resolveSshDestination('hv-lab', out, { home, localUser: 'me' });
    assert.equal(ep.host, '192.0.2.20');
    assert.equal(ep.port, 2202, 'nested Include inside the Host block applies to it');
    assert.equal(ep.user, 'root');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('Include: a loop stops, depth is limited, comments are left alone, Include= form', () => {
  const files: Record<string, string> = { '/h/.ssh/a': 'Include b\nHost a\n', '/h/.ssh/b': 'Include a\nHost b\n' };
  const fs: IncludeFs = { read: (f) => files[f], list: () => undefined };
  const out = expandIncludes('Include=a\n# Include b\n', { home: '/h', fs });
  assert.equal([...out.matchAll(/^Host (\S+)/gm)].map((m) => m[1]).join(','), 'b,a');
  assert.match(out, /^# Include b$/m);
  // A chain deeper than ssh(1) allows is cut with a note instead of recursing on.
  const chain: Record<string, string> = {};
  for (let i = 0; i < 20; i++) chain[`/h/.ssh/f${i}`] = `Include f${i + 1}\nHost h${i}\n`;
  const deep = expandIncludes('Include f0\n', { home: '/h', fs: { read: (f) => chain[f], list: () => undefined } });
  assert.match(deep, new RegExp(`Include too deeply nested \\(more than ${MAX_INCLUDE_DEPTH} levels\\)`));
  assert.equal((deep.match(/^Host /gm) ?? []).length, MAX_INCLUDE_DEPTH);
});
