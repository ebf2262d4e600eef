#!/usr/bin/env node
// Thin launcher: all behaviour lives in main(), which never exits the process itself.
import { main } from '../dist/cli/main.js';

// A reader that closed the pipe early (`nhi-audit … | head`) wants no more output: stop quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
});
