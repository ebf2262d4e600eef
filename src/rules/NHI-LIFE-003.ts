/*
 * use-after-revocation: successful activity after a credential ended, after
 * an identity was disabled or deleted, or on behalf of an offboarded person.
 */
import { classifyIdentity, defineRule, type ActivityRef, type UsageStats } from '../engine/rule-api.js';
import { formatInstant, type Evidence, type Instant } from '../model/index.js';
import { credentialOwner, credentialOwnerRef, firstUseAfter } from './lifecycle-support.js';
import {
  credentialEnd,
  credentialEvidence,
  credentialLabel,
  credentialLastUse,
  credentialSubject,
  evidence,
  formatActivity,
  identityEvidence,
  identityLabel,
  identitySubject,
  lastUseEvidence,
  listWithMore,
  principalEvidence,
  type CredentialEnd,
  type LastUse,
  humanSkipNote,
  type PersonSkipped,
} from './support.js';

const END_WORDS: Readonly<Record<CredentialEnd['how'], string>> = {
  revoked: 'was revoked',
  expired: 'expired',
  inactive: 'was deactivated',
  revoke: 'was revoked',
  disconnect: 'was disconnected',
  'credential-delete': 'was deleted',
  'identity-delete': 'was deleted with its identity',
  access: 'ended',
  'token-issue': 'ended',
  'token-refresh': 'ended',
  'credential-create': 'ended',
  'login-interactive': 'ended',
  offboard: 'ended',
  consent: 'ended',
  'token-reuse': 'ended',
  other: 'ended',
};

/** `first used after it 2026-… (file:line)` and, when different, `last …`, with their evidence. */
function afterText(stats: UsageStats | null, end: Instant, last: LastUse, key: string): { readonly text: string; readonly evidence: Evidence[] } {
  const first = firstUseAfter(stats, end);
  const sameAsLast = first !== null && first.time === last.time && first.source.file === last.source.file && first.source.line === last.source.line;
  // Provably the first use after the end and also the last: the only one.
  if (sameAsLast && first.exact) return { text: `used once after it, ${formatActivity(last)}`, evidence: [lastUseEvidence(last)] };
  const records: Evidence[] = [];
  let text = '';
  if (first !== null && !sameAsLast) {
    text = first.exact ? `first used after it ${formatActivity(first)}, ` : `in use after it by ${formatActivity(first)} at the latest, `;
    records.push(evidence(`first-use-after-end:${key}`, first.source, `${first.exact ? 'first use' : 'a use'} of ${last.what} after the end, at ${formatInstant(first.time)}`));
  }
  records.push(lastUseEvidence(last));
  return { text: `${text}last used ${formatActivity(last)}`, evidence: records };
}

function eventUse(ref: ActivityRef | null, key: string, what: string): LastUse | null {
  return ref === null ? null : { key, what, ...ref, fromEvents: true };
}

export const rule = defineRule('NHI-LIFE-003', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (!inventory.has('credential') && !inventory.has('identity') && !inventory.has('principal')) {
    sink.notEvaluated('no credentials, identities or principals were supplied, so no revocation, deletion or offboarding is known');
    return;
  }
  const reportsUse =
    inventory.credentials().some((credential) => credential.lastUsedAt !== null) ||
    inventory.identities().some((identity) => identity.lastUsedAt !== null);
  if (usage.coverage() === null && !reportsUse) {
    sink.notEvaluated('no event logs and no provider-reported last use were supplied, so no activity after an end can be seen');
    return;
  }

  for (const credential of inventory.credentials()) {
    const end = credentialEnd(credential, usage, asOf);
    if (end === null || end.time === null) continue;
    const last = credentialLastUse(credential, usage);
    if (last === null || last.time <= end.time) continue;
    const ownerRef = credentialOwnerRef(credential, inventory);
    const after = afterText(usage.forCredential(credential.id), end.time, last, credential.id);
    const endFromEvent = end.source !== credential.source;
    sink.report({
      messageId: 'credential-used-after-end',
      message:
        `${credentialLabel(credential)}${ownerRef === null ? '' : ` of ${ownerRef}`} ${END_WORDS[end.how]} ${formatActivity({ time: end.time, source: end.source })} ` +
        `but was still used: ${after.text}.`,
      subject: credentialSubject(credential, credentialOwner(credential, inventory)),
      evidence: [
        credentialEvidence(credential, `${credential.type} ${credential.id}, ${END_WORDS[end.how]} ${formatInstant(end.time)}`),
        ...(endFromEvent ? [evidence(`end:${credential.id}`, end.source, `${end.how} event for ${credential.id} at ${formatInstant(end.time)}`)] : []),
        ...after.evidence,
      ],
    });
  }

  const people: PersonSkipped[] = [];
  for (const identity of inventory.identities()) {
    // An identity marked active after a delete event was re-created or the deletion failed: not judged on it.
    if (identity.status === 'active') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    const stats = usage.forIdentity(identity.id);
    const deleted = stats?.terminations.find((termination) => termination.category === 'identity-delete');
    const ends: ActivityRef[] = [
      ...(identity.disabledAt === null ? [] : [{ time: identity.disabledAt, source: identity.source }]),
      ...(deleted === undefined ? [] : [deleted]),
    ];
    const end = ends.sort((a, b) => a.time - b.time)[0];
    if (end === undefined) continue;
    const reported: LastUse | null =
      identity.lastUsedAt === null
        ? null
        : { key: `last-use:identity:${identity.id}`, what: identity.id, time: identity.lastUsedAt, source: identity.source, fromEvents: false };
    const logged = eventUse(stats?.lastUse ?? null, `last-use:identity:${identity.id}`, identity.id);
    const last = reported !== null && (logged === null || reported.time > logged.time) ? reported : logged;
    if (last === null || last.time <= end.time) continue;
    const after = afterText(stats, end.time, last, `identity:${identity.id}`);
    const how = end === deleted ? 'was deleted' : `was ${identity.status}`;
    sink.report({
      messageId: 'identity-used-after-end',
      message: `${identityLabel(identity)} ${how} ${formatActivity(end)} but still acted: ${after.text}.`,
      subject: identitySubject(identity),
      evidence: [
        identityEvidence(identity, `${identity.type} ${identity.id}, ${identity.status}`),
        ...(end === deleted ? [evidence(`end:identity:${identity.id}`, end.source, `delete event for ${identity.id} at ${formatInstant(end.time)}`)] : []),
        ...after.evidence,
      ],
    });
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);

  for (const principal of inventory.principals()) {
    if (principal.status === 'active' || principal.offboardedAt === null) continue;
    const stats = usage.forPrincipal(principal.id);
    const last = eventUse(stats?.lastUse ?? null, `last-use:principal:${principal.id}`, `delegates acting for ${principal.id}`);
    if (last === null || last.time <= principal.offboardedAt) continue;
    const after = afterText(stats, principal.offboardedAt, last, `principal:${principal.id}`);
    const acting = inventory.credentialsActingFor(principal.id).map((credential) => credential.id);
    sink.report({
      messageId: 'acted-for-offboarded-principal',
      message:
        `${principal.id} was ${principal.status} ${formatActivity({ time: principal.offboardedAt, source: principal.source })} ` +
        `but identities still acted on their behalf: ${after.text}` +
        `${acting.length === 0 ? '' : `; credentials acting for them: ${listWithMore(acting)}`}.`,
      subject: { kind: 'principal', id: principal.id },
      evidence: [principalEvidence(principal, `${principal.kind} principal ${principal.id}, ${principal.status} ${formatInstant(principal.offboardedAt)}`), ...after.evidence],
    });
  }
});
