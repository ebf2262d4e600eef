/*
 * privilege-escalation: a non-human identity holds a permission or role with
 * which it can raise its own privileges or another identity's — a method
 * listed in rules/data/escalation-methods.yaml — after allow wildcards,
 * NotAction grants and explicit denies are taken into account.
 */
import { classifyIdentity, defineRule, UNKNOWN_USE } from '../engine/rule-api.js';
import { awsEscalations } from './aws-escalation.js';
import { AWS_SCOPE_NOTE } from './aws-privilege-support.js';
import type { Grant, Identity } from '../model/index.js';
import { emptyEntraNotes, entraMatches, entraNoteLines } from './entra-escalation.js';
import { emptyNotes, isAdminMatch, matchEvidence, matchText, readList, readListMap, readMethods, type Granting, type Match, type Method } from './escalation-support.js';
import { gcpMatches } from './gcp-escalation.js';
import { k8sMatches } from './k8s-escalation.js';
import { grantKeys, grantedBy, isAllActions, isDenied, resourceBreadth, unconditionalDenies, type Denies } from './privilege-support.js';
import { humanSkipNote, identityEvidence, identityLabel, identitySubject, listWithMore, plural, type PersonSkipped } from './support.js';

type Params = { readonly max_chain_depth: number };

/** Methods that apply to a provider's identities; an identity of another provider (custom, oauth…) is checked against all. */
function methodsFor(methods: readonly Method[], provider: string): readonly Method[] {
  const own = methods.filter((method) => method.provider === provider);
  return own.length > 0 ? own : methods;
}

/** The first grant (in input order) that grants an undenied entry of a requirement group. */
function grantingOf(group: readonly string[], grants: readonly Grant[], keys: readonly string[], denies: Denies): Granting | null {
  const open = group.filter((action) => !isDenied(denies, action));
  for (const [index, grant] of grants.entries()) {
    const patterns = [...new Set(open.flatMap((action) => grantedBy(grant, action)))];
    if (patterns.length > 0) return { grant, key: keys[index] ?? `grant:${grant.identity}:${index}`, patterns };
  }
  return null;
}

function directMatches(methods: readonly Method[], grants: readonly Grant[], keys: readonly string[], denies: Denies): Match[] {
  const found: Match[] = [];
  for (const method of methods) {
    if (method.ownerOfPrivilegedApp) continue;
    const grantings = method.requires.map((group) => grantingOf(group.actions, grants, keys, denies));
    if (grantings.every((granting): granting is Granting => granting !== null)) found.push({ method, grantings });
  }
  return found;
}

/** An undenied allow of every action on every resource: NHI-PRIV-001 reports it, and every method would match. */
function holdsEverything(grants: readonly Grant[], denies: Denies): boolean {
  return grants.some(
    (grant) =>
      grant.effect === 'allow' &&
      !grant.notActions &&
      grant.resources.some((resource) => resourceBreadth(resource) === 'everything') &&
      grant.actions.some((action) => isAllActions(action) && !isDenied(denies, action)),
  );
}

