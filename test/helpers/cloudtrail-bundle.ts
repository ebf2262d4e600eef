/*
 * A generated CloudTrail delivery for the SQL-export tests: every event
 * category the CloudTrail adapter derives (access, role chaining, interactive
 * login, credential-create/-delete, revoke, identity-delete, failures, session
 * keys, service and root callers) for the identities of
 * fixtures/demo-native/aws/authorization-details.json, in the S3 layout
 * (.json.gz and plain .json files). One identity uses more distinct actions
 * and user agents than the fold keeps, so the caps are exercised too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ACCOUNT = '430011223344';
const OTHER_ACCOUNT = '999988887777';
const START = Date.parse('2026-10-01T00:00:00Z');
const MINUTE = 60_000;

type TrailRecord = Record<string, unknown>;

function user(name: string, key: string, account = ACCOUNT): Record<string, unknown> {
  return { type: 'IAMUser', principalId: `AIDA${name.toUpperCase().replace(/-/g, '')}`, arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, accessKeyId: key, userName: name };
}

function session(role: string, sessionName: string, key = 'ASIAEXAMPLESESSION01'): Record<string, unknown> {
  const arn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
  return {
    type: 'AssumedRole',
    principalId: `AROA${role.length}:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.split('/').pop() ?? role}/${sessionName}`,
    accountId: ACCOUNT,
    accessKeyId: key,
    sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROA${role.length}`, arn, accountId: ACCOUNT, userName: role } },
  };
}

let sequence = 0;
function record(minutes: number, userIdentity: Record<string, unknown> | undefined, source: string, name: string, extra: TrailRecord = {}): TrailRecord {
  sequence += 1;
  return {
    eventVersion: '1.09',
    ...(userIdentity === undefined ? {} : { userIdentity }),
    eventTime: new Date(START + minutes * MINUTE).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: 'eu-central-1',
    sourceIPAddress: '10.20.30.40',
    userAgent: 'aws-cli/2.13.15 Python/3.11.4 Linux/5.15.0',
    requestParameters: null,
    responseElements: null,
    eventID: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    ...extra,
  };
}

function records(): TrailRecord[] {
  const ci = user('ci-deployer', 'AKIAEXAMPLECIDEPLOY1');
  const metrics = user('metrics-reader', 'AKIAEXAMPLEMETRICS01');
  const tms = user('tms-integration', 'AKIAEXAMPLETMSINTEG1');
  const out: TrailRecord[] = [];
  // Plain access from several networks and clients, IPv4 and IPv6, one in another account.
  // Client names and networks as the fold derives them: escapes, brackets, IPv6 forms, hostnames.
  const agents = ['Boto3/1.28.40 md/Botocore#1.31.40', '[aws-sdk-go/1.44.298 (go1.20.6; linux)]', 'terraform-provider-aws/5.16.1', '\u001b[31mevil-client/1.0', 'curl/8.1', '\u009b2Jcsi-tool/1', '  (Boto3/1.2 x)', '/leading', ')))'];
  const ips = ['10.20.30.40', '010.20.31.7', '198.51.100.23', '2001:db8:12:34::5', '2001:0DB8:0012:0000:0000:0000:0000:0001', 'AWS Internal', 'cloudformation.amazonaws.com', '::1', '::ffff:10.0.0.1', 'fe80::1%eth0', '[2001:db8::1]', '1:2:3:4:5:6:7::8', '1:2:3', 'X.Y'];
  for (let i = 0; i < 40; i += 1) {
    out.push(
      record(i * 37, ci, 's3.amazonaws.com', i % 2 === 0 ? 'PutObject' : 'GetObject', {
        sourceIPAddress: ips[i % ips.length],
        userAgent: agents[i % agents.length],
        recipientAccountId: i === 17 ? OTHER_ACCOUNT : ACCOUNT,
        requestParameters: { bucketName: 'kestrel-artifacts', key: `build/${i}.zip` },
      }),
    );
  }
  // More distinct actions and user agents than the fold keeps (DISTINCT_CAP = 64).
  for (let i = 0; i < 80; i += 1) {
    out.push(record(2000 + i, metrics, i % 3 === 0 ? 'monitoring.amazonaws.com' : 'cloudwatch.amazonaws.com', `GetMetric${String(79 - i).padStart(3, '0')}`, { userAgent: `metrics-agent-${i}/1.${i}` }));
  }
  // Same instant, two files' worth of ties: the fold keeps one of them by evidence order.
  out.push(record(2100, metrics, 'monitoring.amazonaws.com', 'GetMetricData'));
  out.push(record(2100, metrics, 'monitoring.amazonaws.com', 'GetMetricData', { sourceIPAddress: '10.9.9.9' }));
  // Failures: an error code, and a console login that failed.
  out.push(record(3000, ci, 's3.amazonaws.com', 'DeleteBucket', { errorCode: 'AccessDenied', errorMessage: 'denied' }));
  out.push(record(3001, tms, 'signin.amazonaws.com', 'ConsoleLogin', { responseElements: { ConsoleLogin: 'Failure' } }));
  // Interactive logins by an integration user: human use of a non-human identity.
  out.push(record(3002, tms, 'signin.amazonaws.com', 'ConsoleLogin', { responseElements: { ConsoleLogin: 'Success' } }));
  out.push(record(3500, tms, 'signin.amazonaws.com', 'ConsoleLogin', { responseElements: { ConsoleLogin: 'Success' }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' }));
  // Role sessions, session keys (never credentials), and role chaining.
  for (let i = 0; i < 6; i += 1) {
    out.push(record(4000 + i * 90, session('platform-bootstrap', `deploy-${i}`), 'cloudformation.amazonaws.com', 'DescribeStacks'));
  }
  out.push(
    record(4700, session('platform-bootstrap', 'deploy-9'), 'sts.amazonaws.com', 'AssumeRole', {
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/release-publisher`, roleSessionName: 'publish' },
    }),
  );
  out.push(record(4710, session('release-publisher', 'publish'), 'ecr.amazonaws.com', 'PutImage', { eventSource: 'api.ecr.amazonaws.com' }));
  // Key lifecycle: ci-deployer creates a key for edi-gateway, deactivates it, re-activates another, deletes one.
  out.push(
    record(5000, ci, 'iam.amazonaws.com', 'CreateAccessKey', {
      requestParameters: { userName: 'edi-gateway' },
      responseElements: { accessKey: { accessKeyId: 'AKIAEXAMPLEEDINEW001', status: 'Active', userName: 'edi-gateway', createDate: 'Oct 4, 2026 11:20:00 AM' } },
    }),
  );
  out.push(record(5010, user('edi-gateway', 'AKIAEXAMPLEEDINEW001'), 'sqs.amazonaws.com', 'SendMessage'));
  out.push(record(5100, ci, 'iam.amazonaws.com', 'UpdateAccessKey', { requestParameters: { userName: 'edi-gateway', accessKeyId: 'AKIAEXAMPLEEDINEW001', status: 'Inactive' } }));
  out.push(record(5110, ci, 'iam.amazonaws.com', 'UpdateAccessKey', { requestParameters: { userName: 'edi-gateway', accessKeyId: 'AKIAEXAMPLEEDIOLD001', status: 'Active' } }));
  out.push(record(5200, ci, 'iam.amazonaws.com', 'DeleteAccessKey', { requestParameters: { accessKeyId: 'AKIAEXAMPLECIDEPLOY0' } }));
  out.push(record(5300, ci, 'iam.amazonaws.com', 'DeleteAccessKey', { requestParameters: { accessKeyId: 'AKIAEXAMPLEMETRICS01', userName: 'metrics-reader' }, errorCode: 'NoSuchEntity' }));
  // The key keeps working after it was deactivated.
  out.push(record(6000, user('edi-gateway', 'AKIAEXAMPLEEDINEW001'), 'sqs.amazonaws.com', 'SendMessage'));
  // Identity deletions.
  out.push(record(6100, ci, 'iam.amazonaws.com', 'DeleteRole', { requestParameters: { roleName: 'invoice-renderer' } }));
  out.push(record(6200, ci, 'iam.amazonaws.com', 'DeleteUser', { requestParameters: { userName: 'retired-bot' } }));
  out.push(record(6201, session('platform-bootstrap', 'cleanup'), 'iam.amazonaws.com', 'DeleteUser', { requestParameters: {} }));
  // Service, root and federated callers, a record with no userIdentity, a credential named without identity.
  out.push(record(6300, { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' }, 'kms.amazonaws.com', 'Decrypt'));
  out.push(record(6400, { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOTEXAMPLE00001' }, 'iam.amazonaws.com', 'ListUsers'));
  out.push(
    record(6500, { type: 'FederatedUser', principalId: `${ACCOUNT}:partner`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner`, accountId: ACCOUNT, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:user/tms-integration` } } }, 's3.amazonaws.com', 'ListBucket'),
  );
  out.push(record(6600, undefined, 'health.amazonaws.com', 'DescribeEvents'));
  out.push(record(6700, { type: 'Unknown', accessKeyId: 'AKIAORPHANEXAMPLE001' }, 's3.amazonaws.com', 'GetObject'));
  // Records the adapter skips: no time, a bad time, no event name.
  out.push(record(6800, ci, 's3.amazonaws.com', 'GetObject', { eventTime: 'not a time' }));
  out.push(record(6801, ci, 's3.amazonaws.com', '', {}));
  return out;
}

/** Writes the delivery under `dir` (AWSLogs/…/CloudTrail/…) and returns the CloudTrail root. */
export async function writeCloudTrailBundle(dir: string): Promise<string> {
  const all = records();
  const root = path.join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'eu-central-1', '2026', '10');
  await mkdir(root, { recursive: true });
  const parts = [all.slice(0, 50), all.slice(50, 110), all.slice(110)];
  await writeFile(path.join(root, `${ACCOUNT}_CloudTrail_eu-central-1_20261001T0000Z_a.json.gz`), gzipSync(JSON.stringify({ Records: parts[0] })));
  await writeFile(path.join(root, `${ACCOUNT}_CloudTrail_eu-central-1_20261002T0000Z_b.json.gz`), gzipSync(JSON.stringify({ Records: parts[1] })));
  await writeFile(path.join(root, `${ACCOUNT}_CloudTrail_eu-central-1_20261003T0000Z_c.json`), JSON.stringify({ Records: parts[2] }, null, 1));
  return path.join(dir, 'AWSLogs');
}
