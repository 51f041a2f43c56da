// Opens `virsh console DOMAIN` on the sandbox hypervisor through `ssh -tt` (a real pty on the far
// side), waits for the busybox prompt, runs `uname -n`, detaches with Ctrl-] and prints timings.
// usage: node test/sandbox/lib/console-check.mjs SSH_CONFIG HOST DOMAIN
import { spawn } from 'node:child_process';

const [cfg, host, dom] = process.argv.slice(2);
if (!cfg || !host || !dom) { console.error('usage: console-check.mjs SSH_CONFIG HOST DOMAIN'); process.exit(2); }
const t0 = Date.now();
const ssh = spawn('ssh', ['-F', cfg, '-tt', host, `virsh -q console ${dom} 2>/dev/null`], { stdio: ['pipe', 'pipe', 'pipe'] });
let out = '';
let stage = 'prompt';
const marks = {};
const deadline = setTimeout(() => { console.error(`console-check: timeout in stage ${stage}; got: ${JSON.stringify(out.slice(-300))}`); ssh.kill('SIGTERM'); process.exit(1); }, 20000);
const poke = setInterval(() => { if (stage === 'prompt') ssh.stdin.write('\r'); }, 500);
ssh.stdin.write('\r');
ssh.stdout.on('data', (b) => {
  out += b.toString('utf8');
  if (stage === 'prompt' && out.includes('/ # ')) {
    marks.prompt = Date.now() - t0; stage = 'uname'; out = '';
    ssh.stdin.write('uname -n\r');
  } else if (stage === 'uname' && new RegExp(`\\n${dom}\\r?\\n`).test(out)) {
    marks.uname = Date.now() - t0; stage = 'detach';
    ssh.stdin.write('\x1d');
  }
});
ssh.on('exit', (code) => {
  clearTimeout(deadline); clearInterval(poke);
  if (stage !== 'detach') { console.error(`console-check: ssh exited ${code} in stage ${stage}: ${JSON.stringify(out.slice(-300))}`); process.exit(1); }
  console.log(`console ${dom}: prompt after ${marks.prompt} ms, uname -n = ${dom} after ${marks.uname} ms, detached (exit ${code}) after ${Date.now() - t0} ms`);
});
