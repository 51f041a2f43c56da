// OpenSSH Include in ~/.ssh/config: globs sorted, relative to ~/.ssh, hidden files skipped, missing
// files harmless, depth limited; a host defined in an included file resolves like one in the main file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { includeFiles, MAX_INCLUDE_DEPTH, type IncludeFs } from '../../../src/remote/sshConfigInclude';
import { parseSshOptions } from '../../../src/remote/sshConfigParse';
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
    const env = { home, localUser: 'me' };
    assert.deepEqual(includeFiles('config.d/*', env, { read: () => '', list: (d) => (d === path.join(ssh, 'config.d') ? ['20-lab', '10-bastion', '.hidden'] : undefined) }),
      [path.join(ssh, 'config.d', '10-bastion'), path.join(ssh, 'config.d', '20-lab')], 'sorted glob matches, dotfiles skipped');
    const main = 'Include config.d/*\nInclude "~/other config" /nonexistent/file\n\nHost *\n  ServerAliveInterval 15\n';
    const ep = resolveSshDestination('hv-lab', main, env);
    assert.equal(ep.host, '192.0.2.20');
    assert.equal(ep.port, 2202, 'nested Include inside the Host block applies to it');
    assert.equal(ep.user, 'root');
    assert.equal(resolveSshDestination('other', main, env).host, '192.0.2.30', 'quoted path with a space; a missing file is ignored');
    assert.equal(resolveSshDestination('hidden', main, env).host, 'hidden');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('Include: a loop stops at the depth limit, Include= form, commented Include ignored', () => {
  const files: Record<string, string> = { '/h/.ssh/a': 'Port 2001\n', '/h/.ssh/b': 'Port 2002\n' };
  const fs: IncludeFs = { read: (f) => files[f], list: () => undefined };
  const env = { home: '/h', localUser: 'me' };
  assert.equal(parseSshOptions('x', { config: { text: '# Include b\nInclude=a\n', file: 'cfg' }, fs }, env).port, 2001);
  const loop: Record<string, string> = { '/h/.ssh/l': 'Include l\n' };
  assert.throws(() => parseSshOptions('x', { config: { text: 'Include l\n', file: 'cfg' }, fs: { read: (f) => loop[f], list: () => undefined } }, env),
    /Too many recursive configuration includes/);
  const chain: Record<string, string> = {};
  for (let i = 0; i < MAX_INCLUDE_DEPTH; i++) chain[`/h/.ssh/f${i}`] = `Include f${i + 1}\n`;
  chain[`/h/.ssh/f${MAX_INCLUDE_DEPTH - 1}`] = 'Port 2016\n';
  assert.equal(parseSshOptions('x', { config: { text: 'Include f0\n', file: 'cfg' }, fs: { read: (f) => chain[f], list: () => undefined } }, env).port, 2016);
});
