// @ts-check
/*
 * `npm run bench -- --privilege`: one generated AWS account of 5,000 principals
 * (2,500 users, 2,500 roles) and 2,000 customer-managed policies, as a
 * get-account-authorization-details dump, judged by the privilege rules
 * (NHI-PRIV-001/-002/-003) on one core (--workers 1). Policies mix read-only
 * grants, escalation methods with and without resource and condition limits,
 * PassRole to service roles, denies and NotAction; roles trust users and each
 * other so chains exist. Deterministic (seeded).
 *
 *   node test/bench/privilege.mjs [--principals N] [--policies N]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from './generate.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'nhi-audit.js');
const ACCOUNT = '210987654321';

const ESCALATING = [
  ['iam:CreatePolicyVersion'], ['iam:PassRole', 'ec2:RunInstances'], ['iam:CreateAccessKey'], ['iam:PutRolePolicy'],
  ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], ['ssm:SendCommand'], ['iam:UpdateAssumeRolePolicy'],
  ['iam:PassRole', 'glue:CreateDevEndpoint'], ['cloudformation:UpdateStack'], ['sagemaker:CreatePresignedNotebookInstanceUrl'],
];
const HARMLESS = [['s3:GetObject', 's3:ListBucket'], ['ec2:Describe*'], ['dynamodb:GetItem', 'dynamodb:Query'], ['logs:PutLogEvents'], ['sqs:SendMessage']];
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'glue.amazonaws.com', 'cloudformation.amazonaws.com', 'sagemaker.amazonaws.com'];

export function generateAccount(principals, policies) {
  const random = prng(1729);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const policyList = [];
  for (let i = 0; i < policies; i += 1) {
    const statements = [];
    const roll = random();
    if (roll < 0.02) statements.push({ Effect: 'Allow', Action: '*', Resource: '*' });
    else if (roll < 0.2) {
      const actions = pick(ESCALATING);
      const statement = { Effect: 'Allow', Action: actions, Resource: '*' };
      const limit = random();
      if (limit < 0.2) statement.Resource = `arn:aws:iam::${ACCOUNT}:role/app-${i % 50}`;
      else if (limit < 0.3) statement.Condition = { DateLessThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } };
      else if (limit < 0.4) statement.Condition = { StringEquals: { 'iam:PassedToService': pick(SERVICES) } };
      statements.push(statement);
    } else if (roll < 0.25) statements.push({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' });
    else statements.push({ Effect: 'Allow', Action: pick(HARMLESS), Resource: `arn:aws:s3:::bucket-${i}/*` });
    if (random() < 0.1) statements.push({ Effect: 'Deny', Action: 'iam:*', Resource: '*' });
    policyList.push({
      PolicyName: `policy-${i}`, PolicyId: `ANPA${String(i).padStart(16, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:policy/policy-${i}`, Path: '/',
      DefaultVersionId: 'v1', AttachmentCount: 1, IsAttachable: true, CreateDate: '2025-01-01T00:00:00Z', UpdateDate: '2025-01-01T00:00:00Z',
      PolicyVersionList: [{ Document: { Version: '2012-10-17', Statement: statements }, VersionId: 'v1', IsDefaultVersion: true, CreateDate: '2025-01-01T00:00:00Z' }],
    });
  }
  const attached = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const policy = pick(policyList);
    return { PolicyName: policy.PolicyName, PolicyArn: policy.Arn };
  });
  const users = [];
  const roles = [];
  const half = Math.floor(principals / 2);
  for (let i = 0; i < half; i += 1) {
    users.push({ Path: '/', UserName: `svc-${i}`, UserId: `AIDA${String(i).padStart(16, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:user/svc-${i}`, CreateDate: '2025-01-01T00:00:00Z', GroupList: [], AttachedManagedPolicies: attached(), UserPolicyList: [], Tags: [] });
  }
  for (let i = 0; i < principals - half; i += 1) {
    const trustees = random() < 0.5 ? { Service: pick(SERVICES) } : { AWS: random() < 0.5 ? `arn:aws:iam::${ACCOUNT}:user/svc-${Math.floor(random() * half)}` : `arn:aws:iam::${ACCOUNT}:role/app-${Math.floor(random() * (principals - half))}` };
    roles.push({
      Path: '/', RoleName: `app-${i}`, RoleId: `AROA${String(i).padStart(16, '0')}`, Arn: `arn:aws:iam::${ACCOUNT}:role/app-${i}`, CreateDate: '2025-01-01T00:00:00Z',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: trustees, Action: 'sts:AssumeRole' }] },
      InstanceProfileList: [], RolePolicyList: [], AttachedManagedPolicies: attached(), Tags: [], RoleLastUsed: {},
    });
  }
  return { UserDetailList: users, GroupDetailList: [], RoleDetailList: roles, Policies: policyList };
}

function option(args, name, fallback) {
  const index = args.indexOf(name);
  return index === -1 || args[index + 1] === undefined ? fallback : Number(args[index + 1]);
}

/** Generates the account, scans it with the privilege rules on one worker, resolves seconds and finding counts. */
export async function benchPrivilege(principals = 5000, policies = 2000) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nhi-priv-'));
  const file = path.join(dir, `authz-${ACCOUNT}.json`);
  await writeFile(file, JSON.stringify(generateAccount(principals, policies), null, 1));
  const started = process.hrtime.bigint();
  const stdout = await new Promise((resolve, reject) => {
    const args = [CLI, 'scan', file, '--workers', '1', '--format', 'json', '--fail-on', 'none', '--as-of', '2026-11-01T00:00:00Z', '--enable', 'NHI-PRIV-001,NHI-PRIV-002,NHI-PRIV-003'];
    execFile(process.execPath, args, { maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } }, (error, out, err) => (error !== null ? reject(new Error(err)) : resolve(out)));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report = JSON.parse(String(stdout));
  const count = (id) => report.findings.filter((finding) => finding.ruleId === id).length;
  return { principals, policies, seconds, escalations: count('NHI-PRIV-002'), wildcards: count('NHI-PRIV-001') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const result = await benchPrivilege(option(args, '--principals', 5000), option(args, '--policies', 2000));
  process.stdout.write(`privilege: ${result.principals} principals, ${result.policies} policies judged in ${result.seconds.toFixed(2)} s on one core (${result.escalations} escalation findings, ${result.wildcards} wildcard findings)\n`);
}
