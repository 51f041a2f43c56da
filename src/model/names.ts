// Name patterns, taken from the schema so there is one source of truth.
import schema from '../../schemas/topology.schema.json';
import { NAME_PATTERN, VM_NAME_PATTERN } from './namePattern';

export { NAME_PATTERN, NAME_RULE, VM_NAME_PATTERN, VM_NAME_RULE } from './namePattern';
export const IFNAME_PATTERN = new RegExp(schema.definitions.ifname.pattern);
export const PATH_PATTERN = new RegExp(schema.definitions.path.pattern);

export function isValidName(s: string): boolean {
  return NAME_PATTERN.test(s);
}

/** A VM key or libvirt domain name (dots allowed); see VM_NAME_PATTERN. */
export function isValidVmName(s: string): boolean {
  return VM_NAME_PATTERN.test(s);
}

export function isValidIfname(s: string): boolean {
  return IFNAME_PATTERN.test(s);
}

/**
 * Throws a clear error when `value` is not a valid name; use before a name reaches a command, a
 * unit, a file or an interface name (no dots: microvm@NAME, vsim-ch-NAME, NAME.start.log).
 */
export function assertName(value: string, what = 'name'): string {
  if (!NAME_PATTERN.test(value)) {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: ${schema.definitions.name.description}`);
  }
  return value;
}

/** Throws unless `value` is a valid libvirt domain name as vsim accepts it (VM_NAME_PATTERN: dots allowed). */
export function assertDomainName(value: string, what = 'domain name'): string {
  if (!VM_NAME_PATTERN.test(value)) {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: ${schema.definitions.vmName.description}`);
  }
  return value;
}

export function assertIfname(value: string, what = 'interface name'): string {
  if (!IFNAME_PATTERN.test(value)) {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: ${schema.definitions.ifname.description}`);
  }
  return value;
}

export function assertPath(value: string, what = 'path'): string {
  if (!PATH_PATTERN.test(value)) {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: ${schema.definitions.path.description}`);
  }
  return value;
}
