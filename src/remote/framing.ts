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
//
// Commands that collect a result (the control shell's, exec's own channels) run in a process group
// of their own (`setsid`, where the host has util-linux's), whose leader prints its pid in the start
// line: a command that times out is killed with its whole group (killScript), not left running.
import { randomBytes } from 'node:crypto';
import { shellQuote } from './quote';

/**
 * The exec string of the control shell and of own channels without a pty. `exec`: sh replaces the
 * login shell (fish does not exec the last command of `-c` itself; in the pty's foreground group it
 * would die of a Ctrl-C meant for the program and report that as the channel's exit).
 */
export const SH_EXEC = 'exec sh';
/** With a pty: a script file, so that sh is not interactive (no prompts, a failed exec exits). */
export const SH_EXEC_PTY = 'exec sh /dev/stdin';

/** A fresh random mark: `__vsim_` and 32 hex digits. */
export function newMark(): string {
  return `__vsim_${randomBytes(16).toString('hex')}`;
}

/** Shell text that prints `${mark}${suffix}` (and more printf arguments) without the mark appearing whole in it (a pty echoes input). */
function printMark(mark: string, suffix: string, more = '', redirect = ''): string {
  const hex = mark.slice('__vsim_'.length);
  return `printf '%s%s${more ? ' %s' : ''}\\n' __vsim_ ${hex}${suffix}${more ? ` ${more}` : ''}${redirect}`;
}

/** The start mark of a command: its line is `${mark}s <pid>` on stdout, `${mark}s` on stderr. */
export function startLine(mark: string): string {
  return `${mark}s`;
}

/** Sets `$__vsim_ss` to `setsid -w` where that works, else to nothing (the group is then the caller's). */
export const SETSID_PROBE = "__vsim_ss=; if setsid -w true </dev/null >/dev/null 2>&1; then __vsim_ss='setsid -w'; fi";

/** `command` as a group leader (where setsid exists) that first prints the start lines with its pid. */
function grouped(command: string, mark: string): string {
  const hex = mark.slice('__vsim_'.length);
  const inner = `printf '%s%s %s\\n' __vsim_ ${hex}s "$$"; printf '%s%s\\n' __vsim_ ${hex}s >&2; eval "$1"`;
  return `$__vsim_ss sh -c ${shellQuote(inner)} sh ${shellQuote(command)}`;
}

/**
 * The script of an own channel. `stdin: false` runs the command with </dev/null. A stream (`group:
 * false`, consoles, builds) keeps the session's process group and tty; its start line has the pid
 * of the sh. Without a pty the start mark is printed on stdout and stderr; with one (both are the tty), once.
 */
export function channelScript(command: string, mark: string, opts: { pty?: boolean; stdin?: boolean; group?: boolean } = {}): string {
  const redirect = opts.stdin === false ? ' </dev/null' : '';
  if (opts.group && !opts.pty) return `{ ${SETSID_PROBE}; ${grouped(command, mark)}\n}${redirect}; exit $?\n`;
  const start = opts.pty
    ? `stty "$__vsim_tty"; ${printMark(mark, 's', '$$')}`
    : `${printMark(mark, 's', '$$')}; ${printMark(mark, 's', '$$', ' >&2')}`;
  return `{ ${start}; ${command}\n}${redirect}; exit $?\n`;
}

/** Shell builtins without a program of that name: `exec` cannot run them. */
const BUILTINS = new Set(['.', ':', 'alias', 'break', 'cd', 'command', 'continue', 'eval', 'exec', 'exit', 'export', 'read', 'readonly', 'return', 'set', 'shift', 'source', 'times', 'trap', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait']);

/**
 * A stream's command as the text that replaces the sh (`exec PROGRAM ARGS`), so that the program is
 * the channel's process, as it was when sshd's login shell (bash) ran `-c CMD` and exec'd it: a
 * Ctrl-C on the pty reaches only the program, and the channel's exit status is the program's own
 * (dash does not exec the last command of `sh -c`; an sh left waiting would die of the SIGINT).
 */
export function execForm(argv: readonly string[], command: string): string {
  return BUILTINS.has(argv[0] ?? '') ? `exec sh -c ${shellQuote(command)}` : `exec ${command}`;
}

/** Kills the process group `pid` leads (or the process, where setsid was missing). Not `kill -- -PID`: dash's kill refuses `--`. */
export function killScript(pid: number): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`Invalid pid ${pid}`);
  return `kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null; exit 0\n`;
}

/** The first line written to a pty channel: saves the tty modes, goes raw, says so with `${mark}r`. */
export function ptyPrelude(mark: string): string {
  return `__vsim_tty=$(stty -g); stty raw -echo; ${printMark(mark, 'r')}\n`;
}

/**
 * The line that runs one command on the control shell (after SETSID_PROBE ran in it), framed by
 * `${mark}s <pid>` and `${mark}e <rc>` lines. The command runs in a child sh, so `exit`/`cd` do not
 * touch the control shell; </dev/null (or a printf pipe for stdin) keeps it from eating the next commands.
 */
export function shellScript(command: string, mark: string, stdin: string | undefined): string {
  const input = stdin === undefined ? ' </dev/null' : '';
  const pipe = stdin === undefined ? '' : `printf '%s' ${shellQuote(stdin)} | `;
  return `${pipe}${grouped(command, mark)}${input}; __vsim_rc=$?; `
    + `printf '%s %03d\\n' ${mark}e "$__vsim_rc"; printf '%s\\n' ${mark}e >&2\n`;
}
