// When vsim activates and what that costs: the workspace holds *.vsim.yaml files, so VS Code activates
// vsim by itself (workspaceContains) — this file never calls activate(); its activation events name
// topology files only; activate() registers stand-ins only and leaves the features bundle (and the
// model bundle) unloaded until a topology document or a view, command or editor needs them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import { figure, waitFor, workspaceUri } from './util';

const EXTENSION_ID = 'vsim.vsim';

interface ActivationApi {
  activationMs: number;
  loadMs?: number;
  featuresAtActivation: boolean;
  modelAtActivation: boolean;
  featuresMs?: number;
  activationSteps?: Record<string, number>;
}

function vsim(): vscode.Extension<ActivationApi | undefined> {
  const ext = vscode.extensions.getExtension<ActivationApi | undefined>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} not found; installed: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
  return ext;
}

describe('activation', () => {
  it(`extension ${EXTENSION_ID} is installed`, () => {
    assert.equal(vsim().packageJSON.publisher, 'vsim');
  });

  it('activates for topology files only: no onLanguage event, workspaceContains *.vsim.yaml', () => {
    const events = vsim().packageJSON.activationEvents as string[];
    assert.deepEqual(events.filter((e) => e.startsWith('onLanguage:')), [], 'every YAML file a user opens would activate vsim');
    assert.ok(events.includes('workspaceContains:**/*.vsim.yaml'), events.join(', '));
  });

  it('is activated by the workspace\'s *.vsim.yaml files without being asked', async () => {
    const ext = vsim();
    // Never ext.activate(): only VS Code's own activation events may start vsim here.
    await waitFor('VS Code to activate vsim (workspaceContains:**/*.vsim.yaml)', () => ext.isActive, 30_000);
    const api = ext.exports;
    assert.equal(typeof api?.activationMs, 'number', 'activate() returns the vsim API');
    console.log('      vsim activate(): %s ms (%s); from the bundle\'s first line to activate() %s ms', api?.activationMs.toFixed(1),
      Object.entries(api?.activationSteps ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '), api?.loadMs?.toFixed(1) ?? '?');
    if (api?.loadMs !== undefined) figure('activation.bundleEvaluation', api.loadMs);
    if (api) figure('activation.activateCall', api.activationMs);
  });

  it('activate() leaves the features and the model unloaded; the first topology document loads them', async () => {
    const api = vsim().exports;
    assert.ok(api);
    assert.equal(api.featuresAtActivation, false, 'the features bundle (dist/features.js) was evaluated during activation');
    assert.equal(api.modelAtActivation, false, 'yaml, the checks and IntelliSense were evaluated during activation');
    const doc = await vscode.workspace.openTextDocument(workspaceUri('sandbox.vsim.yaml'));
    await vscode.window.showTextDocument(doc);
    // The model's work is visible: the document's outline comes from its parse.
    const symbols = await waitFor('the outline of sandbox.vsim.yaml', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s && s.length > 0 ? s : undefined;
    });
    assert.ok(symbols.some((s) => s.name === 'vms') && symbols.some((s) => s.name === 'hosts'), JSON.stringify(symbols.map((s) => s.name)));
    assert.equal(typeof api.featuresMs, 'number', 'the features were loaded for the topology document');
    console.log('      vsim features loaded in %s ms (after activation)', api.featuresMs!.toFixed(1));
    figure('activation.featuresLoad', api.featuresMs!);
  });

  it('the vsim view container opens and its Labs tree answers', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.vsim');
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as VsimApi;
    const roots = await api.tree.getChildren();
    assert.ok(Array.isArray(roots), 'the Labs tree returns its top nodes');
  });
});
