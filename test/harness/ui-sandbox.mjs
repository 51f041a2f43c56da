// The sandbox's hosts for the UI checks that need them (ui-checks-*.mjs): OpenSSH with the sandbox's
// config (.sandbox/ssh/config, written by test/sandbox/sandbox.sh), and the skip when it is not up.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The sandbox's ssh config and a command run on one of its hosts; undefined when the sandbox is not up. */
function sandboxSsh(repo) {
  const config = path.join(repo, '.sandbox', 'ssh', 'config');
  if (!existsSync(config)) return undefined;
  const run = (host, ...argv) => execFileSync('ssh', ['-F', config, '-o', 'BatchMode=yes', host, '--', ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { config, run };
}

/**
 * A check's `run` that needs the sandbox: `run(page, ctx, ssh)` with `ssh` = { config, run(host, ...argv) },
 * or, when the sandbox is not up, nothing but a log line saying the check was skipped and why.
 */
export function whenSandboxUp(why, run) {
  return async (page, ctx) => {
    const ssh = sandboxSsh(ctx.repo);
    if (!ssh) {
      ctx.log(`skipped: the sandbox is not up (.sandbox/ssh/config absent)${why ? `: ${why}` : ''}`);
      return;
    }
    await run(page, ctx, ssh);
  };
}
