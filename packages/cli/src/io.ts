/**
 * What a command may touch, passed in so that tests run commands in-process with fake streams
 * and files. `main.ts` supplies the real ones.
 */
export interface CliIo {
  readonly stdout: { write(text: string): void; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): void; readonly isTTY?: boolean };
  /** Reads a file, or standard input for `-`. */
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  readonly cwd: string;
}

/** Exit codes: 0 success, 1 the program or input is bad, 2 the command line is bad. */
export const ExitCode = Object.freeze({ OK: 0, INPUT: 1, USAGE: 2 } as const);
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
