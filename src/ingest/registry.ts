import type { Adapter, Sniff } from './adapter.js';
import { awsAuthorizationDetails } from './aws/authorization-details.js';
import { awsCloudTrail } from './aws/cloudtrail.js';
import { awsCredentialReport } from './aws/credential-report.js';
import { canonicalCsv, canonicalEvents, canonicalInventory } from './canonical/index.js';
import { oauthIntrospection } from './oauth/introspection.js';
import { oktaSystemLog } from './okta/system-log.js';

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
  awsCloudTrail,
  awsAuthorizationDetails,
  awsCredentialReport,
  oktaSystemLog,
  oauthIntrospection,
  canonicalCsv,
];

export function adapterById(id: string): Adapter | undefined {
  return ADAPTERS.find((adapter) => adapter.id === id);
}

export function detectAdapter(sniff: Sniff): Adapter | undefined {
  return ADAPTERS.find((adapter) => adapter.detect(sniff));
}
