import type { Reporter } from './context.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { markdownReporter } from './markdown.js';
import { sarifReporter } from './sarif.js';
import { tableReporter } from './table.js';

export type { ReportContext, Reporter } from './context.js';
export { htmlEscape, markdownSafe, stringifyJson, terminalSafe } from './escape.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Every output format by its `--format` name. */
export const REPORTERS: Readonly<Record<ReportFormat, Reporter>> = {
  table: tableReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  markdown: markdownReporter,
  html: htmlReporter,
};
