import type { SourceRef } from './source.js';
import type { Instant } from './time.js';
import type { UsageSummary } from './usage-summary.js';

/*
 * The normalized model (DESIGN.md §4): the one vocabulary adapters produce,
 * correlation indexes, rules read and reporters never see directly.
 * Enumerations are `as const` tuples so adapters can validate input against them.
 */

export const PRINCIPAL_KINDS = ['human', 'system'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export const PRINCIPAL_STATUSES = ['active', 'offboarded', 'disabled'] as const;
export type PrincipalStatus = (typeof PRINCIPAL_STATUSES)[number];

/** A human or upstream system on whose behalf machines act. */
export interface Principal {
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly status: PrincipalStatus;
  readonly offboardedAt: Instant | null;
  readonly source: SourceRef;
}

export const IDENTITY_TYPES = [
  'service-account',
  'role',
  'app',
  'api-key-holder',
  'agent',
  'workload',
  'bot',
  // A human user record that appears in NHI inputs (e.g. an IAM user with keys); kept so rules can tell them apart.
  'user',
] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

export const IDENTITY_STATUSES = ['active', 'disabled', 'deleted'] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];

export const TRUSTEE_KINDS = ['account', 'service', 'federated', 'any', 'other'] as const;
export type TrusteeKind = (typeof TRUSTEE_KINDS)[number];

/**
 * Who may assume or impersonate an identity (an AWS role trust policy
 * statement): kept so rules can ask about external accounts, `*` principals,
 * OIDC providers and whether conditions bound them.
 */
export interface TrustStatement {
  readonly effect: 'allow' | 'deny';
  /** e.g. `arn:aws:iam::123456789012:root`, `ec2.amazonaws.com`, an OIDC provider ARN, `*`. */
  readonly trustees: readonly { readonly kind: TrusteeKind; readonly id: string }[];
  /** e.g. `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`. */
  readonly actions: readonly string[];
  readonly hasConditions: boolean;
  /** Condition keys present (`token.actions.githubusercontent.com:sub`, `sts:ExternalId`), without values. */
  readonly conditionKeys: readonly string[];
  /**
   * Values of the conditions that pin a federated caller — subject and audience
   * keys only (`…:sub`, `…:aud`, `…:repository`, an Entra federated credential's
   * subject) — so rules can tell a pinned `repo:org/app:ref:refs/heads/main` from
   * `repo:*`. Other condition values (external ids, source IPs) are never kept.
   */
  readonly pinning?: readonly { readonly key: string; readonly values: readonly string[] }[];
  /**
   * The statement's conditions with their operators, so "who may assume it?"
   * can be decided for a caller (`aws:PrincipalArn`, the time). Values of keys
   * that can hold a secret (`sts:ExternalId`) are not kept. Absent when the
   * input gives only the keys.
   */
  readonly conditions?: readonly GrantCondition[];
}

/** A non-human actor. `id` is provider-qualified (ARN, SA email, appId, system:serviceaccount:ns:name). */
export interface Identity {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly type: IdentityType;
  readonly provider: string;
  /** Bound tenant / account / project, if known. */
  readonly tenant: string | null;
  readonly environment: string | null;
  readonly owner: string | null;
  /** Declared workloads that use this identity. */
  readonly consumers: readonly string[];
  readonly createdAt: Instant | null;
  readonly status: IdentityStatus;
  /** When it became disabled or deleted, where the input says. */
  readonly disabledAt: Instant | null;
  /** Provider-reported last use (e.g. RoleLastUsed), not derived from events. */
  readonly lastUsedAt: Instant | null;
  /** Who may assume it (AWS role trust policy, Entra federated credentials), where the input says. */
  readonly trust?: readonly TrustStatement[];
  /**
   * Owned and published by another organisation (an Entra multi-tenant app from
   * another tenant, an installed GitHub App, an OAuth client of a vendor).
   */
  readonly thirdParty?: boolean;
  /** A human-readable name where the id is opaque (Entra display name, GitHub app slug). */
  readonly displayName?: string;
  /**
   * For OAuth clients, where the input says: `public` clients (SPAs, native and
   * CLI apps) hold no secret, so a refresh token is their only durable credential.
   */
  readonly clientType?: 'public' | 'confidential';
  /**
   * The source lists every identity of this tenant (an account-wide IAM dump),
   * so an identity of the tenant it does not list does not exist.
   */
  readonly tenantListed?: boolean;
  readonly source: SourceRef;
}

export const GRANT_EFFECTS = ['allow', 'deny'] as const;
export type GrantEffect = (typeof GRANT_EFFECTS)[number];

/**
 * One condition of a policy statement: `operator` (`StringEquals`, `DateLessThan`,
 * `ForAnyValue:StringLike`, `…IfExists`), the context key and its values.
 * Values of keys that can hold a shared secret (`sts:ExternalId`) are not kept.
 */
