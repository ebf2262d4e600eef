/*
 * unused-permissions: a non-human identity is granted services it never used
 * during a log window long enough to judge (at least `min_window`, measured
 * on its own tenant's events).
 */
import { AwsPolicyEvaluator, classifyIdentity, defineRule, statementConditions } from '../engine/rule-api.js';
import { AWS_SCOPE_NOTE, OUTSIDE_NOT_RESOURCE, statementReach } from './aws-privilege-support.js';
import { formatDate, formatDuration, formatSource, formatSpan, type Evidence, type Grant, type Identity, type Instant } from '../model/index.js';
import {
  grantActionsText,
  grantKeys,
  isDenied,
  quoteAll,
  serviceReach,
  unconditionalDenies,
  viaText,
} from './privilege-support.js';
import { identityEvidence, identityLabel, identitySubject, listWithMore, plural, humanSkipNote, type PersonSkipped } from './support.js';

type Params = {
  /** Shortest log window (ms) over which never-used services count as unused. */
  readonly min_window: number;
};

/** Services listed by name in a message; the rest are counted. */
const SHOWN_SERVICES = 8;

interface GrantRef {
  readonly grant: Grant;
  readonly key: string;
  /** Position among the identity's grants, so evidence follows input order. */
  readonly index: number;
}

/** What an identity's allow grants reach: named services, and grants that reach every service. */
interface Reach {
  readonly services: Map<string, GrantRef[]>;
  readonly everyService: { readonly ref: GrantRef; readonly text: string }[];
}

function reachOf(identity: Identity, grants: readonly Grant[]): Reach {
  const denies = unconditionalDenies(grants);
  const keys = grantKeys(identity, grants);
  const reach: Reach = { services: new Map(), everyService: [] };
  grants.forEach((grant, index) => {
    if (grant.effect !== 'allow') return;
    const ref = { grant, key: keys[index] ?? `grant:${identity.id}:${index}`, index };
    if (grant.notActions) {
      reach.everyService.push({ ref, text: grantActionsText(grant, []) });
      return;
    }
    const broad: string[] = [];
    for (const action of grant.actions) {
      if (isDenied(denies, action)) continue;
      const found = serviceReach(action);
      if (found === null) continue;
      if (found === 'every-service') {
        broad.push(action);
        continue;
      }
      const refs = reach.services.get(found.service) ?? [];
      if (!refs.includes(ref)) refs.push(ref);
      reach.services.set(found.service, refs);
    }
    if (broad.length > 0) reach.everyService.push({ ref, text: quoteAll(broad) });
  });
  return reach;
}

function addService(reach: Reach, service: string, ref: GrantRef): void {
  const refs = reach.services.get(service) ?? [];
  if (!refs.includes(ref)) refs.push(ref);
  reach.services.set(service, refs);
}

/**
 * What an AWS identity is granted, by the policy evaluator: an action an
 * explicit deny covers, or that the permissions boundary does not let
 * through, is not granted (and so not "unused"). A statement of every action
 * (`*`, `*:Get*`, NotAction) under a boundary grants only the boundary's
 * services that get through it; without one it reaches every service.
 */
function awsReachOf(evaluator: AwsPolicyEvaluator, identity: Identity, grants: readonly Grant[], asOf: Instant, inert: string[]): Reach {
  const keys = grantKeys(identity, grants);
  const reach: Reach = { services: new Map(), everyService: [] };
  const boundaryActions = evaluator
    .boundaryOf(identity)
    .filter((statement) => statement.effect === 'allow' && !statement.notActions)
    .flatMap((statement) => statement.actions);
  const hasBoundary = evaluator.boundaryOf(identity).length > 0;
  /** The boundary's services that this statement's `action` reaches through the evaluator. */
  const cappedServices = (grant: Grant, ref: GrantRef): void => {
    for (const action of boundaryActions) {
      const found = serviceReach(action);
      if (found === null || found === 'every-service') continue;
      if (evaluator.may(identity, action, '*').allows.includes(grant)) addService(reach, found.service, ref);
    }
  };
  grants.forEach((grant, index) => {
    if (grant.effect !== 'allow') return;
    if (grant.conditions !== undefined && statementConditions(grant, asOf) === 'never') {
      inert.push(`${identity.id} (${viaText(grant)}, ${formatSource(grant.source)})`);
      return;
    }
    const ref = { grant, key: keys[index] ?? `grant:${identity.id}:${index}`, index };
    const resources = grant.notResources !== undefined ? [OUTSIDE_NOT_RESOURCE] : grant.resources;
    if (grant.notActions) {
      // Every service but the excluded, unless a deny or the boundary takes it away.
      const open = resources.some((resource) => statementReach(evaluator, identity, grant, resource).granted.length > 0);
      if (!open) return;
      if (hasBoundary) cappedServices(grant, ref);
      else reach.everyService.push({ ref, text: grantActionsText(grant, []) });
      return;
    }
    const broad: string[] = [];
    for (const action of grant.actions) {
      const found = serviceReach(action);
      if (found === null) continue;
      if (!evaluator.may(identity, action, '*').allows.includes(grant)) continue;
      if (found === 'every-service') {
        if (resources.some((resource) => evaluator.mayAll(identity, action, resource).allows.includes(grant))) broad.push(action);
        else cappedServices(grant, ref);
        continue;
      }
      addService(reach, found.service, ref);
    }
    if (broad.length > 0) reach.everyService.push({ ref, text: quoteAll(broad) });
  });
  return reach;
}

