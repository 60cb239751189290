// Runs an external program (nvidia-smi, sysctl, wmic, PowerShell) and returns its output whatever its exit code:
// a failing tool's message is information for the report. Injected everywhere so tests replay recorded outputs.
import { execFile } from "node:child_process";

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; 0 on success. */
  exitCode: number;
}

/** Runs `file args`; rejects only when the program cannot be started (error.code "ENOENT" when it is missing). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** The real runner: a 10 s limit so a hung driver query cannot hang the doctor. */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 10_000, windowsHide: true, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (error && typeof code === "string") {
        reject(error);
        return;
      }
      const exitCode = error ? ((error as { code?: number | null }).code ?? 1) : 0;
      const timedOut = error && (error as { killed?: boolean }).killed ? `\n(${file} timed out after 10 s)` : "";
      resolve({ stdout: String(stdout), stderr: String(stderr) + timedOut, exitCode });
    });
  });

/** Whether an error from a runner means the program is not installed. */
export function isMissingProgram(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
