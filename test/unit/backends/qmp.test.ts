import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  capabilities, parseQmpLine, parseQmpTranscript, parseQueryStatus, qmpErrorMessage, qmpScript, queryStatus, quit, socketCommand, systemPowerdown,
} from '../../../src/backends/qemu/qmpProtocol';

test('greeting, return, error, event lines', () => {
  const g = parseQmpLine('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}}');
  assert.deepEqual(g, { kind: 'greeting', version: { major: 7, minor: 2, micro: 0, package: 'Debian 1:7.2+dfsg-7' }, capabilities: ['oob'] });
  assert.deepEqual(parseQmpLine('{"return": {"status": "running", "singlestep": false, "running": true}, "id": "vsim-2"}'),
    { kind: 'return', id: 'vsim-2', value: { status: 'running', singlestep: false, running: true } });
  const e = parseQmpLine('{"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with \'qmp_capabilities\'"}}');
  assert.equal(e?.kind, 'error');
  assert.equal(qmpErrorMessage(e as { errorClass: string; desc: string }), 'QMP: capabilities not negotiated (send qmp_capabilities first)');
  const ev = parseQmpLine('{"timestamp": {"seconds": 1732345750, "microseconds": 123456}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}');
  assert.deepEqual(ev && ev.kind === 'event' ? [ev.event, ev.data.reason, ev.timestamp?.toISOString()] : [], ['SHUTDOWN', 'host-qmp-quit', '2024-11-23T07:09:10.123Z']);
  assert.deepEqual(parseQmpLine('garbage'), { kind: 'invalid', text: 'garbage' });
  assert.equal(capabilities(), '{"execute":"qmp_capabilities"}\n');
  assert.equal(queryStatus('x'), '{"execute":"query-status","id":"x"}\n');
  assert.equal(systemPowerdown(), '{"execute":"system_powerdown"}\n');
  assert.equal(quit(), '{"execute":"quit"}\n');
  assert.deepEqual(parseQueryStatus({ status: 'paused', running: false }), { status: 'paused', running: false });
  assert.throws(() => socketCommand('/run/x;y'), /Invalid socket path/);
});

test('transcript: replies matched by id, events collected, incomplete when the socket is busy', () => {
  const text = [
    '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}',
    '{"return": {}, "id": "vsim-1"}',
    '{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "STOP"}',
    '{"return": {}, "id": "vsim-2"}',
    '{"return": {"status": "paused", "singlestep": false, "running": false}, "id": "vsim-3"}',
  ].join('\n');
  const t = parseQmpTranscript(text, 2);
  assert.equal(t.complete, true);
  assert.deepEqual(t.events.map((e) => e.event), ['STOP']);
  assert.deepEqual(parseQueryStatus(t.replies[1]?.kind === 'return' ? t.replies[1].value : undefined), { status: 'paused', running: false });
  assert.equal(parseQmpTranscript('', 1).complete, false);
  assert.equal(qmpScript(['query-status']), '{"execute":"qmp_capabilities","id":"vsim-1"}\n{"execute":"query-status","id":"vsim-2"}\n');
});

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-x86_64 && command -v socat']).status === 0;
test('real QEMU (no guest, TCG): status, stop/cont with events, quit', { skip: hasQemu ? false : 'qemu-system-x86_64/socat not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-qmp-'));
  const sock = join(dir, 'qmp.sock');
  const qemu = spawn('qemu-system-x86_64', ['-machine', 'none', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-qmp', `unix:${sock},server=on,wait=off`], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 10_000;
    while (!existsSync(sock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(sock), 'QMP socket appeared');
    const ask = (cmds: Parameters<typeof qmpScript>[0]): ReturnType<typeof parseQmpTranscript> => {
      const argv = socketCommand(sock, 1);
      const r = spawnSync(argv[0]!, argv.slice(1), { input: qmpScript(cmds), encoding: 'utf8', timeout: 5000 });
      return parseQmpTranscript(r.stdout, cmds.length);
    };
    const a = ask(['query-status', 'stop', 'query-status', 'cont', 'query-status']);
    assert.equal(a.complete, true);
    assert.ok(a.greeting && a.greeting.version.major >= 5);
    const st = a.replies.map((r) => (r?.kind === 'return' ? parseQueryStatus(r.value).status : r?.kind));
    assert.deepEqual([st[0], st[2], st[4]], ['running', 'paused', 'running']);
    assert.deepEqual(a.events.map((e) => e.event), ['STOP', 'RESUME']);
    const q = ask(['quit']);
    assert.equal(q.replies[0]?.kind, 'return');
    assert.ok(q.events.some((e) => e.event === 'SHUTDOWN' && e.data.reason === 'host-qmp-quit'));
    await new Promise((r) => (qemu.exitCode !== null ? r(null) : qemu.on('exit', r)));
  } finally {
    if (qemu.exitCode === null) qemu.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
