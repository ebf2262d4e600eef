/*
 * wildcard-privilege: a non-human identity holds `*` actions, a service-wide
 * wildcard or an "everything except" grant on every resource, an
 * admin-equivalent role or scope (rules/data/admin-equivalent-roles.yaml), or
 * carries a wildcard scope on a live credential.
 */
import { AwsPolicyEvaluator, classifyIdentity, defineRule, statementConditions } from '../engine/rule-api.js';
import { AWS_SCOPE_NOTE, conditionsText, grantsAdmin, isServiceWildcard, OUTSIDE_NOT_RESOURCE, statementReach } from './aws-privilege-support.js';
import { formatSource, type Credential, type Evidence, type Grant, type Identity, type RuleData } from '../model/index.js';
import {
  dataContent,
  grantKeys,
  isAllActions,
  isDenied,
  isRecord,
  quoteAll,
  resourceBreadth,
  unconditionalDenies,
  viaText,
  type Denies,
} from './privilege-support.js';
import {
  credentialEvidence,
  credentialLabel,
  credentialPhrase,
  credentialSubject,
  identityEvidence,
  identityLabel,
  identitySubject,
  isLive,
  humanSkipNote,
  listWithMore,
  plural,
  type PersonSkipped,
} from './support.js';

type Params = {
  /** Service wildcards that let the holder grant itself anything (compared case-insensitively). */
  readonly admin_actions: readonly string[];
};
/** A role, binding or scope that is admin-equivalent without a wildcard in its name. */
interface AdminRole {
  readonly value: string;
  readonly why: string;
}

function readAdminRoles(data: Readonly<Record<string, RuleData>>): AdminRole[] {
  const roles = dataContent(data, 'admin-equivalent-roles')['roles'];
  if (!Array.isArray(roles)) throw new Error('rules/data/admin-equivalent-roles.yaml: `roles` must be a list');
  return roles.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry['value'] !== 'string' || typeof entry['why'] !== 'string' || typeof entry['provider'] !== 'string') {
      throw new Error(`rules/data/admin-equivalent-roles.yaml: roles[${index}] needs string provider, value and why`);
    }
    return { value: entry['value'].trim(), why: entry['why'].trim() };
  });
}

function adminRoleNamed(roles: readonly AdminRole[], value: string): AdminRole | undefined {
  const wanted = value.trim().toLowerCase();
  return roles.find((role) => role.value.toLowerCase() === wanted);
}

/** A scope that is `*` or `<word>:*` / `<word>.*` with no narrower resource (`repo:acme/app:*` is narrower). */
function isWildcardScope(scope: string): boolean {
  return isAllActions(scope) || /^[A-Za-z0-9_-]+[:.]\*$/.test(scope.trim());
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
  /** True when the offence is a wildcard; false when only an admin-equivalent role or scope. */
  readonly wildcard: boolean;
}

/** The admin-equivalent role an allow grant names in its actions or its `via`, unless an explicit deny removes it. */
function grantAdminRole(grant: Grant, roles: readonly AdminRole[], denies: Denies): AdminRole | undefined {
  for (const action of grant.actions) {
    const role = adminRoleNamed(roles, action);
    if (role !== undefined && !grant.notActions && !isDenied(denies, action)) return role;
  }
  return grant.via === null ? undefined : adminRoleNamed(roles, grant.via);
}

/** A Kubernetes RoleBinding to an admin role only rules its namespace: serious, but not the whole cluster. */
function namespaceOf(grant: Grant): string | null {
  return grant.scope !== undefined && grant.scope.startsWith('namespace:') ? grant.scope.slice('namespace:'.length) : null;
}

function wildcardOffence(grant: Grant, admin: ReadonlySet<string>, denies: Denies): { text: string; admin: boolean } | null {
  const broad = grant.resources.filter((resource) => resourceBreadth(resource) !== null);
  if (broad.length === 0) return null;
  const everything = broad.some((resource) => resourceBreadth(resource) === 'everything');
  const via = grant.via === null ? 'an unnamed grant' : grant.via;
  const limit = grant.hasConditions ? 'limited by conditions' : 'no conditions';
  const on = quoteAll(broad);
  if (grant.notActions) {
    // "Everything except …" is admin-equivalent unless every admin action of its syntax is excluded.
    const excluded = new Set(grant.actions.map((action) => action.trim().toLowerCase()));
    const families = new Set(grant.actions.map(family));
    const openAdmin = [...admin].filter((action) => families.has(family(action)) && !excluded.has(action));
    return {
      text: `all actions except ${quoteAll(grant.actions)} on ${on} via ${via} (${limit})`,
      admin: everything && !excluded.has('*') && openAdmin.length > 0,
    };
  }
  const wild = grant.actions
    .filter((action) => isAllActions(action) || isServiceWildcard(action))
    .filter((action) => !isDenied(denies, action));
  if (wild.length === 0) return null;
  return {
    text: `${quoteAll(wild)} on ${on} via ${via} (${limit})`,
    admin: (everything && wild.some(isAllActions)) || wild.some((action) => admin.has(action.trim().toLowerCase())),
  };
}

