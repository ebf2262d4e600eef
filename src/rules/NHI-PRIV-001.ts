/*
 * wildcard-privilege: a non-human identity holds `*` actions, a service-wide
 * wildcard or an "everything except" grant on every resource, or carries a
 * wildcard scope on a live credential.
 */
import { classifyIdentity, defineRule } from '../engine/rule-api.js';
import type { Credential, Evidence, Grant, Identity } from '../model/index.js';
import {
  credentialEvidence,
  credentialLabel,
  credentialPhrase,
  credentialSubject,
  identityEvidence,
  identityLabel,
  identitySubject,
  isLive,
} from './support.js';

type Params = {
  /** Service wildcards that let the holder grant itself anything (compared case-insensitively). */
  readonly admin_actions: readonly string[];
};

type Breadth = 'everything' | 'whole-service';

// `*`, `*:*`, `*.*` and `*/*` (Azure): every action of every service.
function isAllActions(action: string): boolean {
  return ['*', '*:*', '*.*', '*/*'].includes(action.trim());
}

/** `s3:*` (AWS), `storage.*` (GCP: a bare service, not `storage.objects.*`), `Microsoft.Storage/*` (Azure). */
function isServiceWildcard(action: string): boolean {
  const text = action.trim();
  return /^[A-Za-z0-9-]+:\*$/.test(text) || /^[A-Za-z0-9-]+\.\*$/.test(text) || /^[A-Za-z0-9-]+\.[A-Za-z0-9-]+\/\*$/.test(text);
}

/** A scope that is `*` or `<word>:*` / `<word>.*` with no narrower resource (`repo:acme/app:*` is narrower). */
function isWildcardScope(scope: string): boolean {
  return isAllActions(scope) || /^[A-Za-z0-9_-]+[:.]\*$/.test(scope.trim());
}

/**
 * How much a resource pattern covers: `*` and ARNs made only of wildcards
 * (`arn:aws:*:*:*`) cover everything; an ARN whose resource part is only
 * wildcards (`arn:aws:s3:::*`, `arn:aws:ec2:us-east-1:123456789012:*`) covers
 * a whole service. Anything naming a resource (`arn:aws:s3:::bucket/*`) is narrower.
 */
function resourceBreadth(resource: string): Breadth | null {
  const text = resource.trim();
  if (text === '*') return 'everything';
  const parts = text.split(':');
  if (parts[0] !== 'arn' || parts.length < 5) return null;
  const afterPartition = parts.slice(2);
  if (afterPartition.every((part) => part === '*' || part === '') && afterPartition.includes('*')) return 'everything';
  const resourcePart = parts.slice(5).join(':');
  if (!/^[*/]+$/.test(resourcePart) || !resourcePart.includes('*')) return null;
  return parts[2] === '*' ? 'everything' : 'whole-service';
}

/** The syntax family of an action, so AWS exclusions are only compared with AWS admin actions. */
function family(action: string): 'aws' | 'azure' | 'gcp' | 'other' {
  if (action.includes('/')) return 'azure';
  if (action.includes(':')) return 'aws';
  if (action.includes('.')) return 'gcp';
  return 'other';
}

