// The known lines a console program prints before the guest's own output, filtered ONCE at the start
// of a session: virsh's polkit warning (on stderr, which a pty merges into the data), and the
// "Connected to domain"/"Escape character" banner when `-q` is missing. After the first line that is
// not noise (or a partial line that cannot become noise) every chunk passes through untouched:
// no per-byte or per-line work in the data path. Pure (no vscode).

const NOISE: readonly RegExp[] = [
  /^Authorization not available\. Check if polkit service is running or see debug message for more information\.$/,
  /^Connected to domain '?[^\r\n]*'?$/,
  /^Escape character is \^\][^\r\n]*$/,
];
const NOISE_PREFIXES = ['Authorization not available', 'Connected to domain', 'Escape character is'];
/** A partial line longer than this is passed through even if it could still become noise. */
const MAX_HELD = 512;

export function isNoiseLine(line: string): boolean {
  const l = line.replace(/\r+$/, '');
  return NOISE.some((re) => re.test(l));
}

function couldBecomeNoise(partial: string): boolean {
  const p = partial.replace(/\r+$/, '');
  return NOISE_PREFIXES.some((n) => n.startsWith(p) || p.startsWith(n));
}

export class StartupNoiseFilter {
  private held = '';
  private passing = false;
  private readySeen = false;

  /** readyLine: a noise line that says the program is attached (virsh: "Escape character is ^]"). */
  constructor(private readonly readyLine?: RegExp) {}

  /** The ready line was seen, or real output started passing. */
  get ready(): boolean {
    return this.readySeen || this.passing;
  }

  /** True once the filter passes everything through. */
  get done(): boolean {
    return this.passing;
  }

  /** Returns what to show for this chunk ('' while a possible noise line is still incomplete). */
  push(chunk: string): string {
    if (this.passing) return chunk;
    let buf = this.held + chunk;
    this.held = '';
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf === '') return '';
        if (buf.length < MAX_HELD && couldBecomeNoise(buf)) {
          this.held = buf;
          return '';
        }
        this.passing = true;
        return buf;
      }
      const line = buf.slice(0, nl);
      if (!isNoiseLine(line)) {
        this.passing = true;
        return buf;
      }
      if (this.readyLine?.test(line)) this.readySeen = true;
      buf = buf.slice(nl + 1);
    }
  }

  /** At the end of a session: whatever is still held back. */
  flush(): string {
    const h = this.held;
    this.held = '';
    this.passing = true;
    return h;
  }
}
