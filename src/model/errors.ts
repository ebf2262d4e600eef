/**
 * Known errors: mistakes in what the user gave us. They print as one line
 * (`file:line: message`) and exit 2. Anything else that escapes is a bug (exit 3).
 */
export abstract class KnownError extends Error {
  abstract readonly kind: 'usage' | 'config' | 'input';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** `file:line: message`, `file: message` or just the message. */
  get oneLine(): string {
    if (this.file === undefined) return this.message;
    const at = this.line !== undefined && this.line > 0 ? `${this.file}:${this.line}` : this.file;
    return `${at}: ${this.message}`;
  }
}

/** Bad command line: unknown option, missing argument, bad value. */
export class UsageError extends KnownError {
  readonly kind = 'usage';
}

/** Invalid `.nhi-audit.yaml` or rule definition. Several problems may be joined. */
export class ConfigError extends KnownError {
  readonly kind = 'config';
  constructor(
    message: string,
    file?: string,
    line?: number,
    /** Every problem found, each already formatted as one line. */
    readonly problems: readonly string[] = [],
  ) {
    super(message, file, line);
  }
}

/** An input file or record that cannot be read. */
export class InputError extends KnownError {
  readonly kind = 'input';
}

export function isKnownError(error: unknown): error is KnownError {
  return error instanceof KnownError;
}
