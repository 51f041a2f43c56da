// The interactive serial console of a microvm slot on the sandbox's hv2: the backend's console argv
// (socat on /var/lib/microvms/slot1/console.sock, what nix/'s module and the sandbox runner set up)
// run on hv2 through ProxyJump vsim-hv1 over real OpenSSH with a pty: type a command, read the
// guest's reply; detaching leaves the unit running; console.log kept the boot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createMicrovmBackend } from '../../src/backends/microvm/backend';
import { buildCommand } from '../../src/remote/quote';
import { context, sandboxTopology, writeFigures } from './lab';
import { sandboxEnv, until } from './sshRunner';
import { typeAtPrompt } from './guestShell';
import { socatConsoleArgv } from '../../src/backends/serialSocket';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP microvm console sandbox tests: ${skip}`);
const VM = 'slot1';
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;
const b = createMicrovmBackend();

before(async () => {
  if (typeof env === 'string') return;
  ctx = context(env, sandboxTopology(), 'vsim-hv2');
  await until('slot1 running', 60_000, async () => (await b.list(ctx, [VM])).vms[VM]?.state === 'running');
});
after(() => {
  if (typeof env === 'string') return;
  ctx.run.close();
  writeFigures('microvm-console', figures);
});

test('slot1 serial console through ProxyJump: type, read the reply; detach keeps the VM running; console.log holds the boot', { skip }, async () => {
  if (typeof env === 'string') return;
  const c = b.console(ctx, VM);
  assert.deepEqual(c, { argv: socatConsoleArgv('/var/lib/microvms/slot1/console.sock'), pty: true });
  const ssh = spawn('ssh', ['-F', env.sshConfig, '-o', 'BatchMode=yes', '-tt', 'vsim-hv2', '--', buildCommand(c.argv)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  ssh.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  ssh.stderr.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  try {
    const t0 = performance.now();
    const con = { write: (t: string) => ssh.stdin.write(t), out: () => out };
    await typeAtPrompt(con, 'the guest\'s reply through the console', 'echo vsim-$((6*7))', /vsim-42/);
    figures.firstEchoMs = Math.round(performance.now() - t0);
    await typeAtPrompt(con, 'uname -n → slot1', 'uname -n', /\nslot1\r?\n/, 20_000);
  } finally {
    ssh.kill('SIGTERM');
  }
  await new Promise((r) => ssh.once('close', r));
  assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'running', 'detaching the console leaves microvm@slot1 running');
  const log = await ctx.run.exec(['grep', '-ac', 'vsim-guest slot1 ready', '/var/lib/microvms/slot1/console.log']);
  assert.equal(log.stdout.trim(), '1', 'console.log holds this boot once (rewritten at each boot)');
  console.log(`# microvm console figures: ${JSON.stringify(figures)}`);
});
