/*
 * unowned-identity: an active non-human identity with no accountable owner,
 * or whose owner was offboarded or disabled. Judged only for identities from
 * inputs that carry ownership.
 */
import { classifyIdentity, defineRule } from '../engine/rule-api.js';
import { formatDate, type Identity } from '../model/index.js';
import { identityEvidence, identityLabel, identitySubject, listWithMore, principalEvidence, humanSkipNote, type PersonSkipped } from './support.js';

type Params = {
  readonly placeholder_owners: readonly string[];
};

function hasOwner(identity: Identity): boolean {
  return identity.owner !== null && identity.owner.trim() !== '';
}

export const rule = defineRule<Params>('NHI-OWN-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const identities = inventory.identities();
  if (identities.length === 0) {
    sink.notEvaluated('no identity records were supplied');
    return;
  }
  // An input carries ownership when it names an owner for some identity, or lists principals beside identities.
  const carrying = new Set<string>([
    ...identities.filter(hasOwner).map((identity) => identity.source.file),
    ...inventory.principals().map((principal) => principal.source.file),
  ]);
  if (carrying.size === 0) {
    sink.notEvaluated('no input carries ownership: no identity has an owner and no principals were supplied');
    return;
  }
  const placeholders = new Set(ctx.params.placeholder_owners.map((value) => value.trim().toLowerCase()));
  /** provider → files without owner data, and how many identities they hold. */
  const skipped = new Map<string, { files: Set<string>; count: number }>();

  const people: PersonSkipped[] = [];
  for (const identity of identities) {
    if (identity.status !== 'active') continue;
    const kind = classifyIdentity(identity, inventory, usage);
    if (!kind.nonHuman) {
      people.push({ identity, reason: kind.reason });
      continue;
    }
    if (!carrying.has(identity.source.file)) {
      const entry = skipped.get(identity.provider) ?? { files: new Set<string>(), count: 0 };
      entry.files.add(identity.source.file);
      entry.count += 1;
      skipped.set(identity.provider, entry);
      continue;
    }
    const owner = identity.owner?.trim() ?? '';
    if (owner === '' || placeholders.has(owner.toLowerCase())) {
      sink.report({
        messageId: 'no-owner',
        message: `${identityLabel(identity)} (${identity.provider}) has no accountable owner${owner === '' ? '' : ` (owner "${owner}" names nobody)`}.`,
        subject: identitySubject(identity),
        evidence: [identityEvidence(identity, `${identity.type} ${identity.id}, owner ${owner === '' ? 'empty' : `"${owner}"`}`)],
      });
      continue;
    }
    const principal = inventory.principal(owner);
    if (principal === undefined || principal.status === 'active') continue;
    const when = principal.offboardedAt === null ? 'date unknown' : formatDate(principal.offboardedAt);
    sink.report({
      messageId: 'owner-offboarded',
      message: `${identityLabel(identity)} (${identity.provider}) is owned by ${principal.id}, who was ${principal.status} (${when}); nobody current is accountable for it.`,
      subject: identitySubject(identity),
      evidence: [
        identityEvidence(identity, `${identity.type} ${identity.id}, owner ${principal.id}`),
        principalEvidence(principal, `${principal.kind} principal ${principal.id}, ${principal.status} ${when}`),
      ],
      severity: 'high',
    });
  }
  const peopleNote = humanSkipNote(people);
  if (peopleNote !== null) sink.note(peopleNote);
  for (const [provider, { files, count }] of [...skipped].sort(([a], [b]) => a.localeCompare(b))) {
    sink.note(`no owner data for provider ${provider} (${listWithMore([...files].sort())}): ${count === 1 ? '1 identity' : `${count} identities`} not evaluated`);
  }
});