export interface GrantCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** identity → permission. Actions and resources may hold wildcards (`*`, `s3:*`, `arn:…/*`). */
export interface Grant {
  readonly identity: string;
  readonly actions: readonly string[];
  /** True when `actions` lists what is NOT granted (AWS NotAction). */
  readonly notActions: boolean;
  readonly resources: readonly string[];
  readonly effect: GrantEffect;
  /** The policy, role or binding the grant comes through. */
  readonly via: string | null;
  readonly hasConditions: boolean;
  /**
   * AWS NotResource: the statement applies to every resource except these
   * (`resources` then reads `['*']`, with hasConditions true, for readers that
   * do not evaluate it).
   */
  readonly notResources?: readonly string[];
  /** The statement's conditions, where the source gives them (AWS policy `Condition`). */
  readonly conditions?: readonly GrantCondition[];
  /**
   * A statement of the identity's permissions boundary: it caps what the
   * identity's own policies grant and grants nothing itself. Kept apart from
   * `grantsOf` by the inventory.
   */
  readonly boundary?: boolean;
  /**
   * For delegated OAuth grants: consent given for every user of the tenant
   * (Entra `AllPrincipals`, an admin-approved org-wide install) or for one principal.
   */
  readonly consent?: 'all-principals' | 'principal';
  /** Where the grant applies when narrower than the identity's tenant (a Kubernetes namespace, a GCP resource). */
  readonly scope?: string;
  /**
   * Condition keys, where the input names them (`aws:CurrentTime`, `request.time`
   * for a GCP condition that reads the time), without values. Absent when unknown.
   */
  readonly conditionKeys?: readonly string[];
  readonly source: SourceRef;
}

export const CREDENTIAL_TYPES = [
  'access-token',
  'refresh-token',
  'api-key',
  'client-secret',
  'certificate',
  'pat',
  'sa-token',
  'access-key',
  'ssh-key',
  'password',
  // A GCP service-account key (JSON/P12); `sa-token` is a Kubernetes service-account token.
  'sa-key',
] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/**
 * A secret or token, described by metadata only. `id` is a key id, jti or hash:
 * the secret itself never enters the model.
 */
export interface Credential {
  readonly id: string;
  /** The identity (or client) that holds it, as written in the input; resolved through aliases. */
  readonly identity: string | null;
  readonly type: CredentialType;
  readonly issuedAt: Instant | null;
  /** null = never expires. */
  readonly expiresAt: Instant | null;
  readonly lastRotatedAt: Instant | null;
  readonly lastUsedAt: Instant | null;
  readonly scopes: readonly string[];
  readonly tenant: string | null;
  readonly clientId: string | null;
  /** The principal the credential acts for. */
  readonly onBehalfOf: string | null;
  readonly approval: string | null;
  readonly revokedAt: Instant | null;
  readonly createdBy: string | null;
  /** False when the input says the credential is inactive / disabled. */
  readonly active: boolean;
  /** Created and rotated by the provider itself (GCP SYSTEM_MANAGED keys): rotation and expiry rules skip it. */
  readonly providerManaged?: boolean;
  /**
   * The input cannot say whether or when it expires (a token seen being issued
   * in an audit log): `expiresAt: null` then means unknown, not never.
   */
  readonly expiryUnknown?: boolean;
  /**
   * RFC 8693 token exchange: the actors the token's nested `act` claim names,
   * earliest first and the current actor (the final caller, outermost `act`)
   * last, the same order as `Event.actorChain`. Absent when the token names no actor.
   */
  readonly actorChain?: readonly TokenParty[];
  /** RFC 8693 `may_act`: the parties allowed to act for the subject. Absent when the token does not say. */
  readonly mayAct?: readonly TokenParty[];
  /** JWT / introspection `aud`: the resource servers the token is for. */
  readonly audience?: readonly string[];
  /** OIDC `azp`: the party the token was issued to, where it differs from or stands in for `client_id`. */
  readonly authorizedParty?: string;
  readonly source: SourceRef;
}

/** A party named in an `act` or `may_act` claim: its `sub`, and its `iss` where the claim gives one. */
export interface TokenParty {
  readonly sub: string;
  readonly iss?: string;
}

