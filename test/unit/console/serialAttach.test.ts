// The serial attach script (src/backends/serialSocket.ts) run for real: sh, ss, socat and a unix
// socket server that serves one client at a time and leaves the next one silent, as QEMU's socket
// chardev does. A second attach names the holder (socat, its pid); force stops it and attaches;
// a missing socket says so with the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialHoldersArgv, socatConsoleArgv } from '../../../src/backends/serialSocket';
import { classifyEnd, holdersIn } from '../../../src/console/failure';
import { buildCommand } from '../../../src/remote/quote';

const have = (p: string) => spawnSync('sh', ['-c', `command -v ${p}`]).status === 0;
const skip = !have('socat') ? 'socat not installed' : !have('ss') ? 'ss (iproute2) not installed' : !have('script') ? 'script (util-linux) not installed' : false;
if (skip) console.log(`# SKIP serial attach script tests: ${skip}`);

/** One client at a time, echoing "echo:" + input; later clients wait unserved (QEMU's chardev). */
function oneClientServer(path: string): Promise<net.Server> {
  let busy = false;
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    if (busy) { c.pause(); return; }
    busy = true;
    c.on('data', (d) => c.write(`echo:${d.toString()}`));
    c.on('close', () => { busy = false; });
  });
  return new Promise((r) => srv.listen(path, () => r(srv)));
}

function run(argv: string[], input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    p.stdin.end(input);
    p.on('close', (code) => resolve({ code, out }));
  });
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('serial socket: free → attaches; held → busy naming the holder; force → holder stopped, attached; missing → says so', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-serial-'));
  const sock = join(dir, 'serial.sock');
  const srv = await oneClientServer(sock);
  let holder: ChildProcess | undefined;
  try {
    assert.equal((await run(serialHoldersArgv(sock))).out, '', 'nobody holds it yet');
    // Another client (a socat, as a second window would run) holds the socket.
    holder = spawn('socat', ['-', `UNIX-CONNECT:${sock}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    let heard = '';
    holder.stdout!.on('data', (d: Buffer) => { heard += d.toString(); });
    holder.stdin!.write('hi\n');
    await until('the holder is served', () => heard.includes('echo:hi'));
    const held = (await run(serialHoldersArgv(sock))).out.trim();
    assert.match(held, new RegExp(`^socat \\(pid ${holder.pid}, user \\S+, up [0-9:]+, from .*\\)$`));

    const busy = await run(socatConsoleArgv(sock));
    assert.equal(busy.code, 75, busy.out);
    assert.match(busy.out, /vsim: serial console busy: another client holds .*serial\.sock on \S+/);
    assert.equal(classifyEnd({ code: busy.code, tail: busy.out, stderr: '', requested: false }), 'busy');
    const noUptime = (h: string) => h.replace(/up [0-9:]+/, 'up …');
    assert.deepEqual(holdersIn(busy.out).map(noUptime), [noUptime(held)]);

    const exited = new Promise<number | null>((r) => holder!.once('exit', (c, sig) => r(c ?? (sig ? -1 : null))));
    // The taker runs in a pty as on the host (socat's raw stdin needs a tty): script(1) gives it one.
    const taker = spawn('script', ['-qfec', buildCommand(socatConsoleArgv(sock, true)), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let got = '';
    taker.stdout.on('data', (d: Buffer) => { got += d.toString(); });
    taker.stderr.on('data', (d: Buffer) => { got += d.toString(); });
    await exited;
    await until('the taker attached', () => /took the console over from socat/.test(got));
    taker.stdin.write('mine\r');
    await until('the taker is served', () => got.includes('echo:mine'), 10_000).catch((e: Error) => { throw new Error(`${e.message}: ${got}`); });
    taker.kill('SIGTERM');

    const missing = await run(socatConsoleArgv(join(dir, 'gone.sock')));
    assert.equal(missing.code, 3);
    assert.match(missing.out, /vsim: no serial socket .*gone\.sock on \S+ \(is the VM running\?\)/);
    assert.equal(classifyEnd({ code: missing.code, tail: missing.out, stderr: '', requested: false }), 'not-running');
  } finally {
    holder?.kill('SIGKILL');
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
