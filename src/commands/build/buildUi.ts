// The VS Code face of src/build/runner.ts: a notification with real progress (derivations built /
// total, current build, downloads) and Cancel, the full log in the "vsim" output channel, failure
// messages with the failing derivation and its last log lines. Shared by Build image, Deploy slot
// and Deploy host.
import * as vscode from 'vscode';
import { describeFailure, runBuild, type BuildOutcome, type OpenStream } from '../../build/runner';
import { nixEnv, type BuildPlan, type NixSettings } from '../../build/plan';
import { log } from '../../common/log';
import type { Lab } from '../../lab/lab';
import { describeProgress, type BuildProgress } from '../../nix/progress';
import { STAGE_ENV_ARGV, stagedPath } from '../../remote/secretEnv';
import type { Connections } from '../../workspace/connections';

/** What the build commands return (to the graph, tests, other commands). */
export interface BuildSummary {
  status: BuildOutcome['status'];
  host: string;
  flakeRef: string;
  code: number | null;
  outPaths: string[];
  built: number;
  total: number;
  durationMs: number;
  cancelLatencyMs?: number;
  failedDrv?: string;
  message?: string;
  /** Progress texts shown in the notification, in order (deduplicated). */
  progressTexts: string[];
}

export function nixSettings(): NixSettings {
  const c = vscode.workspace.getConfiguration('vsim');
  return { config: c.get<string>('nix.config', ''), offline: c.get<boolean>('nix.offline', false), environment: c.get<Record<string, string>>('nix.environment', {}) };
}

/** How a build reaches its host: a stream channel, and the staging of its environment (on stdin, never in an argv). */
export interface BuildRemote {
  open: OpenStream;
  stageEnv(script: string): Promise<string>;
}

export async function streamOpener(connections: Connections, lab: Lab, hostName: string): Promise<BuildRemote> {
  const { host, topology } = lab.hostTarget(hostName);
  const pooled = connections.pool.get(await connections.endpoint(hostName, host, topology));
  return {
    open: (argv, opts) => pooled.shell.stream(argv, opts),
    stageEnv: async (script) => stagedPath((await pooled.shell.execOk(STAGE_ENV_ARGV, { stdin: script })).stdout),
  };
}

/** Builds in progress, so that `vsim.cancelBuild` (and the notification's Cancel) can stop them. */
const running = new Map<string, { controller: AbortController; title: string; progress?: BuildProgress }>();

export function runningBuilds(): { key: string; title: string; progress: string }[] {
  return [...running.entries()].map(([key, b]) => ({ key, title: b.title, progress: b.progress ? describeProgress(b.progress) : 'starting' }));
}

/** Cancels the running builds whose key (VM, slot or host name) matches, or all. Returns their keys. */
export function cancelBuilds(key?: string): string[] {
  const out: string[] = [];
  for (const [k, b] of running) {
    if (key === undefined || k === key) {
      b.controller.abort();
      out.push(k);
    }
  }
  return out;
}

export async function runPlanWithUi(key: string, plan: BuildPlan, remote: BuildRemote, opts: { settings?: NixSettings } = {}): Promise<BuildSummary> {
  if (running.has(key)) throw new Error(`A build for ${key} is already running (${running.get(key)?.title}).`);
  const controller = new AbortController();
  const entry: { controller: AbortController; title: string; progress?: BuildProgress } = { controller, title: plan.title };
  running.set(key, entry);
  const texts: string[] = [];
  const tag = `[${key}]`;
  log().info(`${tag} ${plan.title}: ${plan.argv.join(' ')}`);
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `vsim: ${plan.title}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let lastText = '';
        let lastAt = 0;
        let lastBuilt = 0;
        let pending: ReturnType<typeof setTimeout> | undefined;
        const show = (p: BuildProgress): void => {
          entry.progress = p;
          const text = describeProgress(p);
          if (text === lastText) return;
          const now = Date.now();
          const emit = (): void => {
            pending = undefined;
            lastAt = Date.now();
            const t = describeProgress(p);
            if (t === lastText) return;
            lastText = t;
            texts.push(t);
            const inc = p.total ? Math.max(0, ((p.built - lastBuilt) / p.total) * 100) : undefined;
            lastBuilt = p.built;
            progress.report({ message: t, ...(inc ? { increment: inc } : {}) });
          };
          // At most ~5 updates a second: a big build emits thousands of events.
          if (now - lastAt >= 200) emit();
          else pending ??= setTimeout(emit, 200 - (now - lastAt));
        };
        progress.report({ message: 'evaluating' });
        try {
          return await runBuild({
            argv: plan.argv,
            env: nixEnv(opts.settings ?? nixSettings()),
            open: remote.open,
            stageEnv: remote.stageEnv,
            signal: controller.signal,
            onProgress: show,
            onLine: (l) => log().info(`${tag} ${l}`),
          });
        } finally {
          if (pending) clearTimeout(pending);
        }
      },
    );
    const summary: BuildSummary = {
      status: outcome.status, host: plan.host, flakeRef: plan.flakeRef, code: outcome.code, outPaths: outcome.outPaths,
      built: outcome.progress.built, total: outcome.progress.total, durationMs: Math.round(outcome.durationMs), progressTexts: texts,
    };
    if (outcome.cancelLatencyMs !== undefined) summary.cancelLatencyMs = Math.round(outcome.cancelLatencyMs);
    log().info(`${tag} ${outcome.status} (exit ${outcome.code ?? 'none'}) in ${summary.durationMs} ms${outcome.outPaths.length ? `: ${outcome.outPaths.join(' ')}` : ''}${summary.cancelLatencyMs !== undefined ? `; cancel took ${summary.cancelLatencyMs} ms (${outcome.cancelledBy})` : ''}`);
    if (outcome.status === 'failed') {
      const f = describeFailure(outcome, plan.host);
      summary.message = f.summary;
      if (outcome.progress.failed?.drv) summary.failedDrv = outcome.progress.failed.drv;
      log().error(`${tag} ${f.summary}\n${f.detail}`);
      const last = f.lastLines.slice(-3).join(' ⏎ ');
      void vscode.window.showErrorMessage(`vsim: ${f.summary}${last ? ` — last log lines: ${last}` : ''}`, 'Show Log').then((c) => {
        if (c === 'Show Log') log().show(true);
      });
    } else if (outcome.status === 'cancelled') {
      summary.message = `cancelled; the remote build stopped ${summary.cancelLatencyMs ?? '?'} ms after Cancel`;
      void vscode.window.setStatusBarMessage(`vsim: ${plan.title}: ${summary.message}`, 5000);
    }
    return summary;
  } finally {
    running.delete(key);
  }
}
