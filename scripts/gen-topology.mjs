#!/usr/bin/env node
// Prints the benches' synthetic N-VM topology (scripts/lib/genTopology.mjs, shape 'full').
// Usage: node scripts/gen-topology.mjs N > big.vsim.yaml
import { genTopology } from './lib/genTopology.mjs';

const n = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(n) || n < 1 || n > 60000) {
  console.error('usage: gen-topology.mjs N   (1 ≤ N ≤ 60000)');
  process.exit(2);
}
process.stdout.write(genTopology(n));
