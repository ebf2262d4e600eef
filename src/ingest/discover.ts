import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../model/index.js';

/** A file to read: where it is, and how messages and evidence name it. */
export interface DiscoveredFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the working directory with `/` separators; absolute when outside it. */
  readonly display: string;
}

const IGNORED_DIRECTORY = 'node_modules';
/** Notes kept beside exports (README.md, findings.md): no provider exports Markdown. Named explicitly, they are still read. */
const IGNORED_IN_DIRECTORIES = '**/*.md';

/**
 * Expands command-line arguments into the files to read. Each argument is a
 * file, a directory (recursed, skipping dotfiles, dot-directories,
 * node_modules and Markdown notes) or a glob. The result is deduplicated and sorted by display
 * path so that runs are deterministic whatever the argument order or the
 * file system's listing order.
 */
export async function discover(patterns: readonly string[], cwd: string): Promise<DiscoveredFile[]> {
  const found = new Map<string, DiscoveredFile>();
  const add = (absolute: string): void => {
    if (!found.has(absolute)) found.set(absolute, { path: absolute, display: displayPath(absolute, cwd) });
  };

  for (const pattern of patterns) {
    const absolute = resolve(cwd, pattern);
    const info = await statOrUndefined(absolute, pattern);
    if (info?.isDirectory() === true) {
      const files = await fg('**/*', {
        cwd: absolute,
        absolute: true,
        onlyFiles: true,
        dot: false,
        ignore: [`**/${IGNORED_DIRECTORY}/**`, IGNORED_IN_DIRECTORIES],
      });
      if (files.length === 0) throw new UsageError(`directory contains no input files: ${pattern}`);
      for (const file of files) add(resolve(file));
    } else if (info !== undefined) {
      // Files, but also FIFOs and devices: the user named them explicitly.
      add(absolute);
    } else if (fg.isDynamicPattern(pattern)) {
      const mentionsIgnored = pattern.split(/[\\/]/).includes(IGNORED_DIRECTORY);
      const files = await fg(pattern, {
        cwd,
        absolute: true,
        onlyFiles: true,
        dot: false,
        ignore: mentionsIgnored ? [] : [`**/${IGNORED_DIRECTORY}/**`],
      });
      if (files.length === 0) throw new UsageError(`pattern matched no files: ${pattern}`);
      for (const file of files) add(resolve(file));
    } else {
      throw new UsageError(`no such file or directory: ${pattern}`);
    }
  }

  // Code-unit order, not localeCompare: the same on every machine and locale.
  return [...found.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
}

/** `display` for an absolute path: relative to cwd with `/`, or absolute when outside cwd. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  const outside = rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  const shown = outside ? absolute : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

async function statOrUndefined(path: string, shown: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    // Missing is answered by the caller (maybe it is a glob); anything else (EACCES…) is the user's to fix.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot access ${shown}: ${code ?? 'unknown error'}`);
  }
}
