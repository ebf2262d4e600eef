import type { NormalizedRecord } from '../model/index.js';
import { InventoryBuilder, type Inventory } from './inventory.js';
import { UsageFold } from './usage.js';
import { CorrelatedUsage } from './usage-view.js';
import type { UsageView } from './views.js';

export type * from './views.js';
export { Inventory, InventoryBuilder } from './inventory.js';
export { UsageFold, type FoldData } from './usage.js';
export { UsageAccumulator } from './accumulator.js';

/**
 * Receives normalized records in any order: inventory records are indexed,
 * events are folded and dropped. `finish()` correlates the two.
 */
export class Correlator {
  private readonly inventory = new InventoryBuilder();
  private fold = new UsageFold();

  add(entry: NormalizedRecord): void {
    if (entry.kind === 'event') {
      this.fold.add(entry.record);
      this.inventory.sawEvents();
    } else if (entry.kind === 'usage-summary') {
      this.fold.addSummary(entry.record);
      this.inventory.sawEvents();
    } else {
      this.inventory.add(entry);
    }
  }

  /** Joins a fold made elsewhere (another worker) into this one. */
  mergeFold(fold: UsageFold): void {
    // The first worker's fold becomes ours as it is: merging it into an empty one would copy every key.
    if (this.fold.coverage() === null && this.fold.byIdentityRef.size === 0 && this.fold.byCredential.size === 0) this.fold = fold;
    else this.fold.merge(fold);
    if (fold.coverage() !== null) this.inventory.sawEvents();
  }

  finish(): { inventory: Inventory; usage: UsageView } {
    const inventory = this.inventory.freeze();
    return { inventory, usage: new CorrelatedUsage(this.fold, inventory) };
  }
}
