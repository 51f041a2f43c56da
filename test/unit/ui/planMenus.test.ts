// The Plan view's host rows and package.json's menus agree: Deploy host (vsim.deployHost) is offered
// exactly on hosts whose file names their NixOS flake, Apply All inline exactly on hosts with changes,
// whatever else the row's contextValue (src/tree/planPresent.ts planHostContext) says.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { planHostContext } from '../../../src/tree/planPresent';

interface MenuItem { command: string; when?: string; group?: string }
const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } };
const items = pkg.contributes.menus['view/item/context'] ?? [];

/** Whether an item shows on a Plan view row with this contextValue: its `view == vsim.plan && viewItem …` clause, evaluated. */
function shows(m: MenuItem, context: string): boolean {
  const when = m.when ?? '';
  if (!when.startsWith('view == vsim.plan && ')) return false;
  const rest = when.slice('view == vsim.plan && '.length);
  const re = /^viewItem =~ \/(.+)\/$/.exec(rest);
  if (re) return new RegExp(re[1]!).test(context);
  const eq = /^viewItem == (\S+)$/.exec(rest);
  assert.ok(eq, `a Plan view menu clause this test reads: ${when}`);
  return eq[1] === context;
}

const offered = (command: string, context: string, group?: (g: string) => boolean) =>
  items.some((m) => m.command === command && shows(m, context) && (!group || group(m.group ?? '')));
const rows = [false, true].flatMap((drift) => [false, true].map((nixos) => ({ drift, nixos, context: planHostContext(drift, nixos) })));

test('Deploy host is in the menu of a Plan view host row exactly when the host has a NixOS flake', () => {
  for (const r of rows) assert.equal(offered('vsim.deployHost', r.context), r.nixos, r.context);
  assert.ok(!offered('vsim.deployHost', 'plan.file.drift'), 'not on a file row');
});

test('Apply All stays in every host row\'s menu, and inline exactly on hosts with changes', () => {
  for (const r of rows) {
    assert.ok(offered('vsim.applyAll', r.context, (g) => !g.startsWith('inline')), r.context);
    assert.equal(offered('vsim.applyAll', r.context, (g) => g.startsWith('inline')), r.drift, r.context);
  }
});
