/** Exit codes, the same as most scanners: documented in `--help` and the README. */
export const EXIT = {
  /** Nothing at or above `--fail-on`. */
  CLEAN: 0,
  /** Findings at or above `--fail-on`. */
  FINDINGS: 1,
  /** Usage, config or input error. */
  USAGE: 2,
  /** Internal error: a bug in nhi-audit. */
  BUG: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  no finding at or above --fail-on (suppressed and --baseline findings do not count)
  1  findings at or above --fail-on
  2  usage, config or input error (a malformed config, ignore or baseline file; with --strict, any unreadable input)
  3  internal error (a bug: please report it with the stack trace)`;

/** `baseline` writes a file; findings are what it records, not a failure. */
export const BASELINE_EXIT_CODES_HELP = `
Exit codes:
  0  the baseline was written (whatever it records)
  2  usage, config or input error
  3  internal error (a bug: please report it with the stack trace)`;
