import { formatSource, type Identity } from '../model/index.js';
import type { InventoryView, UsageView } from './views.js';
import { userAgentProduct } from './workload.js';

/** Whether an identity is a machine, and the evidence that decided it, in words. */
export interface Classification {
  readonly nonHuman: boolean;
  readonly reason: string;
}

/** User agents of people: browsers and provider consoles. Anything else acting is a program. */
const INTERACTIVE_PRODUCTS = new Set(['mozilla', 'opera', ...['signin', 'console'].map((host) => `${host}.amazonaws.com`)]);
const PROGRAMMATIC_CREDENTIALS = new Set(['access-key', 'api-key', 'pat', 'client-secret', 'certificate', 'ssh-key', 'sa-token']);

/**
 * A source may declare an identity a machine (a role, a service account, an
 * app…). A `user` record is a machine too when the evidence says so: it acts
 * only through programs (SDK and CLI user agents) and never signs in
 * interactively, or it holds programmatic keys and no password.
 */
export function classifyIdentity(identity: Identity, inventory: InventoryView, usage: UsageView): Classification {
  if (identity.type !== 'user') {
    return { nonHuman: true, reason: `declared type ${identity.type} at ${formatSource(identity.source)}` };
  }
  if (identity.aliases.includes('<root_account>') || /:root$/.test(identity.id)) {
    return { nonHuman: false, reason: 'the account root' };
  }
  const stats = usage.forIdentity(identity.id);
  const products = [...new Set((stats?.userAgents.values ?? []).map(userAgentProduct))].sort();
  const programs = products.filter((product) => !INTERACTIVE_PRODUCTS.has(product) && product !== 'aws internal');
  const interactive = (stats?.interactiveLogins ?? 0) > 0 || products.some((product) => INTERACTIVE_PRODUCTS.has(product));
  if (programs.length > 0 && !interactive) {
    return {
      nonHuman: true,
      reason: `a user that acted only through programs (${programs.slice(0, 3).join(', ')}${programs.length > 3 ? ', …' : ''}) and never signed in interactively in the logs`,
    };
  }
  const credentials = inventory.credentialsOf(identity.id);
  const keys = credentials.filter((credential) => credential.active && PROGRAMMATIC_CREDENTIALS.has(credential.type));
  const password = credentials.some((credential) => credential.active && credential.type === 'password');
  if (keys.length > 0 && !password && !interactive) {
    return { nonHuman: true, reason: `a user with ${keys.length === 1 ? 'a programmatic key' : 'programmatic keys'} and no password` };
  }
  return {
    nonHuman: false,
    reason: interactive ? 'a user who signs in interactively' : 'a user record with no sign of programmatic use',
  };
}
