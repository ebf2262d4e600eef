/*
 * Small helpers shared by rule logic: credential state at a moment, evidence
 * records, subjects and message fragments. Only the model and the rule API.
 */
import type { ActivityRef, UsageView } from '../engine/rule-api.js';
import {
  formatInstant,
  formatSource,
  type Approval,
  type Credential,
  type CredentialType,
  type EventCategory,
  type Evidence,
  type Identity,
  type IdentityType,
  type Instant,
  type Principal,
  type SourceRef,
  type Subject,
  type TokenParty,
} from '../model/index.js';

export function evidence(key: string, source: SourceRef, summary: string): Evidence {
  return { key, source, summary };
}

export function identityEvidence(identity: Identity, summary: string): Evidence {
  return evidence(`identity:${identity.id}`, identity.source, summary);
}

export function credentialEvidence(credential: Credential, summary: string): Evidence {
  return evidence(`credential:${credential.id}`, credential.source, summary);
}

export function principalEvidence(principal: Principal, summary: string): Evidence {
  return evidence(`principal:${principal.id}`, principal.source, summary);
}

export function approvalEvidence(approval: Approval, summary: string): Evidence {
  return evidence(`approval:${approval.id}`, approval.source, summary);
}

export function identitySubject(identity: Identity): Subject {
  return { kind: 'identity', id: identity.id, provider: identity.provider, ...(identity.tenant === null ? {} : { tenant: identity.tenant }) };
}

/** A credential's subject; provider comes from its owning identity when that is known. */
export function credentialSubject(credential: Credential, owner: Identity | undefined): Subject {
  const tenant = credential.tenant ?? owner?.tenant ?? null;
  return {
    kind: 'credential',
    id: credential.id,
    ...(owner === undefined ? {} : { provider: owner.provider }),
    ...(tenant === null ? {} : { tenant }),
  };
}

const CREDENTIAL_NAMES: Readonly<Record<CredentialType, string>> = {
  'access-token': 'Access token',
  'refresh-token': 'Refresh token',
  'api-key': 'API key',
  'client-secret': 'Client secret',
  certificate: 'Certificate',
  pat: 'Personal access token',
  'sa-token': 'Service-account token',
  'access-key': 'Access key',
  'ssh-key': 'SSH key',
  password: 'Password',
  'sa-key': 'Service-account key',
};

/** `Refresh token rt-7f3a` — capitalised, for the start of a sentence. */
export function credentialLabel(credential: Credential): string {
  return `${CREDENTIAL_NAMES[credential.type]} ${credential.id}`;
}

/** `refresh token rt-7f3a` — for the middle of a sentence. */
export function credentialPhrase(credential: Credential): string {
  const name = CREDENTIAL_NAMES[credential.type];
  // Keep acronyms (API, SSH) in capitals; lower only the first letter of ordinary words.
  return `${/^[A-Z]{2}/.test(name) ? name : name.charAt(0).toLowerCase() + name.slice(1)} ${credential.id}`;
}

const IDENTITY_NAMES: Readonly<Record<IdentityType, string>> = {
  'service-account': 'Service account',
  role: 'Role',
  app: 'App',
  'api-key-holder': 'API key holder',
  agent: 'Agent',
  workload: 'Workload',
  bot: 'Bot',
  user: 'User',
};

/** `Service account ci-deployer` — for the start of a sentence. */
export function identityLabel(identity: Identity): string {
  return `${IDENTITY_NAMES[identity.type]} ${identity.id}`;
}

/** How and when a credential stopped working. `time` is null when the input says it is inactive but not since when. */
export interface CredentialEnd {
  /** `revoked` (revokedAt), `expired`, `inactive` (flag only), or the category of the termination event. */
  readonly how: 'revoked' | 'expired' | 'inactive' | EventCategory;
  readonly time: Instant | null;
  /** The record that shows the end: the credential itself, or the termination event. */
  readonly source: SourceRef;
}

/**
 * The earliest way the credential had ended by `until`: `revokedAt`, a
 * termination event naming it, `expiresAt`, the removal of the delegation it
 * was issued under (a revoke or disconnect of its holder acting for its
 * principal, naming no credential, after its issue), or the inactive flag (time unknown).
 * Null when, as far as the inputs show, it still worked at `until`.
 */
