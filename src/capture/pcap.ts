// A small reader of the classic pcap format (what `tcpdump -w` writes): the global header, then
// records. Pure. Used to check that a capture file is valid, count packets by protocol, and print
// one line per packet where no local tcpdump exists.

export interface PcapHeader {
  littleEndian: boolean;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanos: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  /** 1 = Ethernet. */
  linktype: number;
}

export interface PcapPacket {
  tsSec: number;
  tsFrac: number;
  capturedLength: number;
  originalLength: number;
  data: Buffer;
}

export const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export function parsePcapHeader(b: Buffer): PcapHeader {
  if (b.length < PCAP_HEADER_BYTES) throw new Error(`not a pcap file: ${b.length} bytes, a header is ${PCAP_HEADER_BYTES}`);
  const be = b.readUInt32BE(0);
  const le = b.readUInt32LE(0);
  let littleEndian: boolean;
  let nanos = false;
  if (le === 0xa1b2c3d4 || le === 0xa1b23c4d) {
    littleEndian = true;
    nanos = le === 0xa1b23c4d;
  } else if (be === 0xa1b2c3d4 || be === 0xa1b23c4d) {
    littleEndian = false;
    nanos = be === 0xa1b23c4d;
  } else {
    throw new Error(`not a pcap file: magic 0x${be.toString(16)}`);
  }
  const u16 = (o: number): number => (littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  return { littleEndian, nanos, versionMajor: u16(4), versionMinor: u16(6), snaplen: u32(16), linktype: u32(20) };
}

/**
 * The complete records of `b` (a file, or the bytes received so far); `rest` is the offset of the
 * first incomplete record (a capture still growing ends mid-record).
 */
export function parsePcap(b: Buffer): { header: PcapHeader; packets: PcapPacket[]; rest: number } {
  const header = parsePcapHeader(b);
  const u32 = (o: number): number => (header.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const packets: PcapPacket[] = [];
  let o = PCAP_HEADER_BYTES;
  while (o + RECORD_HEADER_BYTES <= b.length) {
    const incl = u32(o + 8);
    if (incl > Math.max(header.snaplen, 262144)) throw new Error(`corrupt pcap record at byte ${o}: length ${incl}`);
    if (o + RECORD_HEADER_BYTES + incl > b.length) break;
    packets.push({ tsSec: u32(o), tsFrac: u32(o + 4), capturedLength: incl, originalLength: u32(o + 12), data: b.subarray(o + RECORD_HEADER_BYTES, o + RECORD_HEADER_BYTES + incl) });
    o += RECORD_HEADER_BYTES + incl;
  }
  return { header, packets, rest: o };
}

export interface PacketSummary {
  /** "ICMP", "TCP", "UDP", "ARP", "IPv6", "other". */
  proto: string;
  src?: string;
  dst?: string;
  /** ICMP: "echo request" / "echo reply". */
  info?: string;
}

const ip4 = (d: Buffer, o: number): string => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;

/** What an Ethernet frame carries (IPv4 with ICMP/TCP/UDP, ARP, IPv6). */
export function summarize(data: Buffer, linktype = 1): PacketSummary {
  if (linktype !== 1 || data.length < 14) return { proto: 'other' };
  let type = data.readUInt16BE(12);
  let o = 14;
  if (type === 0x8100 && data.length >= 18) {
    type = data.readUInt16BE(16);
    o = 18;
  }
  if (type === 0x0806) return { proto: 'ARP' };
  if (type === 0x86dd) return { proto: 'IPv6' };
  if (type !== 0x0800 || data.length < o + 20) return { proto: 'other' };
  const ihl = ((data[o] as number) & 0x0f) * 4;
  const p = data[o + 9];
  const src = ip4(data, o + 12);
  const dst = ip4(data, o + 16);
  if (p === 1) {
    const t = data[o + ihl];
    return { proto: 'ICMP', src, dst, info: t === 8 ? 'echo request' : t === 0 ? 'echo reply' : `type ${t}` };
  }
  return { proto: p === 6 ? 'TCP' : p === 17 ? 'UDP' : `IP proto ${p}`, src, dst };
}

/** Packets per protocol in a pcap buffer. */
export function countByProto(b: Buffer): Record<string, number> {
  const { header, packets } = parsePcap(b);
  const out: Record<string, number> = {};
  for (const p of packets) {
    const k = summarize(p.data, header.linktype).proto;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
