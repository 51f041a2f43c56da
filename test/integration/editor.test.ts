// The topology graph editor in the real VS Code: open with the custom editor, intents edit the text,
// undo restores it, text edits update the graph, invalid text keeps the last graph; open and edit timings.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SessionStats as Stats } from '../../src/editor/session';
import { genTopology } from '../unit/model/edits/genTopology';
import { waitFor, workspaceUri, writeWorkspaceFile, figure } from './util';

const VIEW_TYPE = 'vsim.topologyEditor';


async function stats(uri: vscode.Uri): Promise<Stats | undefined> {
  const all = (await vscode.commands.executeCommand<Stats[]>('vsim._editor.stats', uri)) ?? [];
  return all[all.length - 1];
}

/**
 * Closes every editor without a "save changes?" prompt (one left open blocks every later UI check):
 * reverts what a failed test left dirty; `scratch`, a file the test made and deletes next, is saved
 * instead when a revert did not take (a late undo can make it dirty again).
 */
async function closeAll(scratch?: vscode.Uri): Promise<void> {
  for (const d of vscode.workspace.textDocuments) {
    if (d.isDirty) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  for (const d of vscode.workspace.textDocuments) {
    if (d.isDirty && scratch && d.uri.toString() === scratch.toString()) await d.save();
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Opens `uri` in the graph editor; resolves with the time from the command to all nodes drawn. */
async function openGraph(uri: vscode.Uri, timeoutMs = 30_000): Promise<{ ms: number; s: Stats }> {
  const t0 = performance.now();
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
  const s = await waitFor('the graph to report all nodes drawn', async () => {
    const x = await stats(uri);
    return x?.firstRenderedAt !== undefined ? x : undefined;
  }, timeoutMs);
  return { ms: s.firstRenderedAt! - t0, s };
}

/** Time the extension host's event loop was held for 40 ms or more at a stretch, from now until stop(). */
function busyProbe(): { stop(): number } {
  let last = performance.now();
  let held = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last >= 40) held += now - last;
    last = now;
  }, 5);
  return { stop: () => (clearInterval(tick), held) };
}

