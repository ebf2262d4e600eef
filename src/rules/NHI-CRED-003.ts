/*
 * multiple-active-keys: one identity holds more live static keys or secrets
 * than the maximum (a rotation left unfinished, or a key per consumer).
 */
import { defineRule } from '../engine/rule-api.js';
import { formatDate, type Credential } from '../model/index.js';
import { credentialOwner, credentialOwnerRef, credentialTypesParam } from './lifecycle-support.js';
import {
  credentialEvidence,
  credentialLastUse,
  credentialPhrase,
  formatActivity,
  identityLabel,
  identitySubject,
  isLive,
  listWithMore,
  plural,
} from './support.js';

type Params = {
  readonly types: readonly string[];
  readonly max_keys: number;
  /** Keys issued this recently (ms) are a rotation in progress, not counted. */
  readonly rotation_window: number;
};

export const rule = defineRule<Params>('NHI-CRED-003', (ctx, sink) => {
  const { inventory, usage, asOf, params } = ctx;
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credential records were supplied');
    return;
  }
  const types = credentialTypesParam('NHI-CRED-003', 'types', params.types);

  // Live keys per holder; insertion follows the inventory's id order, so output is deterministic.
  const byHolder = new Map<string, Credential[]>();
  for (const credential of inventory.credentials()) {
    if (!types.has(credential.type) || credential.providerManaged === true) continue;
    if (!isLive(credential, usage, asOf)) continue;
    if (credential.issuedAt !== null && asOf - credential.issuedAt < params.rotation_window) continue;
    const holder = credentialOwnerRef(credential, inventory);
    if (holder === null) continue;
    byHolder.set(holder, [...(byHolder.get(holder) ?? []), credential]);
  }

  for (const [holder, keys] of [...byHolder].sort(([a], [b]) => a.localeCompare(b))) {
    if (keys.length <= params.max_keys) continue;
    const first = keys[0];
    const identity = first === undefined ? undefined : credentialOwner(first, inventory);
    const described = keys.map((key) => {
      const use = credentialLastUse(key, usage);
      const issued = key.issuedAt === null ? 'issue date unknown' : `issued ${formatDate(key.issuedAt)}`;
      return `${credentialPhrase(key)} (${issued}; ${use === null ? 'no recorded use' : `last used ${formatActivity(use)}`})`;
    });
    sink.report({
      messageId: 'multiple-keys',
      message:
        `${identity === undefined ? `Identity ${holder} (not in the inventory)` : identityLabel(identity)} holds ` +
        `${plural(keys.length, 'live static key')} where at most ${params.max_keys} ${params.max_keys === 1 ? 'is' : 'are'} expected: ${listWithMore(described, 10)}.`,
      subject: identity === undefined ? { kind: 'identity', id: holder } : identitySubject(identity),
      evidence: keys.map((key) => credentialEvidence(key, `${key.type} ${key.id} of ${holder}, active`)),
    });
  }
});
