// @ts-check
/*
 * Writes a synthetic organisation in native export formats, for `npm run bench`:
 *   cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz  (S3 delivery layout)
 *   authz-<account>.json          get-account-authorization-details
 *   credential-report-<account>.csv
 *   okta-system-log.ndjson        Okta System Log
 *   inventory.yaml                canonical inventory: owners, tenants, principals
 * Deterministic for a given size (seeded PRNG), so runs compare like with like.
 *
 *   node test/bench/generate.mjs <dir> [--events N] [--identities N] [--per-file N]
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGzip, constants } from 'node:zlib';
import { once } from 'node:events';

/** mulberry32: small, fast, good enough to spread synthetic values. */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = ['111122223333', '222233334444', '333344445555', '444455556666', '555566667777'];
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];
const ACTIONS = [
  ['s3.amazonaws.com', 'GetObject'], ['s3.amazonaws.com', 'PutObject'], ['s3.amazonaws.com', 'ListBucket'],
  ['dynamodb.amazonaws.com', 'GetItem'], ['dynamodb.amazonaws.com', 'Query'], ['dynamodb.amazonaws.com', 'PutItem'],
  ['sqs.amazonaws.com', 'SendMessage'], ['sqs.amazonaws.com', 'ReceiveMessage'], ['sns.amazonaws.com', 'Publish'],
  ['kms.amazonaws.com', 'Decrypt'], ['kms.amazonaws.com', 'GenerateDataKey'], ['sts.amazonaws.com', 'AssumeRole'],
  ['sts.amazonaws.com', 'GetCallerIdentity'], ['ec2.amazonaws.com', 'DescribeInstances'], ['lambda.amazonaws.com', 'Invoke'],
  ['logs.amazonaws.com', 'PutLogEvents'], ['secretsmanager.amazonaws.com', 'GetSecretValue'], ['ssm.amazonaws.com', 'GetParameter'],
  ['ecr.amazonaws.com', 'GetAuthorizationToken'], ['cloudwatch.amazonaws.com', 'PutMetricData'], ['iam.amazonaws.com', 'ListRoles'],
];
const AGENTS = [
  'aws-sdk-go/1.44.298 (go1.20.6; linux; amd64)',
  'Boto3/1.28.40 md/Botocore#1.31.40 ua/2.0 os/linux#5.10.184 md/arch#x86_64 lang/python#3.11.4 exec-env/AWS_ECS_FARGATE',
  'aws-cli/2.13.15 Python/3.11.4 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off command/s3.cp',
  'aws-sdk-java/2.20.130 Linux/5.10.186 OpenJDK_64-Bit_Server_VM/17.0.8+7-LTS Java/17.0.8 vendor/Amazon.com_Inc.',
  'terraform-provider-aws/5.16.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.45.4',
];

/** Identity i: 70 % roles, 30 % IAM users with keys; spread over the accounts. */
function identityOf(i) {
  const account = ACCOUNTS[i % ACCOUNTS.length] ?? '';
  const isUser = i % 10 >= 7;
  const name = isUser ? `svc-user-${i}` : `workload-role-${i}`;
  return {
    index: i,
    account,
    isUser,
    name,
    arn: `arn:aws:iam::${account}:${isUser ? 'user' : 'role'}/${name}`,
    principalId: `${isUser ? 'AIDA' : 'AROA'}${String(i).padStart(17, '0')}`,
    accessKeyId: `${isUser ? 'AKIA' : 'ASIA'}${String(i).padStart(16, '0')}`,
  };
}

