import path from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const AS_OF = '2026-11-01T00:00:00Z';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process against captured streams. */
export async function runCli(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; tty?: boolean; stdoutWrite?: (text: string) => void } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: options.stdoutWrite ?? ((text: string) => (stdout += text)) },
    stderr: { write: (text: string) => (stderr += text) },
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? REPO,
    now: () => Date.parse('2026-11-01T00:00:00Z'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
