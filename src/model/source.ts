/**
 * Where a record came from. Every normalized record carries one so that a
 * finding can point at the exact evidence (SARIF region, table evidence column).
 */
export interface SourceRef {
  /** Path as given on the command line, relative to the working directory, with `/` separators. */
  readonly file: string;
  /** 1-based line of the record's start; 0 when the format has no lines (then `pointer` says where). */
  readonly line: number;
  /** JSON pointer or record index inside the file, where a line alone does not locate the record. */
  readonly pointer?: string;
}

export function formatSource(source: SourceRef): string {
  const at = source.line > 0 ? `${source.file}:${source.line}` : source.file;
  return source.pointer === undefined ? at : `${at} (${source.pointer})`;
}