interface Offence {
  readonly evidence: Evidence;
  readonly text: string;
  readonly admin: boolean;
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/**
 * Action patterns an identity is denied everywhere without conditions. An
 * explicit deny always wins over an allow, so an allow it covers grants nothing
 * (e.g. allow `iam:*` beside deny `iam:*`, or any allow beside deny `*`).
 */
function unconditionalDenies(grants: readonly Grant[]): string[] {
  return grants
    .filter((grant) => grant.effect === 'deny' && !grant.notActions && !grant.hasConditions)
    .filter((grant) => grant.resources.some((resource) => resourceBreadth(resource) === 'everything'))
    .flatMap((grant) => grant.actions.map((action) => action.trim().toLowerCase()));
}

/** Whether a deny pattern covers an allowed action pattern (`*` covers all, `iam:*` covers `iam:*` and `iam:PassRole`). */
function deniedBy(denies: readonly string[], action: string): boolean {
  const wanted = action.trim().toLowerCase();
  return denies.some(
    (deny) => deny === '*' || deny === wanted || (deny.endsWith('*') && wanted.startsWith(deny.slice(0, -1))),
  );
}

function grantOffence(grant: Grant, key: string, admin: ReadonlySet<string>, denies: readonly string[]): Offence | null {
  if (grant.effect !== 'allow') return null;
  // Everything denied: no allow of this identity takes effect.
  if (denies.includes('*')) return null;
  const broad = grant.resources.filter((resource) => resourceBreadth(resource) !== null);
  if (broad.length === 0) return null;
  const everything = broad.some((resource) => resourceBreadth(resource) === 'everything');
  const via = grant.via === null ? 'an unnamed grant' : grant.via;
  const limit = grant.hasConditions ? 'limited by conditions' : 'no conditions';
  const on = quoteAll(broad);

  let text: string;
  let isAdmin: boolean;
  if (grant.notActions) {
    // "Everything except …" is admin-equivalent unless every admin action of its syntax is excluded.
    const excluded = new Set(grant.actions.map((action) => action.trim().toLowerCase()));
    const families = new Set(grant.actions.map(family));
    const openAdmin = [...admin].filter((action) => families.has(family(action)) && !excluded.has(action));
    isAdmin = everything && !excluded.has('*') && openAdmin.length > 0;
    text = `all actions except ${quoteAll(grant.actions)} on ${on} via ${via} (${limit})`;
  } else {
    const wild = grant.actions
      .filter((action) => isAllActions(action) || isServiceWildcard(action))
      .filter((action) => !deniedBy(denies, action));
    if (wild.length === 0) return null;
    isAdmin =
      (everything && wild.some(isAllActions)) || wild.some((action) => admin.has(action.trim().toLowerCase()));
    text = `${quoteAll(wild)} on ${on} via ${via} (${limit})`;
  }
  return {
    text,
    admin: isAdmin,
    evidence: { key, source: grant.source, summary: `allow ${text}` },
  };
}

function scopeOffence(credential: Credential, admin: ReadonlySet<string>): Offence | null {
  const wild = credential.scopes.filter(isWildcardScope);
  if (wild.length === 0) return null;
  const text = `${credentialPhrase(credential)} carries scope ${quoteAll(wild)}`;
  return {
    text,
    admin: wild.some((scope) => isAllActions(scope) || admin.has(scope.trim().toLowerCase())),
    evidence: credentialEvidence(credential, `scopes ${quoteAll(wild)}`),
  };
}

/** Evidence keys `grant:<identity>:<via or index>`, made unique when one policy has several offending statements. */
function grantKeys(identity: Identity, grants: readonly Grant[]): string[] {
  const seen = new Map<string, number>();
  return grants.map((grant, index) => {
    const base = `grant:${identity.id}:${grant.via ?? String(index)}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

export const rule = defineRule<Params>('NHI-PRIV-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (!inventory.has('grant') && !inventory.has('credential')) {
    sink.notEvaluated('no IAM grants (policies, role bindings) and no credentials with scopes were supplied');
    return;
  }
  if (inventory.has('grant') && !inventory.has('identity')) {
    sink.note('grants were supplied without identity records, so they could not be attributed to identities');
  }
  const admin = new Set(ctx.params.admin_actions.map((action) => action.trim().toLowerCase()));

  for (const identity of inventory.identities()) {
    // Humans are out of scope; a deleted identity can no longer use what it held.
    if (identity.status === 'deleted') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) continue;
    const grants = inventory.grantsOf(identity.id);
    const keys = grantKeys(identity, grants);
    const offences: Offence[] = [];
    const denies = unconditionalDenies(grants);
    grants.forEach((grant, index) => {
      const offence = grantOffence(grant, keys[index] ?? `grant:${identity.id}:${index}`, admin, denies);
      if (offence !== null) offences.push(offence);
    });
    for (const credential of inventory.credentialsOf(identity.id)) {
      if (!isLive(credential, usage, asOf)) continue;
      const offence = scopeOffence(credential, admin);
      if (offence !== null) offences.push(offence);
    }
    if (offences.length === 0) continue;
    const isAdmin = offences.some((offence) => offence.admin);
    sink.report({
      messageId: isAdmin ? 'admin-wildcard' : 'wildcard',
      message:
        `${identityLabel(identity)} holds ${isAdmin ? 'admin-equivalent ' : ''}wildcard privileges: ` +
        `${offences.map((offence) => offence.text).join('; ')}.`,
      subject: identitySubject(identity),
      evidence: [
        identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider}); non-human: ${kind.reason}`),
        ...offences.map((offence) => offence.evidence),
      ],
      ...(isAdmin ? { severity: 'critical' as const } : {}),
    });
  }

  // Credentials whose holder is not in the inventory still carry their scopes.
  for (const credential of inventory.credentials()) {
    const holder = credential.identity ?? credential.clientId;
    if (holder !== null && inventory.identity(holder) !== undefined) continue;
    if (credential.clientId !== null && inventory.identity(credential.clientId) !== undefined) continue;
    if (!isLive(credential, usage, asOf)) continue;
    const offence = scopeOffence(credential, admin);
    if (offence === null) continue;
    sink.report({
      messageId: offence.admin ? 'admin-wildcard' : 'wildcard',
      message:
        `${credentialLabel(credential)}, held by ${holder ?? 'an unknown identity'} (not in the inventory), ` +
        `carries ${offence.admin ? 'admin-equivalent ' : ''}wildcard scope ${quoteAll(credential.scopes.filter(isWildcardScope))}.`,
      subject: credentialSubject(credential, undefined),
      evidence: [offence.evidence],
      ...(offence.admin ? { severity: 'critical' as const } : {}),
    });
  }
});
