// Generated tokens to streamed text, for the engine generation path: text is released only once it can no longer be
// the start of a stop trigger or half of a UTF-8 character, and a stop cuts at the token boundary before the token in
// which the trigger begins (as node-llama-cpp does), so the streamed chunks always join to the final text.

/** U+FFFD: what a detokenizer gives for an incomplete UTF-8 sequence. */
const REPLACEMENT = "\uFFFD";

export interface StopStreamOptions {
  /** Text of a token sequence (the same function for every prefix). */
  detokenize: (tokens: readonly number[]) => string;
  /** Stop strings, matched in the text. */
  stopStrings?: readonly string[];
  /** Stop token sequences (chat template markers with special tokens), matched in the tokens. */
  stopTokens?: ReadonlyArray<readonly number[]>;
  onText?: (chunk: string) => void;
}

export class StopStream {
  private readonly tokens: number[] = [];
  /** Text length of the first m tokens, and whether that text ends inside a UTF-8 character, for every m. */
  private readonly lengths: number[] = [0];
  private readonly partial: boolean[] = [false];
  private text = "";
  private emitted = 0;
  /** Tokens kept after a stop trigger fired. */
  private kept: number | undefined;

  constructor(private readonly options: StopStreamOptions) {}

  /** Adds a generated token; true when a stop trigger is now complete (generation should end). */
  push(token: number): boolean {
    if (this.kept !== undefined) throw new Error("StopStream.push after a stop (this is a bug)");
    const { detokenize, stopStrings = [], stopTokens = [] } = this.options;
    this.tokens.push(token);
    this.text = detokenize(this.tokens);
    this.lengths.push(this.text.length);
    this.partial.push(this.text.endsWith(REPLACEMENT));
    // Where a complete trigger starts (as a token index), and where an incomplete one may be starting (as a text offset).
    let stopToken = Infinity;
    let hold = this.text.length;
    for (const stop of stopStrings) {
      const at = this.text.indexOf(stop);
      if (at >= 0) stopToken = Math.min(stopToken, this.tokensBefore(at));
      for (let q = Math.max(0, this.text.length - stop.length + 1); q < this.text.length; q++) {
        if (stop.startsWith(this.text.slice(q))) {
          hold = Math.min(hold, q);
          break;
        }
      }
    }
    for (const sequence of stopTokens) {
      for (let start = Math.max(0, this.tokens.length - sequence.length); start < this.tokens.length; start++) {
        const tail = this.tokens.slice(start);
        if (!tail.every((t, i) => t === sequence[i])) continue;
        if (tail.length === sequence.length) stopToken = Math.min(stopToken, start);
        else hold = Math.min(hold, this.lengths[start]!);
        break;
      }
    }
    if (stopToken !== Infinity) {
      this.kept = stopToken;
      return true;
    }
    let safe = this.tokensBefore(hold);
    while (safe > 0 && this.partial[safe]) safe--;
    this.emit(this.lengths[safe]!);
    return false;
  }

  /** The final text (up to the stop, if one fired) and its tokens; streams what was held back. */
  finish(): { text: string; tokens: number[] } {
    const tokens = this.kept === undefined ? this.tokens.slice() : this.tokens.slice(0, this.kept);
    const text = this.kept === undefined ? this.text : this.options.detokenize(tokens);
    this.text = text;
    this.emit(text.length);
    return { text, tokens };
  }

  /** The most tokens whose text ends at or before `offset`. */
  private tokensBefore(offset: number): number {
    let m = this.tokens.length;
    while (m > 0 && this.lengths[m]! > offset) m--;
    return m;
  }

  private emit(upTo: number): void {
    if (upTo <= this.emitted) return;
    this.options.onText?.(this.text.slice(this.emitted, upTo));
    this.emitted = upTo;
  }
}