export function credentialEnd(credential: Credential, usage: UsageView, until: Instant): CredentialEnd | null {
  const ends: CredentialEnd[] = [];
  if (credential.revokedAt !== null && credential.revokedAt <= until) {
    ends.push({ how: 'revoked', time: credential.revokedAt, source: credential.source });
  }
  // Terminations are sorted by time, so the first one is the earliest.
  const termination = usage.forCredential(credential.id)?.terminations[0];
  if (termination !== undefined && termination.time <= until) {
    ends.push({ how: termination.category, time: termination.time, source: termination.source });
  }
  if (credential.expiresAt !== null && credential.expiresAt <= until) {
    ends.push({ how: 'expired', time: credential.expiresAt, source: credential.source });
  }
  // The grant or consent behind a delegated token removed after it was issued (Okta consent revoke,
  // an authorization destroyed) ends it too; a revoke naming another credential does not.
  const holder = credential.identity ?? credential.clientId;
  if (holder !== null && credential.onBehalfOf !== null && credential.issuedAt !== null) {
    const issued = credential.issuedAt;
    const removal = usage
      .forDelegation(holder, credential.onBehalfOf)
      ?.terminations.find((end) => end.credential === undefined && end.time >= issued && end.time <= until);
    if (removal !== undefined) ends.push({ how: removal.category, time: removal.time, source: removal.source });
  }
  const timed = ends.sort((a, b) => (a.time ?? 0) - (b.time ?? 0))[0];
  if (timed !== undefined) return timed;
  if (credential.active) return null;
  // An inactive flag explained by a dated end after `until` (a late revocation) says nothing about `until`.
  const laterEnd = credential.revokedAt ?? termination?.time ?? credential.expiresAt;
  return laterEnd !== null && laterEnd !== undefined ? null : { how: 'inactive', time: null, source: credential.source };
}

/** Active flag set, not revoked, not terminated by an event and not expired at `asOf`. */
export function isLive(credential: Credential, usage: UsageView, asOf: Instant): boolean {
  return credential.active && credentialEnd(credential, usage, asOf) === null;
}

/** A last use and where it shows: an event line, or the credential's provider-reported `lastUsedAt`. */
export interface LastUse extends ActivityRef {
  /** Evidence key, `last-use:<credential id>` or `last-use:<kind>:<id>`. */
  readonly key: string;
  /** What was used, for summaries: a credential id, an identity, a delegation. */
  readonly what: string;
  /** True when the time comes from an event log rather than inventory metadata. */
  readonly fromEvents: boolean;
}

/**
 * The latest known use of a credential: its last event in the logs, or the
 * provider's `lastUsedAt` when that is later (or there are no events).
 */
export function credentialLastUse(credential: Credential, usage: UsageView): LastUse | null {
  const fromEvents = usage.forCredential(credential.id)?.lastUse ?? null;
  const key = `last-use:${credential.id}`;
  if (credential.lastUsedAt !== null && (fromEvents === null || credential.lastUsedAt > fromEvents.time)) {
    return { key, what: credential.id, time: credential.lastUsedAt, source: credential.source, fromEvents: false };
  }
  return fromEvents === null ? null : { key, what: credential.id, ...fromEvents, fromEvents: true };
}

/** `2026-03-01T09:12:00Z (events/app.events.ndjson:14)` */
export function formatActivity(activity: ActivityRef): string {
  return `${formatInstant(activity.time)} (${formatSource(activity.source)})`;
}

/** The evidence record of a last use. */
export function lastUseEvidence(use: LastUse): Evidence {
  const summary = use.fromEvents
    ? `last use of ${use.what} at ${formatInstant(use.time)}`
    : `${use.what} reports last use at ${formatInstant(use.time)}`;
  return { key: use.key, source: use.source, summary };
}

/** The later of two uses (either may be missing); on a tie the second, so callers pass the more specific one second. */
export function laterUse(a: LastUse | null, b: LastUse | null): LastUse | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.time >= a.time ? b : a;
}

/** `a, b and c`; beyond `cap` items, `a, b, c, d, e and 3 more`. */
export function listWithMore(items: readonly string[], cap = 5): string {
  if (items.length === 0) return '';
  const shown = items.length > cap ? items.slice(0, cap) : items;
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}`;
}

/** `1 consumer`, `3 workloads`, `2 identities`. */
export function plural(count: number, noun: string): string {
  if (count === 1) return `${count} ${noun}`;
  return `${count} ${/[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

/** A token's `act` / `may_act` party: `agent`, or `agent (iss https://as.example)`. */
export function partyText(party: TokenParty): string {
  return party.iss === undefined ? party.sub : `${party.sub} (iss ${party.iss})`;
}

/** An identity a rule left out as a person, with the evidence that made it one. */
export interface PersonSkipped {
  readonly identity: Identity;
  readonly reason: string;
}

/**
 * The coverage note of a rule that judges only non-human identities: how many
 * identities it left out as people, and every one of them with the evidence
 * that made it a person. Null when it left none out.
 */
export function humanSkipNote(skipped: readonly PersonSkipped[]): string | null {
  if (skipped.length === 0) return null;
  const sorted = [...skipped].sort((a, b) => (a.identity.id < b.identity.id ? -1 : a.identity.id > b.identity.id ? 1 : 0));
  const list = sorted.map(({ identity, reason }) => `${identity.id} (${reason})`);
  return `${plural(skipped.length, 'identity')} not judged because the inputs show ${skipped.length === 1 ? 'it is a person' : 'they are people'}: ${listWithMore(list, list.length)}`;
}
