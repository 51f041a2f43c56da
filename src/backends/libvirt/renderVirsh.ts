// virsh command lines as argv (never shell strings). Every name is validated before use. Pure.
import { assertDomainName, assertName, assertPath } from '../../model/names';

const URI_PATTERN = /^[a-z+]+:\/\/[A-Za-z0-9_./@:-]*$/;
export const DEFAULT_URI = 'qemu:///system';

function assertUri(uri: string): string {
  if (!URI_PATTERN.test(uri)) throw new Error(`Invalid libvirt URI ${JSON.stringify(uri)} (e.g. qemu:///system)`);
  return uri;
}

function virsh(uri: string, ...args: string[]): string[] {
  return ['virsh', '-c', assertUri(uri), ...args];
}

// Domain names may have dots (libvirt allows them); snapshot names stay strict.
const dom = (name: string): string => assertDomainName(name, 'domain name');
const snap = (name: string): string => assertName(name, 'snapshot name');

/** One round trip for all domains: parse with parseVirshList. */
export const listAll = (uri: string): string[] => virsh(uri, '-q', 'list', '--all');
/** States (and optionally counters) of all domains: parse with parseDomstats. */
export const domstats = (uri: string, extra: ('interface' | 'block' | 'balloon' | 'cpu-total')[] = []): string[] =>
  virsh(uri, 'domstats', '--state', ...extra.map((e) => `--${e}`));
/** The live event stream: parse with VirshEventParser. */
export const events = (uri: string): string[] => virsh(uri, 'event', '--loop', '--all', '--timestamp');

export const start = (uri: string, name: string): string[] => virsh(uri, 'start', dom(name));
/** Returns at once even when the guest ignores ACPI: watch the state with a timeout, then offer destroy. */
export const shutdown = (uri: string, name: string): string[] => virsh(uri, 'shutdown', dom(name));
export const destroy = (uri: string, name: string): string[] => virsh(uri, 'destroy', dom(name));
export const reboot = (uri: string, name: string): string[] => virsh(uri, 'reboot', dom(name));
export const suspend = (uri: string, name: string): string[] => virsh(uri, 'suspend', dom(name));
export const resume = (uri: string, name: string): string[] => virsh(uri, 'resume', dom(name));
export const domstate = (uri: string, name: string): string[] => virsh(uri, 'domstate', '--reason', dom(name));
export const domiflist = (uri: string, name: string): string[] => virsh(uri, '-q', 'domiflist', dom(name));
export const autostart = (uri: string, name: string, on: boolean): string[] =>
  virsh(uri, 'autostart', ...(on ? [] : ['--disable']), dom(name));

/** The domain XML goes on stdin (renderDomainXml). */
export const define = (uri: string): string[] => virsh(uri, 'define', '/dev/stdin');
/** `nvram`: also remove UEFI variables (aarch64 domains have them; undefine refuses otherwise). */
export const undefine = (uri: string, name: string, options: { nvram?: boolean; snapshotsMetadata?: boolean; managedSave?: boolean } = {}): string[] =>
  virsh(uri, 'undefine', ...(options.nvram ? ['--nvram'] : []), ...(options.snapshotsMetadata ? ['--snapshots-metadata'] : []),
    ...(options.managedSave ? ['--managed-save'] : []), dom(name));

/** Needs a qcow2 disk (internal snapshot of disks + RAM). */
export const snapshotCreate = (uri: string, name: string, snapshot: string): string[] =>
  virsh(uri, 'snapshot-create-as', '--domain', dom(name), '--name', snap(snapshot));
export const snapshotRevert = (uri: string, name: string, snapshot: string): string[] =>
  virsh(uri, 'snapshot-revert', '--domain', dom(name), '--snapshotname', snap(snapshot));
export const snapshotDelete = (uri: string, name: string, snapshot: string): string[] =>
  virsh(uri, 'snapshot-delete', '--domain', dom(name), '--snapshotname', snap(snapshot));
/** Parse with parseSnapshotNames. */
export const snapshotList = (uri: string, name: string): string[] => virsh(uri, 'snapshot-list', '--domain', dom(name), '--name');

export const save = (uri: string, name: string, file: string): string[] => virsh(uri, 'save', dom(name), assertPath(file, 'save file'));
export const restore = (uri: string, file: string): string[] => virsh(uri, 'restore', assertPath(file, 'save file'));

/** Needs a pty (ssh2: exec with { pty: true }); Ctrl-] detaches. `force` takes over another session. */
export const console = (uri: string, name: string, options: { force?: boolean } = {}): string[] =>
  ['virsh', '-q', '-c', assertUri(uri), 'console', ...(options.force ? ['--force'] : []), dom(name)];

/** The live definition (the running domain's XML: its serial's <log file>). */
export const dumpxml = (uri: string, name: string): string[] => virsh(uri, 'dumpxml', dom(name));
