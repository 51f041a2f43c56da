// A stable domain UUID derived from the VM name, so that redefining a domain keeps its UUID.
// Pure. Nix-reproducible: h = sha1 hex of "vsim:" + name (builtins.hashString "sha1");
// uuid = h[0,8)-h[8,12)-"5"+h[13,16)-V+h[17,20)-h[20,32), V = "89ab"[hexValue(h[16]) & 3]
// (version 5 and RFC 4122 variant bits, like a v5 UUID but without a namespace).
import { createHash } from 'node:crypto';

export function domainUuid(name: string): string {
  const h = createHash('sha1').update(`vsim:${name}`, 'utf8').digest('hex');
  const v = '89ab'[parseInt(h[16] as string, 16) & 3] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
