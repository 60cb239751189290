// A progress line on stderr for long work: a bar with done/total, rate and ETA on a terminal, sparse plain lines otherwise.
export interface ProgressOptions {
  /** Label before the bar, e.g. "perplexity". */
  label: string;
  /** Unit of the counted items, e.g. "tok". */
  unit?: string;
  /** Where to write; default process.stderr. */
  stream?: NodeJS.WriteStream;
}

export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
  }

  /** Redraws at most 10 times a second on a terminal, every 10% otherwise (logs stay short). */
  update(done: number, total: number, extra = ""): void {
    const now = performance.now();
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const tty = this.stream.isTTY === true;
    if (done < total && (tty ? now - this.lastDraw < 100 : Math.floor(fraction * 10) === Math.floor(this.lastFraction * 10))) return;
    this.lastDraw = now;
    this.lastFraction = fraction;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && done < total ? (total - done) / rate : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const unit = this.options.unit ? ` ${this.options.unit}` : "";
    const line = `${this.options.label} ${bar} ${done}/${total}${unit} ${rate.toFixed(1)}${unit}/s ETA ${formatDuration(eta)}${extra ? ` ${extra}` : ""}`;
    this.stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  private lastFraction = -1;

  /** Ends the line on a terminal. */
  done(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
