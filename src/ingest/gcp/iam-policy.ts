import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { refuseDeepNesting } from '../nesting.js';
import { InputError, type NormalizedRecord, type SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { dedupedPolicyRecords, list, mapping, policyRecords, policyTarget, text, type Fields } from './common.js';

/*
 * gcp-iam-policy: `gcloud projects get-iam-policy PROJECT --format=json` (and
 * the folder / organisation / resource variants), a small document parsed
 * whole — by the YAML parser, so each binding keeps its line. A bare policy
 * does not name what it is attached to, so its grants have no tenant; the
 * asset form (`{name|resource, iamPolicy|iam_policy|policy}`, also as a list,
 * e.g. `gcloud asset search-all-iam-policies --format=json`) names it.
 */

export const gcpIamPolicy: Adapter = {
  id: 'gcp-iam-policy',
  provider: 'gcp',
  title: 'GCP IAM policy (gcloud get-iam-policy JSON)',
  detection:
    'a JSON object (or a list of them) with "bindings" holding "role" and "members", bare or under ' +
    '"policy"/"iamPolicy"/"iam_policy" beside a resource name, and no Cloud Asset "asset_type"/"assetType"',
  yields: ['identity', 'grant'],
  detect: detectIamPolicy,
  read: readIamPolicy,
};

const BINDINGS = /"bindings"\s*:\s*\[/;
const MEMBERS = /"members"\s*:\s*\[/;
const ROLE = /"role"\s*:\s*"/;
const ASSET_TYPE = /"asset_?[tT]ype"\s*:/;

function detectIamPolicy(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (!head.startsWith('{') && !head.startsWith('[')) return false;
  return BINDINGS.test(head) && MEMBERS.test(head) && ROLE.test(head) && !ASSET_TYPE.test(head);
}

const POLICY_KEYS = ['policy', 'iamPolicy', 'iam_policy'] as const;

/** The policy inside an entry: the entry itself when it has bindings, else under a policy key. */
function policyIn(entry: Fields): { policy: Fields; key: string | null } | undefined {
  if (Array.isArray(entry['bindings']) || entry['etag'] !== undefined) return { policy: entry, key: null };
  for (const key of POLICY_KEYS) {
    const policy = mapping(entry[key]);
    if (policy !== undefined) return { policy, key };
  }
  return undefined;
}

async function* readIamPolicy(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const source = await input.text();
  refuseDeepNesting(source, input.display);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const error = doc.errors[0];
  if (error !== undefined) {
    const offset = Math.max(0, Math.min(error.pos[0], source.length - 1));
    throw new InputError(`JSON syntax error: ${error.message}`, input.display, lineAt(offset));
  }
  const root: unknown = doc.toJS({ maxAliasCount: 0 });
  const entries = Array.isArray(root) ? root : [root];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const path: (string | number)[] = Array.isArray(root) ? [index] : [];
    const where = Array.isArray(root) ? `[${index}]` : '';
    const entryLine = lineOfPath(doc, path, lineAt);
    const fields = mapping(entry);
    if (fields === undefined) {
      ctx.skip(entryLine, `${where || 'document'}: expected a JSON object, got ${describeType(entry)}`);
      continue;
    }
    const found = policyIn(fields);
    if (found === undefined) {
      ctx.skip(entryLine, `${where || 'document'}: no IAM policy (bindings) found`);
      continue;
    }
    const name = text(fields['name']) ?? text(fields['resource']);
    const ancestors = [...list(fields['ancestors']), fields['project']];
    const target = found.key === null ? { project: null, resource: null } : policyTarget(name, ancestors);
    const policyPath = found.key === null ? path : [...path, found.key];
    const pointer = (i: number): string => `${where}${found.key === null ? '' : `.${found.key}`}.bindings[${i}]`.replace(/^\./, '');
    const at = (i: number): SourceRef => ({
      file: input.display,
      line: lineOfPath(doc, [...policyPath, 'bindings', i], lineAt),
      pointer: pointer(i),
    });
    const skip = (ref: SourceRef, message: string): void => ctx.skip(ref.line, `${ref.pointer ?? ''}: ${message}`);
    yield* dedupedPolicyRecords(policyRecords(found.policy, target, at, skip), seen);
  }
}

/** The line a node starts on; 1 when the path does not lead to a node. */
function lineOfPath(doc: Document, path: readonly (string | number)[], lineAt: (offset: number) => number): number {
  const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  const start = isNode(node) ? node.range?.[0] : undefined;
  return start === undefined ? 1 : lineAt(start);
}
