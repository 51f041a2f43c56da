// Typing a command into a sandbox guest's serial shell (busybox sh, prompt "/ # "; the CH stand-in
// answers at "stand-in# ") without leaving half a line behind for the next client. When a console
// client goes, QEMU drops what it had sent that the guest's UART had not yet taken, so a command
// typed just before a client is killed can reach the shell cut short (`echo x-$((6*` …) and leave it
// at a continuation prompt ("> ") for every later test. So: Enter alone until a prompt shows (one
// byte cannot be cut in two), Ctrl-C at a continuation prompt (the guest's tty turns it into SIGINT
// and sh drops the unfinished line), then the command once, then its reply and the next prompt, so
// nothing is in flight when the caller detaches.
import { until } from './sshRunner';

/** The end of a shell's output when it waits for input (busybox line editing asks for the cursor with ESC[6n). */
const PROMPT = /(\/ # |stand-in# |> )(\x1b\[6n)?$/;
const CONTINUATION = /> (\x1b\[6n)?$/;
const POKE_EVERY_MS = 1000;

/** A console the test types into, and everything it has printed so far. */
export interface GuestConsole {
  write(s: string): void;
  out(): string;
}

/** Pokes Enter (at most once a second) until the output since `from` ends at a prompt; that output. */
async function prompt(c: GuestConsole, what: string, from: number, deadlineMs: number): Promise<string> {
  let poked = 0;
  return until(`${what}: a prompt`, deadlineMs, async () => {
    const s = c.out().slice(from);
    if (PROMPT.test(s)) return s;
    if (Date.now() - poked >= POKE_EVERY_MS) { c.write('\r'); poked = Date.now(); }
    return undefined;
  });
}

/**
 * Types `command` at the guest's prompt and waits for `reply` and the prompt after it; the output
 * from the command on. A failure names `what` and shows the last output.
 */
export async function typeAtPrompt(c: GuestConsole, what: string, command: string, reply: RegExp, deadlineMs = 60_000): Promise<string> {
  const end = Date.now() + deadlineMs;
  const left = () => Math.max(1, end - Date.now());
  try {
    let seen = await prompt(c, what, c.out().length, left());
    if (CONTINUATION.test(seen)) {
      c.write('\x03');
      seen = await prompt(c, `${what} (after Ctrl-C at a continuation prompt)`, c.out().length, left());
    }
    const from = c.out().length;
    c.write(`${command}\r`);
    await until(`${what}: ${reply}`, left(), async () => reply.test(c.out().slice(from)));
    await until(`${what}: the prompt after the reply`, left(), async () => PROMPT.test(c.out().slice(from)));
    return c.out().slice(from);
  } catch (e) {
    throw new Error(`${(e as Error).message}; output: ${JSON.stringify(c.out().slice(-400))}`);
  }
}
