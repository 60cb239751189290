// The message a supervisor sends the training child to stop after the current step with a checkpoint. An IPC
// message works on every platform; a POSIX signal does not (Windows ends a child on child.kill("SIGINT")).
export const STOP_MESSAGE = { kind: "stop" } as const;

export function isStopMessage(message: unknown): boolean {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === STOP_MESSAGE.kind;
}
