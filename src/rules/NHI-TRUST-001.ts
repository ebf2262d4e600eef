/*
 * unconstrained-oidc-trust: a role or app trusts an OpenID Connect / web
 * identity issuer without conditions that pin the caller (repository, project,
 * service account) — so whoever can get a token from that issuer can assume it.
 *
 * Policy (per allow statement and federated trustee):
 *  - subject pinned to one repository / project / service account → fine;
 *  - subject pinned only to an owner (`repo:acme/*`, `system:serviceaccount:ns:*`,
 *    `repository_owner`) → medium: any repository of that owner can assume it;
 *  - no subject pin, but an audience that is specific to the trusting
 *    organisation (Cognito pool id, Google client id) → high;
 *  - no subject pin and no organisation-specific audience → critical when the
 *    issuer is public (any GitHub repository, any gitlab.com project, any Google
 *    account can get a token), high when it is private (one EKS cluster).
 * SAML trust (human single sign-on) is out of scope.
 */
import { defineRule } from '../engine/rule-api.js';
import type { Identity, Severity, TrustStatement } from '../model/index.js';
import { DataReader, dataContent, globMatcher, quoteAll } from './hygiene-support.js';
import { identityLabel, identitySubject } from './support.js';

interface Issuer {
  readonly name: string;
  readonly matches: readonly ((host: string) => boolean)[];
  readonly isPublic: boolean;
  readonly audiencePins: boolean;
  readonly subject: RegExp;
}

/** An issuer this file does not list: private (self-hosted) and split as `owner/name` or `owner:name`. */
const GENERIC_ISSUER: Omit<Issuer, 'matches'> = {
  name: 'an OIDC provider',
  isPublic: false,
  audiencePins: false,
  subject: /^(?<owner>[^/:]+)[/:](?<name>.+)$/,
};

function readIssuers(content: Readonly<Record<string, unknown>>): Issuer[] {
  const read = new DataReader('federation-providers');
  return read.list(content['issuers'], 'issuers').map((raw, index) => {
    const where = `issuers[${index}]`;
    const entry = read.mapping(raw, where);
    const pattern = read.string(entry['subject'], `${where}.subject`);
    let subject: RegExp;
    try {
      subject = new RegExp(pattern);
    } catch {
      return read.fail(`${where}.subject`, 'a regular expression');
    }
    return {
      name: read.string(entry['name'], `${where}.name`),
      matches: read.strings(entry['match'], `${where}.match`).map(globMatcher),
      isPublic: read.boolean(entry['public'], `${where}.public`),
      audiencePins: read.boolean(entry['audience_pins'], `${where}.audience_pins`),
      subject,
    };
  });
}

