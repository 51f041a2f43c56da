#!/usr/bin/env node
// cloud-hypervisor STAND-IN for the vsim sandbox (plain Node 20, no npm dependencies).
//
// cloud-hypervisor is not packaged anywhere this sandbox can reach and needs KVM, which hangs
// nested here. This program is NOT cloud-hypervisor: it runs no guest. It serves the REST API of
// cloud-hypervisor (paths, methods, status codes, error-body shape and VM state machine taken
// from the upstream OpenAPI spec vmm/src/api/openapi/cloud-hypervisor.yaml and the upstream
// HTTP handlers vmm/src/api/http/) on a unix socket, so that the vsim extension can be tested
// against `curl --unix-socket SOCK http://localhost/api/v1/...` exactly as against the real VMM.
//
// Usage:
//   cloud-hypervisor-stand-in.mjs --api-socket PATH|path=PATH [--errors implementation|spec]
//                                 [--on-guest-exit exit|keep] [--guest-shutdown-ms N]
//   cloud-hypervisor-stand-in.mjs --version | --help
//
// Status codes (see test/sandbox/stand-ins/README.md for the full table and the reasons):
//   --errors implementation (default): what the upstream binary sends. Its HTTP layer maps an
//     API error to 404 only when the VM is not created (VmNotCreated), every other API error to
//     500; malformed JSON / a body where none is allowed / a wrong method -> 400; unknown path -> 404.
//   --errors spec: the codes the OpenAPI document lists (405 "not booted"/"not paused", 404 for
//     vm.restore on an already created VM, 204 for vmm.shutdown).
// Error bodies are what upstream's error_response() writes: a JSON array of the messages of the
// error chain, outermost first, e.g. ["Error from API","The VM could not be paused","VM is not running"].
//
// Guest exit (power button): upstream cloud-hypervisor exits the whole VMM process when the guest
// powers off. --on-guest-exit exit (default) does the same: socket removed, process exits 0.
// --on-guest-exit keep leaves the VMM up with the VM in state "Shutdown" (bootable again).

import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '48.0.0';
const BUILD_VERSION = 'v48.0.0-vsim-stand-in';

function usage() {
  return `cloud-hypervisor-stand-in (vsim sandbox STAND-IN for cloud-hypervisor ${VERSION}; runs no guest)
usage: cloud-hypervisor-stand-in.mjs --api-socket PATH|path=PATH [--errors implementation|spec]
                                     [--on-guest-exit exit|keep] [--guest-shutdown-ms N]
`;
}

