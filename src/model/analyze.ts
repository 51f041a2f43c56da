// One entry point: text in, parsed document + topology + all problems out.
import { checkAddresses } from './checks/addresses';
import { checkCombinations } from './checks/combinations';
import { checkFabric } from './checks/fabric';
import { checkNames } from './checks/names';
import { checkOrder } from './checks/order';
import { checkServices } from './checks/services';
import { makeContext } from './checks/context';
import { checkReferences } from './checks/references';
import { asTopology, parseTopology, type ParseOptions } from './parse';
import type { ParsedTopology } from './parsedTopology';
import type { Problem } from './problem';
import { schemaProblems } from './schemaCheck';
import type { Topology } from './types';
import { leaveOutInvalid, type UsablePart } from './usable';
import { validator } from './schemaCheck';

export interface Analysis {
  parsed: ParsedTopology;
  /** Present when the file parsed to a map; may still have schema problems. */
  topology: Topology | undefined;
  problems: Problem[];
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  /**
   * The part of the topology that is valid (all of it when `ok`): the entries with errors and what
   * refers to them left out, re-checked to have no error. Undefined when an error is outside the
   * entries (syntax, `version`, `offline`…). Computed on first call.
   */
  usable(): UsablePart | undefined;
}

const CHECKS = [checkReferences, checkNames, checkAddresses, checkCombinations, checkFabric, checkOrder, checkServices];

/** `opts` are for tests and benchmarks (chunked or whole parse, which cache); the result is the same. */
export function analyze(text: string, opts?: ParseOptions): Analysis {
  const parsed = parseTopology(text, opts);
  const problems: Problem[] = [...parsed.syntax];
  const topology = problems.some((p) => p.severity === 'error') ? undefined : asTopology(parsed.value);
  if (parsed.value !== undefined && !topology && !problems.length) {
    problems.push({ severity: 'error', code: 'bad-type', start: 0, end: Math.min(text.length, 1),
      message: 'A topology must be a map with `version: 1` and `hosts:` at the top level.' });
  }
  if (topology) {
    problems.push(...schemaProblems(parsed));
    const ctx = makeContext(parsed, topology, problems);
    for (const check of CHECKS) {
      try {
        check(ctx);
      } catch (err) {
        // A check must never take the editor down; a file of the wrong shape can surprise it.
        problems.push({ severity: 'warning', code: 'check-crashed', start: 0, end: 0,
          message: `vsim could not finish checking this file (${(err as Error).message}); fix the errors above first.` });
      }
    }
  }
  problems.sort((a, b) => a.start - b.start || a.end - b.end);
  const ok = !problems.some((p) => p.severity === 'error');
  let usable: { part: UsablePart | undefined } | undefined;
  return {
    parsed, topology, problems, ok,
    usable: () => (usable ??= { part: topology && (ok ? { topology, leftOut: [] } : validPart(parsed, topology, problems)) }).part,
  };
}

/** leaveOutInvalid's result, if it passes the schema and every check without an error. */
function validPart(parsed: ParsedTopology, topology: Topology, problems: readonly Problem[]): UsablePart | undefined {
  const part = leaveOutInvalid(topology, problems);
  if (!part || !validator()(part.topology)) return undefined;
  const again: Problem[] = [];
  const ctx = makeContext(parsed, part.topology, again);
  try {
    for (const check of CHECKS) check(ctx);
  } catch {
    return undefined;
  }
  return again.some((p) => p.severity === 'error') ? undefined : part;
}
