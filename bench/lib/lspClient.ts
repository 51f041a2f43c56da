// A minimal LSP client over stdio (Content-Length framing), enough to drive a language server
// for benchmarks: requests, notifications, and waiting for published diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';

type Json = Record<string, unknown>;

export class LspClient {
  private readonly proc: ChildProcess;
  private buf = Buffer.alloc(0);
  private seq = 0;
  private readonly pending = new Map<number, (r: Json) => void>();
  private readonly waiters: { match: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];

  constructor(command: string, args: string[]) {
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (d: Buffer) => this.onData(d));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString())?.[1] ?? 0);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Json;
      this.buf = this.buf.subarray(end + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Json): void {
    if (typeof msg.id === 'number' && !('method' in msg)) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
      return;
    }
    if (typeof msg.id === 'number' && 'method' in msg) {
      // Server → client request (configuration, registerCapability…): answer with nulls.
      const items = ((msg.params as Json | undefined)?.items as unknown[] | undefined) ?? [];
      this.send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? items.map(() => this.settings) : null });
      return;
    }
    const i = this.waiters.findIndex((w) => w.match(msg));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
  }

  settings: unknown = null;

  private send(msg: Json): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin!.write(body);
  }

  request(method: string, params: unknown): Promise<Json> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  next(match: (m: Json) => boolean, timeoutMs = 60_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('LSP wait timed out')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } finally {
      this.proc.kill();
    }
  }
}
