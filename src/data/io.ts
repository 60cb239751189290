// Buffered synchronous file writing: memory stays bounded whatever the corpus size (no stream back-pressure to
// manage), and a dataset folder is built in a temporary sibling and renamed into place only when complete.
import fs from "node:fs";
import path from "node:path";

const FLUSH_BYTES = 1 << 20;

export class SyncWriter {
  private readonly fd: number;
  private parts: Buffer[] = [];
  private pending = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "w");
  }

  write(data: string | Buffer): void {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.parts.push(buf);
    this.pending += buf.length;
    if (this.pending >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pending === 0) return;
    fs.writeSync(this.fd, Buffer.concat(this.parts, this.pending));
    this.parts = [];
    this.pending = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Writes a whole file atomically: to a temporary name in the same folder, then renamed. */
export function writeFileAtomic(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
