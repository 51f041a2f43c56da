// Networks that span hosts: `host` or `hosts`, a tunnel with an identifier no other network uses,
// an underlay address on every host it joins, an MTU that fits the underlay, and links between
// VMs of different hosts that have a network to cross on.
import { DEFAULT_UNDERLAY_MTU, maxTunnelMtu, networkHosts, tunnelId, tunnelOverhead } from '../fabric';
import { entries, type Check } from './context';

export const checkFabric: Check = ({ t, report }) => {
  const ids = new Map<string, string>(); // `vxlan 42` → network
  const underlays = new Map<string, string>(); // address → host
  for (const [name, h] of entries(t.hosts)) {
    if (!h.underlay) continue;
    const other = underlays.get(h.underlay);
    if (other) report('error', 'underlay-taken', ['hosts', name, 'underlay'], `Host \`${name}\` has the same underlay address ${h.underlay} as host \`${other}\`; each host's tunnel endpoint needs its own address.`);
    else underlays.set(h.underlay, name);
  }
  for (const [name, net] of entries(t.networks)) {
    const at = (...p: (string | number)[]) => ['networks', name, ...p];
    if (net.host !== undefined && net.hosts !== undefined) {
      report('error', 'host-and-hosts', at('hosts'), `Network \`${name}\` gives both \`host\` and \`hosts\`: a network on one host has \`host\`, one that spans hosts has \`hosts\` (and a \`tunnel\`).`, { prefer: 'key' });
    }
    const on = networkHosts(net);
    const tunnel = net.tunnel && typeof net.tunnel === 'object' ? net.tunnel : undefined;
    if (on.length < 2) {
      if (tunnel && on.length === 1) report('warning', 'tunnel-unused', at('tunnel'), `Network \`${name}\` is on one host: its \`tunnel\` is not used. List the hosts it spans under \`hosts\`.`, { prefer: 'key' });
      continue;
    }
    if (!tunnel) {
      report('error', 'span-without-tunnel', at('hosts'), `Network \`${name}\` spans ${on.join(', ')} but has no \`tunnel\`: add e.g. \`tunnel: { kind: vxlan, vni: 42 }\` so its bridges are joined.`, { prefer: 'key' });
      continue;
    }
    const id = tunnelId(tunnel);
    const idField = tunnel.kind === 'vxlan' ? 'vni' : 'key';
    if (id === undefined) {
      report('error', 'tunnel-without-id', at('tunnel'), `The ${tunnel.kind} tunnel of network \`${name}\` needs a \`${idField}\` (unique in this file).`, { prefer: 'key' });
    } else {
      const k = `${tunnel.kind} ${id}`;
      const other = ids.get(k);
      if (other) report('error', 'tunnel-id-taken', at('tunnel', idField), `${tunnel.kind === 'vxlan' ? 'VNI' : 'GRE key'} ${id} is already the tunnel of network \`${other}\`; give each spanning network its own.`);
      else ids.set(k, name);
    }
    on.forEach((h, i) => {
      const host = t.hosts?.[h];
      if (host && !host.underlay) {
        report('error', 'underlay-missing', at('hosts', i), `Host \`${h}\` has no \`underlay\` address: the ${tunnel.kind} tunnel of network \`${name}\` ends there. Add \`underlay: <its IPv4 address the other hosts reach>\` under hosts.${h}.`);
      }
    });
    const max = maxTunnelMtu(tunnel, on.map((h) => t.hosts?.[h]));
    if (typeof net.mtu === 'number' && net.mtu > max) {
      const under = Math.min(...on.map((h) => t.hosts?.[h]?.underlayMtu ?? DEFAULT_UNDERLAY_MTU));
      report('error', 'mtu-too-large', at('mtu'), `MTU ${net.mtu} of network \`${name}\` does not fit its ${tunnel.kind} tunnel: the underlay MTU ${under} minus ${tunnelOverhead(tunnel)} bytes of header leaves ${max}.`);
    }
    if (tunnel.port !== undefined && tunnel.kind !== 'vxlan') {
      report('warning', 'tunnel-port-ignored', at('tunnel', 'port'), `\`port\` is the UDP port of vxlan; a gre tunnel has none.`);
    }
  }
  // A link between VMs of different hosts carries traffic only over a network both are on.
  for (const [name, l] of entries(t.links)) {
    const [a, b] = Array.isArray(l.endpoints) ? l.endpoints : [];
    const va = typeof a === 'string' ? t.vms?.[a] : undefined;
    const vb = typeof b === 'string' ? t.vms?.[b] : undefined;
    if (!va || !vb || va.host === vb.host) continue;
    const netsOf = (v: typeof va) => new Set((Array.isArray(v.nics) ? v.nics : []).map((n) => n?.network).filter((n): n is string => typeof n === 'string'));
    const nb = netsOf(vb);
    const shared = [...netsOf(va)].filter((n) => nb.has(n));
    if (!shared.length) {
      report('warning', 'link-no-path', ['links', name, 'endpoints'], `Link \`${name}\` joins \`${a}\` on \`${va.host}\` and \`${b}\` on \`${vb.host}\`, which share no network: give both a NIC on a network that spans ${va.host} and ${vb.host}.`, { prefer: 'key' });
    }
  }
};
