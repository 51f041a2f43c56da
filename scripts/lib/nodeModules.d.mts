// Types of scripts/lib/nodeModules.mjs, for the unit tests written in TypeScript.
export function staleReason(repo: string): string | undefined;
export function ensureNodeModules(repo: string, log?: (line: string) => void): boolean;
