// Per-link impairments and packet capture in the real VS Code against the main sandbox (vsim-hv1:
// real tc and tcpdump over SSH). Its kernel has no netem, so the link gets a rate (htb class +
// u32 filter by the peer's address); the netem part is proven on the netem host
// (test/sandbox-tests/netem.test.ts). NOT RUN YET where it was written (the main sandbox was
// reserved for another worktree): typechecked only.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { CaptureSummary, StopSummary } from '../../src/commands/capture/captureCommands';
import type { LinkTcSummary } from '../../src/commands/tc/linkCommands';
import { parsePcapHeader } from '../../src/capture/pcap';
import type { Lab } from '../../src/lab/lab';
import { sandboxApi, waitFor, workspaceUri } from './util';

const HV1 = 'vsim-hv1';

describe('link impairments and capture on the sandbox', function () {
  this.timeout(120_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;

  before(async function () {
    api = await sandboxApi(this);
    const entry = (await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab)))!;
    lab = entry.lab!;
    uri = entry.uri;
    await waitFor('chassis and compute running', async () => {
      await lab.refresh(HV1);
      const vms = lab.host(HV1).vms;
      return vms.chassis?.state === 'running' && vms.compute?.state === 'running' ? true : undefined;
    }, 90_000, 500);
  });

  it('Impair Link on chassis-compute (graph target): both ends read back the link\'s rate; the lab records it for the graph; clear', async () => {
    const target = { kind: 'link', name: 'chassis-compute', uri };
    const s = await vscode.commands.executeCommand<LinkTcSummary>('vsim.impairLink', target, 'rate 5mbit');
    assert.ok(s, 'vsim.impairLink returned nothing (see the vsim output)');
    assert.deepEqual(s.errors, []);
    assert.equal(s.requested, 'rate 5mbit');
    assert.equal(s.readback.length, 2);
    for (const l of s.readback) assert.match(l, / from 192\.168\.100\.1[01]: htb rate 5mbit/);
    assert.equal(lab.tc.getLink('chassis-compute')?.requested, 'rate 5mbit');
    const c = await vscode.commands.executeCommand<LinkTcSummary>('vsim.clearLinkImpairment', target);
    assert.equal(c.requested, '');
    for (const l of c.readback) assert.match(l, /not shaped for this link/);
  });

  it('Capture Traffic on chassis\'s tap, then Stop Capture: the file is a pcap, tcpdump is gone on the host', async () => {
    const file = workspaceUri('captures', 'it-chassis.pcap').fsPath;
    const node = { kind: 'vm', uri, host: HV1, vm: 'chassis' };
    const started = await vscode.commands.executeCommand<CaptureSummary>('vsim.captureTraffic', node, { iface: 'tap-chassis', filter: 'icmp or arp', file });
    assert.ok(started?.pid, 'capture started with a remote pid');
    const stopped = await vscode.commands.executeCommand<StopSummary>('vsim.stopCapture', started.id);
    assert.ok(stopped);
    assert.equal(stopped.gone, true);
    assert.equal(parsePcapHeader(readFileSync(file)).linktype, 1);
  });
});