function trailRecord(random, identity, time) {
  const [source, name] = ACTIONS[Math.floor(random() * ACTIONS.length)] ?? ACTIONS[0];
  const region = REGIONS[identity.index % REGIONS.length];
  const id = `${Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0')}-${(identity.index & 0xffff).toString(16).padStart(4, '0')}-4${Math.floor(random() * 0xfff).toString(16).padStart(3, '0')}-a${Math.floor(random() * 0xfff).toString(16).padStart(3, '0')}-${time.toString(16).padStart(12, '0')}`;
  const userIdentity = identity.isUser
    ? { type: 'IAMUser', principalId: identity.principalId, arn: identity.arn, accountId: identity.account, accessKeyId: identity.accessKeyId, userName: identity.name }
    : {
        type: 'AssumedRole',
        principalId: `${identity.principalId}:session-${identity.index % 7}`,
        arn: `arn:aws:sts::${identity.account}:assumed-role/${identity.name}/session-${identity.index % 7}`,
        accountId: identity.account,
        accessKeyId: identity.accessKeyId,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: identity.principalId, arn: identity.arn, accountId: identity.account, userName: identity.name },
          webIdFederationData: {},
          attributes: { creationDate: new Date(time - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
        },
      };
  return {
    eventVersion: '1.09',
    userIdentity,
    eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: `10.${identity.index % 250}.${(identity.index >> 8) % 250}.${Math.floor(random() * 4) + 10}`,
    userAgent: AGENTS[identity.index % AGENTS.length],
    requestParameters: { bucketName: `data-${identity.account}`, key: `objects/${Math.floor(random() * 100000)}.parquet` },
    responseElements: null,
    requestID: id.slice(0, 20).toUpperCase(),
    eventID: id,
    readOnly: name.startsWith('Get') || name.startsWith('List') || name.startsWith('Describe'),
    eventType: 'AwsApiCall',
    managementEvent: source !== 's3.amazonaws.com',
    recipientAccountId: identity.account,
    eventCategory: source === 's3.amazonaws.com' ? 'Data' : 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.${region}.amazonaws.com` },
  };
}

/** Which identity acts: a skewed draw, so a few identities are busy and most are quiet, as in real accounts. */
function pickIdentity(random, identities) {
  const skew = random() ** 3;
  return Math.floor(skew * identities);
}

async function writeGzip(file, chunks) {
  await mkdir(path.dirname(file), { recursive: true });
  const gzip = createGzip({ level: constants.Z_BEST_SPEED });
  const out = createWriteStream(file);
  gzip.pipe(out);
  for (const chunk of chunks) if (!gzip.write(chunk)) await once(gzip, 'drain');
  gzip.end();
  await once(out, 'finish');
}

export async function generate(dir, { events = 200_000, identities = 5_000, perFile = 2_000 } = {}) {
  const random = prng(0x5eed ^ events ^ (identities << 7));
  await mkdir(dir, { recursive: true });
  const start = Date.parse('2026-10-01T00:00:00Z');
  const span = 30 * 86_400_000;
  const files = Math.ceil(events / perFile);
  let written = 0;
  let bytes = 0;
  for (let file = 0; file < files; file++) {
    const count = Math.min(perFile, events - written);
    const fileStart = start + Math.floor((file / files) * span);
    const account = ACCOUNTS[file % ACCOUNTS.length] ?? '';
    const day = new Date(fileStart).toISOString().slice(0, 10).split('-');
    const stamp = new Date(fileStart).toISOString().replace(/[-:]/g, '').slice(0, 13);
    const name = `${account}_CloudTrail_us-east-1_${stamp}Z_${file.toString(36).padStart(16, '0')}.json.gz`;
    const target = path.join(dir, 'cloudtrail', 'AWSLogs', account, 'CloudTrail', 'us-east-1', ...day, name);
    const chunks = ['{"Records":['];
    for (let i = 0; i < count; i++) {
      const who = identityOf(pickIdentity(random, identities));
      const time = fileStart + Math.floor((i / count) * (span / files));
      chunks.push(`${i === 0 ? '' : ','}${JSON.stringify(trailRecord(random, who, time))}`);
    }
    chunks.push(']}');
    for (const chunk of chunks) bytes += Buffer.byteLength(chunk);
    await writeGzip(target, chunks);
    written += count;
  }

  // IAM state per account: every identity with one managed and one inline policy.
  for (const account of ACCOUNTS) {
    const users = [];
    const roles = [];
    for (let i = 0; i < identities; i++) {
      const identity = identityOf(i);
      if (identity.account !== account) continue;
      const inline = {
        PolicyName: `inline-${i}`,
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 'dynamodb:Query', 'sqs:SendMessage'], Resource: `arn:aws:s3:::data-${account}/*` }] },
      };
      const common = {
        Path: '/', Arn: identity.arn, CreateDate: '2024-03-01T10:00:00Z',
        AttachedManagedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        Tags: [{ Key: 'owner', Value: `team-${i % 40}@example.com` }],
      };
      if (identity.isUser) users.push({ ...common, UserName: identity.name, UserId: identity.principalId, UserPolicyList: [inline], GroupList: [] });
      else
        roles.push({
          ...common, RoleName: identity.name, RoleId: identity.principalId, RolePolicyList: [inline], InstanceProfileList: [],
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          RoleLastUsed: { LastUsedDate: '2026-10-20T08:00:00Z', Region: 'us-east-1' },
        });
    }
    await writeFile(path.join(dir, `authz-${account}.json`), JSON.stringify({ UserDetailList: users, GroupDetailList: [], RoleDetailList: roles, Policies: [], IsTruncated: false }));

    const header = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
    const rows = [header];
    for (let i = 0; i < identities; i++) {
      const identity = identityOf(i);
      if (identity.account !== account || !identity.isUser) continue;
      rows.push(`${identity.name},${identity.arn},2024-03-01T10:00:00+00:00,false,N/A,N/A,N/A,false,true,2025-01-15T10:00:00+00:00,2026-10-30T12:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`);
    }
    await writeFile(path.join(dir, `credential-report-${account}.csv`), `${rows.join('\n')}\n`);
  }

  // Okta: token grants and refreshes for a few hundred OAuth clients, one event per 50 CloudTrail events.
  const okta = [];
  const clients = Math.max(10, Math.floor(identities / 20));
  for (let i = 0; i < Math.ceil(events / 50); i++) {
    const client = Math.floor(random() * clients);
    const time = new Date(start + Math.floor((i / Math.ceil(events / 50)) * span)).toISOString();
    okta.push(JSON.stringify({
      uuid: `okta-${i}`, published: time, eventType: 'app.oauth2.token.grant.refresh_token', severity: 'INFO', displayMessage: 'OAuth2 refresh token is granted',
      actor: { id: `0oa${String(client).padStart(17, '0')}`, type: 'PublicClientApp', alternateId: `client-${client}`, displayName: `Integration ${client}` },
      client: { ipAddress: `198.51.100.${client % 250}`, userAgent: { rawUserAgent: 'okhttp/4.11.0' } },
      outcome: { result: 'SUCCESS' },
      target: [{ id: `rt-${client}`, type: 'refresh_token', alternateId: 'unknown', displayName: 'refresh token' }, { id: `00u${String(client % 500).padStart(17, '0')}`, type: 'User', alternateId: `user${client % 500}@example.com`, displayName: `User ${client % 500}` }],
      authenticationContext: { authenticationStep: 0 }, transaction: { type: 'WEB', id: `tx-${i}` },
    }));
  }
  await writeFile(path.join(dir, 'okta-system-log.ndjson'), `${okta.join('\n')}\n`);

  const inventory = ['apiVersion: nhi-audit/v1', 'kind: Inventory', 'tenants:'];
  for (const [index, account] of ACCOUNTS.entries()) inventory.push(`  - { id: "${account}", name: account-${index}, environment: ${index === 0 ? 'prod' : index === 1 ? 'staging' : 'dev'} }`);
  inventory.push('principals:');
  for (let i = 0; i < 40; i++) inventory.push(`  - { id: team-${i}@example.com, kind: human, status: ${i === 7 ? 'offboarded' : 'active'}${i === 7 ? ', offboarded_at: "2026-09-01T00:00:00Z"' : ''} }`);
  await writeFile(path.join(dir, 'inventory.yaml'), `${inventory.join('\n')}\n`);
  return { files, events: written, uncompressedTrailBytes: bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...rest] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write('usage: node test/bench/generate.mjs <dir> [--events N] [--identities N] [--per-file N]\n');
    process.exit(2);
  }
  const option = (name, fallback) => {
    const index = rest.indexOf(name);
    return index === -1 ? fallback : Number(rest[index + 1]);
  };
  const result = await generate(dir, { events: option('--events', 200_000), identities: option('--identities', 5_000), perFile: option('--per-file', 2_000) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
