// `vsim validate FILE…`: the same checks as the editor, for CI pipelines.
// Prints `file:line:col: severity: message` per problem; exit 1 when any file has an error.
import { readFileSync } from 'node:fs';
import { analyze } from './model/analyze';

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
    for (const p of problems) {
      const { line, character } = parsed.lines.position(p.start);
      console.log(`${file}:${line + 1}:${character + 1}: ${p.severity}: ${p.message}`);
      if (p.severity === 'error') errors++;
    }
  }
  return errors ? 1 : 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === 'validate' && rest.length) return validate(rest);
  console.error('usage: vsim validate FILE.vsim.yaml…');
  return 2;
}

process.exitCode = main(process.argv.slice(2));