export const rule = defineRule<Params>('NHI-PRIV-002', (ctx, sink) => {
  const { inventory, usage } = ctx;
  if (!inventory.has('grant')) {
    sink.notEvaluated('no IAM grants (policies, role bindings, app permissions) were supplied');
    return;
  }
  const methods = readMethods(ctx.data);
  const notes = emptyNotes();
  const gcp = { inventory, methods: methods.filter((method) => method.provider === 'gcp'), roles: readListMap(ctx.data, 'gcp_roles'), asOf: ctx.asOf, notes };
  const k8s = {
    inventory,
    methods: methods.filter((method) => method.provider === 'k8s'),
    harmlessRoles: new Set(readList(ctx.data, 'k8s_harmless_roles')),
    notes,
  };
  const entra = { inventory, methods: methods.filter((method) => method.provider === 'entra' && !method.ownerOfPrivilegedApp), notes, entra: emptyEntraNotes() };
  const ownership = methods.filter((method) => method.ownerOfPrivilegedApp);

  const direct = new Map<string, Match[]>();
  const everything = new Set<string>();
  const nonHuman = new Map<string, string>();
  const people: PersonSkipped[] = [];
  const deleted: string[] = [];
  const judged: Identity[] = [];
  for (const identity of inventory.identities()) {
    // A deleted identity can no longer use what it held.
    if (identity.status === 'deleted') {
      deleted.push(identity.id);
      continue;
    }
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    nonHuman.set(identity.id, kind.reason);
    if (identity.provider === 'aws') {
      judged.push(identity);
      continue;
    }
    const grants = inventory.grantsOf(identity.id);
    const denies = unconditionalDenies(grants);
    if (holdsEverything(grants, denies)) {
      everything.add(identity.id);
      continue;
    }
    const keys = grantKeys(identity, grants);
    const found =
      identity.provider === 'gcp'
        ? gcpMatches(identity, grants, keys, denies, gcp)
        : identity.provider === 'k8s'
          ? k8sMatches(identity, grants, keys, denies, k8s)
          : identity.provider === 'entra'
            ? entraMatches(identity, grants, keys, denies, entra)
            : directMatches(methodsFor(methods, identity.provider), grants, keys, denies);
    if (found.length > 0) direct.set(identity.id, found);
  }

  // Owning an app lets the owner add a credential to it and sign in as it.
  const viaOwnership = new Map<string, Match[]>();
  for (const app of inventory.identities()) {
    if (app.owner === null || app.status === 'deleted') continue;
    const owner = inventory.identity(app.owner);
    if (owner === undefined || owner.id === app.id || !nonHuman.has(owner.id)) continue;
    const appMethods = everything.has(app.id) ? ['every action (see NHI-PRIV-001)'] : (direct.get(app.id) ?? []).map((match) => match.method.id);
    if (appMethods.length === 0) continue;
    for (const method of methodsFor(ownership, app.provider)) {
      const list = viaOwnership.get(owner.id) ?? [];
      list.push({ method, grantings: [], ownedApp: { app, methods: appMethods } });
      viaOwnership.set(owner.id, list);
    }
  }

  const aws = awsEscalations(judged, inventory, ctx.asOf, ctx.data, ctx.params.max_chain_depth);
  for (const id of aws.everything) everything.add(id);
  for (const identity of judged) {
    const found = aws.findings.get(identity.id);
    if (found === undefined) continue;
    const unknown = classifyIdentity(identity, inventory, usage).kind === 'unknown' ? ` (${UNKNOWN_USE})` : '';
    sink.report({
      messageId: found.admin ? 'escalation-to-admin' : 'escalation',
      message: `${identityLabel(identity)}${unknown} can raise its own or another identity's privileges: ${found.text}.`,
      subject: identitySubject(identity),
      evidence: [identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider}); non-human: ${nonHuman.get(identity.id) ?? 'yes'}`), ...found.evidence],
      ...(found.admin ? { severity: 'critical' as const } : {}),
    });
  }

  for (const identity of inventory.identities()) {
    const matches = [...(direct.get(identity.id) ?? []), ...(viaOwnership.get(identity.id) ?? [])];
    if (matches.length === 0) continue;
    const admin = matches.some(isAdminMatch);
    sink.report({
      messageId: admin ? 'escalation-to-admin' : 'escalation',
      message:
        `${identityLabel(identity)} can raise its own or another identity's privileges through ${plural(matches.length, 'method')}: ` +
        `${matches.map(matchText).join('; ')}.`,
      subject: identitySubject(identity),
      evidence: [
        identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider}); non-human: ${nonHuman.get(identity.id) ?? 'yes'}`),
        ...matchEvidence(matches),
      ],
      ...(admin ? { severity: 'critical' as const } : {}),
    });
  }

  if (everything.size > 0) {
    const ids = [...everything].sort();
    sink.note(
      `${ids.length} ${ids.length === 1 ? 'identity' : 'identities'} allowed every action on every resource ${ids.length === 1 ? 'is' : 'are'} not listed method by method ` +
        `(NHI-PRIV-001 wildcard-privilege reports ${ids.length === 1 ? 'it' : 'them'}): ${listWithMore(ids, ids.length)}`,
    );
  }
  if (judged.length > 0) sink.note(AWS_SCOPE_NOTE);
  if (aws.refusals.length > 0) {
    sink.note(`${plural(aws.refusals.length, 'role assumption')} not counted because the role's trust policy allows it only under a condition that can never hold for the caller: ${listWithMore(aws.refusals, aws.refusals.length)}`);
  }
  if (notes.unexpanded.size > 0) {
    const roles = [...notes.unexpanded].sort();
    sink.note(`${plural(roles.length, 'role')} not expanded into permissions (custom, or not in the catalog's gcp_roles), so the methods they may give are not judged: ${listWithMore(roles, roles.length)}`);
  }
  if (notes.unresolvedK8s.size > 0) {
    const bindings = [...notes.unresolvedK8s].sort();
    sink.note(`${plural(bindings.length, 'Kubernetes binding')} to a role the inputs do not define, so the methods that role may give are not judged: ${listWithMore(bindings, bindings.length)}`);
  }
  if (notes.neverHolds.length > 0) {
    sink.note(`${plural(notes.neverHolds.length, 'binding')} left out because ${notes.neverHolds.length === 1 ? 'its condition' : 'their conditions'} ended before the audit time: ${listWithMore(notes.neverHolds, notes.neverHolds.length)}`);
  }
  if (notes.notMorePrivileged.length > 0) {
    sink.note(
      `${plural(notes.notMorePrivileged.length, 'method')} not reported because the only identities ${notes.notMorePrivileged.length === 1 ? 'it reaches hold' : 'they reach hold'} nothing more than the holder: ${listWithMore(notes.notMorePrivileged, notes.notMorePrivileged.length)}`,
    );
  }
  for (const note of entraNoteLines(entra.entra)) sink.note(note);
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);
  if (deleted.length > 0) sink.note(`${plural(deleted.length, 'identity')} not judged because ${deleted.length === 1 ? 'it is' : 'they are'} deleted: ${listWithMore(deleted.sort(), deleted.length)}`);
});
