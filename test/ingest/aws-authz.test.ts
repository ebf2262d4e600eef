import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { awsAuthorizationDetails } from '../../src/ingest/aws/authorization-details.js';
import { decodePolicyDocument, loadManagedPolicies, parseManagedPolicies } from '../../src/ingest/aws/policy.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { ConfigError, InputError } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, ROOT, runAdapter, strictContext, tempFile } from './helpers.js';

const FILE = fixture('aws', 'authz', 'account-authorization-details.json');
const DISPLAY = 'fixtures/aws/authz/account-authorization-details.json';
const USER = 'arn:aws:iam::111122223333:user/ci-deployer';
const ROLE = 'arn:aws:iam::111122223333:role/billing-exporter';
const QUEUE_WRITER = 'arn:aws:iam::111122223333:policy/queue-writer';
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'aws');

async function detects(name: string, content: string): Promise<boolean> {
  const path = tempFile(name, content);
  return awsAuthorizationDetails.detect(await readSniff(openInput(path, name)));
}

describe('aws-authorization-details detection', () => {
  test.each([
    ['user list', '{"UserDetailList": [], "RoleDetailList": []}', true],
    ['role list only', '{\n  "RoleDetailList": [{"RoleName": "x"}]\n}', true],
    ['policies with versions', '{"Policies": [{"PolicyVersionList": []}]}', true],
    ['CloudTrail', '{"Records": [{"eventName": "GetUser"}]}', false],
    ['Policies without versions', '{"Policies": ["a"]}', false],
    ['a policy document', '{"Version": "2012-10-17", "Statement": []}', false],
    ['YAML mentioning the key', 'UserDetailList: []\n', false],
    ['credential report wrapper', '{"Content": "dXNlcg==", "ReportFormat": "text/csv"}', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects('x.json', content)).toBe(expected);
  });
});