function parseArgs(argv) {
  const o = { socket: null, errors: 'implementation', onGuestExit: 'exit', guestShutdownMs: 300 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (a.includes('=') && a.startsWith('--')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    const key = a.startsWith('--') ? a.split('=')[0] : a;
    switch (key) {
      case '--api-socket': {
        let v = val();
        // cloud-hypervisor accepts "path=/x.sock" (and "fd=N"); a bare path is accepted too.
        for (const part of v.split(',')) if (part.startsWith('path=')) v = part.slice(5);
        o.socket = v;
        break;
      }
      case '--errors': o.errors = val(); break;
      case '--on-guest-exit': o.onGuestExit = val(); break;
      case '--guest-shutdown-ms': o.guestShutdownMs = Number(val()); break;
      case '--version': case '-V':
        process.stdout.write(`cloud-hypervisor v${VERSION} (vsim stand-in)\n`); process.exit(0); break;
      case '--help': case '-h':
        process.stdout.write(usage()); process.exit(0); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.socket) throw new Error('--api-socket is required');
  if (!['implementation', 'spec'].includes(o.errors)) throw new Error('--errors must be implementation or spec');
  if (!['exit', 'keep'].includes(o.onGuestExit)) throw new Error('--on-guest-exit must be exit or keep');
  return o;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`Error: ${e.message}\n${usage()}`);
  process.exit(1);
}

const log = (msg) => process.stderr.write(`cloud-hypervisor-stand-in: ${new Date().toISOString()} ${msg}\n`);

// ---- VMM state -------------------------------------------------------------------------------
// vmConfig: null until vm.create / vm.restore (upstream: Vmm.vm_config).
// vm: null while created-but-not-booted or after vm.shutdown (upstream: Vmm.vm); else {state}.
// vm.info reports "Created" whenever vm is null and a config exists, exactly like upstream.
let vmConfig = null;
let vm = null;
let bootCount = 0;
let pendingPowerOff = false;
let guestTimer = null;

class ApiError extends Error {
  // kind: 'not-created' | 'not-booted' | 'not-paused' | 'already-created' | 'other' | 'bad-request'
  constructor(kind, chain) { super(chain.join(': ')); this.kind = kind; this.chain = chain; }
}
const api = (what, cause, kind = 'other') => new ApiError(kind, ['Error from API', what, ...[].concat(cause)]);
const transition = (from, to) => `Invalid VM state transition: ${from} to ${to}`;

function statusFor(err) {
  if (err.kind === 'bad-request') return 400;
  if (opts.errors === 'spec') {
    if (err.kind === 'not-created') return 404;
    if (err.kind === 'already-created') return err.specCode ?? 500;
    if (err.kind === 'not-booted' || err.kind === 'not-paused') return 405;
    return 500;
  }
  return err.kind === 'not-created' ? 404 : 500;
}

function currentState() {
  if (!vmConfig) return null;
  return vm ? vm.state : 'Created';
}

function fillDefaults(cfg) {
  // Upstream fills these defaults when deserialising a VmConfig (DEFAULT_VCPUS=1, 512 MiB).
  const c = structuredClone(cfg);
  c.cpus = { boot_vcpus: 1, max_vcpus: c.cpus?.boot_vcpus ?? 1, kvm_hyperv: false, nested: true, ...(c.cpus ?? {}) };
  c.memory = { size: 536870912, mergeable: false, hotplug_method: 'Acpi', shared: false, hugepages: false,
    prefault: false, thp: true, ...(c.memory ?? {}) };
  c.iommu ??= false; c.watchdog ??= false; c.pvpanic ??= false;
  c.serial ??= { mode: 'Null', iommu: false };
  c.console ??= { mode: 'Tty', iommu: false };
  if (Array.isArray(c.net)) {
    c.net = c.net.map((n, i) => ({ ip: '192.168.249.1', mask: '255.255.255.0', num_queues: 2, queue_size: 256,
      iommu: false, vhost_user: false, vhost_mode: 'Client', id: `_net${i}`,
      mac: n.mac ?? `52:54:00:${[i, 0x12, 0x34].map((x) => x.toString(16).padStart(2, '0')).join(':')}`, ...n }));
  }
  if (Array.isArray(c.disks)) c.disks = c.disks.map((d, i) => ({ readonly: false, direct: false, iommu: false,
    num_queues: 1, queue_size: 128, vhost_user: false, id: `_disk${i}`, ...d }));
  return c;
}

function validateConfig(cfg) {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
    throw new ApiError('bad-request', ['Failed to deserialize JSON', 'invalid type: expected struct VmConfig']);
  }
  const p = cfg.payload;
  if (p !== undefined && (typeof p !== 'object' || p === null)) {
    throw new ApiError('bad-request', ['Failed to deserialize JSON', 'invalid type for field `payload`, expected struct PayloadConfig']);
  }
  for (const k of ['cpus', 'memory']) {
    if (cfg[k] !== undefined && (typeof cfg[k] !== 'object' || cfg[k] === null)) {
      throw new ApiError('bad-request', ['Failed to deserialize JSON', `invalid type for field \`${k}\``]);
    }
  }
  if (cfg.memory?.size !== undefined && !Number.isInteger(cfg.memory.size)) {
    throw new ApiError('bad-request', ['Failed to deserialize JSON', 'invalid type for field `size`, expected u64']);
  }
  // Upstream validates at creation: no kernel/firmware/igvm -> "No kernel specified". The legacy
  // (pre-"payload") body {"kernel":{"path":..},"cmdline":{"args":..}} is therefore rejected too.
  if (!p || (!p.kernel && !p.firmware && !p.igvm)) {
    throw api('The VM could not be created', ['Error validating configuration', 'No kernel specified']);
  }
  if (cfg.cpus && cfg.cpus.max_vcpus !== undefined && cfg.cpus.boot_vcpus > cfg.cpus.max_vcpus) {
    throw api('The VM could not be created', ['Error validating configuration', 'Max CPUs lower than boot CPUs']);
  }
}

