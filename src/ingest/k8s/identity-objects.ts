import type { Credential, NormalizedRecord, SourceRef } from '../../model/index.js';
import { isMapping } from '../canonical/fields.js';
import { SA_NAME_ANNOTATION, SA_TOKEN_SECRET_TYPE, serviceAccountId, serviceAccountIdentity, text } from './common.js';
import { clusterOf, createdAt, metadataOf, namespaceOf, type Mapping } from './object-metadata.js';

export function mapServiceAccount(value: Mapping, source: SourceRef): NormalizedRecord[] | string {
  const name = text(metadataOf(value)['name']);
  if (name === null) return 'metadata.name is required';
  const created = createdAt(value);
  if (typeof created === 'string') return created;
  return [{ kind: 'identity', record: serviceAccountIdentity(namespaceOf(value), name, clusterOf(value), created, source) }];
}

/** A legacy service-account token Secret as a never-expiring credential; other Secrets are not ours. */
export function mapSecret(value: Mapping, source: SourceRef): NormalizedRecord[] | string {
  if (value['type'] !== SA_TOKEN_SECRET_TYPE) return [];
  const metadata = metadataOf(value);
  const name = text(metadata['name']);
  if (name === null) return 'metadata.name is required';
  const annotations = isMapping(metadata['annotations']) ? metadata['annotations'] : {};
  const account = text(annotations[SA_NAME_ANNOTATION]);
  if (account === null) return `a ${SA_TOKEN_SECRET_TYPE} Secret needs the ${SA_NAME_ANNOTATION} annotation`;
  const issued = createdAt(value);
  if (typeof issued === 'string') return issued;
  const namespace = namespaceOf(value);
  const credential: Credential = {
    id: `${namespace}/${name}`,
    identity: serviceAccountId(namespace, account),
    type: 'sa-token',
    issuedAt: issued,
    // Legacy token Secrets hold a JWT without `exp`: valid until the Secret is deleted.
    expiresAt: null,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes: [],
    tenant: clusterOf(value),
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: null,
    active: true,
    source,
  };
  return [{ kind: 'credential', record: credential }];
}
