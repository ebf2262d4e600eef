/*
 * dormant-identity: an active non-human identity (or a live credential of an
 * identity in use) with no use for longer than the idle limit, or never used
 * and older than the grace period. Absence of use is believed only where a
 * source could have shown use.
 */
import { classifyIdentity, defineRule, type InventoryView, type UsageView } from '../engine/rule-api.js';
import {
  formatDate,
  formatDuration,
  formatInstant,
  formatSource,
  type Credential,
  type CredentialType,
  type Evidence,
  type Identity,
  type Instant,
  type SourceRef,
} from '../model/index.js';
import { credentialOwner, daysText } from './lifecycle-support.js';
import {
  credentialEvidence,
  credentialLabel,
  credentialPhrase,
  credentialSubject,
  evidence,
  identityEvidence,
  identityLabel,
  identitySubject,
  isLive,
  listWithMore,
  humanSkipNote,
  type PersonSkipped,
} from './support.js';

type Params = {
  /** Longest time without use (ms). */
  readonly max_idle: number;
  /** Age a never-used identity or credential must reach (ms). */
  readonly grace_period: number;
};

/** Minting one of these is a use of the identity (an OAuth flow or a token exchange ran). */
const TOKEN_TYPES: ReadonlySet<CredentialType> = new Set<CredentialType>(['access-token', 'refresh-token']);

/** One dated sign of use, with what it is and where it shows. */
interface Signal {
  readonly time: Instant;
  readonly source: SourceRef;
  /** `the provider-reported last use of the identity` */
  readonly what: string;
  readonly key: string;
}

function credentialSignals(credential: Credential, usage: UsageView): Signal[] {
  const signals: Signal[] = [];
  const phrase = credentialPhrase(credential);
  if (credential.lastUsedAt !== null) {
    signals.push({ time: credential.lastUsedAt, source: credential.source, what: `the provider-reported last use of ${phrase}`, key: `reported-use:${credential.id}` });
  }
  const logged = usage.forCredential(credential.id)?.lastUse ?? null;
  if (logged !== null) signals.push({ ...logged, what: `the last logged action with ${phrase}`, key: `last-use:${credential.id}` });
  if (TOKEN_TYPES.has(credential.type) && credential.issuedAt !== null) {
    signals.push({ time: credential.issuedAt, source: credential.source, what: `the issue of ${phrase}`, key: `token-issued:${credential.id}` });
  }
  return signals;
}

function identitySignals(identity: Identity, credentials: readonly Credential[], usage: UsageView): Signal[] {
  const signals: Signal[] = [];
  if (identity.lastUsedAt !== null) {
    signals.push({ time: identity.lastUsedAt, source: identity.source, what: 'the provider-reported last use of the identity', key: `reported-use:identity:${identity.id}` });
  }
  const logged = usage.forIdentity(identity.id)?.lastUse ?? null;
  if (logged !== null) signals.push({ ...logged, what: 'the last logged action of the identity', key: `last-use:identity:${identity.id}` });
  for (const credential of credentials) signals.push(...credentialSignals(credential, usage));
  return signals;
}

function latest(signals: readonly Signal[]): Signal | undefined {
  // Ties go to the first listed: the identity's own signals come before its credentials'.
  return signals.reduce<Signal | undefined>((best, signal) => (best === undefined || signal.time > best.time ? signal : best), undefined);
}

/** Which sources could have shown use, worked out once per run. */
interface Sources {
  /** Providers whose inputs report last use of identities. */
  readonly identityTracking: ReadonlySet<string>;
  /** Providers whose inputs report last use of credentials, or whose events name credentials. */
  readonly credentialTracking: ReadonlySet<string>;
  readonly credentialEvents: ReadonlySet<string>;
}

function sources(inventory: InventoryView, usage: UsageView): Sources {
  const identityTracking = new Set<string>();
  const credentialTracking = new Set<string>();
  const credentialEvents = new Set<string>();
  for (const identity of inventory.identities()) if (identity.lastUsedAt !== null) identityTracking.add(identity.provider);
  for (const credential of inventory.credentials()) {
    const provider = credentialOwner(credential, inventory)?.provider;
    if (provider === undefined) continue;
    if (credential.lastUsedAt !== null) credentialTracking.add(provider);
    if (usage.forCredential(credential.id) !== null) credentialEvents.add(provider);
  }
  // Key-level reports (the credential report) also show whether the identity was used through its keys.
  for (const provider of credentialTracking) identityTracking.add(provider);
  return { identityTracking, credentialTracking, credentialEvents };
}

/** `event logs 2025-11-01T00:00:00Z → 2026-03-09T00:00:00Z` when the logs for this tenant span [from, asOf − idle]. */
function logsCovering(usage: UsageView, tenant: string | null, from: Instant, idleStart: Instant): string | null {
  const tenantLogs = tenant === null ? null : usage.coverageOf(tenant);
  // Logs that name no tenant at all (canonical events) count for every identity.
  const logs = tenantLogs ?? (usage.tenantsSeen().length === 0 ? usage.coverage() : null);
  if (logs === null || logs.from > from || logs.to < idleStart) return null;
  return `event logs ${formatInstant(logs.from)} → ${formatInstant(logs.to)}`;
}

