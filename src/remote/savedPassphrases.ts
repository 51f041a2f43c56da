// Passphrases of identity files in a secret store (VS Code's SecretStorage, or anything that gets,
// stores and deletes strings): one secret per file, plus an index of those files so that "Forget
// Saved Passphrases" finds every one (SecretStorage cannot list its keys). A passphrase is kept only
// when offered — after it decrypted the key — and the user agrees.
import type { SavedPassphrases } from './identities';

export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export const passphraseKey = (file: string): string => `vsim.passphrase:${file}`;
export const PASSPHRASE_INDEX_KEY = 'vsim.passphraseFiles';

export class SecretPassphrases implements SavedPassphrases {
  constructor(
    private readonly secrets: SecretStore,
    /** Asked after a passphrase worked: keep it? */
    private readonly confirmRemember: (file: string) => Promise<boolean>,
  ) {}

  async get(file: string): Promise<string | undefined> {
    const saved = await this.secrets.get(passphraseKey(file));
    // Saved before the index existed: listed now, so that Forget finds it.
    if (saved !== undefined) await this.setIndexed(file, true);
    return saved;
  }

  async offer(file: string, passphrase: string): Promise<void> {
    if (!(await this.confirmRemember(file))) return;
    await this.secrets.store(passphraseKey(file), passphrase);
    await this.setIndexed(file, true);
  }

  async delete(file: string): Promise<void> {
    await this.secrets.delete(passphraseKey(file));
    await this.setIndexed(file, false);
  }

  /** Deletes every saved passphrase; returns the files they were for. */
  async forgetAll(): Promise<string[]> {
    const files = await this.files();
    for (const f of files) await this.secrets.delete(passphraseKey(f));
    await this.secrets.delete(PASSPHRASE_INDEX_KEY);
    return files;
  }

  async files(): Promise<string[]> {
    const text = await this.secrets.get(PASSPHRASE_INDEX_KEY);
    try {
      const v: unknown = text !== undefined ? JSON.parse(text) : [];
      return Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string') : [];
    } catch {
      return [];
    }
  }

  private async setIndexed(file: string, on: boolean): Promise<void> {
    const files = await this.files();
    if (files.includes(file) === on) return;
    const next = on ? [...files, file] : files.filter((f) => f !== file);
    await this.secrets.store(PASSPHRASE_INDEX_KEY, JSON.stringify(next));
  }
}
