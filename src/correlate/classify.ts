import { formatSource, type Identity } from '../model/index.js';
import type { InventoryView, UsageView } from './views.js';
import { userAgentProduct } from './workload.js';

/**
 * `machine`: declared so by its source or evidenced by programmatic use;
 * `human`: evidenced as a person (interactive sign-in only, a console password
 * and no key, a person's name, a principal record); `unknown`: the inputs
 * cannot tell. Rules judge `unknown` like a machine and say so.
 */
export type IdentityKind = 'machine' | 'human' | 'unknown';

/** Whether an identity is a machine, and the evidence that decided it, in words. */
export interface Classification {
  readonly kind: IdentityKind;
  /** True for `machine` and `unknown`: what rules that judge only non-human identities judge. */
  readonly nonHuman: boolean;
  readonly reason: string;
}

/** The words findings use for an identity classified `unknown`. */
export const UNKNOWN_USE = 'nothing in the inputs shows whether a person or a program uses it';

/** User agents of people: browsers and provider consoles. Anything else acting is a program. */
const INTERACTIVE_PRODUCTS = new Set(['mozilla', 'opera', ...['signin', 'console'].map((host) => `${host}.amazonaws.com`)]);
const PROGRAMMATIC_CREDENTIALS = new Set(['access-key', 'api-key', 'pat', 'client-secret', 'certificate', 'ssh-key', 'sa-token']);
/** An e-mail address: how SSO-provisioned user records are named. */
const PERSON_NAME = /^[^@\s/]+@[^@\s/]+\.[a-z]{2,}$/i;

const verdict = (kind: IdentityKind, reason: string): Classification => ({ kind, nonHuman: kind !== 'human', reason });

/**
 * A source may declare an identity a machine (a role, a service account, an
 * app…). A `user` record is a machine when the evidence says so: it acts only
 * through programs (SDK and CLI user agents) and never signs in interactively,
 * or it holds programmatic keys and no password. It is a person when it signs
 * in interactively, holds only a console password, carries a person's name or
 * matches a principal record. Anything else is unknown.
 */
export function classifyIdentity(identity: Identity, inventory: InventoryView, usage: UsageView): Classification {
  if (identity.type !== 'user') return verdict('machine', `declared type ${identity.type} at ${formatSource(identity.source)}`);
  if (identity.aliases.includes('<root_account>') || /:root$/.test(identity.id)) return verdict('human', 'the account root');
  const stats = usage.forIdentity(identity.id);
  const products = [...new Set((stats?.userAgents.values ?? []).map(userAgentProduct))].sort();
  const programs = products.filter((product) => !INTERACTIVE_PRODUCTS.has(product) && product !== 'aws internal');
  const interactive = (stats?.interactiveLogins ?? 0) > 0 || products.some((product) => INTERACTIVE_PRODUCTS.has(product));
  if (programs.length > 0 && !interactive) {
    return verdict(
      'machine',
      `a user that acted only through programs (${programs.slice(0, 3).join(', ')}${programs.length > 3 ? ', …' : ''}) and never signed in interactively in the logs`,
    );
  }
  const credentials = inventory.credentialsOf(identity.id);
  const keys = credentials.filter((credential) => credential.active && PROGRAMMATIC_CREDENTIALS.has(credential.type));
  const password = credentials.some((credential) => credential.active && credential.type === 'password');
  if (keys.length > 0 && !password && !interactive) {
    return verdict('machine', `a user with ${keys.length === 1 ? 'a programmatic key' : 'programmatic keys'} and no password`);
  }
  if (interactive) return verdict('human', 'a user who signs in interactively');
  if (password && keys.length === 0) return verdict('human', 'a user with a console password and no programmatic key');
  const person = [identity.id, ...identity.aliases].find((name) => inventory.principal(name) !== undefined);
  if (person !== undefined) return verdict('human', `a user that is also the principal record ${person}`);
  const name = identity.aliases.find((alias) => PERSON_NAME.test(alias));
  if (name !== undefined) return verdict('human', `a user named like a person (${name})`);
  return verdict('unknown', `a user record: ${UNKNOWN_USE}`);
}
