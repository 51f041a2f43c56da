// vsim: Forget Saved Passphrases — deletes the identity-file passphrases kept in VS Code's secret
// storage and the keys decrypted in memory; the next connection that needs a key asks again.
import * as vscode from 'vscode';
import type { Connections } from '../../workspace/connections';

export function forgetPassphrases(connections: Connections) {
  return async (): Promise<void> => {
    const files = await connections.forgetPassphrases();
    void vscode.window.showInformationMessage(files.length
      ? `vsim: forgot the saved passphrase${files.length > 1 ? 's' : ''} of ${files.join(', ')}.`
      : 'vsim: no saved passphrases (keys unlocked in this session will be asked for again).');
  };
}
