import type { Event, NormalizedRecord } from '../model/index.js';
import { InventoryBuilder, type Inventory } from './inventory.js';
import type { EventFacts } from './event-facts.js';
import { UsageFold } from './usage.js';
import { CorrelatedUsage } from './usage-view.js';
import type { UsageView } from './views.js';

export type * from './views.js';
export { Inventory, InventoryBuilder } from './inventory.js';
export { UsageFold } from './usage.js';
export { UsageAccumulator } from './accumulator.js';
export { NumberedFacts, type EventFacts } from './event-facts.js';

/**
 * Receives normalized records in any order: inventory records are indexed,
 * events are folded and dropped. `finish()` correlates the two.
 */
export class Correlator {
  private readonly inventory = new InventoryBuilder();
  private readonly fold = new UsageFold();

  add(entry: NormalizedRecord): void {
    if (entry.kind === 'event') {
      this.addEvent(entry.record);
    } else if (entry.kind === 'usage-summary') {
      this.fold.addSummary(entry.record);
      this.inventory.sawEvents();
    } else {
      this.inventory.add(entry);
    }
  }

  /** `facts`: what eventFacts gives, when the caller derived them already (NumberedFacts). */
  addEvent(event: Event, facts?: EventFacts): void {
    this.fold.add(event, facts);
    this.inventory.sawEvents();
  }

  finish(): { inventory: Inventory; usage: UsageView } {
    const inventory = this.inventory.freeze();
    return { inventory, usage: new CorrelatedUsage(this.fold, inventory) };
  }
}
