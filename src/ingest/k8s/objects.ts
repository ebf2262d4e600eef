import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { refuseDeepNesting } from '../nesting.js';
import { InputError, type NormalizedRecord, type SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { INVALID, parseJson } from '../json-parse.js';
import { K8S_PROVIDER, serviceAccountId, text } from './common.js';
import { mapSecret, mapServiceAccount } from './identity-objects.js';
import { metadataOf, namespaceOf, type Mapping } from './object-metadata.js';
import { mapBinding, roleKey, roleRules, type RoleRules } from './rbac.js';

/*
 * k8s-objects: RBAC and identity objects as `kubectl get -o yaml|json` writes
 * them or as manifests hold them — single objects, multi-document YAML and
 * `kind: List` (or a typed `…List`). JSON is read by the YAML parser (JSON is
 * YAML), so both keep the line where each object starts.
 *
 * An adapter sees one file, so a binding's role is resolved from the roles in
 * the same file, then from the built-in ClusterRoles (bootstrap-roles.ts);
 * a role found in neither becomes a grant of `role:<Kind>/<name>` so the
 * binding is never silently lost. Secret `data` is never read.
 */


const OBJECT_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount', 'Secret'] as const;
const OBJECT_KIND_SET: ReadonlySet<string> = new Set(OBJECT_KINDS);
const API_VERSIONS = /^(?:v1|rbac\.authorization\.k8s\.io\/v1(?:beta1|alpha1)?)$/;

const KIND_WORDS = OBJECT_KINDS.join('|');
// Top-level (unindented) header lines; quotes and a trailing comment allowed.
const YAML_API_VERSION = /^apiVersion:[ \t]*(["']?)(?:v1|rbac\.authorization\.k8s\.io\/v1(?:beta1|alpha1)?)\1[ \t]*(?:#.*)?\r?$/m;
const YAML_OBJECT_KIND = new RegExp(`^kind:[ \\t]*(["']?)(?:${KIND_WORDS})(?:List)?\\1[ \\t]*(?:#.*)?\\r?$`, 'm');
const YAML_LIST_KIND = /^kind:[ \t]*(["']?)List\1[ \t]*(?:#.*)?\r?$/m;
// A list item's kind, indented and possibly after the `- ` of the item.
const YAML_ITEM_KIND = new RegExp(`^[ \\t]*(?:-[ \\t]+)?kind:[ \\t]*(["']?)(?:${KIND_WORDS})\\1[ \\t]*(?:#.*)?\\r?$`, 'm');
const JSON_FIRST_KEY_API_VERSION = /^\{\s*"apiVersion"\s*:\s*"(?:v1|rbac\.authorization\.k8s\.io\/v1(?:beta1|alpha1)?)"/;
const JSON_OBJECT_KIND = new RegExp(`"kind"\\s*:\\s*"(?:${KIND_WORDS})"`);

export const k8sObjects: Adapter = {
  id: 'k8s-objects',
  provider: K8S_PROVIDER,
  title: 'Kubernetes RBAC and identity objects (Role, ClusterRole, bindings, ServiceAccount, token Secret; YAML or JSON)',
  detection:
    'a YAML or JSON Kubernetes object (apiVersion v1 or rbac.authorization.k8s.io/*) of kind Role, ClusterRole, RoleBinding, ClusterRoleBinding, ServiceAccount or Secret, a multi-document YAML holding one, or a List of them',
  yields: ['identity', 'grant', 'credential'],
  detect: detectObjects,
  read: readObjects,
};

function detectObjects(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (head.startsWith('{')) return detectJson(head, sniff.complete);
  if (!YAML_API_VERSION.test(sniff.head)) return false;
  if (YAML_OBJECT_KIND.test(sniff.head)) return true;
  return YAML_LIST_KIND.test(sniff.head) && YAML_ITEM_KIND.test(sniff.head);
}

function detectJson(head: string, complete: boolean): boolean {
  if (complete) {
    const value = parseJson(head);
    return value !== INVALID && isMapping(value) && isOurDocument(value);
  }
  // kubectl sorts keys, so a large List starts with apiVersion and names its kind only at the end.
  return JSON_FIRST_KEY_API_VERSION.test(head) && JSON_OBJECT_KIND.test(head) && !head.includes('"auditID"');
}

function isOurDocument(value: Mapping): boolean {
  const kind = text(value['kind']);
  const apiVersion = text(value['apiVersion']);
  if (kind === null || apiVersion === null || !API_VERSIONS.test(apiVersion)) return false;
  if (OBJECT_KIND_SET.has(kind)) return true;
  const items = value['items'];
  return kind.endsWith('List') && Array.isArray(items) && items.some((item) => isMapping(item) && OBJECT_KIND_SET.has(String(item['kind'])));
}

/** One object of the file with where it starts. */
interface Located {
  readonly value: Mapping;
  readonly source: SourceRef;
}

async function* readObjects(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const objects = collectObjects(await input.text(), input.display, ctx);

  // Roles first: a binding may come before the role it names.
  const roles = new Map<string, RoleRules>();
  for (const { value, source } of objects) {
    const kind = value['kind'];
    if (kind !== 'Role' && kind !== 'ClusterRole') continue;
    const rules = roleRules(value);
    if (typeof rules === 'string') {
      ctx.skip(source.line, `${kind}: ${rules}`);
      continue;
    }
    const name = text(metadataOf(value)['name']);
    if (name === null) {
      ctx.skip(source.line, `${kind}: metadata.name is required`);
      continue;
    }
    roles.set(roleKey(kind, namespaceOf(value), name), { rules });
  }
  // Service accounts defined here are announced from their own object (with its creation time), not from subjects.
  const announced = new Set<string>();
  for (const { value } of objects) {
    const name = text(metadataOf(value)['name']);
    if (value['kind'] === 'ServiceAccount' && name !== null) announced.add(serviceAccountId(namespaceOf(value), name));
  }

  for (const { value, source } of objects) {
    const kind = value['kind'];
    let mapped: NormalizedRecord[] | string;
    switch (kind) {
      case 'ServiceAccount':
        mapped = mapServiceAccount(value, source);
        break;
      case 'Secret':
        mapped = mapSecret(value, source);
        break;
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        mapped = mapBinding(kind, value, source, roles, announced);
        break;
      default:
        // Roles were read above; other kinds (a Deployment in a manifest) are not ours.
        continue;
    }
    if (typeof mapped === 'string') {
      ctx.skip(source.line, `${String(kind)}: ${mapped}`);
      continue;
    }
    yield* mapped;
  }
}

/**
 * Parses every document and flattens Lists into their items, each with its
 * line (and `/items/<n>` pointer, since a compact JSON List is one line).
 */
function collectObjects(source: string, display: string, ctx: AdapterContext): Located[] {
  refuseDeepNesting(source, display);
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source, { lineCounter, prettyErrors: false });
  if (!Array.isArray(parsed)) return [];
  const docs: readonly Document.Parsed[] = parsed;
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const syntax = source.trimStart().startsWith('{') ? 'JSON' : 'YAML';
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      // Our wording around the parser's short message: its "pretty" form quotes the source line.
      const offset = Math.max(0, Math.min(error.pos[0], source.length - 1));
      throw new InputError(`${syntax} syntax error: ${error.message}`, display, lineAt(offset));
    }
  }

  const out: Located[] = [];
  for (const [index, doc] of docs.entries()) {
    const contents = doc.contents;
    if (contents === null) continue;
    const docLine = lineAt(contents.range[0]);
    const name = docs.length > 1 ? `document ${index + 1}` : 'document';
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      throw new InputError(`${name}: too many alias references`, display, docLine);
    }
    if (!isMapping(value)) {
      ctx.skip(docLine, `${name}: expected a Kubernetes object, got ${describeType(value)}`);
      continue;
    }
    const kind = text(value['kind']);
    const items = value['items'];
    if (kind !== null && kind.endsWith('List') && Array.isArray(items)) {
      const itemLines = listItemLines(contents, lineAt);
      for (const [i, item] of items.entries()) {
        const line = itemLines[i] ?? docLine;
        if (!isMapping(item)) {
          ctx.skip(line, `items[${i}]: expected a Kubernetes object, got ${describeType(item)}`);
          continue;
        }
        out.push({ value: item, source: { file: display, line, pointer: `/items/${i}` } });
      }
      continue;
    }
    out.push({ value, source: { file: display, line: docLine } });
  }
  return out;
}

/** The start line of each element of the top-level `items` sequence. */
function listItemLines(contents: unknown, lineAt: (offset: number) => number): number[] {
  if (!isMap(contents)) return [];
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'items');
  if (pair === undefined || !isSeq(pair.value)) return [];
  return pair.value.items.map((item) => {
    const start = (item as { range?: readonly number[] } | null)?.range?.[0];
    return start === undefined ? 0 : lineAt(start);
  });
}