describe('topology editor', function () {
  this.timeout(120_000);
  const uri = () => workspaceUri('chassis-emulator.vsim.yaml');
  const timings: string[] = [];

  before(async () => {
    await vscode.extensions.getExtension('vsim.vsim')?.activate();
    await closeAll();
  });
  after(async () => {
    await closeAll();
    if (timings.length) console.log('      editor timings:\n%s', timings.map((t) => `        ${t}`).join('\n'));
  });

  it('opens an example with the custom editor and draws every node', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    const { ms, s } = await openGraph(uri());
    // chassis-emulator: 2 hosts + 1 network + 3 VMs.
    assert.equal(s.sent?.nodes, 6);
    assert.equal(s.rendered?.nodes, 6);
    assert.equal(s.sent?.banner, null);
    assert.equal(s.rejectedMessages, 0);
    assert.equal(s.sent?.version, doc.version);
    timings.push(`open chassis-emulator (6 nodes): ${ms.toFixed(0)} ms`);
  });

  it('an addVm intent edits the text; undo restores it', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    const before = doc.getText();
    const t0 = performance.now();
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('vsim._editor.applyIntent', uri(), { kind: 'addVm', network: 'ovsbr0' });
    assert.equal(r.ok, true, r.error);
    assert.notEqual(doc.getText(), before);
    assert.match(doc.getText(), /\n {2}vm-4:\n {4}host: outer-vm\n {4}backend: libvirt\n {4}nics:\n {6}- network: ovsbr0\n {8}ip: 192\.168\.100\.2\n/);
    assert.ok(doc.getText().includes('# 100 Mbps: embedded ARM constraint (KiB/s).'), 'comments survive');
    assert.equal(doc.isDirty, true);
    const s = await waitFor('the graph with the new VM', async () => {
      const x = await stats(uri());
      return x?.rendered?.version === doc.version && x.rendered.nodes === 7 ? x : undefined;
    });
    timings.push(`edit round trip (addVm, 6 → 7 nodes): ${(s.rendered!.at - t0).toFixed(0)} ms`);
    // VS Code's undo on the custom editor (its panel is the active editor) undoes the WorkspaceEdit.
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the text', () => doc.getText() === before || undefined);
    await waitFor('the graph back to 6 nodes', async () => ((await stats(uri()))?.rendered?.nodes === 6 ? true : undefined));
    await vscode.commands.executeCommand('redo');
    await waitFor('redo', () => doc.getText() !== before || undefined);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo again', () => doc.getText() === before || undefined);
  });

  it('a text edit updates the graph; invalid text keeps the last graph with a banner', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    const before = doc.getText();
    const at = doc.positionAt(before.indexOf('\nprofiles:'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, at, '\n  extra:\n    host: outer-vm\n    backend: libvirt\n    nics: [{ network: ovsbr0 }]');
    const t0 = performance.now();
    assert.ok(await vscode.workspace.applyEdit(edit));
    const s = await waitFor('the graph with the typed VM', async () => {
      const x = await stats(uri());
      return x?.rendered?.version === doc.version && x.rendered.nodes === 7 ? x : undefined;
    });
    timings.push(`text edit → graph updated: ${(s.rendered!.at - t0).toFixed(0)} ms`);
    // Break it: an unknown network. The graph keeps 7 nodes and a banner names the problem.
    const broken = new vscode.WorkspaceEdit();
    const i = doc.getText().indexOf('nics: [{ network: ovsbr0 }]');
    broken.replace(doc.uri, new vscode.Range(doc.positionAt(i), doc.positionAt(i + 'nics: [{ network: ovsbr0 }]'.length)), 'nics: [{ network: nowhere }]');
    assert.ok(await vscode.workspace.applyEdit(broken));
    const s2 = await waitFor('a banner', async () => {
      const x = await stats(uri());
      return x?.sent?.banner ? x : undefined;
    });
    assert.match(s2.sent!.banner!, /No network named `nowhere`/);
    assert.equal(s2.sent!.nodes, 7, 'last valid graph kept');
    // Intents still work on a file with semantic errors? They refuse only on YAML syntax errors.
    const revert = new vscode.WorkspaceEdit();
    revert.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), before);
    assert.ok(await vscode.workspace.applyEdit(revert));
    await waitFor('the banner to go', async () => {
      const x = await stats(uri());
      return x?.sent?.banner === null && x.sent.nodes === 6 ? true : undefined;
    });
    await doc.save();
  });

  it('malformed intents are refused with a reason, the text unchanged', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    const before = doc.getText();
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('vsim._editor.applyIntent', uri(), { kind: 'connectNic', vm: 'chassis', network: 'nope' });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /No network named `nope`/);
    assert.equal(doc.getText(), before);
  });

  it('a move sent ahead of its edit: a move to where the node already is leaves the graph on the text\'s version', async () => {
    await closeAll();
    const file = await writeWorkspaceFile('gen-move.vsim.yaml', genTopology(10));
    try {
      const doc = await vscode.workspace.openTextDocument(file);
      await openGraph(file);
      const move = { kind: 'movePositions', positions: [{ section: 'vms', name: 'vm1', x: 40, y: 60 }] };
      assert.ok((await vscode.commands.executeCommand<{ ok: boolean }>('vsim._editor.applyIntent', file, move)).ok);
      const moved = doc.version;
      await waitFor('the moved graph', async () => ((await stats(file))?.rendered?.version === moved ? true : undefined));
      // Again: the text already says so, no edit is made; the page was told version + 1 and is put back.
      assert.ok((await vscode.commands.executeCommand<{ ok: boolean }>('vsim._editor.applyIntent', file, move)).ok);
      assert.equal(doc.version, moved, 'no edit for a move to the same place');
      const s = await waitFor('the graph back on the text\'s version', async () => {
        const x = await stats(file);
        return x?.sent?.version === moved && x.rendered?.version === moved && x.lastIntent?.sentAt !== undefined ? x : undefined;
      });
      assert.equal(s.rendered!.nodes, s.sent!.nodes);
    } finally {
      await closeAll(file);
      await vscode.workspace.fs.delete(file);
    }
  });

  for (const n of [10, 100, 500, 1000]) {
    it(`opens a ${n}-VM topology and edits it`, async () => {
      await closeAll();
      const file = await writeWorkspaceFile(`gen-${n}.vsim.yaml`, genTopology(n));
      try {
        const doc = await vscode.workspace.openTextDocument(file);
        const t0open = performance.now();
        const busy = busyProbe();
        const { ms, s } = await openGraph(file, 60_000);
        const busyMs = busy.stop();
        assert.equal(s.sent!.banner, null);
        assert.equal(s.rendered!.nodes, s.sent!.nodes);
        // A big lab's page embeds its overview; the whole graph follows (the move below is a patch of it).
        const whole = await waitFor('the graph drawn from the whole model', async () => {
          const x = await stats(file);
          return x?.wholeRenderedAt !== undefined ? x : undefined;
        }, 30_000);
        const t0 = performance.now();
        const r = await vscode.commands.executeCommand<{ ok: boolean }>('vsim._editor.applyIntent', file, { kind: 'movePositions', positions: [{ section: 'vms', name: 'vm1', x: 10, y: 20 }] });
        assert.ok(r.ok);
        const s2 = await waitFor('the moved graph', async () => {
          const x = await stats(file);
          return x?.rendered?.version === doc.version ? x : undefined;
        }, 30_000);
        const intent = s2.lastIntent!;
        const f = (x: number) => x.toFixed(0);
        figure(`editor.open.${n}`, ms);
        figure(`editor.edit.${n}`, s2.rendered!.at - t0);
        timings.push(`${n} VMs: ${s.sent!.nodes} nodes drawn ${f(ms)} ms after the open command (resolve ${f(s.resolvedAt - t0open)}, html set ${f(s.htmlAt! - s.resolvedAt)}, webview ready ${f(s.readyAt! - s.resolvedAt)} [page starts ${f(s.webviewTiming!.pageStart - s.resolvedAt)}, placeholder page in ${f(s.webviewTiming!.pageLoaded - s.resolvedAt)}, bundle in ${f(s.webviewTiming!.scriptLoaded - s.resolvedAt)}, script starts ${f(s.webviewTiming!.scriptStart - s.resolvedAt)}, page drew it ${f(s.firstRenderedPageMs!)} after its script started], drawn ${f(s.firstRenderedAt! - s.readyAt!)}${whole.wholeRenderedAt! > s.firstRenderedAt! ? ` from the page's overview, from the whole graph ${f(whole.wholeRenderedAt! - t0open)} ms after the command` : ''}; the extension host busy ${f(busyMs)} ms until the first draw);`
          + ` edit round trip ${f(s2.rendered!.at - t0)} ms (intent computed ${f(intent.computedAt! - intent.receivedAt)}, patch sent ${intent.sentAt !== undefined ? f(intent.sentAt - intent.receivedAt) : 'with the change'}, state built ${f(s2.lastPushMs ?? -1)},`
          + ` WorkspaceEdit applied ${f(intent.appliedAt! - intent.receivedAt)}, drawn ${f(s2.rendered!.at - intent.receivedAt)}, all after the intent's arrival)`);
        await vscode.commands.executeCommand('undo');
        await waitFor('undo', () => !doc.isDirty || undefined);
      } finally {
        await closeAll(file);
        await vscode.workspace.fs.delete(file);
      }
    });
  }
});
