// Nix's `--log-format internal-json` lines (`@nix {…}` on stderr) → typed events. Pure.
// Types from Nix's logging.hh (2.8).

export const ActivityType = {
  Unknown: 0, CopyPath: 100, FileTransfer: 101, Realise: 102, CopyPaths: 103, Builds: 104, Build: 105,
  OptimiseStore: 106, VerifyPaths: 107, Substitute: 108, QueryPathInfo: 109, PostBuildHook: 110, BuildWaiting: 111,
} as const;

export const ResultType = {
  FileLinked: 100, BuildLogLine: 101, UntrustedPath: 102, CorruptedPath: 103, SetPhase: 104, Progress: 105, SetExpected: 106, PostBuildLogLine: 107,
} as const;

export type NixField = string | number | null;

export type NixLogEvent =
  | { action: 'start'; id: number; type: number; level: number; text: string; parent?: number; fields: NixField[] }
  | { action: 'stop'; id: number }
  | { action: 'result'; id: number; type: number; fields: NixField[] }
  /** A message; `msg` has ANSI escapes stripped. level 0 = error, 1 = warning, 3 = info … */
  | { action: 'msg'; level: number; msg: string }
  /** A stderr line that is not `@nix` JSON (e.g. printed after `--log-format` was overridden). */
  | { action: 'text'; text: string };

// CSI sequences (colours, cursor) and OSC sequences (hyperlinks).
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

const int = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);
const fields = (v: unknown): NixField[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === 'number' || typeof x === 'string' ? x : null)) : [];

/** Parses one stderr line; undefined for blank lines. Malformed `@nix` JSON comes back as text. */
export function parseNixLogLine(line: string): NixLogEvent | undefined {
  const l = line.replace(/\r?\n$/, '');
  if (!l.trim()) return undefined;
  if (!l.startsWith('@nix ')) return { action: 'text', text: stripAnsi(l) };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(l.slice(5)) as Record<string, unknown>;
  } catch {
    return { action: 'text', text: stripAnsi(l) };
  }
  switch (o.action) {
    case 'start': {
      const ev: NixLogEvent = { action: 'start', id: int(o.id), type: int(o.type), level: int(o.level), text: stripAnsi(String(o.text ?? '')), fields: fields(o.fields) };
      if (typeof o.parent === 'number' && o.parent !== 0) ev.parent = o.parent;
      return ev;
    }
    case 'stop':
      return { action: 'stop', id: int(o.id) };
    case 'result':
      return { action: 'result', id: int(o.id), type: int(o.type), fields: fields(o.fields) };
    case 'msg':
      return { action: 'msg', level: int(o.level), msg: stripAnsi(String(o.msg ?? '')) };
    default:
      return { action: 'text', text: stripAnsi(l) };
  }
}

/** "/nix/store/<hash>-hello-2.12.drv" → "hello-2.12". */
export function drvName(path: string): string {
  const base = path.replace(/^.*\//, '').replace(/\.drv$/, '');
  return /^[0-9a-z]{32}-/.test(base) ? base.slice(33) : base;
}
