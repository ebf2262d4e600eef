import type { CappedSetView } from './views.js';

/**
 * A set of distinct strings that stops growing at `cap`, so that memory
 * follows identities, not log volume. Once full it keeps the `cap` smallest
 * values and remembers that more were seen: which values survive then does
 * not depend on the order events arrived in, so folds merged from several
 * files or workers give the same report as one pass.
 */
export class CappedSet {
  private readonly values = new Set<string>();
  private overflowed = false;
  /** Largest kept value, cached while full; undefined when it must be recomputed. */
  private largest: string | undefined;

  constructor(private readonly cap: number) {}

  add(value: string): void {
    if (this.values.has(value)) return;
    if (this.values.size < this.cap) {
      this.values.add(value);
      this.largest = undefined;
      return;
    }
    this.overflowed = true;
    const largest = this.largestValue();
    if (largest !== undefined && value < largest) {
      this.values.delete(largest);
      this.values.add(value);
      this.largest = undefined;
    }
  }

  /** Union; used when partial folds (from files, workers or aliases) are combined. */
  merge(other: CappedSet): void {
    for (const value of other.values) this.add(value);
    if (other.overflowed) this.overflowed = true;
  }

  view(): CappedSetView {
    return { values: [...this.values].sort(), size: this.values.size, overflow: this.overflowed };
  }

  private largestValue(): string | undefined {
    if (this.largest === undefined) {
      for (const value of this.values) {
        if (this.largest === undefined || value > this.largest) this.largest = value;
      }
    }
    return this.largest;
  }
}
