// The one helper that builds webview HTML: strict CSP with a crypto nonce, resources through
// asWebviewUri, localResourceRoots limited to the bundle and media folders, initial data as JSON
// with `<` escaped. Never inline scripts.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** Page title (escaped). */
  title: string;
  /** Bundle name under dist/webview/: `<bundle>.js` and, if it exists, `<bundle>.css`. */
  bundle: string;
  /** Serialisable data the script reads from the `#vsim-data` element. */
  data?: unknown;
  /** Extra stylesheets under dist/webview/ or media/ (paths relative to the extension root). */
  styles?: string[];
}

/** Webview options for a vsim page: scripts on, resources only from the bundle and media folders. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

/** JSON safe inside an HTML element: `<` (and U+2028/9) escaped so no `</script>` can close it. */
export function jsonForHtml(data: unknown): string {
  return JSON.stringify(data ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const n = nonce();
  const res = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const script = res('dist', 'webview', `${page.bundle}.js`);
  const styles = [`dist/webview/${page.bundle}.css`, ...(page.styles ?? [])].map((p) => res(...p.split('/')));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    // vis-network and the toolkit set element styles from script; no inline <script> is ever allowed.
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${n}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((s) => `<link rel="stylesheet" href="${s}">`).join('\n')}
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<script type="application/json" id="vsim-data" nonce="${n}">${jsonForHtml(page.data)}</script>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}
