/*
 * long-lived-credential: a live credential of a type meant to expire has no
 * expiry, or a lifetime longer than the maximum for its type.
 */
import { defineRule } from '../engine/rule-api.js';
import { formatDate, formatDuration, type Credential, type CredentialType, type Instant } from '../model/index.js';
import { credentialOwner, credentialOwnerRef, credentialTypesParam, daysText } from './lifecycle-support.js';
import { credentialEvidence, credentialLabel, credentialSubject, isLive, listWithMore, plural } from './support.js';

type Params = {
  readonly types: readonly string[];
  readonly expiry_optional_types: readonly string[];
  /** Maximum lifetimes (ms). */
  readonly max_access_token_lifetime: number;
  readonly max_refresh_token_lifetime: number;
  readonly max_secret_lifetime: number;
};

function maxLifetime(type: CredentialType, params: Params): number {
  if (type === 'access-token') return params.max_access_token_lifetime;
  if (type === 'refresh-token') return params.max_refresh_token_lifetime;
  return params.max_secret_lifetime;
}

/** Where the lifetime is counted from, and how to say it. */
function lifetimeStart(credential: Credential, asOf: Instant): { readonly time: Instant; readonly text: string; readonly lowerBound: boolean } {
  if (credential.issuedAt !== null) return { time: credential.issuedAt, text: `was issued ${formatDate(credential.issuedAt)}`, lowerBound: false };
  if (credential.lastRotatedAt !== null) {
    return { time: credential.lastRotatedAt, text: `was last rotated ${formatDate(credential.lastRotatedAt)}`, lowerBound: false };
  }
  // Unknown start: the time still left is a lower bound of the lifetime.
  return { time: asOf, text: `has no issue or rotation date; at ${formatDate(asOf)} it`, lowerBound: true };
}

export const rule = defineRule<Params>('NHI-CRED-001', (ctx, sink) => {
  const { inventory, usage, asOf, params } = ctx;
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credential or token records were supplied');
    return;
  }
  const types = credentialTypesParam('NHI-CRED-001', 'types', params.types);
  const expiryOptional = credentialTypesParam('NHI-CRED-001', 'expiry_optional_types', params.expiry_optional_types);

  const unknownExpiry: string[] = [];
  for (const credential of inventory.credentials()) {
    if (!types.has(credential.type) || credential.providerManaged === true) continue;
    if (!isLive(credential, usage, asOf)) continue;
    if (credential.expiresAt === null && credential.expiryUnknown === true) {
      unknownExpiry.push(credential.id);
      continue;
    }
    const max = maxLifetime(credential.type, params);
    const ownerRef = credentialOwnerRef(credential, inventory);
    const head = `${credentialLabel(credential)}${ownerRef === null ? '' : ` of ${ownerRef}`}`;
    const subject = credentialSubject(credential, credentialOwner(credential, inventory));
    const limit = `the maximum for ${credential.type} credentials is ${formatDuration(max)}`;

    if (credential.expiresAt === null) {
      if (expiryOptional.has(credential.type)) continue;
      const issued = credential.issuedAt === null ? '' : `, issued ${formatDate(credential.issuedAt)},`;
      sink.report({
        messageId: 'no-expiry',
        message: `${head}${issued} never expires (its record has no expiry date); ${limit}.`,
        subject,
        evidence: [credentialEvidence(credential, `${credential.type} ${credential.id}, no expiry`)],
      });
      continue;
    }

    const start = lifetimeStart(credential, asOf);
    const lifetime = credential.expiresAt - start.time;
    if (lifetime <= max) continue;
    const span = start.lowerBound
      ? `is valid until ${formatDate(credential.expiresAt)}, ${daysText(start.time, credential.expiresAt)} away`
      : `is valid until ${formatDate(credential.expiresAt)}: a lifetime of ${daysText(start.time, credential.expiresAt)}`;
    sink.report({
      messageId: 'lifetime-exceeded',
      message: `${head} ${start.text}${start.lowerBound ? ' ' : ' and '}${span}, but ${limit}.`,
      subject,
      evidence: [credentialEvidence(credential, `${credential.type} ${credential.id}, expires ${formatDate(credential.expiresAt)}`)],
    });
  }
  if (unknownExpiry.length > 0) {
    sink.note(
      `${plural(unknownExpiry.length, 'credential')} seen only being issued in a log, with no expiry recorded, were not judged: ${listWithMore(unknownExpiry)}`,
    );
  }
});
