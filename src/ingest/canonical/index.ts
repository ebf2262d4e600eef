export { canonicalInventory } from './inventory.js';
export { canonicalEvents } from './events.js';
export { canonicalCsv, csvList } from './csv.js';