function parseBody(raw, required) {
  if (!raw.length) {
    if (required) throw new ApiError('bad-request', ['Bad Request']);
    return undefined;
  }
  if (!required) throw new ApiError('bad-request', ['Bad Request']); // upstream: body on a body-less action
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new ApiError('bad-request', ['Failed to deserialize JSON', e.message]);
  }
}

function fileUrlToDir(url, what) {
  if (typeof url !== 'string' || !url.startsWith('file://')) {
    throw api(what, [`Error parsing URL ${JSON.stringify(url)}`, 'Only file:// URLs are supported']);
  }
  return fileURLToPath(url);
}

function scheduleGuestPowerOff() {
  clearTimeout(guestTimer);
  guestTimer = setTimeout(() => {
    if (!vm || vm.state !== 'Running') { pendingPowerOff = vm?.state === 'Paused'; return; }
    pendingPowerOff = false;
    log('guest powered off (ACPI power button)');
    if (opts.onGuestExit === 'exit') {
      log('VM exit event: shutting the VMM down, as cloud-hypervisor does');
      vm.state = 'Shutdown';
      shutdownVmm(0);
    } else {
      vm.state = 'Shutdown';
    }
  }, opts.guestShutdownMs);
}

const routes = {
  'vmm.ping': { GET: () => ({ status: 200, body: { build_version: BUILD_VERSION, version: VERSION, pid: process.pid, features: ['kvm', 'vsim-stand-in'] } }) },

  'vmm.shutdown': {
    PUT: (raw) => {
      parseBody(raw, false);
      setImmediate(() => shutdownVmm(0));
      return { status: opts.errors === 'spec' ? 204 : 200 };
    },
  },

  'vm.info': {
    GET: () => {
      if (!vmConfig) throw api('The VM info is not available', 'VM is not created', 'not-created');
      const mem = (vmConfig.memory?.size ?? 0) + (vmConfig.memory?.hotplugged_size ?? 0);
      return { status: 200, body: { config: vmConfig, state: currentState(), memory_actual_size: mem, ...(vm ? { device_tree: {} } : {}) } };
    },
  },

  'vm.counters': {
    GET: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM info is not available', 'VM is not created', 'not-created');
      if (!vm) throw api('The VM info is not available', 'VM is not running', 'not-booted');
      const out = {};
      (vmConfig.net ?? []).forEach((n) => { out[n.id] = { rx_bytes: 0, rx_frames: 0, tx_bytes: 0, tx_frames: 0 }; });
      (vmConfig.disks ?? []).forEach((d) => { out[d.id] = { read_bytes: 0, read_ops: 0, write_bytes: 0, write_ops: 0 }; });
      return { status: 200, body: out };
    },
  },

  'vm.create': {
    PUT: (raw) => {
      const cfg = parseBody(raw, true);
      validateConfig(cfg);
      if (vmConfig) throw api('The VM could not be created', 'VM is already created', 'already-created');
      vmConfig = fillDefaults(cfg);
      vm = null;
      log('VM created');
      return { status: 204 };
    },
  },

  'vm.delete': {
    PUT: (raw) => {
      parseBody(raw, false);
      // Upstream: deleting when nothing is created is a no-op success; a running VM is shut down first.
      closeSerialSocket();
      vm = null; vmConfig = null; pendingPowerOff = false; clearTimeout(guestTimer);
      log('VM deleted');
      return { status: 204 };
    },
  },

  'vm.boot': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM could not boot', 'VM is not created', 'not-created');
      if (vm && vm.state !== 'Shutdown') throw api('The VM could not boot', transition(vm.state, 'Running'), 'other');
      vm = { state: 'Running', bootedAt: Date.now() };
      bootCount++;
      openSerialSocket();
      log(`VM booted (boot #${bootCount})`);
      return { status: 204 };
    },
  },

  'vm.shutdown': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM could not shutdown', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('The VM could not shutdown', 'VM is not running', 'not-booted');
      // Upstream takes the Vm out of the Vmm: vm.info then reports "Created" and vm.boot works again.
      vm = null; pendingPowerOff = false; clearTimeout(guestTimer);
      closeSerialSocket();
      log('VM shut down');
      return { status: 204 };
    },
  },

  'vm.reboot': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM could not reboot', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('The VM could not reboot', 'VM is not running', 'not-booted');
      if (vm.state !== 'Running') throw api('The VM could not reboot', transition(vm.state, 'Running'), 'not-booted');
      vm = { state: 'Running', bootedAt: Date.now() };
      bootCount++;
      openSerialSocket();
      log(`VM rebooted (boot #${bootCount})`);
      return { status: 204 };
    },
  },

  'vm.pause': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM could not be paused', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('The VM could not be paused', 'VM is not running', 'not-booted');
      if (vm.state !== 'Running') throw api('The VM could not be paused', transition(vm.state, 'Paused'), 'not-booted');
      vm.state = 'Paused';
      log('VM paused');
      return { status: 204 };
    },
  },

  'vm.resume': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('The VM could not resume', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('The VM could not resume', 'VM is not running', 'not-booted');
      if (vm.state !== 'Paused') throw api('The VM could not resume', transition(vm.state, 'Running'), 'not-paused');
      vm.state = 'Running';
      log('VM resumed');
      if (pendingPowerOff) scheduleGuestPowerOff();
      return { status: 204 };
    },
  },

  'vm.power-button': {
    PUT: (raw) => {
      parseBody(raw, false);
      if (!vmConfig) throw api('Error triggering power button', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('Error triggering power button', 'VM is not running', 'not-booted');
      log('power button pressed');
      if (vm.state === 'Paused') pendingPowerOff = true; // the guest sees the ACPI event once resumed
      else scheduleGuestPowerOff();
      return { status: 204 };
    },
  },

  'vm.snapshot': {
    PUT: (raw) => {
      const body = parseBody(raw, true);
      if (!vmConfig) throw api('The VM could not be snapshotted', 'VM is not created', 'not-created');
      if (!vm || vm.state === 'Shutdown') throw api('The VM could not be snapshotted', 'VM is not running', 'not-booted');
      if (vm.state !== 'Paused') {
        throw api('The VM could not be snapshotted', ['Snapshot error', 'Trying to snapshot while VM is running'], 'not-paused');
      }
      const dir = fileUrlToDir(body?.destination_url, 'The VM could not be snapshotted');
      let st;
      try { st = fs.statSync(dir); } catch { st = null; }
      if (!st || !st.isDirectory()) {
        throw api('The VM could not be snapshotted', ['Snapshot error', `Failed to open destination directory ${dir}: No such file or directory (os error 2)`]);
      }
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(vmConfig, null, 2) + '\n');
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({
        stand_in: 'vsim cloud-hypervisor stand-in; no guest memory or device state',
        version: VERSION, vm_state: vm.state, boot_count: bootCount, snapshot_time: new Date().toISOString(),
      }, null, 2) + '\n');
      fs.writeFileSync(path.join(dir, 'memory-ranges'), '');
      log(`VM snapshotted to ${dir}`);
      return { status: 204 };
    },
  },

  'vm.restore': {
    PUT: (raw) => {
      const body = parseBody(raw, true);
      if (typeof body !== 'object' || body === null || typeof body.source_url !== 'string') {
        throw new ApiError('bad-request', ['Failed to deserialize JSON', 'missing field `source_url`']);
      }
      if (vmConfig) {
        const e = api('The VM could not be restored', 'VM is already created', 'already-created');
        e.specCode = 404; // the spec: "could not be restored because it is already created" -> 404
        throw e;
      }
      const dir = fileUrlToDir(body.source_url, 'The VM could not be restored');
      let cfg, state;
      try {
        cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
        state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
      } catch (e) {
        throw api('The VM could not be restored', ['Restore error', `Failed to read snapshot from ${dir}: ${e.code ?? e.message}`]);
      }
      vmConfig = cfg;
      bootCount = state.boot_count ?? 1;
      // Upstream restores into Paused; "resume": true resumes it at once.
      vm = { state: body.resume ? 'Running' : 'Paused', bootedAt: Date.now() };
      log(`VM restored from ${dir} (${vm.state})`);
      return { status: 204 };
    },
  },
};

