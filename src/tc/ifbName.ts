// The ifb device that carries a tap's ingress traffic. Pure.
// "ifb-" + iface when that fits the kernel's 15 characters, else "ifb-" + the first 6
// characters + the first 5 hex digits of sha1(iface) (Nix: builtins.hashString "sha1").
import { createHash } from 'node:crypto';
import { assertIfname } from '../model/names';

export function ifbName(iface: string): string {
  assertIfname(iface);
  const plain = `ifb-${iface}`;
  if (plain.length <= 15) return plain;
  return `ifb-${iface.slice(0, 6)}${createHash('sha1').update(iface, 'utf8').digest('hex').slice(0, 5)}`;
}
