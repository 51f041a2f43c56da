// Generates a valid topology with N VMs spread over hosts and networks (for scale tests and benches).
export function genTopology(vms: number, opts: { hosts?: number; netsPerHost?: number; links?: boolean } = {}): string {
  const hosts = opts.hosts ?? Math.max(1, Math.min(10, Math.ceil(vms / 100)));
  const nph = opts.netsPerHost ?? 2;
  const out: string[] = [
    `# Generated: ${vms} VMs on ${hosts} hosts, ${nph} networks per host.`,
    'version: 1',
    `name: gen-${vms}`,
    '',
    'hosts:',
  ];
  for (let h = 0; h < hosts; h++) out.push(`  hv${h}:`, `    address: 10.0.${h}.1`, '    kvm: true');
  out.push('', 'networks:');
  for (let h = 0; h < hosts; h++) {
    for (let n = 0; n < nph; n++) {
      const k = h * nph + n;
      out.push(`  br${k}:`, `    host: hv${h}`, `    subnet: 10.${16 + (k >> 8)}.${k & 255}.0/24`, `    gateway: 10.${16 + (k >> 8)}.${k & 255}.1`);
    }
  }
  out.push('', 'vms:');
  const perHost = Math.ceil(vms / hosts);
  for (let i = 0; i < vms; i++) {
    const h = Math.floor(i / perHost);
    const local = i % perHost;
    const k = h * nph + (local % nph);
    const ip = `10.${16 + (k >> 8)}.${k & 255}.${10 + Math.floor(local / nph)}`;
    if (i % 50 === 0) out.push(`  # VMs ${i}..${Math.min(vms, i + 50) - 1}`);
    out.push(`  vm${i}:`, `    host: hv${h}`, '    backend: libvirt', `    memory: ${256 * (1 + (i % 4))}`,
      `    nics: [{ network: br${k}, ip: ${ip}, tap: t${i} }]`);
  }
  out.push('', 'profiles:', '  slow:', '    rate: 10mbit', '    delay: 20ms');
  if (opts.links !== false && vms > 1) {
    out.push('', 'links:');
    for (let i = 0; i + 1 < vms; i += 10) out.push(`  l${i}: { endpoints: [vm${i}, vm${i + 1}]${i % 20 === 0 ? ', profile: slow' : ''} }`);
  }
  return out.join('\n') + '\n';
}
