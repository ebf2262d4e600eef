/*
 * `nhi-audit … | head` closes the pipe before the output ends: the CLI must
 * stop quietly (no EPIPE stack trace on stderr), as other command-line tools do.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/nhi-audit.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close our end like `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that closes the pipe early', () => {
  // Commander writes help in several pieces, so the pipe closes between writes.
  it('gets no stack trace from --help', async () => {
    const { stderr } = await runWithClosedStdout(['--help']);
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
  });
});
