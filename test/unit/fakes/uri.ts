// A stand-in for vscode.Uri (the unit tests run without VS Code), with the IsUri test that
// resolveTargets takes, and one file URI to use.
import type * as vscode from 'vscode';
import type { IsUri } from '../../../src/commands/targets';

export class FakeUri {
  constructor(readonly path: string) {}
  toString(): string {
    return `file://${this.path}`;
  }
}
export const isUri: IsUri = (x): x is vscode.Uri => x instanceof FakeUri;
export const uri = new FakeUri('/lab.vsim.yaml') as unknown as vscode.Uri;
