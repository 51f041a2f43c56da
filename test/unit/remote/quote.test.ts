import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildCommand, shellQuote } from '../../../src/remote/quote';
import { prng } from '../model/helpers';

/** Runs `printf "%s\0" ARGS` through a real /bin/sh and splits the NUL-separated output. */
function roundTrip(args: readonly string[]): string[] {
  const out = execFileSync('/bin/sh', ['-c', buildCommand(['printf', '%s\\0', ...args])]);
  const parts = out.toString('utf8').split('\0');
  assert.equal(parts.pop(), '');
  return parts;
}


const HOSTILE = [
  'a;rm -rf /', '$(reboot)', '`reboot`', "'", '"', "it's", '\\', '\n', 'a\nb', '$HOME', '${IFS}', '*', '?', '[a]',
  '~', '~root', '-rf', '--', '', ' ', '\t', '|', '&&', '>', '<', '#', '!', 'x=y', "'\"'\"'", 'héllo', '日本語', '🙂',
  '\r\n', '%s', '\\0', '$((1+1))', "';reboot;'",
];
const ALPHABET = ['a', 'Z', '0', ' ', "'", '"', '\\', '$', '(', ')', '`', ';', '&', '|', '\n', '\t', '*', '~', '-', '=',
  '#', '!', '{', '}', '<', '>', 'é', '日', '🙂', '%', '\r'];

test('plain words stay readable, the rest is single-quoted', () => {
  assert.equal(shellQuote('virsh'), 'virsh');
  assert.equal(shellQuote('qemu:///system'), 'qemu:///system');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote('x=y'), "'x=y'");
  assert.equal(shellQuote('~'), "'~'");
  assert.equal(buildCommand(['virsh', '-c', 'qemu:///system', 'start', '$(reboot)']),
    "virsh -c qemu:///system start '$(reboot)'");
});

test('NUL bytes and empty argv are refused', () => {
  assert.throws(() => shellQuote('a\0b'), /NUL/);
  assert.throws(() => buildCommand([]), /empty/);
});

test('hostile strings round-trip through a real sh', () => {
  assert.deepEqual(roundTrip(HOSTILE), HOSTILE);
});

test('property: 600 random hostile argv round-trip exactly through sh', () => {
  const rnd = prng(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const batches: string[][] = [];
  for (let i = 0; i < 600; i++) {
    const n = 1 + Math.floor(rnd() * 4);
    const argv: string[] = [];
    for (let j = 0; j < n; j++) {
      if (rnd() < 0.25) {
        argv.push(pick(HOSTILE) + pick(ALPHABET) + pick(HOSTILE));
      } else {
        let s = '';
        const len = Math.floor(rnd() * 12);
        for (let k = 0; k < len; k++) s += pick(ALPHABET);
        argv.push(s);
      }
    }
    batches.push(argv);
  }
  // One sh per case would take seconds; 20 cases per sh process, separated by a sentinel arg.
  const SEP = '\u0001sep\u0001';
  for (let i = 0; i < batches.length; i += 20) {
    const chunk = batches.slice(i, i + 20);
    const flat = chunk.flatMap((argv) => [...argv, SEP]);
    assert.deepEqual(roundTrip(flat), flat, `cases ${i}..${i + 19} (seed 0x5eed)`);
  }
});
