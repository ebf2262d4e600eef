/*
 * missing-disconnect-event: a delegation ended (offboarding, approval ended,
 * identity disabled) but nothing revoked or disconnected what hung off it
 * within the grace period.
 */
import { defineRule, type InventoryView, type TerminationRef, type UsageStats, type UsageView } from '../engine/rule-api.js';
import {
  formatDuration,
  formatInstant,
  type Credential,
  type Evidence,
  type Instant,
  type Subject,
} from '../model/index.js';
import {
  approvalEvidence,
  credentialEnd,
  credentialEvidence,
  credentialLastUse,
  credentialPhrase,
  formatActivity,
  identityEvidence,
  identityLabel,
  identitySubject,
  laterUse,
  lastUseEvidence,
  listWithMore,
  principalEvidence,
  type LastUse,
} from './support.js';

type Params = {
  /** How long after a delegation ends a revocation may take (ms). */
  readonly grace_period: number;
};

/** A delegation that ended, with everything that should have been cut off. */
interface EndedDelegation {
  readonly subject: Subject;
  /** `alice@example.com was offboarded` */
  readonly label: string;
  /** When it ended; null when the input does not say (then it cannot be judged). */
  readonly time: Instant | null;
  readonly record: Evidence;
  /** Credentials that hang off it. */
  readonly credentials: readonly Credential[];
  /**
   * Credentials no inventory lists that events show acting for it (by their id). Known for
   * principals only: there a revoke naming a credential ends that credential alone.
   */
  readonly credentialRefs: readonly string[] | null;
  /**
   * Revoke/disconnect events recorded for the delegation (principal, delegation pair or identity).
   * Those naming a credential end that credential only; the others end the delegation as a whole.
   */
  readonly terminations: readonly TerminationRef[];
  /** Latest activity recorded for the delegation as a whole. */
  readonly use: LastUse | null;
  /** An identity's own disabling already ends its sessions; only its credentials or continued use need more. */
  readonly endsItself: boolean;
}

function usageUse(stats: UsageStats | null, key: string, what: string): LastUse | null {
  const last = stats?.lastUse ?? null;
  return last === null ? null : { key, what, ...last, fromEvents: true };
}

function collect(inventory: InventoryView, usage: UsageView, asOf: Instant): EndedDelegation[] {
  const ended: EndedDelegation[] = [];
  for (const principal of inventory.principals()) {
    if (principal.status === 'active') continue;
    const stats = usage.forPrincipal(principal.id);
    ended.push({
      subject: { kind: 'principal', id: principal.id },
      label: `${principal.id} was ${principal.status}`,
      time: principal.offboardedAt,
      record: principalEvidence(principal, `${principal.kind} principal ${principal.id}, ${principal.status}`),
      credentials: inventory.credentialsActingFor(principal.id),
      credentialRefs: usage.credentialsActingFor(principal.id).filter((id) => inventory.credential(id) === undefined),
      terminations: stats?.terminations ?? [],
      use: usageUse(stats, `last-use:principal:${principal.id}`, `delegates acting for ${principal.id}`),
      endsItself: false,
    });
  }
  for (const approval of inventory.approvals()) {
    let time: Instant | null;
    let how: string;
    if (approval.status === 'revoked' || approval.status === 'closed') {
      time = approval.endedAt;
      how = approval.status;
    } else if (approval.status === 'expired') {
      time = approval.expiresAt ?? approval.endedAt;
      how = 'expired';
    } else if (approval.expiresAt !== null && approval.expiresAt <= asOf) {
      // Past its expiry the approval has ended, whatever its status field says.
      time = approval.expiresAt;
      how = 'expired';
    } else {
      continue;
    }
    const forPrincipal = approval.principal;
    const stats = forPrincipal === null ? null : usage.forDelegation(approval.delegate, forPrincipal);
    const byDelegate =
      forPrincipal === null
        ? []
        : inventory.credentialsOf(approval.delegate).filter((credential) => credential.onBehalfOf === forPrincipal);
    const byApproval = inventory.credentialsUnderApproval(approval.id);
    const credentials = [...new Map([...byApproval, ...byDelegate].map((credential) => [credential.id, credential])).values()];
    ended.push({
      subject: { kind: 'approval', id: approval.id, ...(approval.tenant === null ? {} : { tenant: approval.tenant }) },
      label: `Approval ${approval.id} (${approval.delegate}${forPrincipal === null ? '' : ` acting for ${forPrincipal}`}) ${how === 'expired' ? 'expired' : `was ${how}`}`,
      time,
      record: approvalEvidence(approval, `approval ${approval.id}, ${how}`),
      credentials,
      credentialRefs: null,
      terminations: stats?.terminations ?? [],
      use: forPrincipal === null ? null : usageUse(stats, `last-use:delegation:${approval.delegate}:${forPrincipal}`, `${approval.delegate} acting for ${forPrincipal}`),
      endsItself: false,
    });
  }
  for (const identity of inventory.identities()) {
    if (identity.status === 'active') continue;
    const stats = usage.forIdentity(identity.id);
    ended.push({
      subject: identitySubject(identity),
      label: `${identityLabel(identity)} was ${identity.status}`,
      time: identity.disabledAt,
      record: identityEvidence(identity, `${identity.type} ${identity.id}, ${identity.status}`),
      credentials: inventory.credentialsOf(identity.id),
      credentialRefs: null,
      terminations: stats?.terminations ?? [],
      use: usageUse(stats, `last-use:identity:${identity.id}`, identity.id),
      endsItself: true,
    });
  }
  return ended;
}

