// What activation costs and when it happens: vsim activates for topology files only, and the bundle
// VS Code evaluates at activation (dist/extension.js) registers stand-ins only; the features
// (dist/features.js) load on first use, the model (dist/lib/model.js) on the first topology document.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { activationEvents: string[]; scripts: Record<string, string> };

test('activation events: topology files only, never every YAML file', () => {
  const events = manifest.activationEvents;
  assert.deepEqual(events.filter((e) => e.startsWith('onLanguage:')), [], 'no onLanguage event: a Kubernetes manifest or a CI file must not activate vsim');
  assert.ok(events.includes('workspaceContains:**/*.vsim.yaml'));
  assert.ok(events.includes('workspaceContains:**/*.vsim.yml'));
  assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), 'no unconditional activation');
});

test('the activation bundle holds only activation; dist/features.js the features, dist/lib/model.js yaml and the model', async () => {
  const inputsOf = async (entry: string, external: string[]) => {
    const r = await esbuild.build({ entryPoints: [path.join(REPO, entry)], absWorkingDir: REPO, bundle: true, write: false, metafile: true,
      platform: 'node', format: 'cjs', external, outfile: 'out.js', logLevel: 'silent' });
    return Object.keys(r.metafile.inputs);
  };
  const activation = await inputsOf('src/extension.ts', ['vscode']);
  const shell = (f: string) => f === 'src/extension.ts' || /^src\/(activation|loader)\//.test(f) || f === 'src/common/topologyFiles.ts';
  assert.deepEqual(activation.filter((f) => !shell(f)), [], 'evaluated at activation although only a first use needs it');
  assert.ok(activation.includes('src/activation/ports.ts') && activation.includes('src/activation/commandStubs.ts'), 'activation registers the views and the command stubs');

  const features = await inputsOf('src/features.ts', ['vscode']);
  const heavy = (f: string) => f.startsWith('node_modules/yaml/') || /^src\/model\/(analyze|parse|checks\/|intellisense\/|edits\/(intents|yamlEdit|graph)\.)/.test(f);
  assert.deepEqual(features.filter(heavy), [], 'the features reach yaml and the model only through src/common/model.ts');
  for (const f of ['src/common/model.ts', 'src/commands/index.ts', 'src/tree/labTree.ts', 'src/editor/topologyEditor.ts']) {
    assert.ok(features.includes(f), `dist/features.js bundles ${f}`);
  }

  const model = await inputsOf('src/lib/model.ts', []);
  for (const f of ['node_modules/yaml/dist/index.js', 'src/model/analyze.ts', 'src/model/intellisense/index.ts', 'src/model/edits/intents.ts']) {
    assert.ok(model.includes(f), `dist/lib/model.js bundles ${f}`);
  }
});

test('the .vsix packs the features bundle', () => {
  const ignore = readFileSync(path.join(REPO, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!dist/features.js'), '.vscodeignore keeps dist/features.js');
});

test('npm ci builds what the bin and the extension point at (the prepare script)', () => {
  assert.match(manifest.scripts.prepare ?? '', /^node scripts\/build\.mjs$/);
});