export const rule = defineRule<Params>('NHI-LIFE-002', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  const { max_idle: maxIdle, grace_period: grace } = ctx.params;
  if (!inventory.has('identity')) {
    sink.notEvaluated('no identity records were supplied');
    return;
  }
  const anyTokenIssue = inventory.credentials().some((credential) => TOKEN_TYPES.has(credential.type) && credential.issuedAt !== null);
  const known = sources(inventory, usage);
  if (usage.coverage() === null && known.identityTracking.size === 0 && !anyTokenIssue) {
    sink.notEvaluated('no usage signal was supplied: no event logs, no provider-reported last use of identities or credentials, no token issue times');
    return;
  }
  const idleStart = asOf - maxIdle;
  const unjudged: string[] = [];
  const undated: string[] = [];

  const report = (subject: ReturnType<typeof identitySubject>, messageId: string, message: string, records: Evidence[]) =>
    sink.report({ messageId, message, subject, evidence: records });

  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    if (identity.status !== 'active') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const credentials = inventory.credentialsOf(identity.id);
    const live = credentials.filter((credential) => credential.providerManaged !== true && isLive(credential, usage, asOf));
    const last = latest(identitySignals(identity, credentials, usage));
    const label = identityLabel(identity);

    if (last === undefined || last.time < idleStart) {
      // Never used: its age counts from creation, or from its oldest credential when creation is unknown.
      const born = identity.createdAt ?? credentials.reduce<Instant | null>((oldest, c) => (c.issuedAt !== null && (oldest === null || c.issuedAt < oldest) ? c.issuedAt : oldest), null);
      if (last === undefined) {
        if (born === null) {
          undated.push(identity.id);
          continue;
        }
        if (asOf - born < grace) continue;
      }
      const mustSee = Math.max(idleStart, born ?? idleStart);
      const witnesses = [
        ...(known.identityTracking.has(identity.provider) ? [`the last-use reports of ${identity.provider}`] : []),
        ...[logsCovering(usage, identity.tenant, mustSee, idleStart)].filter((text): text is string => text !== null),
      ];
      if (witnesses.length === 0) {
        unjudged.push(identity.id);
        continue;
      }
      if (last === undefined) {
        const created = identity.createdAt === null ? `whose oldest credential was issued ${formatDate(born ?? asOf)}` : `created ${formatDate(born ?? asOf)}`;
        report(identitySubject(identity), 'never-used',
          `${label}, ${created} (${daysText(born ?? asOf, asOf)} ago), shows no use in any usage signal (${witnesses.join('; ')}); ` +
            `never-used identities older than ${formatDuration(grace)} count as dormant.`,
          [identityEvidence(identity, `${identity.type} ${identity.id}, active, no recorded use`)]);
      } else {
        report(identitySubject(identity), 'dormant',
          `${label} has not been used for ${daysText(last.time, asOf)} (idle limit ${formatDuration(maxIdle)}): its latest use signal is ` +
            `${last.what} at ${formatInstant(last.time)} (${formatSource(last.source)}), and nothing later shows in ${witnesses.join('; ')}.`,
          [identityEvidence(identity, `${identity.type} ${identity.id}, active`), evidence(last.key, last.source, `${last.what} at ${formatInstant(last.time)}`)]);
      }
      continue;
    }

    // The identity is in use: judge each of its live credentials on its own signals.
    for (const credential of live) {
      const own = latest(credentialSignals(credential, usage));
      if (own !== undefined && own.time >= idleStart) continue;
      const born = credential.issuedAt ?? credential.lastRotatedAt;
      if (own === undefined) {
        if (born === null) {
          undated.push(credential.id);
          continue;
        }
        if (asOf - born < grace) continue;
      }
      const mustSee = Math.max(idleStart, born ?? idleStart);
      const witnesses = [
        ...(known.credentialTracking.has(identity.provider) ? [`the key last-use reports of ${identity.provider}`] : []),
        ...(known.credentialEvents.has(identity.provider) ? [logsCovering(usage, credential.tenant ?? identity.tenant, mustSee, idleStart)] : []).filter(
          (text): text is string => text !== null,
        ),
      ];
      if (witnesses.length === 0) {
        unjudged.push(credential.id);
        continue;
      }
      const inUse = `while ${identity.id} itself was last used ${formatInstant(last.time)}`;
      const subject = credentialSubject(credential, credentialOwner(credential, inventory) ?? identity);
      if (own === undefined) {
        report(subject, 'credential-never-used',
          `${credentialLabel(credential)} of ${identity.id}, issued ${formatDate(born ?? asOf)} (${daysText(born ?? asOf, asOf)} ago), ` +
            `shows no use in any usage signal (${witnesses.join('; ')}) ${inUse}.`,
          [credentialEvidence(credential, `${credential.type} ${credential.id}, active, no recorded use`)]);
      } else {
        report(subject, 'credential-dormant',
          `${credentialLabel(credential)} of ${identity.id} has not been used for ${daysText(own.time, asOf)} (idle limit ${formatDuration(maxIdle)}): ` +
            `its latest use signal is ${own.what} at ${formatInstant(own.time)} (${formatSource(own.source)}), ${inUse}.`,
          [credentialEvidence(credential, `${credential.type} ${credential.id}, active`), evidence(own.key, own.source, `${own.what} at ${formatInstant(own.time)}`)]);
      }
    }
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);
  if (unjudged.length > 0) {
    sink.note(
      `${unjudged.length === 1 ? '1 identity or credential' : `${unjudged.length} identities or credentials`} showed no use in the idle period but no source could have shown it ` +
        `(no provider-reported last use, and no event logs spanning the period for its tenant): ${listWithMore(unjudged)}`,
    );
  }
  if (undated.length > 0) {
    sink.note(`${listWithMore(undated)}: never used, and no creation or issue date says how old; not judged`);
  }
});
