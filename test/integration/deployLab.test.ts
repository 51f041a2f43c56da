// vsim.deployLab in the real VS Code against the sandbox: a topology in a checkout of its own (a git
// repository with a flake.nix next to the file, as seed 002's is) naming vsim-hv1 and vsim-hv3; the
// command finds the checkout, asks once with each host's nixos-rebuild line, runs them all at once
// on this machine and returns each host's outcome and the progress it went through. nixos-rebuild
// is the sandbox's STAND-IN (test/sandbox/stand-ins/nixos-rebuild: REAL `nix build` of
// nixosConfigurations.<host>.config.system.build.toplevel, REAL ssh to the target running that
// build's bin/switch-to-configuration), put first on PATH through vsim.nix.environment, with the
// sandbox's ssh config in NIX_SSHOPTS. Each configuration's activation writes a marker on its
// target, read back over OpenSSH. A host the checkout has no configuration for fails alone.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HostDeployResult } from '../../src/build/deployLab';
import type { VsimApi } from '../../src/extension';
import { buildCommand } from '../../src/remote/quote';
import { deployFlake } from '../fixtures/deployFlake';
import { sandboxApi, sandboxSsh, waitFor, workspaceUri } from './util';

const HOSTS = ['vsim-hv1', 'vsim-hv3'] as const;
const DIR = 'it-deploy-lab';
const MARKS = '/run/vsim-sandbox/it-deploy-lab/marks';

const topology = (hosts: readonly string[]): string => `# Deploy Lab's integration test (test/integration/deployLab.test.ts).
version: 1
name: it-deploy
hosts:
${hosts.map((h) => `  ${h}: { sshConfigHost: ${h}, kvm: false }\n`).join('')}`;

