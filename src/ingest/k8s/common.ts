import type { Identity, IdentityStatus, Instant, SourceRef } from '../../model/index.js';

/*
 * Small helpers shared by the Kubernetes adapters: service-account naming and
 * identities, and defensive reads of untyped JSON/YAML values.
 */

export const K8S_PROVIDER = 'k8s';

/** The legacy token Secret type, and the annotation that names its service account. */
export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

const SA_USERNAME_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<ns>:<name>`: the username the API server gives a service account. */
export function serviceAccountId(namespace: string, name: string): string {
  return `${SA_USERNAME_PREFIX}${namespace}:${name}`;
}

/** A service account as an identity; `ended` when the input says it was deleted. */
export function serviceAccountIdentity(
  namespace: string,
  name: string,
  tenant: string | null,
  created: Instant | null,
  source: SourceRef,
  ended: { status: IdentityStatus; at: Instant } | null = null,
): Identity {
  return {
    id: serviceAccountId(namespace, name),
    aliases: [`${namespace}/${name}`],
    type: 'service-account',
    provider: K8S_PROVIDER,
    tenant,
    environment: null,
    owner: null,
    consumers: [],
    createdAt: created,
    status: ended?.status ?? 'active',
    disabledAt: ended?.at ?? null,
    lastUsedAt: null,
    source,
  };
}

/** Namespace and name of a service-account username, or undefined for any other user. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_USERNAME_PREFIX)) return undefined;
  const rest = username.slice(SA_USERNAME_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/**
 * The tokens controller names legacy token Secrets `<service account>-token-<5 random characters>`.
 * Used only where the log does not carry the Secret's type and annotations.
 */
const LEGACY_TOKEN_SECRET_NAME = /^(.+)-token-[a-z0-9]{5}$/;

export function serviceAccountOfTokenSecretName(secretName: string): string | undefined {
  return LEGACY_TOKEN_SECRET_NAME.exec(secretName)?.[1];
}

/** A non-blank string, trimmed; anything else is null. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The non-blank strings of a list; anything that is not a list gives []. */
export function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(text).filter((s): s is string => s !== null);
}
