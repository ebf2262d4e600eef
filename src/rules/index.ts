/*
 * Every built-in rule's logic, sorted by id. Metadata lives in rules/<id>.yaml;
 * a meta-test checks that the two sets match.
 */
import type { RuleLogic } from '../engine/rule-api.js';
import { rule as appr001 } from './NHI-APPR-001.js';
import { rule as corr001 } from './NHI-CORR-001.js';
import { rule as cred001 } from './NHI-CRED-001.js';
import { rule as cred002 } from './NHI-CRED-002.js';
import { rule as cred003 } from './NHI-CRED-003.js';
import { rule as cred004 } from './NHI-CRED-004.js';
import { rule as cred005 } from './NHI-CRED-005.js';
import { rule as deleg001 } from './NHI-DELEG-001.js';
import { rule as deleg002 } from './NHI-DELEG-002.js';
import { rule as env001 } from './NHI-ENV-001.js';
import { rule as human001 } from './NHI-HUMAN-001.js';
import { rule as life001 } from './NHI-LIFE-001.js';
import { rule as life002 } from './NHI-LIFE-002.js';
import { rule as life003 } from './NHI-LIFE-003.js';
import { rule as own001 } from './NHI-OWN-001.js';
import { rule as priv001 } from './NHI-PRIV-001.js';
import { rule as priv002 } from './NHI-PRIV-002.js';
import { rule as priv003 } from './NHI-PRIV-003.js';
import { rule as priv004 } from './NHI-PRIV-004.js';
import { rule as scope001 } from './NHI-SCOPE-001.js';
import { rule as secret001 } from './NHI-SECRET-001.js';
import { rule as share001 } from './NHI-SHARE-001.js';
import { rule as tenant001 } from './NHI-TENANT-001.js';
import { rule as third001 } from './NHI-THIRD-001.js';
import { rule as token001 } from './NHI-TOKEN-001.js';
import { rule as token002 } from './NHI-TOKEN-002.js';
import { rule as token003 } from './NHI-TOKEN-003.js';
import { rule as trust001 } from './NHI-TRUST-001.js';

// `never` params: each rule declares its own param shape; the engine passes YAML-validated values.
export const RULES: readonly RuleLogic<never>[] = [
  appr001, corr001, cred001, cred002, cred003, cred004, cred005, deleg001, deleg002, env001, human001, life001, life002, life003, own001,
  priv001, priv002, priv003, priv004, scope001, secret001, share001, tenant001, third001, token001, token002, token003, trust001,
];
