/** What the CLI may touch of its process; injected so tests run main() in-process. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The clock, read once per run for the default `--as-of`. */
  readonly now: () => number;
}

/** Colour only on a TTY, never with NO_COLOR (https://no-color.org), FORCE_COLOR to insist. */
export function wantsColor(io: CliIO, isTTY: boolean): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return isTTY && io.env['TERM'] !== 'dumb';
}
