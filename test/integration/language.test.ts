// IntelliSense for *.vsim.yaml inside the real VS Code: diagnostics, completion, hover, quick fix.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { positionAfter, waitFor, workspaceUri, writeWorkspaceFile } from './util';

const EXAMPLES = ['chassis-emulator', 'n3x-emulation', 'simple-microvm-infra', 'aspen-cluster', 'sandbox'];

describe('language features', function () {
  this.timeout(60_000);
  let broken: vscode.TextDocument;

  before(async () => {
    await vscode.extensions.getExtension('vsim.vsim')?.activate();
    // Examples first, then a broken copy: once the broken one has its diagnostics, the examples were checked too.
    for (const name of EXAMPLES) await vscode.workspace.openTextDocument(workspaceUri(`${name}.vsim.yaml`));
    const text = Buffer.from(await vscode.workspace.fs.readFile(workspaceUri('sandbox.vsim.yaml'))).toString('utf8');
    const uri = await writeWorkspaceFile('broken.vsim.yaml', text.replace('nics: [{ network: vsimbr0, mac: "52:54:00:00:00:11"', 'nics: [{ network: vsimbr1, mac: "52:54:00:00:00:11"'));
    broken = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(broken);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.workspace.fs.delete(workspaceUri('broken.vsim.yaml'));
  });

  it('a broken copy gets the expected diagnostic at the expected line', async () => {
    const diags = await waitFor('diagnostics on broken.vsim.yaml', () => {
      const d = vscode.languages.getDiagnostics(broken.uri).filter((x) => x.source === 'vsim');
      return d.length ? d : undefined;
    });
    assert.equal(diags.length, 1, diags.map((d) => d.message).join('\n'));
    const d = diags[0]!;
    const expectedLine = broken.positionAt(broken.getText().indexOf('network: vsimbr1')).line;
    assert.equal(d.range.start.line, expectedLine);
    assert.equal(broken.getText(d.range), 'vsimbr1');
    assert.match(d.message, /No network named `vsimbr1`\. Did you mean `vsimbr0`\?/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
  });

  for (const name of EXAMPLES) {
    it(`example ${name} has no diagnostics`, async () => {
      await waitFor('broken file checked first', () => vscode.languages.getDiagnostics(broken.uri).length > 0 || undefined);
      const diags = vscode.languages.getDiagnostics(workspaceUri(`${name}.vsim.yaml`));
      assert.deepEqual(diags.map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    });
  }

  it('completion at a `network:` value lists the networks', async () => {
    const pos = positionAfter(broken, 'nics: [{ network: ');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', broken.uri, pos);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const n of ['vsimbr0', 'br-slot1', 'br-slot2']) assert.ok(labels.includes(n), `completion lacks ${n}: ${labels.join(', ')}`);
  });

  it('completion offers the keys of a VM', async () => {
    const uri = await writeWorkspaceFile('keys.vsim.yaml', 'version: 1\nhosts:\n  h: { address: x }\nvms:\n  a:\n    host: h\n    \n');
    try {
      await vscode.workspace.openTextDocument(uri);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(6, 4));
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      for (const k of ['backend', 'arch', 'memory', 'nics']) assert.ok(labels.includes(k), `key completion lacks ${k}: ${labels.join(', ')}`);
      assert.ok(!labels.includes('host'), 'a key already present is not offered again');
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('hover shows the schema text of the key under the cursor', async () => {
    const pos = positionAfter(broken, '    subn');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', broken.uri, pos);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /IPv4 subnet of the network/);
  });

  it('the "did you mean" quick fix corrects the reference', async () => {
    const d = vscode.languages.getDiagnostics(broken.uri).find((x) => x.source === 'vsim');
    assert.ok(d);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', broken.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /vsimbr0/.test(a.title));
    assert.ok(fix?.edit, `no quick fix with vsimbr0 among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(broken.getText().includes('nics: [{ network: vsimbr0, mac: "52:54:00:00:00:11"'));
    await waitFor('diagnostics cleared after the fix', () => vscode.languages.getDiagnostics(broken.uri).length === 0 || undefined);
    await vscode.commands.executeCommand('undo');
    assert.ok(broken.getText().includes('network: vsimbr1'), 'undo restores the text');
  });
});
