/*
 * unrotated-credential: a live static secret last rotated (or issued) longer
 * ago than the rotation period.
 */
import { classifyIdentity, defineRule } from '../engine/rule-api.js';
import { formatDate, formatDuration, type Credential, type Instant } from '../model/index.js';
import { credentialOwner, credentialOwnerRef, credentialTypesParam, daysText } from './lifecycle-support.js';
import { credentialEvidence, credentialLabel, credentialSubject, isLive, listWithMore, plural } from './support.js';

type Params = {
  /** Rotation period (ms). */
  readonly max_age: number;
  readonly types: readonly string[];
};

/** When the secret's current value was set, and how to say it. */
function lastSet(credential: Credential): { readonly time: Instant; readonly how: 'rotated' | 'issued' } | null {
  if (credential.lastRotatedAt !== null) return { time: credential.lastRotatedAt, how: 'rotated' };
  if (credential.issuedAt !== null) return { time: credential.issuedAt, how: 'issued' };
  return null;
}

export const rule = defineRule<Params>('NHI-CRED-002', (ctx, sink) => {
  const { inventory, usage, asOf, params } = ctx;
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credential records were supplied');
    return;
  }
  const types = credentialTypesParam('NHI-CRED-002', 'types', params.types);
  const undated: string[] = [];

  for (const credential of inventory.credentials()) {
    if (!types.has(credential.type) || credential.providerManaged === true) continue;
    if (!isLive(credential, usage, asOf)) continue;
    const owner = credentialOwner(credential, inventory);
    // A person's password follows the identity provider's policy; only machine passwords are static secrets here.
    if (credential.type === 'password' && (owner === undefined || !classifyIdentity(owner, inventory, usage).nonHuman)) continue;
    const set = lastSet(credential);
    if (set === null) {
      undated.push(credential.id);
      continue;
    }
    const age = asOf - set.time;
    if (age <= params.max_age) continue;
    const ownerRef = credentialOwnerRef(credential, inventory);
    sink.report({
      messageId: set.how === 'rotated' ? 'not-rotated' : 'never-rotated',
      message:
        `${credentialLabel(credential)}${ownerRef === null ? '' : ` of ${ownerRef}`} ${set.how === 'rotated' ? 'was last rotated' : 'was issued'} ${formatDate(set.time)}${set.how === 'rotated' ? '' : ' and never rotated'}, ` +
        `${daysText(set.time, asOf)} before ${formatDate(asOf)} (rotation period ${formatDuration(params.max_age)}), and is still active.`,
      subject: credentialSubject(credential, owner),
      evidence: [credentialEvidence(credential, `${credential.type} ${credential.id}, last ${set.how} ${formatDate(set.time)}`)],
    });
  }
  if (undated.length > 0) {
    sink.note(`${plural(undated.length, 'live static secret')} (${listWithMore(undated)}) ${undated.length === 1 ? 'has' : 'have'} no rotation or issue date: age unknown`);
  }
});
