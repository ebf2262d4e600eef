/*
 * alternate-enrolment-path: a credential of a non-human identity created by
 * someone who is not a configured provisioner for its provider/tenant (a), or
 * a static secret beside a federated / workload-identity trust (b).
 */
import { classifyIdentity, defineRule, type CreationRef, type InventoryView } from '../engine/rule-api.js';
import { formatInstant, type Credential, type Identity, type Provisioner, type SourceRef } from '../model/index.js';
import { credentialOwner, credentialTypesParam } from './lifecycle-support.js';
import { globMatches } from './privilege-support.js';
import { credentialEvidence, credentialLabel, credentialSubject, evidence, formatActivity, identityEvidence, isLive, listWithMore, plural } from './support.js';

interface Params {
  readonly static_types: readonly string[];
}

/** `arn:aws:sts::1:assumed-role/Terraform/session` is the role `arn:aws:iam::1:role/Terraform`. */
export function actorRole(ref: string): string {
  const session = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(ref.trim());
  return session === null ? ref.trim() : `arn:${session[1] ?? 'aws'}:iam::${session[2] ?? ''}:role/${session[3] ?? ''}`;
}

/** Role ARNs compared without their path (`role/ci/Terraform` and `role/Terraform` name one role to a session). */
function withoutRolePath(ref: string): string {
  return ref.replace(/^(arn:[\w-]+:iam::\d+:role\/)(?:[^/]+\/)*([^/]+)$/, '$1$2');
}

function sameActor(pattern: string, creator: string, inventory: InventoryView): boolean {
  const wanted = withoutRolePath(actorRole(pattern));
  const actual = withoutRolePath(actorRole(creator));
  if (wanted.includes('*')) return globMatches(wanted, actual, true);
  if (wanted.toLowerCase() === actual.toLowerCase()) return true;
  const resolved = inventory.identity(actual)?.id;
  return resolved !== undefined && resolved === inventory.identity(wanted)?.id;
}

function placeText(provider: string, tenant: string | null): string {
  return tenant === null ? provider : `${provider}/${tenant}`;
}

function sameSource(a: SourceRef, b: SourceRef): boolean {
  return a.file === b.file && a.line === b.line;
}

function hasFederatedTrust(identity: Identity): boolean {
  return (identity.trust ?? []).some((statement) => statement.effect === 'allow' && statement.trustees.some((trustee) => trustee.kind === 'federated'));
}

export const rule = defineRule<Params>('NHI-CRED-005', (ctx, sink) => {
  const { inventory, usage, asOf } = ctx;
  const staticTypes = credentialTypesParam('NHI-CRED-005', 'static_types', ctx.params.static_types);
  if (!inventory.has('credential')) {
    sink.notEvaluated('no credentials were supplied, so no credential creation is known');
    return;
  }
  const provisioners = inventory.provisioners();
  /** `provider/tenant` → credentials there that (a) could not judge for lack of provisioners. */
  const unconfigured = new Map<string, number>();
  let noCreator = 0;
  let unowned = 0;

  for (const credential of inventory.credentials()) {
    const owner = credentialOwner(credential, inventory);
    if (owner === undefined) {
      // A GitHub deploy key, say, names its repository, not an identity: its path cannot be judged.
      if (credential.createdBy !== null || (usage.forCredential(credential.id)?.creation ?? null) !== null) unowned += 1;
      continue;
    }
    // Declared consumers make a user record a workload's, even when a person has since signed in with it.
    if (owner.consumers.length === 0 && !classifyIdentity(owner, inventory, usage).nonHuman) continue;
    const tenant = credential.tenant ?? owner.tenant;
    const governing = provisioners.filter((p) => p.provider === owner.provider && (p.tenant === null || p.tenant === tenant));
    const creation = usage.forCredential(credential.id)?.creation ?? null;
    const creator = credential.createdBy ?? creation?.by ?? null;
    if (governing.length === 0) {
      if (creator !== null || creation !== null) {
        const place = placeText(owner.provider, tenant);
        unconfigured.set(place, (unconfigured.get(place) ?? 0) + 1);
      }
    } else if (creator === null) {
      if (creation !== null || credential.issuedAt !== null) noCreator += 1;
    } else if (!governing.some((p) => p.actors.some((actor) => sameActor(actor, creator, inventory)))) {
      reportOutsider(credential, owner, creator, governing, creation, tenant);
    }

    // (b) A static secret beside a federated trust.
    if (staticTypes.has(credential.type) && hasFederatedTrust(owner) && isLive(credential, usage, asOf)) {
      const issuers = (owner.trust ?? []).flatMap((s) => (s.effect === 'allow' ? s.trustees.filter((t) => t.kind === 'federated').map((t) => t.id) : []));
      sink.report({
        messageId: 'static-secret-beside-federation',
        message:
          `${credentialLabel(credential)} is a live static secret of ${owner.id}, which also trusts federated sign-in from ` +
          `${listWithMore([...new Set(issuers)].sort())}: the secret bypasses the runtime-bound path` +
          `${credential.issuedAt === null ? '' : ` (issued ${formatInstant(credential.issuedAt)})`}.`,
        subject: credentialSubject(credential, owner),
        evidence: [credentialEvidence(credential, `${credential.type} ${credential.id} of ${owner.id}`), identityEvidence(owner, `${owner.id} trusts federated sign-in`)],
      });
    }
  }

  function reportOutsider(
    credential: Credential,
    owner: Identity,
    creator: string,
    governing: readonly Provisioner[],
    creation: CreationRef | null,
    tenant: string | null,
  ): void {
    const interactive = creation?.interactive === true;
    const allowed = [...new Set(governing.flatMap((p) => p.actors))].sort();
    sink.report({
      messageId: interactive ? 'created-interactively-outside-provisioners' : 'created-outside-provisioners',
      ...(interactive ? { severity: 'high' as const } : {}),
      message:
        `${credentialLabel(credential)} of ${owner.id} was created by ${actorRole(creator)}` +
        `${creation === null ? '' : ` ${formatActivity(creation)}`}${interactive ? ' in an interactive session' : ''}, ` +
        `who is not a provisioner for ${placeText(owner.provider, tenant)} (provisioners: ${listWithMore(allowed)}).`,
      subject: credentialSubject(credential, owner),
      evidence: [
        credentialEvidence(credential, `${credential.type} ${credential.id} created by ${actorRole(creator)}`),
        // The creation event is often the credential's own record (CloudTrail CreateAccessKey): cite it once.
        ...(creation === null || sameSource(creation.source, credential.source)
          ? []
          : [evidence(`creation:${credential.id}`, creation.source, `${credential.id} created at ${formatInstant(creation.time)}`)]),
        ...governing.map((p, index) => evidence(`provisioners:${p.provider}:${p.tenant ?? '*'}:${index}`, p.source, `provisioners for ${placeText(p.provider, p.tenant)}`)),
      ],
    });
  }

  if (provisioners.length === 0) {
    sink.note('no provisioners are configured (config file or canonical inventory), so who created credentials was not checked against a governed path');
  } else if (unconfigured.size > 0) {
    const places = [...unconfigured].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([place, count]) => `${place} (${plural(count, 'credential')})`);
    sink.note(`no provisioners are configured for ${listWithMore(places, 10)}: who created credentials there was not checked`);
  }
  if (unowned > 0) {
    sink.note(`credentials with a known creator but no identity in the inputs (e.g. a repository's deploy keys) were not judged: ${unowned}`);
  }
  if (noCreator > 0) {
    sink.note(`${plural(noCreator, 'credential')} where provisioners are configured name no creator (no created_by and no creation event), so their path is unknown`);
  }
});
