import type { Adapter, Sniff } from './adapter.js';
import { awsAuthorizationDetails } from './aws/authorization-details.js';
import { awsCloudTrail } from './aws/cloudtrail.js';
import { awsCredentialReport } from './aws/credential-report.js';
import { githubAuditLog } from './github/audit-log.js';
import { githubCredentialList } from './github/credential-list.js';
import { canonicalCsv, canonicalEvents, canonicalInventory } from './canonical/index.js';
import { usageSummary } from './canonical/usage-summary.js';
import { oauthIntrospection } from './oauth/introspection.js';
import { jwtClaims } from './oauth/jwt-claims.js';
import { oktaSystemLog } from './okta/system-log.js';
import { entraAuditLog } from './entra/audit-log.js';
import { entraDirectoryObjects } from './entra/directory-objects.js';
import { entraOfficeActivity } from './entra/office-activity.js';
import { entraPermissionGrants } from './entra/permission-grants.js';
import { entraSignInLog } from './entra/sign-in-log.js';
import { gcpAssetInventory } from './gcp/asset-inventory.js';
import { gcpAuditLog } from './gcp/audit-log.js';
import { gcpIamPolicy } from './gcp/iam-policy.js';
import { gcpServiceAccountKeys } from './gcp/sa-keys.js';
import { k8sAuditLog } from './k8s/audit-log.js';
import { k8sObjects } from './k8s/objects.js';

/**
 * Every adapter, in detection order: the first whose detect() accepts a file
 * reads it. Put an adapter that recognises a precise header (an apiVersion, a
 * marker field) before one that recognises a loose shape, so the loose one
 * only sees what nothing more specific claimed. canonical-csv decides from
 * column names alone and stays last; native adapters go before it.
 */
export const ADAPTERS: readonly Adapter[] = [
  canonicalInventory,
  canonicalEvents,
  usageSummary,
  awsCloudTrail,
  awsAuthorizationDetails,
  awsCredentialReport,
  oktaSystemLog,
  oauthIntrospection,
  jwtClaims,
  githubAuditLog,
  githubCredentialList,
  gcpAuditLog,
  gcpAssetInventory,
  gcpServiceAccountKeys,
  gcpIamPolicy,
  entraSignInLog,
  entraAuditLog,
  entraOfficeActivity,
  entraPermissionGrants,
  entraDirectoryObjects,
  k8sAuditLog,
  k8sObjects,
  canonicalCsv,
];

export function adapterById(id: string): Adapter | undefined {
  return ADAPTERS.find((adapter) => adapter.id === id);
}

export function detectAdapter(sniff: Sniff): Adapter | undefined {
  return ADAPTERS.find((adapter) => adapter.detect(sniff));
}
