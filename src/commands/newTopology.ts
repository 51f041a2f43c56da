// vsim.newTopology: open a new, valid topology to start from.
import * as vscode from 'vscode';

export const TEMPLATE = `# A vsim topology: hosts, networks and VMs. Hover a key for help; Ctrl+Space completes.
version: 1
name: my-lab

hosts:
  hypervisor:
    address: 192.0.2.10
    user: root

networks:
  br0:
    host: hypervisor
    subnet: 192.168.100.0/24
    gateway: 192.168.100.1

vms:
  node-1:
    host: hypervisor
    backend: libvirt
    vcpus: 2
    memory: 2048
    nics:
      - network: br0
        ip: 192.168.100.10
`;

export async function newTopology(): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) {
    let uri = vscode.Uri.joinPath(folder.uri, 'lab.vsim.yaml');
    for (let i = 2; await exists(uri); i++) uri = vscode.Uri.joinPath(folder.uri, `lab-${i}.vsim.yaml`);
    const doc = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), TEMPLATE));
    return editor;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: TEMPLATE });
  return vscode.window.showTextDocument(doc);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
