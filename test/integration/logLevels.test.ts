// The "vsim" output channel as the user reads it (VS Code's default level, info): what repeats —
// the listings of each refresh and poll — is at debug and not written; what the user did is.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import { sandboxApi, waitFor } from './util';

const HV1 = 'vsim-hv1';

describe('the vsim log on the sandbox', () => {
  let api: VsimApi;

  before(async function () {
    api = await sandboxApi(this);
  });

  it('three refreshes: three info lines for the command, none for the listings they ran', async () => {
    const file = join(api.logUri.fsPath, 'vsim.log');
    const lab = (await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab)))!.lab!;
    const from = existsSync(file) ? readFileSync(file, 'utf8').length : 0;
    const trips0 = lab.roundTrips.get(HV1) ?? 0;
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('vsim.refresh');
    assert.ok((lab.roundTrips.get(HV1) ?? 0) - trips0 >= 3, 'the refreshes listed vsim-hv1 (there were remote commands to log)');
    const added = await waitFor('three refresh lines in vsim.log', () => {
      const text = existsSync(file) ? readFileSync(file, 'utf8').slice(from) : '';
      return (text.match(/\[info\] vsim\.refresh: done in \d+ ms/g) ?? []).length >= 3 ? text : undefined;
    });
    const listings = added.split('\n').filter((l) => /\[info\] vsim-hv1 \$ /.test(l));
    assert.deepEqual(listings, [], 'listings of a refresh are at debug, not in the info log');
  });
});