// Upstream routes this stand-in knows about but does not emulate.
for (const r of ['vm.resize', 'vm.resize-disk', 'vm.resize-zone', 'vm.add-device', 'vm.remove-device', 'vm.add-disk',
  'vm.add-fs', 'vm.add-generic-vhost-user', 'vm.add-pmem', 'vm.add-net', 'vm.add-vsock', 'vm.add-vdpa',
  'vm.add-user-device', 'vm.coredump', 'vm.nmi', 'vm.receive-migration', 'vm.send-migration', 'vm.balloon-stats']) {
  const h = () => { throw api(`${r} is not emulated by the vsim cloud-hypervisor stand-in`, 'Not implemented'); };
  routes[r] = r === 'vm.balloon-stats' ? { GET: h } : { PUT: h };
}

function respond(res, status, body) {
  const headers = { Server: 'Cloud Hypervisor API', 'Content-Type': 'application/json' };
  if (body === undefined) {
    res.writeHead(status, { ...headers, 'Content-Length': 0 });
    res.end();
  } else {
    const s = JSON.stringify(body);
    res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(s) });
    res.end(s);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://localhost');
    const m = /^\/api\/v1\/([a-z.-]+)$/.exec(url.pathname);
    const route = m && Object.hasOwn(routes, m[1]) ? routes[m[1]] : null;
    let status, body;
    if (!route) {
      status = 404; body = ['Not Found'];
    } else if (!route[req.method]) {
      status = 400; body = ['Bad Request'];
    } else {
      try {
        ({ status, body } = route[req.method](raw));
      } catch (e) {
        if (!(e instanceof ApiError)) { log(`internal error: ${e.stack}`); e.kind = 'other'; e.chain = ['Internal Server Error']; }
        status = statusFor(e); body = e.chain;
      }
    }
    log(`${req.method} ${url.pathname} -> ${status}`);
    respond(res, status, body);
  });
});

