// The editor sends each new graph as a patch of the one the webview holds: applying the patch to the old
// graph gives exactly the new one (order included), and a move in a 1000-VM graph is one node.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../../../../src/model/analyze';
import { applyGraphPatch, buildGraph, COLLAPSE_ABOVE, diffGraph, movePatch, overviewGraph, type GraphModel, type GraphPatch } from '../../../../src/model/edits/graph';
import { applyIntent, IntentError, type Intent } from '../../../../src/model/edits/intents';
import { isToWebview, parseFromWebview } from '../../../../webview/protocol';
import { genTopology } from './genTopology';

const graphOf = (text: string): GraphModel => buildGraph(analyze(text).topology!);

/** What the webview gets: messages travel as JSON. */
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function roundTrip(prev: GraphModel, next: GraphModel, where: string): GraphPatch {
  const patch = diffGraph(prev, next);
  assert.deepEqual(applyGraphPatch(json(prev), json(patch)), json(next), where);
  return patch;
}

describe('graph patches', () => {
  const dir = new URL('../../../../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.vsim.yaml')).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')] as const);

  it('every intent on every example: patch(old) = new graph', () => {
    for (const [name, text] of files) {
      const a = analyze(text);
      const g0 = buildGraph(a.topology!);
      const t = a.topology!;
      const intents: Intent[] = [{ kind: 'addVm' }, { kind: 'addNetwork' }];
      for (const s of ['hosts', 'networks', 'vms', 'slots', 'links', 'profiles'] as const) {
        for (const n of Object.keys(t[s] ?? {})) intents.push({ kind: 'delete', section: s, name: n }, { kind: 'rename', section: s, from: n, to: `${n}-x` });
      }
      for (const v of Object.keys(t.vms ?? {})) intents.push({ kind: 'movePositions', positions: [{ section: 'vms', name: v, x: 1, y: 2 }] }, { kind: 'setProperty', path: ['vms', v, 'memory'], value: 1024 });
      for (const intent of intents) {
        let r;
        try {
          r = applyIntent(text, intent, { doc: a.parsed.doc!, topology: t });
        } catch (e) {
          if (e instanceof IntentError) continue;
          throw e;
        }
        const g1 = graphOf(r.text);
        roundTrip(g0, g1, `${name} ${JSON.stringify(intent)}`);
        roundTrip(g1, g0, `${name} undo ${JSON.stringify(intent)}`);
      }
    }
  });

  it('a move in a 1000-VM graph is a one-node patch; an unchanged graph an empty one', () => {
    const text = genTopology(1000);
    const a = analyze(text);
    const g0 = buildGraph(a.topology!);
    const r = applyIntent(text, { kind: 'movePositions', positions: [{ section: 'vms', name: 'vm7', x: 5, y: 6 }] }, { doc: a.parsed.doc!, topology: a.topology! });
    const patch = roundTrip(g0, graphOf(r.text), 'move');
    assert.deepEqual(patch.nodes.map((n) => [n.id, n.x, n.y]), [['vm:vm7', 5, 6]]);
    assert.deepEqual([patch.removedNodes, patch.edges, patch.removedEdges, patch.nodeOrder, patch.edgeOrder], [[], [], [], undefined, undefined]);
    assert.ok(JSON.stringify(patch).length < 1000, `${JSON.stringify(patch).length} bytes`);
    const same = diffGraph(g0, buildGraph(a.topology!));
    assert.deepEqual([same.nodes, same.edges, same.removedNodes, same.removedEdges], [[], [], [], []]);
  });

  it('movePatch (sent for a move without parsing the moved text) gives the graph the moved text builds, on every example and every placed kind', () => {
    for (const [name, text] of files) {
      const a = analyze(text);
      const g0 = buildGraph(a.topology!);
      const t = a.topology!;
      for (const section of ['hosts', 'networks', 'vms', 'slots'] as const) {
        const names = Object.keys(t[section] ?? {});
        if (!names.length) continue;
        // Two entries at once, fractional positions (rounded as the layout section stores them), and one not in the file (skipped).
        const positions = [...names.slice(0, 2).map((n, i) => ({ section, name: n, x: 10.4 + i * 100, y: -20.6 })), { section, name: 'not-in-the-file', x: 1, y: 1 }];
        const r = applyIntent(text, { kind: 'movePositions', positions }, { doc: a.parsed.doc!, topology: t });
        const patch = movePatch(json(g0), positions);
        assert.ok(patch, `${name} ${section}: a patch`);
        assert.deepEqual(applyGraphPatch(json(g0), json(patch)), json(graphOf(r.text)), `${name} ${section}`);
      }
    }
    assert.equal(movePatch(buildGraph(analyze(files[0]![1]).topology!), [{ section: 'vms', name: 'not-in-the-file', x: 1, y: 1 }]), undefined, 'nothing moves: no patch');
  });

  it('a VM typed in the middle of the text keeps the new order', () => {
    const text = genTopology(20);
    const typed = text.replace('  vm5:\n', '  typed:\n    host: hv0\n    backend: libvirt\n  vm5:\n');
    const patch = roundTrip(graphOf(text), graphOf(typed), 'typed');
    assert.ok(patch.nodeOrder, 'order sent');
    assert.deepEqual(patch.nodes.map((n) => n.id), ['vm:typed']);
  });

  it('protocol: resync from the webview, patch to it', () => {
    assert.deepEqual(parseFromWebview({ type: 'resync' }), { type: 'resync' });
    assert.equal(parseFromWebview({ type: 'resync', version: 1 }), undefined);
    assert.equal(isToWebview({ type: 'patch', base: 1, patch: {}, state: {}, banner: null }), true);
  });

  it('a big graph\'s page embeds its overview: the hosts whole, every other node as a stub of its kind, name, host and place, the links; a small graph whole', () => {
    const small = graphOf(files[0]![1]);
    assert.ok(small.nodes.length <= COLLAPSE_ABOVE);
    assert.equal(overviewGraph(small), small);
    const text = genTopology(1000).replace('vms:\n', 'layout:\n  vms:\n    vm7: { x: 5, y: 6 }\nvms:\n');
    const g = graphOf(text);
    const o = json(overviewGraph(g));
    assert.deepEqual(o.nodes.map((n) => n.id), g.nodes.map((n) => n.id));
    assert.deepEqual(o.nodes.filter((n) => n.kind === 'host'), json(g.nodes.filter((n) => n.kind === 'host')));
    for (const n of o.nodes.filter((x) => x.kind !== 'host')) {
      const full = g.nodes.find((x) => x.id === n.id)!;
      assert.deepEqual(n, { id: full.id, kind: full.kind, name: full.name, host: full.host, label: full.name, detail: '', props: {}, ...(full.x !== undefined ? { x: full.x, y: full.y } : {}) });
    }
    assert.deepEqual(o.nodes.find((n) => n.id === 'vm:vm7'), { id: 'vm:vm7', kind: 'vm', name: 'vm7', host: g.nodes.find((n) => n.id === 'vm:vm7')!.host, label: 'vm7', detail: '', props: {}, x: 5, y: 6 });
    assert.deepEqual(o.edges.map((e) => e.id), g.edges.filter((e) => e.kind === 'link').map((e) => e.id));
    assert.ok(o.edges.length > 0);
    const { nodes: _n, edges: _e, ...meta } = g;
    const { nodes: _o, edges: _p, ...ometa } = o;
    assert.deepEqual(ometa, json(meta), 'names and counts as the whole graph has them (the status line, the side form)');
    const size = (x: unknown) => JSON.stringify(x).length;
    assert.ok(size(o) * 3 < size(g), `the overview is ${size(o)} characters, the whole graph ${size(g)}`);
  });
});
