// How a command reaches `sh` whatever the login shell is. sshd runs every exec request as
// `$SHELL -c STRING`; tcsh, fish, zsh and sh agree only on plain words, so STRING is always one of
// the constants below (no quotes, `$`, `!`, backslashes or newlines) and the POSIX command text is
// written to sh's stdin. What a shell rc file prints comes before a random start mark and is dropped;
// a command's output is what follows its own start mark.
//
// Own-channel commands keep stdin for the program: sh must have read the whole script before the
// program starts, so the script is one compound command `{ …; }; exit $?` (sh parses it to the
// final newline before running any of it), its first action prints the start mark, and the caller
// writes nothing else until it has seen that mark. With a pty the input passes the tty's line
// discipline (echo, 4 KiB lines, ^C…): a short first line saves the tty modes and switches to raw,
// the script follows in raw mode and restores the modes before the start mark.
import { randomBytes } from 'node:crypto';

/** The exec string of the control shell and of own channels without a pty. */
export const SH_EXEC = 'sh';
/** With a pty: a script file, so that sh is not interactive (no prompts, a failed exec exits). */
export const SH_EXEC_PTY = 'sh /dev/stdin';

/** A fresh random mark: `__vsim_` and 32 hex digits. */
export function newMark(): string {
  return `__vsim_${randomBytes(16).toString('hex')}`;
}

/** Shell text that prints `${mark}${suffix}` (and more printf arguments) without the mark appearing whole in it (a pty echoes input). */
function printMark(mark: string, suffix: string, more = '', redirect = ''): string {
  const hex = mark.slice('__vsim_'.length);
  return `printf '%s%s${more ? ' %s' : ''}\\n' __vsim_ ${hex}${suffix}${more ? ` ${more}` : ''}${redirect}`;
}

/** The start mark line of a stream: `${mark}s <pid of the sh>`. */
export function startLine(mark: string): string {
  return `${mark}s`;
}

/**
 * The script of an own channel. `stdin: false` runs the command with </dev/null. Without a pty,
 * the start mark is printed on stdout and stderr; with one (both are the tty), once.
 */
export function channelScript(command: string, mark: string, opts: { pty?: boolean; stdin?: boolean } = {}): string {
  const start = opts.pty
    ? `stty "$__vsim_tty"; ${printMark(mark, 's', '$$')}`
    : `${printMark(mark, 's', '$$')}; ${printMark(mark, 's', '$$', ' >&2')}`;
  return `{ ${start}; ${command}\n}${opts.stdin === false ? ' </dev/null' : ''}; exit $?\n`;
}

/** The first line written to a pty channel: saves the tty modes, goes raw, says so with `${mark}r`. */
export function ptyPrelude(mark: string): string {
  return `__vsim_tty=$(stty -g); stty raw -echo; ${printMark(mark, 'r')}\n`;
}

/** The line that runs one command on the control shell, framed by `${mark}s` and `${mark}e <rc>` lines. */
export function shellScript(command: string, mark: string, stdin: string | undefined, quote: (s: string) => string): string {
  const input = stdin === undefined ? ' </dev/null' : '';
  const pipe = stdin === undefined ? '' : `printf '%s' ${quote(stdin)} | `;
  return `${printMark(mark, 's')}; ${printMark(mark, 's', '', ' >&2')}; ${pipe}( ${command}\n)${input}; __vsim_rc=$?; `
    + `printf '%s %03d\\n' ${mark}e "$__vsim_rc"; printf '%s\\n' ${mark}e >&2\n`;
}
