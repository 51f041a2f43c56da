// Private keys for public-key auth: identity files parsed with ssh2, encrypted ones unlocked through
// an injected askPassphrase callback (the UI decides whether to remember it). Decrypted keys are kept
// in memory for reconnects; passphrases are never logged.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParsedKey } from '../lib/ssh2';
import { loadSsh2 } from './ssh2Loader';

export interface LoadedKey {
  file: string;
  key: ParsedKey;
}

export interface AvailableKeys {
  keys: LoadedKey[];
  /** Files that need a passphrase; unlocked only if the agent and plain keys fail. */
  encrypted: string[];
}

/** Returns a passphrase, or undefined when the user cancels. */
export type AskPassphrase = (file: string) => Promise<string | undefined>;

export class PassphraseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassphraseError';
  }
}

export function defaultIdentityFiles(home: string): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f));
}

export class IdentityStore {
  private readonly unlocked = new Map<string, ParsedKey>();

  constructor(private readonly askPassphrase: AskPassphrase) {}

  /** Parses the files that exist; missing files are skipped, as OpenSSH does. */
  async available(files: readonly string[]): Promise<AvailableKeys> {
    const result: AvailableKeys = { keys: [], encrypted: [] };
    for (const file of files) {
      const cached = this.unlocked.get(file);
      if (cached) {
        result.keys.push({ file, key: cached });
        continue;
      }
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch {
        continue;
      }
      const parsed = first(loadSsh2().utils.parseKey(data));
      if (parsed instanceof Error) {
        if (/no passphrase given/i.test(parsed.message)) result.encrypted.push(file);
        else throw new Error(`Cannot read identity file ${file}: ${parsed.message}`);
      } else {
        result.keys.push({ file, key: parsed });
      }
    }
    return result;
  }

  /** Asks for the passphrase of an encrypted key and decrypts it; a wrong passphrase is a clear error. */
  async unlock(file: string): Promise<LoadedKey> {
    const cached = this.unlocked.get(file);
    if (cached) return { file, key: cached };
    const passphrase = await this.askPassphrase(file);
    if (passphrase === undefined) {
      throw new PassphraseError(`No passphrase given for identity file ${file}`);
    }
    const parsed = first(loadSsh2().utils.parseKey(await readFile(file), passphrase));
    if (parsed instanceof Error) {
      throw new PassphraseError(`Wrong passphrase for identity file ${file} (${parsed.message})`);
    }
    this.unlocked.set(file, parsed);
    return { file, key: parsed };
  }

  forget(): void {
    this.unlocked.clear();
  }
}

function first(p: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  if (Array.isArray(p)) return p[0] ?? new Error('empty key file');
  return p;
}
