// What a key press means while no session is connected (after a failure, a drop or a detach).
// Pure (no vscode).

export type KeyAction = 'reconnect' | 'force' | 'close' | 'none';

export function keyAction(data: string, canForce: boolean): KeyAction {
  // Only the first key of a chunk counts (a paste is not a command).
  const k = data.charAt(0);
  if (k === '\r' || k === '\n' || k === 'r' || k === 'R') return 'reconnect';
  if ((k === 'f' || k === 'F') && canForce) return 'force';
  if (k === 'q' || k === 'Q' || k === '\x03' || k === '\x04') return 'close';
  return 'none';
}
