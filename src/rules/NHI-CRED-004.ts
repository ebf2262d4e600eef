/*
 * static-secret-auth: an NHI authenticates with a static shared secret where
 * the platform offers a bound or federated method — legacy Kubernetes
 * service-account token secrets, user-managed GCP service-account keys, Entra
 * client secrets, Okta SSWS API tokens, and long-term AWS access keys used
 * from CI or cloud compute.
 */
import { defineRule, type UsageView } from '../engine/rule-api.js';
import type { Credential, Evidence, Identity } from '../model/index.js';
import { DataReader, activityEvidence, activityTime, clip, dataContent } from './hygiene-support.js';
import { credentialEvidence, credentialLabel, credentialSubject, formatActivity, isLive } from './support.js';

interface Marker {
  readonly marker: string;
  readonly where: 'ci' | 'compute';
  readonly name: string;
}

function readMarkers(content: Readonly<Record<string, unknown>>): Marker[] {
  const read = new DataReader('static-secret-markers');
  return read.list(content['markers'], 'markers').map((raw, index) => {
    const entry = read.mapping(raw, `markers[${index}]`);
    const where = read.string(entry['where'], `markers[${index}].where`);
    if (where !== 'ci' && where !== 'compute') return read.fail(`markers[${index}].where`, '"ci" or "compute"');
    return {
      marker: read.string(entry['marker'], `markers[${index}].marker`).toLowerCase(),
      where,
      name: read.string(entry['name'], `markers[${index}].name`),
    };
  });
}

interface Case {
  readonly messageId: string;
  /** What the secret is, after the credential label: `, a legacy service-account token secret`. */
  readonly what: string;
  readonly better: string;
  readonly evidence: readonly Evidence[];
}

/** The first user agent of the key's use that shows CI or cloud compute, with its earliest event. */
function ciOrComputeUse(credential: Credential, usage: UsageView, markers: readonly Marker[]): Case | null {
  const stats = usage.forCredential(credential.id);
  if (stats === null) return null;
  const hits = stats.userAgents.values.flatMap((agent) => {
    const marker = markers.find((candidate) => agent.toLowerCase().includes(candidate.marker));
    const seen = stats.userAgents.firstSeen.get(agent);
    return marker === undefined || seen === undefined ? [] : [{ agent, marker, seen }];
  });
  const first = hits.sort((a, b) => a.seen.time - b.seen.time)[0];
  if (first === undefined) return null;
  const place = first.marker.where === 'ci' ? `CI (${first.marker.name})` : `cloud compute (${first.marker.name})`;
  return {
    messageId: first.marker.where === 'ci' ? 'access-key-from-ci' : 'access-key-from-compute',
    what: `, a long-term access key, is used from ${place}: user agent "${clip(first.agent)}" first seen ${formatActivity(first.seen)}`,
    better:
      first.marker.where === 'ci'
        ? 'an IAM role assumed through OIDC federation from the CI system (AssumeRoleWithWebIdentity)'
        : 'the IAM role of the compute itself (instance profile, ECS task role or Lambda execution role)',
    evidence: [activityEvidence(`user-agent:${credential.id}:${first.marker.name}`, first.seen, `${first.marker.name} user agent at ${activityTime(first.seen)}`)],
  };
}

/** Why this live credential is a static secret with a better alternative, or null. */
function staticSecret(credential: Credential, owner: Identity | undefined, usage: UsageView, markers: readonly Marker[]): Case | null {
  const provider = owner?.provider ?? null;
  switch (credential.type) {
    case 'sa-token':
      return {
        messageId: 'legacy-sa-token',
        what: ', a legacy service-account token secret that never expires',
        better: 'projected service-account tokens (TokenRequest API): short-lived and bound to the pod',
        evidence: [],
      };
    case 'sa-key':
      return credential.providerManaged === true
        ? null
        : {
            messageId: 'user-managed-sa-key',
            what: ', a user-managed service-account key',
            better: 'workload identity federation, or the service account attached to the workload (metadata server)',
            evidence: [],
          };
    case 'client-secret':
      return provider === 'entra'
        ? {
            messageId: 'client-secret',
            what: ', a client secret (password credential)',
            better: 'a federated identity credential (workload identity federation), a managed identity or a certificate credential',
            evidence: [],
          }
        : null;
    case 'api-key':
      return provider === 'okta'
        ? {
            messageId: 'okta-api-token',
            what: ', an Okta SSWS API token that acts with its creator\'s admin rights',
            better: 'an OAuth 2.0 service app with private_key_jwt client authentication and scoped okta.* grants',
            evidence: [],
          }
        : null;
    case 'access-key':
      return ciOrComputeUse(credential, usage, markers);
    default:
      return null;
  }
}

export const rule = defineRule('NHI-CRED-004', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credentials (keys, tokens, secrets) were supplied');
    return;
  }
  const markers = readMarkers(dataContent(ctx.data, 'static-secret-markers'));
  let accessKeys = 0;
  for (const credential of inventory.credentials()) {
    if (!isLive(credential, usage, asOf)) continue;
    if (credential.type === 'access-key') accessKeys += 1;
    const owner = inventory.identity(credential.identity ?? '') ?? inventory.identity(credential.clientId ?? '');
    const found = staticSecret(credential, owner, usage, markers);
    if (found === null) continue;
    const holder = owner?.id ?? credential.identity ?? credential.clientId ?? 'an unknown identity';
    sink.report({
      messageId: found.messageId,
      message: `${credentialLabel(credential)} of ${holder}${found.what}; use ${found.better} instead.`,
      subject: credentialSubject(credential, owner),
      evidence: [credentialEvidence(credential, `live ${credential.type} ${credential.id} of ${holder}`), ...found.evidence],
    });
  }
  if (accessKeys > 0 && usage.coverage() === null) {
    sink.note('live AWS access keys were not checked for use from CI or cloud compute: no access-log events were supplied');
  }
});
