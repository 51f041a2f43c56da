// Environment for remote commands (NIX_CONFIG can hold `access-tokens = …`) without its values in
// any argv: an argv is visible in `ps` on the host and is what vsim logs. The values travel on
// stdin instead — straight into the command's shell (withEnvOnStdin), or, for a pty stream whose
// stdin is the terminal, staged first into a mode-600 file under the host's $TMPDIR that the
// command's shell reads and deletes before it execs the program (STAGE_ENV_ARGV + withEnvFile).
import { shellQuote } from './quote';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The non-empty pairs, names checked (a name is part of shell text). */
function pairs(env: Record<string, string> | undefined): [string, string][] {
  const out = Object.entries(env ?? {}).filter(([, v]) => typeof v === 'string' && v !== '');
  for (const [k] of out) if (!NAME.test(k)) throw new Error(`Invalid environment variable name ${JSON.stringify(k)}`);
  return out;
}

export function hasEnv(env: Record<string, string> | undefined): boolean {
  return pairs(env).length > 0;
}

/** `export K='v'` lines for `sh`: what goes on stdin, never into an argv. */
export function envScript(env: Record<string, string> | undefined): string {
  return pairs(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
}

/** Reads the export lines from stdin, then runs argv with stdin from /dev/null. */
const FROM_STDIN = 'eval "$(cat)" && exec "$@" </dev/null';

/** argv and the stdin that carries its environment; argv unchanged when there is none. */
export function withEnvOnStdin(argv: readonly string[], env: Record<string, string> | undefined): { argv: string[]; stdin?: string } {
  if (!hasEnv(env)) return { argv: [...argv] };
  return { argv: ['sh', '-c', FROM_STDIN, 'sh', ...argv], stdin: envScript(env) };
}

/** Writes its stdin to a new mode-600 file under $TMPDIR and prints the file's path (one line). */
export const STAGE_ENV_ARGV: readonly string[] = [
  'sh', '-c',
  'umask 077 && f=$(mktemp "${TMPDIR:-/tmp}/vsim-env.XXXXXXXXXX") && cat >"$f" && printf "%s\\n" "$f"',
];

/** The path STAGE_ENV_ARGV printed, checked: it becomes an argument of the command. */
export function stagedPath(stdout: string): string {
  const p = stdout.trim();
  if (!/^\/[A-Za-z0-9_.\/-]*\/vsim-env\.[A-Za-z0-9]{10}$/.test(p)) throw new Error(`Unexpected path from the environment staging: ${JSON.stringify(p.slice(0, 200))}`);
  return p;
}

/** argv run with the environment in `file` (deleted by the command's shell before the program starts). */
export function withEnvFile(argv: readonly string[], file: string): string[] {
  return ['sh', '-c', '. "$1" && rm -f -- "$1" && shift && exec "$@"', 'sh', file, ...argv];
}
