// One round trip for several remote commands: a CONSTANT POSIX sh script run as
// `sh -c SCRIPT vsim ARG…`, so names, paths and sockets reach it only as "$@" (never spliced into
// code) and the runner quotes every argv element (src/remote/quote.ts). The script marks its
// sections with lines `@@vsim KIND [ARG]`; each run makes the mark its own (`@@vsim.<random> KIND`,
// announced on the script's first line), so output of a command inside it — a domain description,
// a unit's status — cannot start a section of its own. splitSections() reads them back. Pure.
import { randomBytes } from 'node:crypto';
import { RemoteCommandError, type BackendContext, type ExecResult } from './backend';
import { mustProbe, type Probe } from './probe';

/** How scripts write a section line (the rest of the line: kind and an optional argument). */
export const MARK = '@@vsim';
const RUN_MARK = /^@@vsim\.[0-9a-f]{32}$/;

/** The script with a mark of its own: a first line printing it, and every `@@vsim ` made into it. */
export function markedScript(script: string): string {
  const mark = `${MARK}.${randomBytes(16).toString('hex')}`;
  return `echo ${mark}\n${script.replaceAll(`${MARK} `, `${mark} `)}`;
}

/** argv running `script` (made per run by markedScript) with `args` as its positional parameters. */
export function shScript(script: string, args: readonly string[]): string[] {
  return ['sh', '-c', markedScript(script), 'vsim', ...args];
}

export interface Section {
  kind: string;
  /** The rest of the marker line after the kind ('' when none). */
  arg: string;
  /** Lines up to the next marker, joined with '\n' (no trailing newline). */
  body: string;
}

/**
 * Splits a script's stdout into its marked sections, in order. Only the run's own mark (the first
 * line that announces one) starts a section; text before the first section is dropped, and output
 * without an announced mark has no sections.
 */
export function splitSections(stdout: string): Section[] {
  const out: Section[] = [];
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => RUN_MARK.test(l));
  if (at < 0) return out;
  const mark = `${lines[at]} `;
  let cur: { kind: string; arg: string; lines: string[] } | undefined;
  const close = (): void => {
    if (cur) out.push({ kind: cur.kind, arg: cur.arg, body: cur.lines.join('\n').replace(/\n+$/, '') });
  };
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith(mark)) {
      close();
      const rest = line.slice(mark.length);
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

/** A composed script as a probe (probe.ts): fails like mustRunScript, else `parse` reads its output. */
export function scriptProbe<T>(ctx: BackendContext, label: string, script: string, args: readonly string[], parse: (r: ExecResult) => T, opts: { timeoutMs?: number } = {}): Probe<T> {
  return mustProbe(ctx, label, shScript(script, args), parse, { ...opts, shown: ['sh', '-c', `<${label}>`, ...args] });
}
