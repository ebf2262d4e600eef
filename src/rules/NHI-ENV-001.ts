/*
 * cross-environment-reuse: one identity or credential is active in two or
 * more environments (prod, staging, dev…), from the events' environment, the
 * environment of the tenants it acted in, and its own declared environment.
 */
import { classifyIdentity, defineRule, type ActivityRef, type InventoryView, type UsageStats } from '../engine/rule-api.js';
import { formatInstant, type Evidence, type Subject } from '../model/index.js';
import {
  credentialEvidence,
  credentialLabel,
  credentialSubject,
  formatActivity,
  identityEvidence,
  identityLabel,
  identitySubject,
  listWithMore,
  humanSkipNote,
  type PersonSkipped,
} from './support.js';

interface Sighting {
  /** The earliest event that shows the environment, if any did. */
  first: ActivityRef | null;
  /** Where the environment was seen: `event`, `tenant <id>`, or `declared`. */
  readonly how: Set<string>;
}

function earlier(a: ActivityRef | null, b: ActivityRef | undefined): ActivityRef | null {
  if (b === undefined) return a;
  return a === null || b.time < a.time ? b : a;
}

/** Environments (lower-cased) in which a key acted, plus its declared one. */
function environmentsOf(inventory: InventoryView, stats: UsageStats | null, declared: string | null): Map<string, Sighting> {
  const found = new Map<string, Sighting>();
  const sighting = (environment: string): Sighting => {
    const name = environment.trim().toLowerCase();
    const known = found.get(name) ?? { first: null, how: new Set<string>() };
    found.set(name, known);
    return known;
  };
  if (declared !== null) sighting(declared).how.add('declared');
  for (const environment of stats?.environments.values ?? []) {
    const seen = sighting(environment);
    seen.how.add('events');
    seen.first = earlier(seen.first, stats?.environments.firstSeen.get(environment));
  }
  for (const tenant of stats?.tenants.values ?? []) {
    const environment = inventory.tenant(tenant)?.environment ?? null;
    if (environment === null) continue;
    const seen = sighting(environment);
    seen.how.add(`tenant ${tenant}`);
    seen.first = earlier(seen.first, stats?.tenants.firstSeen.get(tenant));
  }
  return found;
}

function sightingText(environment: string, seen: Sighting): string {
  const how = [...seen.how].join(', ');
  return `${environment} (${how}${seen.first === null ? '' : `; first at ${formatActivity(seen.first)}`})`;
}

export const rule = defineRule('NHI-ENV-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so where identities are active is unknown');
    return;
  }

  const report = (subject: Subject, label: string, found: Map<string, Sighting>, head: Evidence) => {
    const names = [...found.keys()].sort();
    sink.report({
      messageId: 'cross-environment',
      message: `${label} is active in ${names.length} environments: ${listWithMore(names.map((name) => sightingText(name, found.get(name) ?? { first: null, how: new Set() })), 8)}.`,
      subject,
      evidence: [
        head,
        ...names.flatMap((name): Evidence[] => {
          const first = found.get(name)?.first ?? null;
          return first === null
            ? []
            : [{ key: `event:${subject.id}:first-in-environment:${name}`, source: first.source, summary: `first action of ${subject.id} in environment ${name} at ${formatInstant(first.time)}` }];
        }),
      ],
    });
  };

  const reported = new Set<string>();
  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const declared = identity.environment ?? (identity.tenant === null ? null : (inventory.tenant(identity.tenant)?.environment ?? null));
    const found = environmentsOf(inventory, usage.forIdentity(identity.id), declared);
    if (found.size < 2) continue;
    reported.add(identity.id);
    report(identitySubject(identity), identityLabel(identity), found, identityEvidence(identity, `${identity.type} ${identity.id}; declared environment: ${declared ?? 'none'}`));
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);

  for (const credential of inventory.credentials()) {
    const owner = inventory.identity(credential.identity ?? '') ?? inventory.identity(credential.clientId ?? '');
    if (owner !== undefined && reported.has(owner.id)) continue;
    const declared = credential.tenant === null ? null : (inventory.tenant(credential.tenant)?.environment ?? null);
    const found = environmentsOf(inventory, usage.forCredential(credential.id), declared);
    if (found.size < 2) continue;
    report(credentialSubject(credential, owner), credentialLabel(credential), found, credentialEvidence(credential, `${credential.type} ${credential.id}; environment of its tenant: ${declared ?? 'none'}`));
  }
});