export const APPROVAL_STATUSES = ['active', 'revoked', 'closed', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A delegation decision: who may act for whom, with which scopes, until when. */
export interface Approval {
  readonly id: string;
  readonly delegate: string;
  readonly principal: string | null;
  readonly approver: string | null;
  readonly scopes: readonly string[];
  readonly tenant: string | null;
  readonly grantedAt: Instant | null;
  readonly expiresAt: Instant | null;
  readonly reviewBy: Instant | null;
  readonly lastReviewedAt: Instant | null;
  readonly status: ApprovalStatus;
  /** When it stopped being active (revoked/closed), where the input says. */
  readonly endedAt: Instant | null;
  readonly purpose: string | null;
  readonly source: SourceRef;
}

/** An account / project / tenant and the environment it belongs to. */
export interface Tenant {
  readonly id: string;
  readonly name: string | null;
  readonly environment: string | null;
  readonly source: SourceRef;
}

export const EVENT_OUTCOMES = ['success', 'failure'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const EVENT_CATEGORIES = [
  'access',
  'token-issue',
  'token-refresh',
  'revoke',
  'disconnect',
  'credential-create',
  'credential-delete',
  'login-interactive',
  'offboard',
  'consent',
  'identity-delete',
  // The authorization server saw a refresh token presented again after it was rotated (Okta `app.oauth2.as.token.detect_reuse`).
  'token-reuse',
  'other',
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/**
 * Categories in which the identity acts on its own behalf (its own use), as
 * opposed to lifecycle events that happen *to* it (revocation, deletion…).
 */
export const OWN_ACTION_CATEGORIES: ReadonlySet<EventCategory> = new Set<EventCategory>([
  'access',
  'token-issue',
  'token-refresh',
  'login-interactive',
  'other',
]);

/** Categories that end a credential's or a delegation's access. */
export const TERMINATION_CATEGORIES: ReadonlySet<EventCategory> = new Set<EventCategory>([
  'revoke',
  'disconnect',
  'credential-delete',
  'identity-delete',
]);

/**
 * One access-log record. For lifecycle categories (revoke, disconnect,
 * credential-create/-delete, identity-delete) `identity` and `credential`
 * name what the event is about, not the administrator who did it.
 * Events are folded into Usage and then dropped.
 */
export interface Event {
  readonly time: Instant;
  readonly identity: string | null;
  readonly credential: string | null;
  /** In the provider's permission syntax (`s3:GetObject`, `get pods`). */
  readonly action: string | null;
  readonly resource: string | null;
  readonly tenant: string | null;
  readonly environment: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly outcome: EventOutcome;
  readonly category: EventCategory;
  readonly onBehalfOf: string | null;
  /** Delegation hops, outermost first (RFC 8693 `act`, GCP delegation info, AWS role chaining). */
  readonly actorChain: readonly string[];
  /** The provider whose log this is (`aws`, `gcp`, `entra`, `okta`, `github`, `k8s`, `oauth`); null for canonical events that do not say. */
  readonly provider?: string;
  /**
   * For lifecycle events done by someone (credential-create): whether that actor
   * was a person in an interactive session (console, SSO, browser), where the log says.
   */
  readonly actorInteractive?: boolean;
  /**
   * The token's claims where a custom log carries them (`sub`, `act`, `azp`,
   * `scope`…), as the input wrote them; read leniently, never a raw token.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly source: SourceRef;
}

/**
 * Who may create credentials for identities of a provider/tenant: the governed
 * path (e.g. only the Terraform role creates keys). `tenant` null = every tenant
 * of the provider. Actors are identity ids, role ARNs or principal names.
 */
export interface Provisioner {
  readonly provider: string;
  readonly tenant: string | null;
  readonly actors: readonly string[];
  readonly source: SourceRef;
}

/**
 * A just-in-time eligibility (PIM eligible assignment, an access-request
 * workflow): the identity may activate `roleOrScope` for at most `maxDuration`
 * (ms; null = not stated), approved by `approver`, instead of holding it standing.
 */
export interface Eligibility {
  readonly identity: string;
  readonly roleOrScope: string;
  readonly maxDuration: number | null;
  readonly approver: string | null;
  readonly source: SourceRef;
}

/**
 * A raw secret value found in an input file. Only a masked form and a hash
 * prefix are kept: the value itself never enters the model.
 */
export interface SecretSighting {
  /** What it looks like: `aws-secret-access-key`, `private-key`, `github-token`, `jwt`, … */
  readonly detector: string;
  /** e.g. `ghp_…a1B2` — a prefix that names the kind and the last four characters at most. */
  readonly masked: string;
  /** First 12 hex digits of the value's SHA-256: tells sightings of the same secret apart without revealing it. */
  readonly hash: string;
  /** The field it sat in, where known (`responseElements.credentials.secretAccessKey`). */
  readonly field: string | null;
  readonly source: SourceRef;
}

/** What an adapter yields: one normalized record at a time. */
export type NormalizedRecord =
  | { readonly kind: 'principal'; readonly record: Principal }
  | { readonly kind: 'identity'; readonly record: Identity }
  | { readonly kind: 'grant'; readonly record: Grant }
  | { readonly kind: 'credential'; readonly record: Credential }
  | { readonly kind: 'approval'; readonly record: Approval }
  | { readonly kind: 'tenant'; readonly record: Tenant }
  | { readonly kind: 'event'; readonly record: Event }
  | { readonly kind: 'secret'; readonly record: SecretSighting }
  /** A pre-folded summary of events (see usage-summary.ts): merged into the usage fold, like events. */
  | { readonly kind: 'usage-summary'; readonly record: UsageSummary }
  | { readonly kind: 'provisioner'; readonly record: Provisioner }
  | { readonly kind: 'eligibility'; readonly record: Eligibility };

export type RecordKind = NormalizedRecord['kind'];

/** Every record kind, in the order reports list them. */
export const RECORD_KINDS: readonly RecordKind[] = [
  'tenant',
  'principal',
  'identity',
  'grant',
  'credential',
  'approval',
  'event',
  'usage-summary',
  'secret',
  'provisioner',
  'eligibility',
];
