/*
 * How to produce each input format: the provider command or console path that
 * writes the export, and a scan of it. Keyed by adapter id; a test checks that
 * every adapter in ADAPTERS has an entry, and the README's "Exporting inputs"
 * section repeats these.
 */

export interface FormatExample {
  /** The provider command, API call or console path that produces the export. */
  readonly export: string;
  /** An `nhi-audit scan` of what that produces. */
  readonly scan: string;
}

export const FORMAT_EXAMPLES: Readonly<Record<string, FormatExample>> = {
  'canonical-inventory': {
    export: 'hand-written YAML/JSON with `apiVersion: nhi-audit/v1` and `kind: Inventory` (see README, Canonical input format)',
    scan: 'nhi-audit scan inventory.yaml',
  },
  'canonical-events': {
    export: 'NDJSON, one event per line, from your own logs (file named *.events.ndjson or lines with "kind": "nhi-audit/v1/event")',
    scan: 'nhi-audit scan app.events.ndjson',
  },
  'aws-cloudtrail': {
    export:
      'aws s3 sync s3://<trail-bucket>/AWSLogs/<account>/CloudTrail/ cloudtrail/  (or: aws cloudtrail lookup-events --output json > cloudtrail.json)',
    scan: 'nhi-audit scan cloudtrail/',
  },
  'aws-authorization-details': {
    export: 'aws iam get-account-authorization-details > authz.json',
    scan: 'nhi-audit scan authz.json',
  },
  'aws-credential-report': {
    export: 'aws iam generate-credential-report && aws iam get-credential-report --output json > credential-report.json',
    scan: 'nhi-audit scan credential-report.json',
  },
  'okta-system-log': {
    export: 'GET /api/v1/logs (Okta System Log API), responses saved as a JSON array or NDJSON > okta-logs.json',
    scan: 'nhi-audit scan okta-logs.json',
  },
  'oauth-introspection': {
    export: "POST each token to the authorization server's RFC 7662 introspection endpoint; one JSON response per line > introspection.ndjson",
    scan: 'nhi-audit scan introspection.ndjson',
  },
  'canonical-csv': {
    export: 'hand-written or exported CSV: one canonical list per file, header row with the canonical field names, lists separated by ;',
    scan: 'nhi-audit scan principals.csv',
  },
};

export function formatExample(id: string): FormatExample | undefined {
  return Object.hasOwn(FORMAT_EXAMPLES, id) ? FORMAT_EXAMPLES[id] : undefined;
}
