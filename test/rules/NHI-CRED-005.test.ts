import { describe, expect, it } from 'vitest';
import { formatSource, type NormalizedRecord, type TrustStatement } from '../../src/model/index.js';
import { actorRole, rule } from '../../src/rules/NHI-CRED-005.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, provisioner, t, world } from '../helpers/world.js';

const AS_OF = t('2026-06-01T00:00:00Z');
const ACCOUNT = '111122223333';
const USER = `arn:aws:iam::${ACCOUNT}:user/reporting-bot`;
const TERRAFORM = `arn:aws:iam::${ACCOUNT}:role/Terraform`;
const SSO_ADMIN = `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_Admin_0123`;

const bot = () => identity({ id: USER, type: 'service-account', provider: 'aws', tenant: ACCOUNT, source: at('iam.json', 5) });
const key = (createdBy: string | null) =>
  credential({ id: 'AKIAEXAMPLE0001', identity: USER, type: 'access-key', tenant: ACCOUNT, createdBy, source: at('trail.json', 9) });
const created = (by: string, interactive?: boolean) =>
  event({
    time: t('2026-03-02T10:00:00Z'), identity: USER, credential: 'AKIAEXAMPLE0001', category: 'credential-create', tenant: ACCOUNT,
    actorChain: [by], ...(interactive === undefined ? {} : { actorInteractive: interactive }), source: at('trail.json', 9),
  });
const terraformOnly = () => provisioner({ provider: 'aws', tenant: ACCOUNT, actors: [TERRAFORM], source: at('.nhi-audit.yaml', 3) });

const federated: TrustStatement = {
  effect: 'allow', trustees: [{ kind: 'federated', id: 'https://token.actions.githubusercontent.com' }], actions: ['sts:AssumeRoleWithWebIdentity'],
  hasConditions: true, conditionKeys: ['token.actions.githubusercontent.com:sub'],
};
const entraApp = (trust?: readonly TrustStatement[]) =>
  identity({ id: 'app-deployer', type: 'app', provider: 'entra', tenant: 'contoso', ...(trust === undefined ? {} : { trust }), source: at('apps.json', 2) });
const clientSecret = (overrides: object = {}) =>
  credential({ id: 'secret-9f1c', identity: 'app-deployer', type: 'client-secret', tenant: 'contoso', source: at('apps.json', 7), ...overrides });

async function run(...records: NormalizedRecord[]) {
  return runRule(rule, world(...records), AS_OF);
}

describe('NHI-CRED-005 alternate-enrolment-path', () => {
  it('reports, as high, a key created from an SSO console session that is not the provisioner, citing the creation and the provisioners', async () => {
    const result = await run(bot(), key(null), created(`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com`, true), terraformOnly());
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.messageId).toBe('created-interactively-outside-provisioners');
    expect(finding?.severity).toBe('high');
    expect(finding?.message).toBe(
      `Access key AKIAEXAMPLE0001 of ${USER} was created by ${SSO_ADMIN} 2026-03-02T10:00:00Z (trail.json:9) in an interactive session, ` +
        `who is not a provisioner for aws/${ACCOUNT} (provisioners: ${TERRAFORM}).`,
    );
    expect(finding?.evidence.map((item) => formatSource(item.source))).toEqual(['trail.json:9', '.nhi-audit.yaml:3']);
  });

  it('reports a key whose created_by is not a provisioner at the rule severity when the session is not known to be interactive', async () => {
    const result = await run(bot(), key('arn:aws:iam::111122223333:user/ops-script'), terraformOnly());
    expect(result.findings.map((f) => [f.messageId, f.severity])).toEqual([['created-outside-provisioners', undefined]]);
  });

  it('reports a live client secret of an app that also trusts federated sign-in', async () => {
    const result = await run(entraApp([federated]), clientSecret());
    expect(result.findings.map((f) => [f.messageId, f.subject.id])).toEqual([['static-secret-beside-federation', 'secret-9f1c']]);
    expect(result.findings[0]?.message).toContain('trusts federated sign-in from https://token.actions.githubusercontent.com');
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'a key created by the provisioner through an assumed-role session', records: [bot(), key(null), created(`arn:aws:sts::${ACCOUNT}:assumed-role/Terraform/tf-run-42`), terraformOnly()] },
    { name: 'a provisioner given with a glob', records: [bot(), key(TERRAFORM), provisioner({ provider: 'aws', actors: [`arn:aws:iam::${ACCOUNT}:role/Terra*`] })] },
    { name: 'a federated identity with no static secret', records: [entraApp([federated])] },
    { name: 'a client secret of an app without federated trust', records: [entraApp(), clientSecret()] },
    { name: 'a revoked client secret beside federation', records: [entraApp([federated]), clientSecret({ revokedAt: t('2026-01-01T00:00:00Z'), active: false })] },
  ])('does not fire on $name', async ({ records }) => {
    expect((await run(...records)).findings).toEqual([]);
  });

  it('does not judge creators where no provisioners are configured for the provider/tenant, and says so', async () => {
    const elsewhere = provisioner({ provider: 'gcp', tenant: 'proj-1', actors: ['tf@proj-1.iam.gserviceaccount.com'] });
    const result = await run(bot(), key('arn:aws:iam::111122223333:user/ops-script'), elsewhere);
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([`no provisioners are configured for aws/${ACCOUNT} (1 credential): who created credentials there was not checked`]);
    const none = await run(bot(), key('arn:aws:iam::111122223333:user/ops-script'));
    expect(none.notes).toEqual([expect.stringMatching(/^no provisioners are configured \(config file or canonical inventory\)/)]);
  });

  it('says how many created credentials belong to no known identity', async () => {
    const deployKey = credential({ id: 'deploy-key-77', type: 'ssh-key', createdBy: 'octocat', source: at('github.json', 3) });
    const result = await run(deployKey, provisioner({ provider: 'github', actors: ['terraform-bot'] }));
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual(["credentials with a known creator but no identity in the inputs (e.g. a repository's deploy keys) were not judged: 1"]);
  });

  it('reads an assumed-role session as its role', () => {
    expect(actorRole('arn:aws:sts::111122223333:assumed-role/Terraform/run-1')).toBe('arn:aws:iam::111122223333:role/Terraform');
    expect(actorRole('alice@example.com')).toBe('alice@example.com');
  });
});
