// One round trip for several remote commands: a CONSTANT POSIX sh script run as
// `sh -c SCRIPT vsim ARG…`, so names, paths and sockets reach it only as "$@" (never spliced into
// code) and the runner quotes every argv element (src/remote/quote.ts). The script marks its
// sections with lines `@@vsim KIND [ARG]` that splitSections() reads back. Pure.
import { RemoteCommandError, type BackendContext, type ExecResult } from './backend';

/** The marker that starts a section line (the rest of the line: kind and an optional argument). */
export const MARK = '@@vsim';

/** argv running `script` with `args` as its positional parameters. */
export function shScript(script: string, args: readonly string[]): string[] {
  return ['sh', '-c', script, 'vsim', ...args];
}

export interface Section {
  kind: string;
  /** The rest of the marker line after the kind ('' when none). */
  arg: string;
  /** Lines up to the next marker, joined with '\n' (no trailing newline). */
  body: string;
}

/** Splits a script's stdout into its marked sections, in order; text before the first marker is dropped. */
export function splitSections(stdout: string): Section[] {
  const out: Section[] = [];
  let cur: { kind: string; arg: string; lines: string[] } | undefined;
  const close = (): void => {
    if (cur) out.push({ kind: cur.kind, arg: cur.arg, body: cur.lines.join('\n').replace(/\n+$/, '') });
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      close();
      const rest = line.slice(MARK.length + 1);
      const sp = rest.indexOf(' ');
      cur = sp < 0 ? { kind: rest, arg: '', lines: [] } : { kind: rest.slice(0, sp), arg: rest.slice(sp + 1), lines: [] };
      continue;
    }
    cur?.lines.push(line);
  }
  close();
  return out;
}

/** A promise that resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a composed script (see shScript) and fails like mustRun, but the error names the script by
 * `label` instead of printing its whole text: `sh -c <label> ARG…`.
 */
export async function mustRunScript(ctx: BackendContext, label: string, script: string, args: readonly string[], opts?: { timeoutMs?: number; stdin?: string }): Promise<ExecResult> {
  const r = await ctx.run.exec(shScript(script, args), opts);
  if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, ['sh', '-c', `<${label}>`, ...args], r);
  return r;
}
