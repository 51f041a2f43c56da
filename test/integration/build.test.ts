// "Build image" in the real VS Code against the sandbox: a topology written into the workspace with
// VMs whose image.flake points at nix/examples/tiny-image (default, failing) and the slow test
// flake, on host vsim-hv1; the REAL nix build runs there over the extension's SSH connection.
// The command returns its BuildSummary, so the test asserts the store path, the failing
// derivation, and the cancel (the remote builder is gone afterwards).
import * as assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { CommandRunner } from '../../src/backends/backend';
import type { BuildSummary } from '../../src/commands/build/buildUi';
import type { VsimApi } from '../../src/extension';
import { waitFor, writeWorkspaceFile, figure } from './util';

const HV1 = 'vsim-hv1';

describe('build image on the sandbox', function () {
  this.timeout(180_000);
  let api: VsimApi;
  let repo: string;
  let run: CommandRunner;
  let uri: vscode.Uri;
  const stateDir = (): string => path.join(repo, '.sandbox', 'nix-build');

  before(async function () {
    const cfg = vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile');
    if (!cfg) {
      console.log('      skipped: no sandbox hypervisor (vsim.ssh.configFile is not set; run through npm run test:integration)');
      this.skip();
    }
    repo = path.resolve(path.dirname(cfg!), '..', '..');
    api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
    const c = vscode.workspace.getConfiguration('vsim');
    await c.update('nix.config', ['build-users-group =', 'sandbox = false', 'substituters =', 'experimental-features = nix-command flakes'].join('\n'), vscode.ConfigurationTarget.Global);
    await c.update('nix.environment', { XDG_CACHE_HOME: path.join(stateDir(), 'cache'), TMPDIR: path.join(stateDir(), 'tmp') }, vscode.ConfigurationTarget.Global);
    await c.update('nix.offline', true, vscode.ConfigurationTarget.Global);
    const tiny = `path:${path.join(repo, 'nix/examples/tiny-image')}`;
    uri = await writeWorkspaceFile('build-test.vsim.yaml', [
      'version: 1',
      'name: build-test',
      'hosts:',
      `  ${HV1}: { sshConfigHost: ${HV1}, kvm: false }`,
      'vms:',
      `  tinyimg: { host: ${HV1}, backend: libvirt, accel: tcg, image: { flake: "${tiny}#default" } }`,
      `  tinyfail: { host: ${HV1}, backend: libvirt, accel: tcg, image: { flake: "${tiny}#failing" } }`,
      `  slowimg: { host: ${HV1}, backend: libvirt, accel: tcg, image: { flake: "path:${path.join(repo, 'test/fixtures/slow-flake')}#default" } }`,
      '',
    ].join('\n'));
    await api.labs.ready();
    const entry = await waitFor('build-test lab loaded', () => api.labs.all().find((e) => e.uri.toString() === uri.toString() && e.lab));
    const lab = entry.lab!;
    run = await api.connections.runnerFor(HV1, lab.current.hosts[HV1]!, lab.current);
    await run.exec(['mkdir', '-p', path.join(stateDir(), 'tmp')]);
  });

  after(async () => {
    if (uri) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  const nixEnv = (): string[] => ['env', 'NIX_CONFIG=build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command flakes', `XDG_CACHE_HOME=${path.join(stateDir(), 'cache')}`];

  it('builds tiny-image#default for real and returns the store path; progress was shown', async () => {
    // Remove an earlier output so that the build really runs (no GC root: --no-link).
    const ev = await run.exec([...nixEnv(), 'nix', 'eval', '--raw', `path:${path.join(repo, 'nix/examples/tiny-image')}#default.outPath`]);
    assert.equal(ev.code, 0, ev.stderr);
    await run.exec([...nixEnv(), 'nix', 'store', 'delete', ev.stdout.trim()]);
    const s = (await vscode.commands.executeCommand('vsim.buildImage', 'tinyimg')) as BuildSummary;
    assert.equal(s.status, 'succeeded', JSON.stringify(s));
    assert.deepEqual(s.outPaths, [ev.stdout.trim()]);
    assert.deepEqual([s.built, s.total], [1, 1]);
    assert.ok(s.progressTexts.length > 0, 'the notification showed progress');
    const cat = await run.exec(['cat', `${s.outPaths[0]}/image.txt`]);
    assert.equal(cat.stdout, 'vsim tiny image\n');
    console.log(`      build: ${s.durationMs} ms, progress: ${s.progressTexts.join(' | ')}`);
  });

  it('Export NixOS writes the normalized JSON next to the topology', async () => {
    const r = (await vscode.commands.executeCommand('vsim.exportNixos', uri)) as { path: string; bytes: number };
    assert.ok(r.path.endsWith('/build-test.json'), r.path);
    const j = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(r.path)))) as { version: number; vms: Record<string, { accel: string; memory: number }> };
    assert.equal(j.version, 1);
    assert.deepEqual([j.vms.tinyimg?.accel, j.vms.tinyimg?.memory], ['tcg', 512]);
    await vscode.workspace.fs.delete(vscode.Uri.file(r.path));
  });

  it('a failing build names the failing derivation', async () => {
    const s = (await vscode.commands.executeCommand('vsim.buildImage', 'tinyfail')) as BuildSummary;
    assert.equal(s.status, 'failed');
    assert.equal(s.failedDrv, 'vsim-tiny-image-failing');
    assert.equal(s.message, `build of vsim-tiny-image-failing failed on ${HV1}`);
  });

  it('Cancel stops the remote build: the builder is gone', async () => {
    const builders = async (): Promise<string[]> => (await run.exec(['sh', '-c', 'pgrep -f "$1" || true', 'sh', '[s]leep 86399.25'])).stdout.split('\n').filter(Boolean);
    assert.deepEqual(await builders(), []);
    const p = vscode.commands.executeCommand('vsim.buildImage', 'slowimg') as Thenable<BuildSummary>;
    await waitFor('the slow builder to run on hv1', async () => ((await builders()).length ? true : undefined), 60_000, 100);
    const cancelled = (await vscode.commands.executeCommand('vsim.cancelBuild', 'slowimg')) as string[];
    assert.deepEqual(cancelled, ['slowimg']);
    const s = await p;
    assert.equal(s.status, 'cancelled');
    assert.equal(typeof s.cancelLatencyMs, 'number');
    await waitFor('the builder to be gone', async () => ((await builders()).length === 0 ? true : undefined), 5_000, 50);
    figure('build.cancelLatency', s.cancelLatencyMs ?? NaN);
    console.log(`      cancel latency: ${s.cancelLatencyMs} ms`);
  });
});
