// A command of a tc sequence, and when its failure is expected and harmless. Pure.

/** A failure that is tolerated: the exit code is one of `exitCodes` AND stderr matches `stderr`. */
export interface Tolerance {
  exitCodes: number[];
  stderr: RegExp;
}

export interface TcStep {
  argv: string[];
  /** Absent: any failure is an error. */
  tolerate?: Tolerance;
}

/** Nothing to delete (all measured on iproute2 6.1): tc exits 2 with "Cannot delete qdisc with
 * handle of zero" (root), "Cannot find specified qdisc on specified device" or "Invalid handle"
 * (ingress), "Filter with specified priority/protocol not found" or "Cannot find specified filter
 * chain" (filters), "Parent Qdisc doesn't exists" (a filter whose ingress qdisc is gone), older
 * kernels "No such file or directory"; ip exits 1 with "Cannot find device". */
export const NOTHING_TO_DELETE: Tolerance = {
  exitCodes: [1, 2],
  stderr: /Cannot delete qdisc with handle of zero|Cannot find specified (qdisc|filter chain)|Invalid handle|Parent Qdisc doesn't exists?|No such file or directory|not found|Cannot find device/,
};

/** Already there: "RTNETLINK answers: File exists", "Exclusivity flag on, cannot modify". */
export const ALREADY_EXISTS: Tolerance = {
  exitCodes: [2],
  stderr: /File exists|Exclusivity flag on/,
};

/** True when a step's failure (exit code + stderr) is one it tolerates. */
export function isTolerated(step: TcStep, exitCode: number, stderr: string): boolean {
  if (exitCode === 0) return true;
  const t = step.tolerate;
  return !!t && t.exitCodes.includes(exitCode) && t.stderr.test(stderr);
}

export const must = (argv: string[]): TcStep => ({ argv });