/**
 * An AWS allow statement judged by the policy evaluator: what it grants whole
 * on its broad resources once explicit denies, the permissions boundary,
 * NotAction, NotResource and conditions have had their say.
 */
function awsWildcardOffence(evaluator: AwsPolicyEvaluator, identity: Identity, grant: Grant, admin: ReadonlySet<string>): { text: string; admin: boolean } | null {
  const except = grant.notResources !== undefined;
  const broad = except ? ['*'] : grant.resources.filter((resource) => resourceBreadth(resource) !== null);
  const via = grant.via === null ? 'an unnamed grant' : grant.via;
  for (const resource of broad) {
    const everywhere = resourceBreadth(resource) === 'everything';
    const reach = statementReach(evaluator, identity, grant, except ? OUTSIDE_NOT_RESOURCE : resource);
    if (reach.granted.length === 0) continue;
    const on = except ? `all resources except ${quoteAll(grant.notResources ?? [])}` : quoteAll([resource]);
    const what = grant.notActions ? `all actions except ${quoteAll(grant.actions)}` : quoteAll(grant.actions.filter((action) => isAllActions(action) || isServiceWildcard(action)));
    const patterns = reach.granted.map(({ pattern }) => pattern);
    const cap = reach.cappedBy === undefined ? '' : `, capped by permissions boundary ${viaText(reach.cappedBy)} (${formatSource(reach.cappedBy.source)}) to ${quoteAll(patterns)}`;
    const services = patterns.filter((pattern) => !isAllActions(pattern));
    // A service wildcard of the statement's own counts as admin on its whole service; "everything" ones only on every resource.
    const ownServices = services.filter((pattern) => grant.actions.some((action) => action.toLowerCase() === pattern.toLowerCase()) && !grant.notActions);
    return {
      text: `${what} on ${on} via ${via} (${conditionsText(grant, reach.depends)})${cap}`,
      admin: (everywhere && (reach.everything || grantsAdmin(services, admin))) || grantsAdmin(ownServices, admin),
    };
  }
  return null;
}

function roleOffenceText(grant: Grant, role: AdminRole): string {
  const namespace = namespaceOf(grant);
  const where = namespace !== null ? ` in namespace ${namespace}` : grant.scope === undefined ? '' : ` in ${grant.scope}`;
  const limit = grant.hasConditions ? 'limited by conditions' : 'no conditions';
  return `${quoteAll(grant.actions)}${where} via ${grant.via ?? 'an unnamed grant'} (${limit}), admin-equivalent: ${role.why}`;
}

function grantOffence(
  grant: Grant,
  key: string,
  admin: ReadonlySet<string>,
  roles: readonly AdminRole[],
  denies: Denies,
  aws: { readonly evaluator: AwsPolicyEvaluator; readonly identity: Identity } | null,
): Offence | null {
  if (grant.effect !== 'allow') return null;
  // Everything denied: no allow of this identity takes effect.
  if (isDenied(denies, '*')) return null;
  const wildcard = aws === null ? wildcardOffence(grant, admin, denies) : awsWildcardOffence(aws.evaluator, aws.identity, grant, admin);
  const role = grantAdminRole(grant, roles, denies);
  if (wildcard === null && role === undefined) return null;
  const namespace = namespaceOf(grant);
  let text: string;
  if (wildcard === null) text = roleOffenceText(grant, role as AdminRole);
  else {
    text = role === undefined ? wildcard.text : `${wildcard.text}, admin-equivalent: ${role.why}`;
    if (namespace !== null) text += `, only in namespace ${namespace}`;
  }
  return {
    text,
    // Bound to one namespace, even `* *` or cluster-admin cannot reach the rest of the cluster.
    admin: namespace === null && ((wildcard?.admin ?? false) || role !== undefined),
    wildcard: wildcard !== null,
    evidence: { key, source: grant.source, summary: `allow ${text}` },
  };
}

function scopeOffence(credential: Credential, admin: ReadonlySet<string>, roles: readonly AdminRole[]): Offence | null {
  const wild = credential.scopes.filter(isWildcardScope);
  const adminScopes = credential.scopes.filter((scope) => !isWildcardScope(scope) && adminRoleNamed(roles, scope) !== undefined);
  if (wild.length === 0 && adminScopes.length === 0) return null;
  const why = adminScopes.map((scope) => adminRoleNamed(roles, scope)?.why ?? scope);
  const text =
    `${credentialPhrase(credential)} carries scope ${quoteAll([...wild, ...adminScopes])}` +
    (why.length === 0 ? '' : ` (admin-equivalent: ${why.join('; ')})`);
  return {
    text,
    admin: adminScopes.length > 0 || wild.some((scope) => isAllActions(scope) || admin.has(scope.trim().toLowerCase())),
    wildcard: wild.length > 0,
    evidence: credentialEvidence(credential, `scopes ${quoteAll([...wild, ...adminScopes])}`),
  };
}

