// The installed vsim extension is present, activates without error, and contributes its view container.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import { figure } from './util';

const EXTENSION_ID = 'vsim.vsim';

describe('activation', () => {
  it(`extension ${EXTENSION_ID} is installed`, () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found; installed: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
    assert.equal(ext.packageJSON.publisher, 'vsim');
  });

  it('activates without error', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const wasActive = ext.isActive;
    const t0 = performance.now();
    const api = (await ext.activate()) as { activationMs?: number; loadMs?: number } | undefined;
    const ms = performance.now() - t0;
    console.log('      vsim activation: %s ms%s; bundle evaluation %s ms, activate() %s ms', ms.toFixed(1), wasActive ? ' (was already active)' : '',
      api?.loadMs?.toFixed(1) ?? '?', api?.activationMs?.toFixed(1) ?? '?');
    assert.equal(typeof api?.activationMs, 'number', 'activate() returns the vsim API');
    if (api?.loadMs !== undefined) figure('activation.bundleEvaluation', api.loadMs);
    if (api?.activationMs !== undefined) figure('activation.activateCall', api.activationMs);
    assert.equal(ext.isActive, true);
  });

  it('the vsim view container opens and its Labs tree answers', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.vsim');
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as VsimApi;
    const roots = await api.tree.getChildren();
    assert.ok(Array.isArray(roots), 'the Labs tree returns its top nodes');
  });
});
