// Private keys for public-key auth: identity files parsed with ssh2, encrypted ones unlocked with a
// saved passphrase or through an injected askPassphrase callback (up to MAX_PASSPHRASE_TRIES). A
// passphrase is offered for saving only after it decrypted the key; a saved one that no longer does
// is forgotten. Decrypted keys are kept in memory for reconnects; passphrases are never logged.
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

/** Returns a passphrase, or undefined when the user cancels; `retry` says why the previous one failed. */
export type AskPassphrase = (file: string, retry?: string) => Promise<string | undefined>;

/** Where passphrases are kept between sessions (VS Code's secret storage in the extension). */
export interface SavedPassphrases {
  get(file: string): Promise<string | undefined>;
  /** The passphrase decrypted the key: the UI may ask whether to keep it, and keeps it if so. */
  offer(file: string, passphrase: string): Promise<void>;
  /** The saved passphrase no longer decrypts the key. */
  delete(file: string): Promise<void>;
}

export const MAX_PASSPHRASE_TRIES = 3;

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

  constructor(private readonly askPassphrase: AskPassphrase, private readonly saved?: SavedPassphrases) {}

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

  /**
   * Decrypts an encrypted key: with the saved passphrase if there is one (forgotten when it fails),
   * else asking up to MAX_PASSPHRASE_TRIES times; an asked passphrase is offered for saving only
   * once it worked. Wrong every time or cancelled: a PassphraseError.
   */
  async unlock(file: string): Promise<LoadedKey> {
    const cached = this.unlocked.get(file);
    if (cached) return { file, key: cached };
    const data = await readFile(file);
    const decrypt = (passphrase: string) => first(loadSsh2().utils.parseKey(data, passphrase));
    const saved = await this.saved?.get(file);
    let retry: string | undefined;
    if (saved !== undefined) {
      const parsed = decrypt(saved);
      if (!(parsed instanceof Error)) return this.keep(file, parsed);
      await this.saved?.delete(file);
      retry = 'The saved passphrase did not decrypt the key and was forgotten.';
    }
    let lastError = '';
    for (let attempt = 1; attempt <= MAX_PASSPHRASE_TRIES; attempt++) {
      const passphrase = await this.askPassphrase(file, retry);
      if (passphrase === undefined) {
        throw new PassphraseError(`No passphrase given for identity file ${file}`);
      }
      const parsed = decrypt(passphrase);
      if (!(parsed instanceof Error)) {
        await this.saved?.offer(file, passphrase);
        return this.keep(file, parsed);
      }
      lastError = parsed.message;
      retry = `Wrong passphrase (try ${attempt} of ${MAX_PASSPHRASE_TRIES}).`;
    }
    throw new PassphraseError(`Wrong passphrase for identity file ${file} (${MAX_PASSPHRASE_TRIES} tries; ${lastError})`);
  }

  private keep(file: string, key: ParsedKey): LoadedKey {
    this.unlocked.set(file, key);
    return { file, key };
  }

  /** Decrypted keys are dropped: the next connection that needs one unlocks it again. */
  forget(): void {
    this.unlocked.clear();
  }
}

function first(p: ParsedKey | ParsedKey[] | Error): ParsedKey | Error {
  if (Array.isArray(p)) return p[0] ?? new Error('empty key file');
  return p;
}
