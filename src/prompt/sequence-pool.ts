// Hands out a context's sequences one request at a time: callers beyond the free sequences wait in FIFO order,
// and a caller whose signal aborts while waiting leaves the queue without ever taking a sequence.
import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

interface Waiter {
  resolve(sequence: LlamaContextSequence | undefined): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiters: Waiter[] = [];

  constructor(readonly context: LlamaContext) {
    // Sequences are created up front: getSequence() fails once all are taken, so the pool owns them all.
    for (let i = 0; i < context.totalSequences; i++) this.free.push(context.getSequence());
  }

  /** Requests waiting for a sequence. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Sequences in use. */
  get busy(): number {
    return this.context.totalSequences - this.free.length;
  }

  /** A free sequence, or undefined when the signal aborted first. */
  acquire(signal?: AbortSignal): Promise<LlamaContextSequence | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    const sequence = this.free.pop();
    if (sequence) return Promise.resolve(sequence);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          resolve(undefined);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiters.shift();
    if (next) {
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(sequence);
    } else {
      this.free.push(sequence);
    }
  }
}
