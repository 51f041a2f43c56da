// JSON Schema validation with Ajv, errors mapped to precise ranges and plain messages. The schema is
// compiled by Ajv at build time into standalone code (scripts/gen-validator.mjs), so nothing
// loads Ajv or compiles the schema at run time.
import type { ErrorObject } from 'ajv';
import schema from '../../schemas/topology.schema.json';
import path from 'node:path';
import { requireBundled } from '../loader/requireBundled';
import type validateTopology from './generated/topologyValidator';
import { rangeOf } from './parse';
import type { ParsedTopology } from './parsedTopology';
import { formatPath, type Problem } from './problem';
import { closest } from './similar';
import type { Path } from './types';

let loaded: typeof validateTopology | undefined;

/**
 * The compiled validator (generated from schemas/topology.schema.json), required on first use so
 * activation does not pay for compiling its 120 KB: it is dist/lib/topologyValidator.js beside the
 * bundles (dist/cli.js, and dist/lib/model.js, whose __dirname is dist/lib/), from source (tsx)
 * src/model/generated/topologyValidator.js.
 */
export function validator(): typeof validateTopology {
  loaded ??= requireBundled<typeof validateTopology>('the schema validator',
    [path.join(__dirname, 'lib', 'topologyValidator.js'), path.join(__dirname, 'topologyValidator.js'), path.join(__dirname, 'generated', 'topologyValidator.js')]);
  return loaded;
}

export { schema as topologySchema };

export function schemaProblems(parsed: ParsedTopology): Problem[] {
  if (parsed.value === undefined || parsed.syntax.some((p) => p.severity === 'error')) return [];
  const validate = validator();
  if (validate(parsed.value)) return [];
  const errors = validate.errors ?? [];
  // Errors under a failed oneOf/anyOf are replaced by one message for that value.
  const unions = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue; // the inner error (with propertyName) is reported
    if (unions.has(e.instancePath) && e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    if ([...unions].some((u) => e.instancePath.startsWith(u + '/') && e.keyword !== 'additionalProperties')) continue;
    const p = toProblem(parsed, e);
    const id = `${p.start}:${p.end}:${p.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(p);
    }
  }
  return out;
}

function pathOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
}

function describe(e: ErrorObject): string | undefined {
  const ps = e.parentSchema as { description?: string } | undefined;
  return ps?.description;
}

function toProblem(parsed: ParsedTopology, e: ErrorObject): Problem {
  const path: Path = pathOf(e.instancePath);
  const where = formatPath(path);
  const at = (p: Path, prefer: 'value' | 'key' = 'value') => {
    const [start, end] = rangeOf(parsed, p, prefer);
    return { start, end, path: p };
  };
  const params = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined) {
    // A key that is not a valid name (propertyNames).
    return { severity: 'error', code: 'bad-name',
      message: `${where}: invalid name ${JSON.stringify(e.propertyName)}. ${describe(e) ?? ''}`.trim(), ...at([...path, e.propertyName], 'key') };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, allowed, 1)[0];
      const hint = guess ? ` Did you mean \`${guess}\`?` : allowed.length ? ` Allowed here: ${allowed.join(', ')}.` : '';
      return { severity: 'error', code: 'unknown-key', message: `Unknown key \`${key}\` in ${where}.${hint}`, ...at([...path, key], 'key') };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return { severity: 'error', code: 'missing-key', message: `${where}: missing required key \`${missing}\`.`, ...at(path, 'key') };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      const guess = closest(String(e.data), allowed, 1)[0];
      return { severity: 'error', code: 'bad-enum',
        message: `${where}: ${JSON.stringify(e.data)} is not allowed; use one of ${allowed.join(', ')}.${guess ? ` Did you mean \`${guess}\`?` : ''}`, ...at(path) };
    }
    case 'const':
      return { severity: 'error', code: 'bad-value', message: `${where} must be ${JSON.stringify(params.allowedValue)}.`, ...at(path) };
    case 'type':
      return { severity: 'error', code: 'bad-type', message: `${where} must be ${article(String(params.type))}, not ${kindOf(e.data)}.`, ...at(path) };
    case 'pattern':
      return { severity: 'error', code: 'bad-format', message: `${where}: ${JSON.stringify(e.data)} is not valid. ${describe(e) ?? `It must match ${String(params.pattern)}.`}`, ...at(path) };
    case 'oneOf':
    case 'anyOf':
      return { severity: 'error', code: 'bad-value', message: `${where}: ${describe(e) ?? 'value does not match any allowed form.'}`, ...at(path) };
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems':
      return { severity: 'error', code: 'out-of-range', message: `${where} ${e.message ?? 'is out of range'}.`, ...at(path) };
    default:
      return { severity: 'error', code: `schema-${e.keyword}`, message: `${where} ${e.message ?? 'is invalid'}.`, ...at(path) };
  }
}

function article(t: string): string {
  if (t === 'object') return 'a map (key: value lines)';
  if (t === 'array') return 'a list (lines starting with "- ")';
  if (t === 'integer') return 'an integer';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}