describe('aws-authorization-details records', () => {
  test('users and roles: identity fields, both timestamp styles, owner tags, exact lines', async () => {
    const { records, skips } = await runAdapter(awsAuthorizationDetails, FILE, DISPLAY);
    const identities = ofKind(records, 'identity');
    expect(identities).toEqual([
      {
        id: USER,
        aliases: ['ci-deployer', 'AIDAEXAMPLECIDEPLOY01'],
        type: 'user',
        provider: 'aws',
        tenant: '111122223333',
        tenantListed: true,
        environment: null,
        owner: 'platform',
        consumers: [],
        createdAt: Date.parse('2023-03-09T10:41:45Z'),
        status: 'active',
        disabledAt: null,
        lastUsedAt: null,
        source: { file: DISPLAY, line: 3, pointer: 'UserDetailList[0]' },
      },
      {
        id: ROLE,
        aliases: ['billing-exporter', 'AROAEXAMPLEBILLING001'],
        type: 'role',
        provider: 'aws',
        tenant: '111122223333',
        tenantListed: true,
        environment: null,
        owner: 'finance@acme.example',
        consumers: [],
        // boto3 style `2023-03-09 10:41:45+00:00`.
        createdAt: Date.parse('2023-03-09T10:41:45Z'),
        status: 'active',
        disabledAt: null,
        lastUsedAt: Date.parse('2024-06-01T12:00:00Z'),
        trust: [
          {
            effect: 'allow',
            trustees: [{ kind: 'service', id: 'lambda.amazonaws.com' }],
            actions: ['sts:AssumeRole'],
            hasConditions: false,
            conditionKeys: [],
          },
        ],
        source: { file: DISPLAY, line: lineOf(FILE, '"RoleDetailList"') + 1, pointer: 'RoleDetailList[0]' },
      },
    ]);
    // A CreateDate without a zone skips that user (and its grants), naming the field.
    expect(skips).toEqual([
      {
        line: lineOf(FILE, '"UserName": "broken-date"') - 2,
        message: expect.stringMatching(/^UserDetailList\[1\]\.CreateDate: .*no zone/) as unknown as string,
      },
    ]);
  });

  test('user grants: inline (Condition, Deny), AWS-managed from the table, group inline and attached, unknown managed ignored', async () => {
    const { records } = await runAdapter(awsAuthorizationDetails, FILE, DISPLAY);
    const grants = ofKind(records, 'grant').filter((g) => g.identity === USER);
    expect(grants.map((g) => [g.via, g.effect, g.actions, g.notActions, g.resources, g.hasConditions, g.source.line, g.source.pointer])).toEqual([
      ['inline:deploy-artifacts', 'allow', ['s3:PutObject', 's3:GetObject'], false, ['arn:aws:s3:::acme-artifacts/*'], true, 15, 'UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0]'],
      ['inline:deploy-artifacts', 'deny', ['s3:DeleteBucket'], false, ['*'], false, 21, 'UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[1]'],
      // Not in Policies[]: read from rules/data/aws-managed-policies.yaml; evidence is the attachment.
      ['arn:aws:iam::aws:policy/AdministratorAccess', 'allow', ['*'], false, ['*'], false, lineOf(FILE, 'policy/AdministratorAccess'), 'UserDetailList[0].AttachedManagedPolicies[0]'],
      // Through the user's GroupList; a single Statement object (not a list).
      ['group:deployers/inline:read-logs', 'allow', ['logs:Get*'], false, ['*'], false, lineOf(FILE, '"logs:Get*"'), 'GroupDetailList[0].GroupPolicyList[0].PolicyDocument.Statement[0]'],
      // The default version (v2), not v1; NotAction; NotResource → ['*'] with hasConditions.
      [QUEUE_WRITER, 'allow', ['sqs:DeleteQueue'], true, ['arn:aws:sqs:*:111122223333:*'], false, lineOf(FILE, '"NotAction"'), 'Policies[0].PolicyVersionList[1].Document.Statement[0]'],
      [QUEUE_WRITER, 'deny', ['sqs:PurgeQueue'], false, ['*'], true, lineOf(FILE, '"NotResource"'), 'Policies[0].PolicyVersionList[1].Document.Statement[1]'],
    ]);
    expect(grants.every((g) => g.source.file === DISPLAY)).toBe(true);
  });

  test('role grants: URL-encoded inline document, PowerUserAccess from the table, customer managed', async () => {
    const { records } = await runAdapter(awsAuthorizationDetails, FILE, DISPLAY);
    const grants = ofKind(records, 'grant').filter((g) => g.identity === ROLE);
    expect(grants.map((g) => [g.via, g.actions, g.notActions, g.resources, g.source.line])).toEqual([
      // An encoded document has no inner lines: its statements point at the policy entry.
      ['inline:encoded', ['sqs:SendMessage'], false, ['arn:aws:sqs:eu-west-1:111122223333:orders'], lineOf(FILE, '"PolicyName": "encoded"') - 1],
      ['arn:aws:iam::aws:policy/PowerUserAccess', ['iam:*', 'organizations:*', 'account:*'], true, ['*'], lineOf(FILE, 'policy/PowerUserAccess')],
      [
        'arn:aws:iam::aws:policy/PowerUserAccess',
        ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions', 'account:GetAccountInformation'],
        false,
        ['*'],
        lineOf(FILE, 'policy/PowerUserAccess'),
      ],
      [QUEUE_WRITER, ['sqs:DeleteQueue'], true, ['arn:aws:sqs:*:111122223333:*'], lineOf(FILE, '"NotAction"')],
      [QUEUE_WRITER, ['sqs:PurgeQueue'], false, ['*'], lineOf(FILE, '"NotResource"')],
    ]);
  });

  test('a syntax error rejects the file with its line', async () => {
    const path = tempFile('bad.json', '{\n  "UserDetailList": [\n    {"UserName": "x",,}\n  ]\n}\n');
    const error = await runAdapter(awsAuthorizationDetails, path, 'bad.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).line).toBe(3);
  });

  test('a user without an Arn is skipped; an empty dump yields nothing', async () => {
    const path = tempFile('a.json', '{"UserDetailList": [{"UserName": "x"}], "RoleDetailList": []}');
    expect(await runAdapter(awsAuthorizationDetails, path, 'a.json')).toEqual({
      records: [],
      skips: [{ line: 1, message: 'UserDetailList[0]: Arn is required' }],
    });
  });
});

describe('AWS policy helpers', () => {
  test('documents: objects, URL-encoded JSON, plain JSON strings; junk is undefined', () => {
    const doc = { Version: '2012-10-17', Statement: [] };
    expect(decodePolicyDocument(doc)).toBe(doc);
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyDocument('%E0%A4%A')).toBeUndefined();
    expect(decodePolicyDocument('[]')).toBeUndefined();
    expect(decodePolicyDocument(42)).toBeUndefined();
  });

  test('the managed policy table loads and holds the required policies', async () => {
    const table = await loadManagedPolicies();
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'ReadOnlyAccess', 'AmazonS3FullAccess']) {
      expect(table.get(`arn:aws:iam::aws:policy/${name}`)?.name).toBe(name);
    }
  });

  test.each([
    {
      name: 'GitHub OIDC: sub and aud values merged across operators, sorted; sts:ExternalId dropped',
      condition: {
        StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:environment:prod'] },
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'sts:ExternalId': 'sekrit-external-id' },
        'ForAnyValue:StringLike': { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:pull_request' },
      },
      pinning: [
        { key: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] },
        { key: 'token.actions.githubusercontent.com:sub', values: ['repo:acme/app:environment:prod', 'repo:acme/app:pull_request', 'repo:acme/app:ref:refs/heads/main'] },
      ],
    },
    {
      name: 'every pinning suffix; other keys (aws:SourceIp, a key named only "sub") ignored',
      condition: {
        StringEquals: {
          'gitlab.com:project_path': 'grp/app', 'gitlab.com:namespace': 'grp', 'gitlab.com:ref': 'main',
          'x:repository': 'acme/app', 'x:repository_owner': 'acme', 'x:job_workflow_ref': 'acme/wf/.github/workflows/d.yml@refs/heads/main',
          'cognito-identity.amazonaws.com:amr': 'authenticated', 'aws:SourceIp': '10.0.0.0/8', sub: 'bare',
        },
      },
      pinning: [
        { key: 'cognito-identity.amazonaws.com:amr', values: ['authenticated'] },
        { key: 'gitlab.com:namespace', values: ['grp'] },
        { key: 'gitlab.com:project_path', values: ['grp/app'] },
        { key: 'gitlab.com:ref', values: ['main'] },
        { key: 'x:job_workflow_ref', values: ['acme/wf/.github/workflows/d.yml@refs/heads/main'] },
        { key: 'x:repository', values: ['acme/app'] },
        { key: 'x:repository_owner', values: ['acme'] },
      ],
    },
    { name: 'negated operators exclude callers and pin nothing', condition: { StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:evil/*' } }, pinning: undefined },
    { name: 'no condition', condition: undefined, pinning: undefined },
  ])('trust pinning: $name', async ({ condition, pinning }) => {
    const { trustStatements } = await import('../../src/ingest/aws/policy.js');
    const statement = {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      ...(condition === undefined ? {} : { Condition: condition }),
    };
    const [trust] = trustStatements({ Version: '2012-10-17', Statement: [statement] });
    expect(trust?.pinning).toEqual(pinning);
    expect(trust !== undefined && 'pinning' in trust).toBe(pinning !== undefined);
    // An external id's value is never kept; other values only in `conditions`, with their operator, not as pins.
    expect(JSON.stringify(trust)).not.toContain('sekrit-external-id');
    expect(JSON.stringify(trust?.pinning ?? [])).not.toContain('10.0.0.0/8');
    expect(trust?.conditions ?? []).toEqual((condition === undefined ? [] : Object.entries(condition)).flatMap(([operator, keys]) =>
      Object.entries(keys as Record<string, unknown>).map(([key, values]) => ({
        operator,
        key,
        values: key.toLowerCase() === 'sts:externalid' ? [] : (Array.isArray(values) ? values : [values]).map(String),
      })),
    ));
  });

  test('a malformed table is a config error', () => {
    expect(() => parseManagedPolicies('policies: []\n', 't.yaml')).toThrow(ConfigError);
    expect(() => parseManagedPolicies('version: 1\nreviewed: 2026-01-01\npolicies: [{arn: x}]\n', 't.yaml')).toThrow(ConfigError);
  });
});

const corpusFiles = existsSync(CORPUS) ? readdirSync(CORPUS).filter((name) => name.startsWith('authz-details_')) : [];

describe.skipIf(corpusFiles.length === 0)('aws-authorization-details on the corpus (skipped: ../shared/corpus/aws not present)', () => {
  test.each(corpusFiles)('%s: detected, read strictly, identities and grants', async (name) => {
    const path = join(CORPUS, name);
    expect(awsAuthorizationDetails.detect(await readSniff(openInput(path, name)))).toBe(true);
    const input = openInput(path, name);
    const identities = [];
    let grants = 0;
    for await (const record of awsAuthorizationDetails.read(input, await strictContext(input, name))) {
      if (record.kind === 'identity') identities.push(record.record);
      if (record.kind === 'grant') grants += 1;
    }
    expect(identities.length).toBeGreaterThan(0);
    expect(grants).toBeGreaterThan(0);
    expect(identities.every((i) => i.source.line > 0 && i.createdAt !== null)).toBe(true);
  });

  test('keeps role trust policies: external accounts, any principal, OIDC providers and their condition keys', async () => {
    const { trustStatements } = await import('../../src/ingest/aws/policy.js');
    const document = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::193672423079:root', '*'] }, Action: 'sts:AssumeRole' },
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' }, StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
        },
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'sekrit-external-id' } } },
      ],
    };
    for (const form of [document, encodeURIComponent(JSON.stringify(document))]) {
      const trust = trustStatements(form);
      expect(trust.map((item) => [item.trustees, item.actions, item.conditionKeys])).toEqual([
        [[{ kind: 'account', id: 'arn:aws:iam::193672423079:root' }, { kind: 'any', id: '*' }], ['sts:AssumeRole'], []],
        [
          [{ kind: 'federated', id: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }],
          ['sts:AssumeRoleWithWebIdentity'],
          ['token.actions.githubusercontent.com:aud', 'token.actions.githubusercontent.com:sub'],
        ],
        [[{ kind: 'any', id: '*' }], ['sts:AssumeRole'], ['sts:ExternalId']],
      ]);
      // Condition values (external ids) are never kept.
      expect(JSON.stringify(trust)).not.toContain('sekrit-external-id');
    }
  });
});
