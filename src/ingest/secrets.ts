import type { SecretSighting } from '../model/index.js';
import { SecretScanner } from './secrets/scanner.js';
import type { TextObserver, TextReader } from './source.js';

/*
 * Raw secret detection for one input file. It rides along with the reads the
 * adapter makes anyway (as a TextObserver on the decoded text), so a file is
 * not read twice just to be scanned; ingest asks for a dedicated read only
 * when no read reached the end of the file. A file read more than once
 * (sniff, then the adapter) yields each sighting once: they are kept per
 * (line, detector, hash).
 */

export { SECRET_DETECTORS, type SecretDetector } from './secrets/detectors.js';
export { findSecrets, maskSecret, secretHash } from './secrets/scanner.js';

/**
 * Sightings kept per file. A file full of secrets (a dump of a secrets store)
 * needs rotating as a whole; past this many, more only adds memory.
 */
export const MAX_SIGHTINGS_PER_FILE = 1000;

export class FileSecrets implements TextObserver {
  private readonly found = new Map<string, SecretSighting>();
  private completed = false;

  constructor(private readonly display: string) {}

  /** True once some read has passed the whole file through detection. */
  get complete(): boolean {
    return this.completed;
  }

  open(): TextReader {
    const scanner = new SecretScanner(this.display, (sighting) => this.add(sighting));
    return {
      text: (chunk) => scanner.push(chunk),
      end: () => {
        scanner.end();
        this.completed = true;
      },
    };
  }

  /** Sightings in line order, then detector and hash: the order reports list them. */
  sightings(): SecretSighting[] {
    return [...this.found.values()].sort(
      (a, b) => a.source.line - b.source.line || compare(a.detector, b.detector) || compare(a.hash, b.hash),
    );
  }

  private add(sighting: SecretSighting): void {
    const key = `${sighting.source.line}\u0000${sighting.detector}\u0000${sighting.hash}`;
    if (!this.found.has(key) && this.found.size < MAX_SIGHTINGS_PER_FILE) this.found.set(key, sighting);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