/** `admin-wildcard` when a wildcard makes it admin, `admin-role` when only a named admin role or scope does, else `wildcard`. */
function messageIdOf(offences: readonly Offence[]): 'admin-wildcard' | 'admin-role' | 'wildcard' {
  if (offences.some((offence) => offence.admin && offence.wildcard)) return 'admin-wildcard';
  if (offences.some((offence) => !offence.wildcard)) return 'admin-role';
  return 'wildcard';
}

const PHRASES = {
  'admin-wildcard': 'admin-equivalent wildcard privileges',
  'admin-role': 'admin-equivalent privileges',
  wildcard: 'wildcard privileges',
} as const;

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
  const roles = readAdminRoles(ctx.data);
  const evaluator = new AwsPolicyEvaluator(inventory, asOf);

  const people: PersonSkipped[] = [];
  const inert: string[] = [];
  let awsJudged = false;
  for (const identity of inventory.identities()) {
    // Humans are out of scope; a deleted identity can no longer use what it held.
    if (identity.status === 'deleted') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const grants = inventory.grantsOf(identity.id);
    if (identity.provider === 'aws' && grants.length > 0) awsJudged = true;
    const keys = grantKeys(identity, grants);
    const offences: Offence[] = [];
    const denies = unconditionalDenies(grants);
    grants.forEach((grant, index) => {
      // The shared AWS evaluator: a statement whose conditions can never hold for an attacker grants nothing.
      if (identity.provider === 'aws' && grant.conditions !== undefined && statementConditions(grant, asOf) === 'never') {
        inert.push(`${identity.id} (${viaText(grant)}, ${formatSource(grant.source)})`);
        return;
      }
      const aws = identity.provider === 'aws' ? { evaluator, identity } : null;
      const offence = grantOffence(grant, keys[index] ?? `grant:${identity.id}:${index}`, admin, roles, denies, aws);
      if (offence !== null) offences.push(offence);
    });
    for (const credential of inventory.credentialsOf(identity.id)) {
      if (!isLive(credential, usage, asOf)) continue;
      const offence = scopeOffence(credential, admin, roles);
      if (offence !== null) offences.push(offence);
    }
    if (offences.length === 0) continue;
    const isAdmin = offences.some((offence) => offence.admin);
    const messageId = messageIdOf(offences);
    sink.report({
      messageId,
      message: `${identityLabel(identity)} holds ${PHRASES[messageId]}: ${offences.map((offence) => offence.text).join('; ')}.`,
      subject: identitySubject(identity),
      evidence: [
        identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider}); non-human: ${kind.reason}`),
        ...offences.map((offence) => offence.evidence),
      ],
      ...(isAdmin ? { severity: 'critical' as const } : {}),
    });
  }
  if (awsJudged) sink.note(AWS_SCOPE_NOTE);
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);
  if (inert.length > 0) {
    sink.note(`${plural(inert.length, 'statement')} not counted because a condition can never hold for an attacker acting now (a session issued before a past date): ${listWithMore(inert, inert.length)}`);
  }

  // Credentials whose holder is not in the inventory still carry their scopes.
  for (const credential of inventory.credentials()) {
    const holder = credential.identity ?? credential.clientId;
    if (holder !== null && inventory.identity(holder) !== undefined) continue;
    if (credential.clientId !== null && inventory.identity(credential.clientId) !== undefined) continue;
    if (!isLive(credential, usage, asOf)) continue;
    const offence = scopeOffence(credential, admin, roles);
    if (offence === null) continue;
    const messageId = offence.admin && offence.wildcard ? 'admin-wildcard' : offence.wildcard ? 'wildcard' : 'admin-role';
    const scopes = credential.scopes.filter((scope) => isWildcardScope(scope) || adminRoleNamed(roles, scope) !== undefined);
    sink.report({
      messageId,
      message:
        `${credentialLabel(credential)}, held by ${holder ?? 'an unknown identity'} (not in the inventory), ` +
        `carries ${offence.admin ? 'admin-equivalent ' : ''}${offence.wildcard ? 'wildcard ' : ''}scope ${quoteAll(scopes)}.`,
      subject: credentialSubject(credential, undefined),
      evidence: [offence.evidence],
      ...(offence.admin ? { severity: 'critical' as const } : {}),
    });
  }
});
