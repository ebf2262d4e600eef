import type { Catalog } from '../model/catalog.js';
import type { Report } from '../model/report.js';

/**
 * What a reporter may know besides the report. Tool name, version and `asOf`
 * are in the report itself; whether to colour is the CLI's decision (TTY,
 * NO_COLOR), never the reporter's.
 */
export interface ReportContext {
  readonly catalog: Catalog;
  readonly color: boolean;
  /** `--sarif-category`: names this analysis among several uploaded for one commit (SARIF only). */
  readonly sarifCategory?: string;
}

/** A pure function of its arguments: same report and context, same bytes (DESIGN.md §8). */
export type Reporter = (report: Report, context: ReportContext) => string;