(vscode.workspace.isTrusted ? describe : describe.skip)('lab across hosts: Deploy Lab (vsim.deployLab), nixos-rebuild --target-host for every host from the local checkout', function () {
  this.timeout(240_000);
  let api: VsimApi;
  let sshConfig: string;
  let sandboxDir: string;
  let checkout: vscode.Uri;
  let uri: vscode.Uri;
  const saved: Record<string, unknown> = {};

  const ssh = sandboxSsh;
  const mark = async (host: string): Promise<string> => (await ssh(host, 'sh', '-c', `cat ${MARKS}/${host} 2>/dev/null; true`)).stdout.trim();

  /** Writes the checkout's flake (committed to its git index, as nix reads a flake in git) and the topology next to it; waits for the lab. */
  async function writeCheckout(flakeHosts: readonly string[], fileHosts: readonly string[]): Promise<void> {
    writeFileSync(path.join(checkout.fsPath, 'flake.nix'), deployFlake({ hosts: flakeHosts, marks: MARKS, name: 'vsim-it-deploy' }));
    const add = spawnSync('git', ['-C', checkout.fsPath, 'add', 'flake.nix'], { encoding: 'utf8' });
    assert.equal(add.status, 0, `git add: ${add.stderr}`);
    const text = topology(fileHosts);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    await waitFor('the lab with its hosts', () => {
      const e = api.labs.get(uri);
      return e?.lab && !e.errors && Object.keys(e.lab.current.hosts).join() === fileHosts.join() ? e : undefined;
    }, 30_000);
  }

  async function deploy(): Promise<{ asked: { message: string; lines: string[] } | undefined; results: HostDeployResult[] }> {
    let asked: { message: string; lines: string[] } | undefined;
    const results = (await vscode.commands.executeCommand('vsim.deployLab', { kind: 'file', uri }, undefined, {
      confirm: (c: { message: string; lines: string[] }) => { asked = c; return true; },
    })) as HostDeployResult[];
    console.log('      Deploy confirmation: %s\n        %s', asked?.message, asked?.lines.join('\n        '));
    for (const r of results ?? []) console.log('      %s: %s (exit %s) in %d ms; progress %s%s', r.host, r.status, r.code, r.durationMs, JSON.stringify(r.progress), r.message ? `; ${r.message}` : '');
    return { asked, results };
  }

  before(async function () {
    api = await sandboxApi(this);
    sshConfig = vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile')!;
    sandboxDir = path.resolve(path.dirname(sshConfig), '..');
    const env = JSON.parse(readFileSync(path.join(sandboxDir, 'env.json'), 'utf8')) as { fabricHosts?: Record<string, unknown> };
    if (!env.fabricHosts?.['vsim-hv3']) {
      console.log('      skipped: the sandbox has no third host vsim-hv3 (restart it with this test/sandbox/sandbox.sh)');
      this.skip();
    }
    // The stand-in first on PATH, the sandbox's ssh config for nixos-rebuild's ssh, its nix settings.
    const work = path.join(sandboxDir, 'it-deploy-lab');
    const bin = path.join(work, 'bin');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(bin, { recursive: true });
    mkdirSync(path.join(sandboxDir, 'tmp'), { recursive: true });
    const standIn = path.resolve(sandboxDir, '..', 'test/sandbox/stand-ins/nixos-rebuild');
    assert.ok(existsSync(standIn), standIn);
    symlinkSync(standIn, path.join(bin, 'nixos-rebuild'));
    const c = vscode.workspace.getConfiguration('vsim');
    for (const k of ['nix.environment', 'nix.config']) saved[k] = c.inspect(k)?.globalValue;
    await c.update('nix.environment', {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      NIX_SSHOPTS: `-F ${sshConfig}`,
      NIX_CONF_DIR: path.join(sandboxDir, 'nix'),
      TMPDIR: path.join(sandboxDir, 'tmp'),
    }, vscode.ConfigurationTarget.Global);
    await c.update('nix.config', undefined, vscode.ConfigurationTarget.Global);
    for (const h of HOSTS) await ssh(h, 'rm', '-rf', MARKS);
    // The checkout: a workspace folder of its own git repository, the topology beside its flake.nix.
    checkout = workspaceUri(DIR);
    rmSync(checkout.fsPath, { recursive: true, force: true });
    mkdirSync(checkout.fsPath, { recursive: true });
    const init = spawnSync('git', ['-C', checkout.fsPath, 'init', '-q'], { encoding: 'utf8' });
    assert.equal(init.status, 0, `git init: ${init.stderr}`);
    uri = vscode.Uri.joinPath(checkout, 'it-deploy.vsim.yaml');
  });

  after(async () => {
    if (!checkout) return;
    const c = vscode.workspace.getConfiguration('vsim');
    for (const [k, v] of Object.entries(saved)) await c.update(k, v, vscode.ConfigurationTarget.Global);
    rmSync(checkout.fsPath, { recursive: true, force: true });
    rmSync(path.join(sandboxDir, 'it-deploy-lab'), { recursive: true, force: true });
    for (const h of HOSTS) await ssh(h, 'rm', '-rf', MARKS);
  });

  it('one confirmation with each host\'s nixos-rebuild line; both hosts deploy at once, each with its own progress from nix\'s log, each activating its own configuration on itself', async () => {
    await writeCheckout(HOSTS, HOSTS);
    const { asked, results } = await deploy();
    assert.ok(asked, 'asked once');
    assert.match(asked.message, /^Deploy it-deploy: nixos-rebuild switch on 2 hosts from /);
    assert.deepEqual(asked.lines, HOSTS.map((h) => `${h}: ${buildCommand(['nixos-rebuild', 'switch', '--flake', `${checkout.fsPath}#${h}`, '--target-host', `root@${h}`, '--log-format', 'internal-json', '-v'])}`));
    assert.deepEqual(results.map((r) => [r.host, r.status, r.code, r.message]), HOSTS.map((h) => [h, 'succeeded', 0, undefined]));
    assert.deepEqual(results.map((r) => `${r.host}: ${r.command}`), asked.lines, 'the line run on each host is the line shown');
    for (const r of results) {
      assert.ok(r.progress.some((p) => /built/.test(p)), `${r.host}'s progress from nix's log: ${JSON.stringify(r.progress)}`);
      const [conf, action, , ns] = (await mark(r.host)).split(' ');
      const hostNs = (await ssh(r.host, 'readlink', '/proc/self/ns/net')).stdout.trim();
      assert.deepEqual([conf, action, ns], [r.host, 'switch', hostNs], `${r.host} activated nixosConfigurations.${r.host} in its own namespace (OpenSSH)`);
    }
  });

  it('a host the checkout has no configuration for fails alone, naming the host and nix\'s words; the others deploy', async () => {
    for (const h of [...HOSTS, 'vsim-hv2']) await ssh(h, 'rm', '-rf', MARKS);
    await writeCheckout(HOSTS, [...HOSTS, 'vsim-hv2']);
    const { asked, results } = await deploy();
    assert.equal(asked?.lines.length, 3);
    assert.deepEqual(results.map((r) => [r.host, r.status]), [['vsim-hv1', 'succeeded'], ['vsim-hv3', 'succeeded'], ['vsim-hv2', 'failed']]);
    assert.match(results[2]!.message ?? '', /^vsim-hv2 \(root@vsim-hv2\): nixos-rebuild exited with 1: .*does not provide attribute/, results[2]!.message);
    assert.equal(await mark('vsim-hv2'), '', 'nothing activated on vsim-hv2');
    for (const h of HOSTS) assert.match(await mark(h), new RegExp(`^${h} switch `), `${h} deployed`);
  });
});
