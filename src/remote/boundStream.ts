// Long-running remote commands that end with their channel (event streams, captures): sshd closes
// a command's stdin when its channel is closed or the connection drops, but a program that never
// reads stdin and seldom writes (`virsh event --loop` writes only on the next libvirt event) would
// linger on the host until then. boundToChannel runs it under a small sh that kills it at EOF on
// stdin; stdout and stderr stay the program's own (binary-safe), its exit status is the wrapper's.
import type { RemoteStream } from './framedChannel';

/**
 * `sh -c SCRIPT sh ARGV…`: the program runs in the background with stdin /dev/null; a reader of the
 * channel's stdin (fd 3) kills it at EOF; the wrapper waits for the program, then stops the reader.
 */
export const BOUND_SCRIPT = 'exec 3<&0 </dev/null; "$@" 3<&- & p=$!; '
  + '{ cat; kill "$p"; } <&3 >/dev/null 2>&1 & r=$!; exec 3<&-; '
  + 'wait "$p"; s=$?; kill "$r" 2>/dev/null; exit "$s"';

/** The program of a bound argv (what logs show), or argv itself. */
export function programOf(argv: readonly string[]): readonly string[] {
  return argv.length > 4 && argv[0] === 'sh' && argv[1] === '-c' && argv[2] === BOUND_SCRIPT && argv[3] === 'sh' ? argv.slice(4) : argv;
}

/** argv wrapped so that it ends when its channel closes (for commands that read nothing from stdin). */
export function boundToChannel(argv: readonly string[]): string[] {
  if (!argv.length) throw new Error('boundToChannel: empty argv');
  return ['sh', '-c', BOUND_SCRIPT, 'sh', ...argv];
}

type StreamChannel = Pick<RemoteStream, 'end' | 'close'> & { on(event: 'close', listener: (code: number | null) => void): unknown };

/**
 * A long-running remote command on its own channel: `attach` reads it; `done` = its exit code;
 * dispose sends EOF (the bound command ends) and closes the channel, also before it opened.
 */
export function openStream<C extends StreamChannel>(open: () => Promise<C>, attach: (ch: C) => void): { done: Promise<number>; dispose(): void } {
  let channel: C | undefined;
  let disposed = false;
  const stop = (ch: C): void => {
    ch.end();
    ch.close();
  };
  const done = (async () => {
    const ch = await open();
    channel = ch;
    if (disposed) stop(ch);
    attach(ch);
    return new Promise<number>((resolve) => ch.on('close', (code: number | null) => resolve(code ?? -1)));
  })();
  return { done, dispose: () => { disposed = true; if (channel) stop(channel); } };
}
