/*
 * shared-identity: one identity (or credential) is used by more distinct
 * workloads — client product + source network — than it declares consumers.
 */
import { classifyIdentity, defineRule, type UsageStats } from '../engine/rule-api.js';
import type { Evidence, Identity, Subject } from '../model/index.js';
import {
  credentialEvidence,
  credentialLabel,
  credentialSubject,
  formatActivity,
  identityEvidence,
  identityLabel,
  identitySubject,
  listWithMore,
  plural,
  humanSkipNote,
  type PersonSkipped,
} from './support.js';

type Params = {
  /** Fewest distinct workloads that count as sharing. */
  readonly min_workloads: number;
};

/** Workloads listed by name in a message; the rest are counted. */
const SHOWN_WORKLOADS = 5;

function workloadsText(stats: UsageStats): string {
  const { values, size, overflow } = stats.workloads;
  const hidden = size - Math.min(values.length, SHOWN_WORKLOADS);
  const shown = values.slice(0, SHOWN_WORKLOADS);
  const list = hidden > 0 ? `${shown.join(', ')} and ${hidden}${overflow ? '+' : ''} more` : listWithMore(shown);
  return `${overflow ? 'at least ' : ''}${plural(size, 'distinct workload')} (${list})`;
}

function consumersText(consumers: readonly string[]): string {
  return consumers.length === 0 ? 'declares no consumers' : `declares ${plural(consumers.length, 'consumer')} (${listWithMore(consumers)})`;
}

function usageEvidence(key: string, what: string, stats: UsageStats): Evidence[] {
  const found: Evidence[] = [];
  if (stats.firstUse !== null) {
    found.push({ key: `first-use:${key}`, source: stats.firstUse.source, summary: `first use of ${what} in the logs` });
  }
  if (stats.lastUse !== null) {
    found.push({ key: `last-use:${key}`, source: stats.lastUse.source, summary: `last use of ${what} in the logs` });
  }
  return found;
}

function shared(stats: UsageStats | null, declared: number, minimum: number): stats is UsageStats {
  return stats !== null && stats.workloads.size >= minimum && stats.workloads.size > declared;
}

export const rule = defineRule<Params>('NHI-SHARE-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const minimum = ctx.params.min_workloads;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so which workloads use each identity is unknown');
    return;
  }

  const report = (subject: Subject, label: string, stats: UsageStats, consumers: readonly string[], records: Evidence[]) => {
    const last = stats.lastUse === null ? '' : `; last seen ${formatActivity(stats.lastUse)}`;
    sink.report({
      messageId: 'shared',
      message: `${label} is used by ${workloadsText(stats)} but ${consumersText(consumers)}${last}.`,
      subject,
      evidence: records,
    });
  };

  const reported = new Set<string>();
  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    // A person signs in from several browsers and networks; that is not sharing. Their keys are checked below.
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const stats = usage.forIdentity(identity.id);
    if (!shared(stats, identity.consumers.length, minimum)) continue;
    reported.add(identity.id);
    report(identitySubject(identity), identityLabel(identity), stats, identity.consumers, [
      identityEvidence(identity, `${identity.type} ${identity.id}; non-human: ${kind.reason}; declared consumers: ${identity.consumers.join(', ') || 'none'}`),
      ...usageEvidence(`identity:${identity.id}`, identity.id, stats),
    ]);
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);

  // Actors seen only in the logs: no declared consumers, but sharing is just as visible.
  for (const ref of usage.unresolvedIdentities()) {
    if (inventory.principal(ref) !== undefined) continue; // a person, as above
    const stats = usage.forIdentity(ref);
    if (!shared(stats, 0, minimum)) continue;
    reported.add(ref);
    report({ kind: 'identity', id: ref }, `Identity ${ref} (not in the inventory)`, stats, [], usageEvidence(`identity:${ref}`, ref, stats));
  }

  for (const credential of inventory.credentials()) {
    const owner: Identity | undefined =
      inventory.identity(credential.identity ?? '') ?? inventory.identity(credential.clientId ?? '');
    const ownerRef = owner?.id ?? credential.identity ?? credential.clientId;
    // A credential of an identity already reported adds nothing new.
    if (ownerRef !== null && reported.has(ownerRef)) continue;
    const stats = usage.forCredential(credential.id);
    const consumers = owner?.consumers ?? [];
    if (!shared(stats, consumers.length, minimum)) continue;
    report(credentialSubject(credential, owner), credentialLabel(credential), stats, consumers, [
      credentialEvidence(credential, `${credential.type} ${credential.id} of ${ownerRef ?? 'an unknown identity'}`),
      ...(owner === undefined ? [] : [identityEvidence(owner, `declared consumers: ${owner.consumers.join(', ') || 'none'}`)]),
      ...usageEvidence(credential.id, credential.id, stats),
    ]);
  }
});
