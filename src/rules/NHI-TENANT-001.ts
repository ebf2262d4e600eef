/*
 * cross-tenant-use: an identity or credential bound to one tenant (account,
 * project, directory) acted in another that the allow-list does not permit.
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
  /** Tenants any identity may act in, or `bound->foreign` pairs. */
  readonly allowed_tenants: readonly string[];
};

function allowedBy(list: readonly string[]): (bound: string, foreign: string) => boolean {
  const entries = new Set(list.map((entry) => entry.replace(/\s+/g, '')));
  return (bound, foreign) => entries.has(foreign) || entries.has(`${bound}->${foreign}`);
}

function foreignTenants(stats: UsageStats | null, bound: string, allowed: (bound: string, foreign: string) => boolean): string[] {
  return (stats?.tenants.values ?? []).filter((tenant) => tenant !== bound && !allowed(bound, tenant));
}

function tenantName(inventoryName: string | null | undefined, id: string): string {
  return inventoryName === null || inventoryName === undefined ? id : `${id} (${inventoryName})`;
}

export const rule = defineRule<Params>('NHI-TENANT-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  if (usage.coverage() === null) {
    sink.notEvaluated('no access-log events were supplied, so where identities acted is unknown');
    return;
  }
  if (usage.tenantsSeen().length === 0) {
    sink.notEvaluated('no event names a tenant (account, project, directory), so cross-tenant use cannot be seen');
    return;
  }
  const bound = inventory.identities().some((identity) => identity.tenant !== null) || inventory.credentials().some((credential) => credential.tenant !== null);
  if (!bound) {
    sink.notEvaluated('no identity or credential states the tenant it is bound to');
    return;
  }
  const allowed = allowedBy(ctx.params.allowed_tenants);
  const overflowed: string[] = [];

  const report = (subject: Subject, label: string, home: string, stats: UsageStats, foreign: readonly string[], head: Evidence) => {
    if (stats.tenants.overflow) overflowed.push(subject.id);
    const firsts = foreign.map((tenant) => ({ tenant, first: stats.tenants.firstSeen.get(tenant) }));
    const names = firsts.map(({ tenant, first }) =>
      `${tenantName(inventory.tenant(tenant)?.name, tenant)}${first === undefined ? '' : ` first at ${formatActivity(first)}`}`,
    );
    sink.report({
      messageId: 'cross-tenant',
      message: `${label}, bound to tenant ${tenantName(inventory.tenant(home)?.name, home)}, acted in ${plural(foreign.length, 'other tenant')}: ${listWithMore(names)}.`,
      subject,
      evidence: [
        head,
        ...firsts.flatMap(({ tenant, first }): Evidence[] =>
          first === undefined ? [] : [{ key: `event:${subject.id}:first-foreign-tenant:${tenant}`, source: first.source, summary: `first action of ${subject.id} in tenant ${tenant}` }],
        ),
      ],
    });
  };

  const reported = new Map<string, Set<string>>();
  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    // A third-party app's home is its publisher's tenant: acting in ours is its normal use.
    if (identity.tenant === null || identity.thirdParty === true) continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const stats = usage.forIdentity(identity.id);
    const foreign = foreignTenants(stats, identity.tenant, allowed);
    if (stats === null || foreign.length === 0) continue;
    reported.set(identity.id, new Set(foreign));
    report(identitySubject(identity), identityLabel(identity), identity.tenant, stats, foreign, identityEvidence(identity, `${identity.type} ${identity.id}, bound to tenant ${identity.tenant}`));
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);

  for (const credential of inventory.credentials()) {
    if (credential.tenant === null) continue;
    const owner: Identity | undefined = inventory.identity(credential.identity ?? '') ?? inventory.identity(credential.clientId ?? '');
    if (owner?.thirdParty === true) continue;
    const stats = usage.forCredential(credential.id);
    const already = owner === undefined || owner.tenant !== credential.tenant ? new Set<string>() : (reported.get(owner.id) ?? new Set<string>());
    const foreign = foreignTenants(stats, credential.tenant, allowed).filter((tenant) => !already.has(tenant));
    if (stats === null || foreign.length === 0) continue;
    report(credentialSubject(credential, owner), credentialLabel(credential), credential.tenant, stats, foreign, credentialEvidence(credential, `${credential.type} ${credential.id}, bound to tenant ${credential.tenant}`));
  }

  if (overflowed.length > 0) {
    sink.note(`more distinct tenants were seen than kept for ${listWithMore(overflowed)}: there may be other foreign tenants`);
  }
});
