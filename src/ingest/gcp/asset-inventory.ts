import type { NormalizedRecord, SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import {
  dedupedPolicyRecords,
  field,
  keyCredential,
  list,
  mapping,
  policyRecords,
  policyTarget,
  projectOf,
  serviceAccountAliases,
  serviceAccountIdentity,
  serviceAccountOf,
  text,
  type Fields,
} from './common.js';

/*
 * gcp-asset-inventory: Cloud Asset Inventory exports, one asset per line
 * (`gcloud asset export --content-type=iam-policy|resource`, NDJSON) or as a
 * JSON array. IAM-policy assets give grants for their service-account members;
 * resource assets give service accounts (identities) and their keys
 * (credentials). Every other asset type is passed over. Both field spellings
 * are read: `asset_type`/`iam_policy` (gcloud export) and `assetType`/`iamPolicy` (API).
 */

export const gcpAssetInventory: Adapter = {
  id: 'gcp-asset-inventory',
  provider: 'gcp',
  title: 'GCP Cloud Asset Inventory export (IAM policies, service accounts, keys)',
  detection:
    'NDJSON or a JSON array whose first record has "asset_type" or "assetType" (a *.googleapis.com or k8s.io asset type) and a "name"',
  yields: ['identity', 'grant', 'credential'],
  detect: detectAssets,
  read: readAssets,
};

const SERVICE_ACCOUNT = 'iam.googleapis.com/ServiceAccount';
const SERVICE_ACCOUNT_KEY = 'iam.googleapis.com/ServiceAccountKey';
const ASSET_TYPE_VALUE = /^[a-z0-9.-]+\.(?:googleapis\.com|k8s\.io)\/[A-Za-z]+$/;
const CUT_OFF_ASSET = /"asset_?[tT]ype"\s*:\s*"[a-z0-9.-]+\.(?:googleapis\.com|k8s\.io)\/[A-Za-z]+"/;

function detectAssets(sniff: Sniff): boolean {
  const first = firstJsonRecord(sniff.head);
  if (first !== undefined) {
    const record = mapping(first.value);
    if (record === undefined) return false;
    const type = text(field(record, 'asset_type'));
    return type !== null && ASSET_TYPE_VALUE.test(type) && typeof record['name'] === 'string';
  }
  // A first asset longer than the head cannot be parsed; its opening fields still tell.
  return !sniff.complete && jsonLayout(sniff.head) !== undefined && CUT_OFF_ASSET.test(sniff.head);
}

async function* readAssets(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const array = jsonLayout(ctx.sniff.head) === 'array';
  const seen = new Set<string>();
  for await (const { value, line, index } of jsonRecords(input, ctx)) {
    const where = array ? `[${index}]` : '';
    const prefix = where === '' ? '' : `${where}: `;
    const asset = mapping(value);
    if (asset === undefined) {
      ctx.skip(line, `${prefix}expected a JSON object, got ${describeType(value)}`);
      continue;
    }
    const assetType = text(field(asset, 'asset_type'));
    if (assetType === null) {
      ctx.skip(line, `${prefix}asset_type (or assetType) is required`);
      continue;
    }
    const resourceField = asset['resource'];
    const name = text(asset['name']) ?? text(resourceField);
    const at = (pointer: string): SourceRef => ({ file: input.display, line, pointer: `${where}${where === '' ? '' : '.'}${pointer}` });
    const record: SourceRef = array ? { file: input.display, line, pointer: where } : { file: input.display, line };

    const policyKey = ['iam_policy', 'iamPolicy', 'policy'].find((key) => mapping(asset[key]) !== undefined);
    const policy = policyKey === undefined ? undefined : mapping(asset[policyKey]);
    if (policyKey !== undefined && policy !== undefined) {
      const target = policyTarget(name, list(asset['ancestors']));
      yield* dedupedPolicyRecords(
        policyRecords(
          policy,
          target,
          (i) => at(`${policyKey}.bindings[${i}]`),
          (ref, message) => ctx.skip(line, `${ref.pointer ?? ''}: ${message}`),
        ),
        seen,
      );
    }

    const data = mapping(mapping(resourceField)?.['data']);
    if (data === undefined) continue;
    if (assetType === SERVICE_ACCOUNT) {
      const problem = yield* serviceAccountRecords(data, name, asset, record, seen);
      if (problem !== undefined) ctx.skip(line, `${prefix}${problem}`);
    } else if (assetType === SERVICE_ACCOUNT_KEY) {
      const credential = keyCredential(data, name, record);
      if (typeof credential === 'string') ctx.skip(line, `${prefix}resource.data.${credential}`);
      else yield { kind: 'credential', record: credential };
    }
  }
}

/** A ServiceAccount asset → its Identity, with every name other sources use for it as an alias. */
function* serviceAccountRecords(
  data: Fields,
  assetName: string | null,
  asset: Fields,
  source: SourceRef,
  seen: Set<string>,
): Generator<NormalizedRecord, string | undefined> {
  const resourceName = text(data['name']);
  const fromName = serviceAccountOf(resourceName);
  const email = text(data['email']) ?? (fromName?.includes('@') === true ? fromName : null);
  if (email === null) return 'resource.data.email is required';
  const project = text(data['projectId']) ?? projectOf(resourceName) ?? projectOf(assetName) ?? projectOf(text(mapping(asset['resource'])?.['parent']));
  const uniqueId = text(data['uniqueId']);
  // The asset name ends in the unique id; key assets name their account that way too.
  const assetId = serviceAccountOf(assetName);
  const aliases = serviceAccountAliases(email, project, resourceName, uniqueId, text(data['oauth2ClientId']), assetId);
  const disabled = data['disabled'] === true;
  seen.add(email);
  yield {
    kind: 'identity',
    record: serviceAccountIdentity(email, source, {
      tenant: project,
      aliases,
      status: disabled ? 'disabled' : 'active',
      displayName: text(data['displayName']),
    }),
  };
  return undefined;
}
