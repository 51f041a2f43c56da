// The one SSH connection pool of the extension, and its VS Code faces: host-key trust prompts,
// passphrase prompts (kept in SecretStorage only once they decrypted the key and the user agrees) and
// the "vsim" command log.
import os from 'node:os';
import * as vscode from 'vscode';
import type { CommandRunner } from '../backends/backend';
import { log } from '../common/log';
import type { Host, Topology } from '../model/types';
import { KnownHostsPolicy, type TrustRequest } from '../remote/hostKeyPolicy';
import { boundToChannel, openStream, programOf } from '../remote/boundStream';
import { LineSplitter } from '../remote/chunks';
import { CommandLogLevels, type CommandLog } from '../remote/log';
import { SshPool } from '../remote/pool';
import { SecretPassphrases } from '../remote/savedPassphrases';
import { buildCommand } from '../remote/quote';
import { defaultSshEnv, resolveEndpointWith, type AsyncOptionsSource, type HostEndpoint } from '../remote/sshConfig';
import { configFileSource, configFingerprint, SYSTEM_SSH_CONFIG } from '../remote/sshG';

const SOURCE_MAX_AGE_MS = 60_000;

// Every remote command is logged; what repeats (polls, refreshes, a host that stays down) at debug,
// so the channel's default (info) level shows what the user did and what changed.
const levels = new CommandLogLevels();
const commandLog: CommandLog = {
  command(e) {
    const line = `${e.host} $ ${buildCommand(programOf(e.argv))} → ${e.code ?? 'unfinished'} (${Math.round(e.durationMs)} ms, ${e.via})${e.error ? `: ${e.error}` : ''}`;
    log()[levels.level(e)](line);
  },
  info(host, message, level = 'info') {
    log()[level](`${host}: ${message}`);
  },
};

async function askTrust(r: TrustRequest): Promise<boolean> {
  const trust = 'Trust and Connect';
  const answer = await vscode.window.showWarningMessage(
    `vsim: the authenticity of host ${r.label} can't be established.`,
    { modal: true, detail: `${r.keyType} key fingerprint is ${r.fingerprint}.\n\nIf you trust this host, its key is added to ${r.knownHostsFile}.` },
    trust,
  );
  return answer === trust;
}

async function askPassphrase(file: string, retry?: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `vsim: passphrase for ${file}`, password: true, ignoreFocusOut: true, prompt: `${retry ? `${retry} ` : ''}The key ${file} is encrypted.`,
  });
}

export class Connections implements vscode.Disposable {
  readonly pool: SshPool;
  private sourceCache: { key: string; source: AsyncOptionsSource; at: number } | undefined;
  private readonly passphrases: SecretPassphrases;

  constructor(secrets: vscode.SecretStorage) {
    this.passphrases = new SecretPassphrases(secrets, async (file) =>
      (await vscode.window.showInformationMessage(`vsim: the key ${file} is unlocked. Remember its passphrase in VS Code's secret storage?`, 'Remember', 'Not Now')) === 'Remember');
    this.pool = new SshPool({
      hostKeys: new KnownHostsPolicy({ askTrust, onTrusted: (r) => log().info(`trusted new host key for ${r.label}: ${r.fingerprint}`) }),
      askPassphrase,
      savedPassphrases: this.passphrases,
      log: commandLog,
      idleMs: vscode.workspace.getConfiguration('vsim').get<number>('ssh.idleMinutes', 10) * 60_000,
    });
  }

  /** The configured file, or the user's default (read with the system-wide config after it, as plain `ssh` does). */
  private configPath(): { path: string; defaultFiles: boolean } {
    const configured = vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile', '');
    const p = configured || '~/.ssh/config';
    return { path: p.startsWith('~/') ? `${os.homedir()}${p.slice(1)}` : p, defaultFiles: !configured };
  }

  /**
   * How hosts resolve: `ssh -G` on the config file when OpenSSH is installed, else vsim's parser of it.
   * One source (one `ssh -G` per host) while the config files read the same; made again after a minute
   * anyway, for what ssh -G reads besides them (the environment, canonicalised names).
   */
  private async optionsSource(): Promise<AsyncOptionsSource> {
    const { path, defaultFiles } = this.configPath();
    const env = defaultSshEnv();
    const key = `${defaultFiles ? 'default:' : ''}${path}\u0000${configFingerprint(defaultFiles ? [path, SYSTEM_SSH_CONFIG] : [path], env)}`;
    if (this.sourceCache && this.sourceCache.key === key && Date.now() - this.sourceCache.at < SOURCE_MAX_AGE_MS) return this.sourceCache.source;
    const source = await configFileSource(path, env, { defaultFiles });
    this.sourceCache = { key, source, at: Date.now() };
    return source;
  }

  async endpoint(hostName: string, host: Host, topology: Topology): Promise<HostEndpoint> {
    return resolveEndpointWith({ ...host, name: hostName }, (n) => topology.hosts?.[n], await this.optionsSource());
  }

  async runnerFor(hostName: string, host: Host, topology: Topology): Promise<CommandRunner> {
    const pooled = this.pool.get(await this.endpoint(hostName, host, topology));
    return {
      exec: (argv, opts) => pooled.shell.exec(argv, opts),
      follow: (argv, onLine) => openStream(() => pooled.shell.stream(boundToChannel(argv)), (ch) => {
        const lines = new LineSplitter(onLine);
        ch.on('data', (d: Buffer) => lines.push(d));
      }),
      streamRaw: (argv, sinks) => openStream(() => pooled.shell.stream(boundToChannel(argv)), (ch) => {
        ch.on('data', (d: Buffer) => sinks.onStdout(d));
        ch.stderr.on('data', (d: Buffer) => sinks.onStderr(d));
      }),
    };
  }

  /** Deletes every saved passphrase and the decrypted keys in memory: the next connection that needs a key asks. */
  async forgetPassphrases(): Promise<string[]> {
    this.pool.identities.forget();
    return this.passphrases.forgetAll();
  }

  dispose(): void {
    this.pool.dispose();
  }
}