/** `arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com` or `https://gitlab.com/` → the issuer host and path. */
export function issuerHost(trustee: string): string {
  return trustee
    .trim()
    .replace(/^arn:[^:]*:iam::[^:]*:oidc-provider\//i, '')
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
}

/** How tightly the conditions of one statement pin the caller. */
type Pin = 'caller' | 'owner' | 'none';

const RANK: Readonly<Record<Pin, number>> = { none: 0, owner: 1, caller: 2 };
const WILDCARD = /[*?]/;

/** A subject value: wildcards in the owner pin nothing, wildcards only in the name pin the owner. */
function subjectPin(value: string, issuer: Omit<Issuer, 'matches'>): Pin {
  const match = issuer.subject.exec(value);
  const owner = match?.groups?.['owner'];
  const name = match?.groups?.['name'];
  if (owner === undefined || name === undefined) {
    // An unexpected shape: only an exact value pins anything.
    return WILDCARD.test(value) ? 'none' : 'caller';
  }
  if (WILDCARD.test(owner)) return 'none';
  if (owner === '' && WILDCARD.test(name)) return 'none';
  return WILDCARD.test(name) ? 'owner' : 'caller';
}

/** `acme/app`, `grp/sub/app`, `acme/app/.github/workflows/x.yml@ref`: the first segment is the owner. */
function repositoryPin(value: string): Pin {
  const [owner = '', ...rest] = value.split('/');
  if (owner === '' || WILDCARD.test(owner)) return 'none';
  const name = rest.join('/');
  return name === '' || WILDCARD.test(name.split(/[/@]/, 1)[0] ?? '') ? 'owner' : 'caller';
}

const SUBJECT_KEYS = new Set(['sub', 'subject']);
const REPOSITORY_KEYS = new Set(['repository', 'project_path', 'job_workflow_ref']);
const OWNER_KEYS = new Set(['repository_owner', 'namespace', 'namespace_path']);
const AUDIENCE_KEYS = new Set(['aud', 'audience', 'audiences']);

function keySuffix(key: string): string {
  return key.slice(key.lastIndexOf(':') + 1).toLowerCase();
}

/** The weakest pin among a key's values (any one of them lets a caller in). */
function weakest(pins: readonly Pin[]): Pin {
  return pins.reduce<Pin>((low, pin) => (RANK[pin] < RANK[low] ? pin : low), 'caller');
}

interface Judgement {
  readonly pin: Pin;
  /** The key and values that decided `pin`, for the message. */
  readonly decidedBy: string | null;
  readonly audiences: readonly string[];
  /** The statement names subject keys but the input did not say their values. */
  readonly unknown: boolean;
}

/** Conditions are ANDed, so the strongest pinned key decides; within a key the weakest value does. */
function judge(statement: TrustStatement, issuer: Omit<Issuer, 'matches'>): Judgement {
  let pin: Pin = 'none';
  let decidedBy: string | null = null;
  const audiences: string[] = [];
  for (const { key, values } of statement.pinning ?? []) {
    const suffix = keySuffix(key);
    let keyPin: Pin | null = null;
    if (SUBJECT_KEYS.has(suffix)) keyPin = weakest(values.map((value) => subjectPin(value, issuer)));
    else if (REPOSITORY_KEYS.has(suffix)) keyPin = weakest(values.map(repositoryPin));
    else if (OWNER_KEYS.has(suffix)) keyPin = values.some((value) => WILDCARD.test(value) || value === '') ? 'none' : 'owner';
    else if (AUDIENCE_KEYS.has(suffix)) audiences.push(...values);
    if (keyPin !== null && values.length > 0 && RANK[keyPin] >= RANK[pin]) {
      if (RANK[keyPin] > RANK[pin] || decidedBy === null) decidedBy = `${key} ${quoteAll(values)}`;
      pin = keyPin;
    }
  }
  const pinnedKeys = new Set((statement.pinning ?? []).map((item) => keySuffix(item.key)));
  const unknown = statement.conditionKeys.some((key) => {
    const suffix = keySuffix(key);
    return (SUBJECT_KEYS.has(suffix) || REPOSITORY_KEYS.has(suffix) || OWNER_KEYS.has(suffix)) && !pinnedKeys.has(suffix);
  });
  return { pin, decidedBy, audiences, unknown };
}

interface Verdict {
  readonly messageId: string;
  readonly severity: Severity;
  readonly why: string;
}

function verdict(judgement: Judgement, issuer: Omit<Issuer, 'matches'>): Verdict | null {
  if (judgement.pin === 'caller') return null;
  if (judgement.pin === 'owner') {
    return {
      messageId: 'owner-wildcard',
      severity: 'medium',
      why: `the subject is pinned only to an owner (${judgement.decidedBy ?? 'owner-level condition'}), so every repository, project or service account of that owner can assume it`,
    };
  }
  const audience = judgement.audiences.length === 0 ? 'no audience condition' : `audience ${quoteAll(judgement.audiences)}`;
  if (issuer.audiencePins && judgement.audiences.length > 0) {
    return {
      messageId: 'audience-only',
      severity: 'high',
      why: `only the audience is pinned (${audience}); every user or workload of that audience can assume it`,
    };
  }
  if (issuer.isPublic) {
    return {
      messageId: 'unpinned-public',
      severity: 'critical',
      why: `no condition pins the subject (${audience}), and anyone can obtain a token from this issuer`,
    };
  }
  return {
    messageId: 'unpinned',
    severity: 'high',
    why: `no condition pins the subject (${audience}), so every workload this issuer vouches for can assume it`,
  };
}

/** Statements that let a federated web identity in (not SAML single sign-on). */
function isWebIdentity(statement: TrustStatement, trustee: string): boolean {
  if (/:saml-provider\//i.test(trustee)) return false;
  return !statement.actions.some((action) => /AssumeRoleWithSAML/i.test(action));
}

export const rule = defineRule('NHI-TRUST-001', (ctx, sink) => {
  const { inventory } = ctx;
  const withTrust = inventory.identities().filter((identity) => identity.trust !== undefined);
  if (withTrust.length === 0) {
    sink.notEvaluated('no trust policies or federated identity credentials were supplied (e.g. AWS get-account-authorization-details, Entra federated credentials)');
    return;
  }
  const issuers = readIssuers(dataContent(ctx.data, 'federation-providers'));
  const issuerOf = (host: string): Omit<Issuer, 'matches'> =>
    issuers.find((issuer) => issuer.matches.some((matches) => matches(host))) ?? GENERIC_ISSUER;

  const unknown: string[] = [];
  for (const identity of withTrust) {
    if (identity.status === 'deleted') continue;
    const seen = new Set<string>();
    for (const statement of identity.trust ?? []) {
      if (statement.effect !== 'allow') continue;
      for (const trustee of statement.trustees) {
        if (trustee.kind !== 'federated' || !isWebIdentity(statement, trustee.id)) continue;
        const host = issuerHost(trustee.id);
        const issuer = issuerOf(host);
        const judgement = judge(statement, issuer);
        if (judgement.unknown && judgement.pin !== 'caller') {
          unknown.push(`${identity.id} (${host})`);
          continue;
        }
        const found = verdict(judgement, issuer);
        const key = `trust:${identity.id}:${trustee.id}`;
        if (found === null || seen.has(key)) continue;
        seen.add(key);
        sink.report(finding(identity, issuer, host, trustee.id, found, key));
      }
    }
  }
  if (unknown.length > 0) {
    sink.note(`trust conditions name subject keys whose values the input did not include, so how tightly they pin the caller is unknown: ${unknown.join(', ')}`);
  }
});

function finding(identity: Identity, issuer: Omit<Issuer, 'matches'>, host: string, trustee: string, found: Verdict, key: string) {
  return {
    messageId: found.messageId,
    message: `${identityLabel(identity)} trusts ${issuer.name} (${host}) for federated sign-in, but ${found.why}.`,
    subject: identitySubject(identity),
    // Trust statements carry no line of their own: the identity record holds its trust policy.
    evidence: [{ key, source: identity.source, summary: `${identity.type} ${identity.id} trusts federated ${trustee}` }],
    severity: found.severity,
  };
}