function servicesText(services: readonly string[]): string {
  const shown = services.slice(0, SHOWN_SERVICES);
  const hidden = services.length - shown.length;
  return hidden > 0 ? `${shown.join(', ')}, … (${hidden} more)` : shown.join(', ');
}

interface Window {
  readonly from: Instant;
  readonly to: Instant;
  /** `tenant 123456789012` or `all events` when events carry no tenant. */
  readonly of: string;
}

export const rule = defineRule<Params>('NHI-PRIV-003', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const minWindow = ctx.params.min_window;
  if (!inventory.has('grant')) {
    sink.notEvaluated('no IAM grants (policies, role bindings) were supplied, so what each identity is granted is unknown');
    return;
  }
  const global = usage.coverage();
  if (global === null) {
    sink.notEvaluated('no access-log events were supplied, so which permissions are used is unknown');
    return;
  }
  // Per-tenant windows need tenants on events; without any, the whole log window stands for every identity.
  const tenantless = usage.tenantsSeen().length === 0;
  if (tenantless) {
    sink.note(`events carry no tenant, so every identity was judged against the whole log window (${formatDate(global.from)} to ${formatDate(global.to)})`);
  }

  const evaluator = new AwsPolicyEvaluator(inventory, ctx.asOf);
  const inert: string[] = [];
  let awsJudged = false;
  const unjudged: string[] = [];
  const overflowed: string[] = [];
  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    if (identity.status === 'deleted') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const reach = identity.provider === 'aws' ? awsReachOf(evaluator, identity, inventory.grantsOf(identity.id), ctx.asOf, inert) : reachOf(identity, inventory.grantsOf(identity.id));
    if (reach.services.size === 0 && reach.everyService.length === 0) continue;

    const coverage = tenantless ? global : identity.tenant === null ? null : usage.coverageOf(identity.tenant);
    if (coverage === null) {
      unjudged.push(`${identity.id} (${identity.tenant === null ? 'no bound tenant' : `no events in tenant ${identity.tenant}`})`);
      continue;
    }
    // An identity created inside the window has only been observable since it existed.
    const window: Window = {
      from: Math.max(coverage.from, identity.createdAt ?? coverage.from),
      to: coverage.to,
      of: tenantless ? 'all events' : `tenant ${identity.tenant ?? ''}`,
    };
    if (window.to - window.from < minWindow) {
      unjudged.push(`${identity.id} (${window.of}: ${formatSpan(Math.max(0, window.to - window.from))} of logs)`);
      continue;
    }
    const stats = usage.forIdentity(identity.id);
    if (stats?.services.overflow === true) {
      overflowed.push(identity.id);
      continue;
    }
    if (identity.provider === 'aws') awsJudged = true;
    const used = stats?.services.values ?? [];
    const span = `over ${formatSpan(window.to - window.from)} of logs for ${window.of} (${formatDate(window.from)} to ${formatDate(window.to)})`;
    const usedText = used.length === 0 ? 'no service' : `${plural(used.length, 'service')} (${listWithMore(used)})`;
    const head = identityEvidence(identity, `${identity.type} ${identity.id} (${identity.provider}); non-human: ${kind.reason}`);

    if (reach.everyService.length > 0) {
      const broad = reach.everyService.map(({ ref, text }) => `${text} via ${viaText(ref.grant)} (${formatSource(ref.grant.source)})`);
      sink.report({
        messageId: 'unused-breadth',
        message: `${identityLabel(identity)} is granted every service through ${broad.join('; ')} but used only ${usedText} ${span}.`,
        subject: identitySubject(identity),
        evidence: [
          head,
          ...reach.everyService.map(({ ref, text }): Evidence => ({ key: ref.key, source: ref.grant.source, summary: `allow ${text} via ${viaText(ref.grant)}: every service` })),
        ],
      });
      continue;
    }

    const granted = [...reach.services.keys()].sort();
    const unused = granted.filter((service) => !used.includes(service));
    if (unused.length === 0) continue;
    const usedGranted = granted.length - unused.length;
    const refs = new Map<string, { ref: GrantRef; services: string[] }>();
    for (const service of unused) {
      for (const ref of reach.services.get(service) ?? []) {
        const known = refs.get(ref.key) ?? { ref, services: [] };
        known.services.push(service);
        refs.set(ref.key, known);
      }
    }
    sink.report({
      messageId: 'unused-services',
      message: `${identityLabel(identity)} uses ${usedGranted} of ${plural(granted.length, 'granted service')} ${span}; never used: ${servicesText(unused)}.`,
      subject: identitySubject(identity),
      evidence: [
        head,
        ...[...refs.values()].sort((a, b) => a.ref.index - b.ref.index).map(({ ref, services }): Evidence => ({
          key: ref.key,
          source: ref.grant.source,
          summary: `allow via ${viaText(ref.grant)}: never used ${services.join(', ')}`,
        })),
      ],
    });
  }
  if (awsJudged) sink.note(AWS_SCOPE_NOTE);
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);
  if (inert.length > 0) {
    sink.note(`${plural(inert.length, 'statement')} not counted as granted because a condition can never hold for an attacker acting now (a session issued before a past date): ${listWithMore(inert, inert.length)}`);
  }

  if (unjudged.length > 0) {
    sink.note(
      `${unjudged.length === 1 ? '1 identity was' : `${unjudged.length} identities were`} not judged: less than ${formatDuration(minWindow)} ` +
        `of logs cover ${unjudged.length === 1 ? 'its' : 'their'} tenant: ${listWithMore(unjudged)}`,
    );
  }
  if (overflowed.length > 0) {
    sink.note(`services used were too many to keep for ${listWithMore(overflowed)}, so unused services were not judged`);
  }
});
