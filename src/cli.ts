// `vsim validate FILE…`: the same checks as the editor, for CI pipelines.
// Prints `file:line:col: severity: message` per problem; exit 1 when any file has an error.
// `vsim export --json FILE [-o OUT]`: the normalized topology (defaults filled) for nix/.
// `vsim plan|apply|up|down|destroy FILE [--ssh-config FILE] [--yes]`: the lab bring-up (src/cliLab.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { labCommand, type LabCliOptions } from './cliLab';
import { exportTopology } from './export/toJson';
import { analyze } from './model/analyze';
import type { Problem } from './model/problem';

function validate(files: string[]): number {
  let errors = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      console.error(`${file}: cannot read: ${(err as Error).message}`);
      errors++;
      continue;
    }
    const { parsed, problems } = analyze(text);
    printProblems(file, parsed.lines, problems);
    errors += problems.filter((p) => p.severity === 'error').length;
  }
  return errors ? 1 : 0;
}

function printProblems(file: string, lines: { position(offset: number): { line: number; character: number } },
  problems: Problem[], stream: (s: string) => void = console.log): void {
  for (const p of problems) {
    const { line, character } = lines.position(p.start);
    stream(`${file}:${line + 1}:${character + 1}: ${p.severity}: ${p.message}`);
  }
}

function exportJson(args: string[]): number {
  const rest = args.filter((a) => a !== '--json');
  const o = rest.indexOf('-o');
  const out = o >= 0 ? rest[o + 1] : undefined;
  const files = o >= 0 ? [...rest.slice(0, o), ...rest.slice(o + 2)] : rest;
  if (files.length !== 1 || (o >= 0 && !out)) return usage();
  const file = files[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`${file}: cannot read: ${(err as Error).message}`);
    return 1;
  }
  const r = exportTopology(text);
  // Problems go to stderr so stdout stays pure JSON.
  printProblems(file, r.lines, r.problems, console.error);
  if (!r.ok) {
    console.error(`${file}: not exported: fix the errors above first.`);
    return 1;
  }
  if (out) writeFileSync(out, r.json);
  else process.stdout.write(r.json);
  return 0;
}

function usage(): number {
  console.error('usage: vsim validate FILE.vsim.yaml…\n       vsim export --json FILE.vsim.yaml [-o OUT.json]\n' +
    '       vsim plan|apply|up|down|destroy FILE.vsim.yaml [--ssh-config FILE] [--yes] [--timeout SECONDS]\n' +
    '       (plan exits 0 in sync, 2 on drift, 1 on error)');
  return 2;
}

const LAB_COMMANDS = ['plan', 'apply', 'up', 'down', 'destroy'] as const;

/** `FILE [--ssh-config F] [--yes] [--timeout S]` → options, or undefined for a usage error. */
function labOptions(args: string[]): LabCliOptions | undefined {
  const files: string[] = [];
  const o: Partial<LabCliOptions> = { yes: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--yes' || a === '-y') o.yes = true;
    else if (a === '--ssh-config' && args[i + 1]) o.sshConfig = args[++i];
    else if (a === '--timeout' && /^\d+$/.test(args[i + 1] ?? '')) o.timeoutMs = Number(args[++i]) * 1000;
    else if (a.startsWith('-')) return undefined;
    else files.push(a);
  }
  return files.length === 1 ? { ...o, file: files[0] as string, yes: !!o.yes } : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'validate' && rest.length) return validate(rest);
  if (cmd === 'export' && rest.includes('--json')) return exportJson(rest);
  const lab = LAB_COMMANDS.find((c) => c === cmd);
  if (lab) {
    const o = labOptions(rest);
    return o ? labCommand(lab, o) : usage();
  }
  return usage();
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