// --serial socket=PATH: upstream listens on PATH once the VM boots and connects the guest's ttyS0
// to the client. This STAND-IN runs no guest: a client gets a banner saying so and a line echo
// (each typed character echoed as a tty would, each line answered `stand-in: LINE`). One client
// at a time; a second is told the serial is busy and closed.
let serialServer = null;
function openSerialSocket() {
  const p = vmConfig?.serial?.mode === 'Socket' ? vmConfig.serial.socket : null;
  if (!p || serialServer) return;
  try { fs.unlinkSync(p); } catch { /* not there */ }
  let client = null;
  serialServer = net.createServer((c) => {
    if (client) { c.end('cloud-hypervisor stand-in: serial busy (one client at a time)\r\n'); return; }
    client = c;
    c.on('close', () => { if (client === c) client = null; });
    c.on('error', () => undefined);
    c.write(`cloud-hypervisor stand-in ${VERSION}: serial of this VM (no guest runs; lines are echoed)\r\nstand-in# `);
    let line = '';
    c.on('data', (d) => {
      for (const ch of d.toString('latin1')) {
        if (ch === '\r' || ch === '\n') { c.write(`\r\nstand-in: ${line}\r\nstand-in# `); line = ''; }
        else if (line.length < 4096) { line += ch; c.write(ch); }
      }
    });
  });
  serialServer.listen(p, () => log(`serial socket listening on ${p}`));
}
function closeSerialSocket() {
  if (!serialServer) return;
  const p = vmConfig?.serial?.socket;
  serialServer.close();
  serialServer = null;
  if (p) { try { fs.unlinkSync(p); } catch { /* gone */ } }
}

let shuttingDown = false;
function shutdownVmm(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  clearTimeout(guestTimer);
  closeSerialSocket();
  server.close(() => {
    try { fs.unlinkSync(opts.socket); } catch { /* already gone */ }
    log('VMM shut down');
    process.exit(code);
  });
  server.closeAllConnections?.();
}

process.on('SIGTERM', () => shutdownVmm(0));
process.on('SIGINT', () => shutdownVmm(0));

// Like upstream: refuse a socket another live instance serves; remove a stale one before bind.
function start() {
  fs.mkdirSync(path.dirname(path.resolve(opts.socket)), { recursive: true });
  try { fs.unlinkSync(opts.socket); } catch { /* not there */ }
  server.listen(opts.socket, () => log(`API server listening on ${opts.socket} (pid ${process.pid})`));
}
if (fs.existsSync(opts.socket)) {
  const probe = net.connect(opts.socket);
  probe.on('connect', () => {
    process.stderr.write(`Error: API socket ${opts.socket} is already in use by another instance\n`);
    process.exit(1);
  });
  probe.on('error', start);
} else {
  start();
}
