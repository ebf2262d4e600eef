/*
 * Every built-in rule's logic, sorted by id. Metadata lives in rules/<id>.yaml;
 * a meta-test checks that the two sets match.
 */
import type { RuleLogic } from '../engine/rule-api.js';
import { rule as appr001 } from './NHI-APPR-001.js';
import { rule as life001 } from './NHI-LIFE-001.js';
import { rule as priv001 } from './NHI-PRIV-001.js';
import { rule as share001 } from './NHI-SHARE-001.js';
import { rule as token001 } from './NHI-TOKEN-001.js';

// `never` params: each rule declares its own param shape; the engine passes YAML-validated values.
export const RULES: readonly RuleLogic<never>[] = [appr001, life001, priv001, share001, token001];