export const rule = defineRule<Params>('NHI-LIFE-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  const grace = ctx.params.grace_period;
  if (!inventory.has('principal') && !inventory.has('approval') && !inventory.has('identity')) {
    sink.notEvaluated('no principals, approvals or identities were supplied, so no ended delegation is known');
    return;
  }
  const coverage = usage.coverage();
  if (coverage === null && !inventory.has('credential')) {
    sink.notEvaluated('neither event logs nor credentials were supplied, so nothing shows whether ended delegations were disconnected');
    return;
  }

  for (const delegation of collect(inventory, usage, asOf)) {
    const refs = delegation.credentialRefs ?? [];
    const known = delegation.credentials.length + refs.length;
    const relevant = known > 0 || delegation.use !== null;
    if (delegation.time === null) {
      if (relevant) sink.note(`${delegation.label} but the input does not say when: not evaluated`);
      continue;
    }
    const ended = delegation.time;
    const deadline = ended + grace;
    if (deadline > asOf) continue; // still within the grace period

    // A disconnect of the whole delegation shortly before or after it ended settles everything. For a
    // principal, whose credentials are all known, one that names a credential ends that credential (checked below).
    const wholeDelegation = (termination: TerminationRef): boolean => delegation.credentialRefs === null || termination.credential === undefined;
    if (delegation.terminations.some((termination) => wholeDelegation(termination) && termination.time >= ended - grace && termination.time <= deadline)) {
      continue;
    }

    const open: Credential[] = [];
    const undated: string[] = [];
    for (const credential of delegation.credentials) {
      const end = credentialEnd(credential, usage, deadline);
      if (end === null) open.push(credential);
      else if (end.time === null) undated.push(credential.id);
    }
    if (undated.length > 0) {
      sink.note(`${delegation.label}: ${listWithMore(undated)} marked inactive without a date; assumed disconnected in time`);
    }

    // A credential known only from events ended when the log shows it revoked or deleted.
    const openRefs = refs.filter((id) => !(usage.forCredential(id)?.terminations.some((end) => end.time <= deadline) ?? false));
    const activity = [
      ...open.map((credential) => credentialLastUse(credential, usage)),
      ...openRefs.map((id) => usageUse(usage.forCredential(id), `last-use:${id}`, id)),
    ].reduce<LastUse | null>((latest, use) => laterUse(latest, use), delegation.use);
    const usedAfter = activity !== null && activity.time > deadline ? activity : null;

    if (open.length === 0 && openRefs.length === 0) {
      // Nothing left hanging: either every credential was cut off, or none was known and none acted.
      if (known > 0 || delegation.use === null) continue;
      if (delegation.endsItself && usedAfter === null) continue;
    }

    const covered = coverage !== null && coverage.from <= ended && coverage.to >= deadline;
    if (!covered && usedAfter === null) {
      const logs =
        coverage === null
          ? 'no event logs were supplied'
          : `logs cover ${formatInstant(coverage.from)} → ${formatInstant(coverage.to)}`;
      sink.note(
        `${delegation.label}: disconnect not evaluated: ${logs}, the delegation ended ${formatInstant(ended)} (grace until ${formatInstant(deadline)})`,
      );
      continue;
    }

    let message = `${delegation.label} ${formatInstant(ended)}, but no revoke or disconnect event followed within ${formatDuration(grace)}`;
    const openPhrases = [...open.map(credentialPhrase), ...openRefs.map((id) => `credential ${id} (seen in the logs acting for ${delegation.subject.id})`)];
    if (openPhrases.length > 0) {
      message += `: ${listWithMore(openPhrases)} ${openPhrases.length === 1 ? 'was' : 'were'} still not revoked at ${formatInstant(deadline)}`;
    }
    if (usedAfter !== null) message += `; activity continued after the grace period, last at ${formatActivity(usedAfter)}`;
    else if (activity !== null) message += `; last activity ${formatActivity(activity)}`;
    message += '.';
    const evidence: Evidence[] = [
      delegation.record,
      ...open.map((credential) => credentialEvidence(credential, `${credential.type} ${credential.id}, not revoked by ${formatInstant(deadline)}`)),
      ...(activity === null ? [] : [lastUseEvidence(activity)]),
    ];
    sink.report({
      messageId: usedAfter === null ? 'no-disconnect' : 'no-disconnect-still-used',
      message,
      subject: delegation.subject,
      evidence,
      ...(usedAfter === null ? {} : { severity: 'critical' as const }),
    });
  }
});
