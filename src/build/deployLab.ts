// "Deploy Lab": nixos-rebuild for every host of the lab (labDeployPlans in ./plan), all hosts at
// once, each with its own progress, one Cancel for all. The commands run where `open` runs them
// (this machine: ./localStream). Pure: no vscode import.
import { buildCommand } from '../remote/quote';
import { describeProgress, type BuildProgress } from '../nix/progress';
import type { LabDeployPlan } from './plan';
import { describeFailure, runBuild, type BuildStatus, type OpenStream } from './runner';

export interface HostDeployResult {
  host: string;
  target: string;
  status: BuildStatus;
  code: number | null;
  durationMs: number;
  /** The command as a shell line (copy it to run it by hand). */
  command: string;
  /** Failed: what went wrong, naming the host and the target; the last log lines in `lastLines`. */
  message?: string;
  lastLines: string[];
  /** Progress texts this host went through, in order (deduplicated). */
  progress: string[];
}

export interface DeployLabOptions {
  signal?: AbortSignal;
  /** Per host, whenever its progress text changes. */
  onProgress?(host: string, text: string, p: BuildProgress): void;
  /** Every output line of a host's command. */
  onLine?(host: string, line: string): void;
  /** A host's command ended (the others may still run). */
  onDone?(r: HostDeployResult): void;
}

/** Runs every plan at once; resolves when all ended (succeeded, failed or cancelled). */
export function deployLab(plans: readonly LabDeployPlan[], open: OpenStream, opts: DeployLabOptions = {}): Promise<HostDeployResult[]> {
  return Promise.all(plans.map(async (plan) => {
    const r = await deployHost(plan, open, opts);
    opts.onDone?.(r);
    return r;
  }));
}

async function deployHost(plan: LabDeployPlan, open: OpenStream, opts: DeployLabOptions): Promise<HostDeployResult> {
  const progress: string[] = [];
  const note = (text: string, p: BuildProgress): void => {
    if (progress.at(-1) === text) return;
    progress.push(text);
    opts.onProgress?.(plan.host, text, p);
  };
  const command = buildCommand(plan.argv);
  const base = { host: plan.host, target: plan.target, command, lastLines: [] as string[], progress };
  let outcome;
  try {
    outcome = await runBuild({
      argv: plan.argv, open, pty: false, signal: opts.signal,
      onProgress: (p) => note(describeProgress(p), p),
      onLine: (l) => opts.onLine?.(plan.host, l),
    });
  } catch (err) {
    return { ...base, status: 'failed', code: null, durationMs: 0, message: `${plan.host}: ${command}: ${(err as Error).message}` };
  }
  const r: HostDeployResult = { ...base, status: outcome.status, code: outcome.code, durationMs: Math.round(outcome.durationMs) };
  if (outcome.status === 'failed') {
    const f = describeFailure(outcome, 'this machine');
    const said = outcome.missingProgram ? f.summary : outcome.progress.errors.at(-1)?.split('\n')[0] ?? f.lastLines.at(-1) ?? f.summary;
    r.message = `${plan.host} (${plan.target}): nixos-rebuild exited with ${outcome.code ?? 'no code'}: ${said}`;
    r.lastLines = f.lastLines;
  }
  return r;
}

/** One line for the lab: `vsim-hv1 deployed, vsim-hv3 failed` (in plan order). */
export function describeDeploy(results: readonly HostDeployResult[]): string {
  const word = { succeeded: 'deployed', failed: 'failed', cancelled: 'cancelled' } as const;
  return results.map((r) => `${r.host} ${word[r.status]}`).join(', ');
}
