/*
 * orphaned-refresh-token: a live refresh token whose anchor is gone — the
 * person it acts for was offboarded, its approval ended, or its client app
 * was disabled, deleted or is unknown.
 */
import { defineRule, type InventoryView } from '../engine/rule-api.js';
import { formatDate, type Credential, type Evidence, type Instant } from '../model/index.js';
import {
  approvalEvidence,
  credentialEvidence,
  credentialLabel,
  credentialLastUse,
  credentialSubject,
  formatActivity,
  identityEvidence,
  isLive,
  lastUseEvidence,
  listWithMore,
  plural,
  principalEvidence,
} from './support.js';

/** One reason the token no longer rests on anything current. */
interface BrokenAnchor {
  /** `acts for alice@example.com, offboarded 2026-02-10` */
  readonly text: string;
  /** When the anchor went away; null when the input does not say. */
  readonly time: Instant | null;
  /** `the offboarding` — for "after the …". */
  readonly event: string;
  readonly evidence: Evidence | null;
}

function dated(time: Instant | null): string {
  return time === null ? 'date unknown' : formatDate(time);
}

export const rule = defineRule('NHI-TOKEN-001', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credential or token records were supplied');
    return;
  }
  if (!inventory.has('principal') && !inventory.has('approval') && !inventory.has('identity')) {
    sink.notEvaluated('no principals, approvals or identities were supplied to anchor refresh tokens to');
    return;
  }
  const tokens = inventory.credentials().filter((credential) => credential.type === 'refresh-token');
  if (tokens.length === 0) {
    sink.note(`no refresh tokens among the ${plural(inventory.credentials().length, 'credential')} supplied`);
    return;
  }
  if (!inventory.has('principal') && tokens.some((token) => token.onBehalfOf !== null)) {
    sink.note('no principal records were supplied: whether the people refresh tokens act for were offboarded is not checked');
  }
  if (!inventory.has('approval') && tokens.some((token) => token.approval !== null)) {
    sink.note('no approval records were supplied: whether refresh tokens still rest on an active approval is not checked');
  }
  if (!inventory.has('identity')) {
    sink.note('no identity records were supplied: whether refresh-token clients still exist is not checked');
  }

  for (const token of tokens) {
    if (!isLive(token, usage, asOf)) continue;
    const anchors = brokenAnchors(token, ctx.inventory, asOf);
    if (anchors.length === 0) continue;

    const lastUse = credentialLastUse(token, usage);
    // The earliest dated anchor the token was used after: the first moment it should have stopped.
    const outlived = anchors
      .filter((anchor) => anchor.time !== null && lastUse !== null && lastUse.time > anchor.time)
      .sort((a, b) => (a.time ?? 0) - (b.time ?? 0))[0];

    const client = token.clientId ?? token.identity;
    const head = `${credentialLabel(token)}${client === null ? '' : ` (client ${client})`}`;
    let message = `${head} ${anchors.map((anchor) => anchor.text).join('; ')}, and is still active`;
    if (lastUse !== null && outlived !== undefined) {
      message += `; it was last used ${formatActivity(lastUse)}, after ${outlived.event}.`;
    } else if (lastUse !== null) {
      message += `; it was last used ${formatActivity(lastUse)}.`;
    } else {
      message += '.';
    }
    const owner = inventory.identity(token.identity ?? '') ?? inventory.identity(token.clientId ?? '');
    sink.report({
      messageId: outlived === undefined ? 'orphaned' : 'orphaned-and-used',
      message,
      subject: credentialSubject(token, owner),
      evidence: [
        credentialEvidence(token, `refresh token ${token.id}, active`),
        ...anchors.flatMap((anchor) => (anchor.evidence === null ? [] : [anchor.evidence])),
        ...(lastUse === null ? [] : [lastUseEvidence(lastUse)]),
      ],
      ...(outlived === undefined ? {} : { severity: 'critical' as const }),
    });
  }
});

function brokenAnchors(token: Credential, inventory: InventoryView, asOf: Instant): BrokenAnchor[] {
  const anchors: BrokenAnchor[] = [];

  if (token.onBehalfOf !== null) {
    const principal = inventory.principal(token.onBehalfOf);
    if (principal !== undefined && principal.status !== 'active') {
      anchors.push({
        text: `acts for ${principal.id}, ${principal.status} ${dated(principal.offboardedAt)}`,
        time: principal.offboardedAt,
        event: principal.status === 'offboarded' ? 'the offboarding' : 'the principal was disabled',
        evidence: principalEvidence(principal, `${principal.id} ${principal.status} ${dated(principal.offboardedAt)}`),
      });
    }
  }

  if (token.approval !== null) {
    const approval = inventory.approval(token.approval);
    if (approval === undefined) {
      if (inventory.has('approval')) {
        anchors.push({
          text: `rests on approval ${token.approval}, which is not among the approvals supplied`,
          time: null,
          event: '',
          evidence: null,
        });
      }
    } else if (approval.status === 'revoked' || approval.status === 'closed') {
      anchors.push({
        text: `rests on approval ${approval.id}, ${approval.status} ${dated(approval.endedAt)}`,
        time: approval.endedAt,
        event: `approval ${approval.id} was ${approval.status}`,
        evidence: approvalEvidence(approval, `approval ${approval.id} ${approval.status} ${dated(approval.endedAt)}`),
      });
    } else if (approval.status === 'expired' || (approval.expiresAt !== null && approval.expiresAt <= asOf)) {
      // An approval past its expiry no longer authorises anything, whatever its status field says.
      const time = approval.expiresAt ?? approval.endedAt;
      anchors.push({
        text: `rests on approval ${approval.id}, expired ${dated(time)}`,
        time,
        event: `approval ${approval.id} expired`,
        evidence: approvalEvidence(approval, `approval ${approval.id} expired ${dated(time)}`),
      });
    }
  }

  const refs = [...new Set([token.identity, token.clientId].filter((ref): ref is string => ref !== null))];
  const client = refs.map((ref) => inventory.identity(ref)).find((found) => found !== undefined);
  if (client !== undefined) {
    if (client.status !== 'active') {
      anchors.push({
        text: `belongs to client ${client.id}, ${client.status} ${dated(client.disabledAt)}`,
        time: client.disabledAt,
        event: `client ${client.id} was ${client.status}`,
        evidence: identityEvidence(client, `${client.type} ${client.id} ${client.status} ${dated(client.disabledAt)}`),
      });
    }
  } else if (refs.length > 0 && inventory.has('identity')) {
    anchors.push({
      text: `belongs to client ${listWithMore(refs)}, which is not among the identities supplied`,
      time: null,
      event: '',
      evidence: null,
    });
  }
  return anchors;
}
