// argv → one POSIX shell command line. Every remote command goes through buildCommand().
// Strategy: wrap each argument in single quotes; inside single quotes nothing is special except
// the quote itself, which becomes '\'' (close, escaped quote, reopen). Safe for any string:
// newlines, $(), backticks, globs, unicode. A leading '-' is the caller's business (use `--`).

// No '=' (a first word like a=b would be an assignment) and no '~' (tilde expansion).
const SAFE = /^[A-Za-z0-9_@%+:,./-]+$/;

/** Quotes one argument for a POSIX shell. Plain words stay unquoted for readable logs. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) {
    throw new Error('A shell argument cannot contain a NUL byte');
  }
  if (SAFE.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins argv into one command line for `sh -c`; the one function every remote command goes through. */
export function buildCommand(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new Error('buildCommand: empty argv');
  }
  return argv.map(shellQuote).join(' ');
}
