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
  'usage-summary': {
    export:
      'nhi-audit sql --dialect athena > usage.sql, run it in Athena (or Trino, or DuckDB with --dialect duckdb --input GLOB) and download the result as CSV',
    scan: 'nhi-audit scan usage-summary.csv authz.json inventory.yaml',
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
  'jwt-claims': {
    export:
      "decode the payload of each JWT access token, never keeping the token: jq -cR 'split(\".\")[1] | @base64d | fromjson' tokens.txt > token-claims.ndjson",
    scan: 'nhi-audit scan token-claims.ndjson',
  },
  'entra-directory-objects': {
    export:
      "Get-MgServicePrincipal -All | ConvertTo-Json -Depth 10 > sps.json; Get-MgApplication -All -ExpandProperty Owners | ConvertTo-Json -Depth 10 > apps.json; Get-MgApplicationFederatedIdentityCredential -ApplicationId <objId> | ConvertTo-Json > fic-<objId>.json  (or az rest --url https://graph.microsoft.com/v1.0/servicePrincipals > sps.json)",
    scan: 'nhi-audit scan sps.json apps.json',
  },
  'entra-permission-grants': {
    export:
      'az rest --url https://graph.microsoft.com/v1.0/oauth2PermissionGrants > grants.json; Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId <graphSpId> -All | ConvertTo-Json > app-roles.json',
    scan: 'nhi-audit scan grants.json app-roles.json',
  },
  'entra-sign-in-log': {
    export:
      "az rest --url \"https://graph.microsoft.com/beta/auditLogs/signIns?\$filter=signInEventTypes/any(t:t eq 'servicePrincipal')\" > signins.json  (or AADServicePrincipalSignInLogs from Log Analytics as JSON, or diagnostic-settings PT1H.json blobs)",
    scan: 'nhi-audit scan signins.json',
  },
  'entra-audit-log': {
    export: 'az rest --url https://graph.microsoft.com/v1.0/auditLogs/directoryAudits > audits.json  (or AuditLogs from Log Analytics / diagnostic settings)',
    scan: 'nhi-audit scan audits.json',
  },
  'entra-office-activity': {
    export: 'OfficeActivity from Log Analytics exported as JSON, or Office 365 Management Activity API content blobs',
    scan: 'nhi-audit scan officeactivity.json',
  },
  'gcp-iam-policy': {
    export: 'gcloud projects get-iam-policy PROJECT --format=json > iam-policy.json  (folder/org get-iam-policy and gcloud asset search-all-iam-policies --format=json also work)',
    scan: 'nhi-audit scan iam-policy.json',
  },
  'gcp-asset-inventory': {
    export:
      'gcloud asset export --project=PROJECT --content-type=iam-policy --output-path=gs://BUCKET/iam.ndjson, and --content-type=resource --asset-types=iam.googleapis.com/ServiceAccount,iam.googleapis.com/ServiceAccountKey; then gsutil cp them locally',
    scan: 'nhi-audit scan cai/',
  },
  'gcp-sa-keys': {
    export: 'gcloud iam service-accounts keys list --iam-account=SA_EMAIL --format=json > sa-keys.json',
    scan: 'nhi-audit scan sa-keys.json',
  },
  'gcp-audit-log': {
    export: 'gcloud logging read \'logName:"cloudaudit.googleapis.com"\' --project=PROJECT --freshness=90d --format=json > gcp-audit.json  (or a log sink\'s NDJSON files)',
    scan: 'nhi-audit scan gcp-audit.json',
  },
  'github-audit-log': {
    export:
      'gh api --paginate "/orgs/ORG/audit-log?include=all&per_page=100" > github-audit-log.json  (or Org settings → Audit log → Export, JSON or CSV; Settings → Security log → Export for a user)',
    scan: 'nhi-audit scan github-audit-log.json',
  },
  'github-credential-list': {
    export: 'gh api --paginate /orgs/ORG/personal-access-tokens > pats.json; gh api --paginate /orgs/ORG/credential-authorizations > credential-authorizations.json',
    scan: 'nhi-audit scan pats.json credential-authorizations.json',
  },
  'k8s-objects': {
    export:
      'kubectl get serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml > rbac.yaml; kubectl get secrets -A --field-selector type=kubernetes.io/service-account-token -o yaml > sa-token-secrets.yaml',
    scan: 'nhi-audit scan rbac.yaml sa-token-secrets.yaml',
  },
  'k8s-audit-log': {
    export: 'copy the API server audit log (the file named by --audit-log-path, e.g. /var/log/kubernetes/audit/audit.log)',
    scan: 'nhi-audit scan audit.log',
  },
  'canonical-csv': {
    export: 'hand-written or exported CSV: one canonical list per file, header row with the canonical field names, lists separated by ;',
    scan: 'nhi-audit scan principals.csv',
  },
};

export function formatExample(id: string): FormatExample | undefined {
  return Object.hasOwn(FORMAT_EXAMPLES, id) ? FORMAT_EXAMPLES[id] : undefined;
}
