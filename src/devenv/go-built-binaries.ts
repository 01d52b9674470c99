import { rename, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { buildCacheEntryOnce } from './cache-build';
import { isExecutableFile } from './executable-file';
import type { ProgressLog } from './progress';
import { probeCommand, runLongProcess } from './run-process';

/** Go commands of one module version, built together into one cache entry. */
export interface GoBuiltBinaries<File extends string> {
  /** Cache directory of the entry, e.g. `<cacheRoot>/temporal-server-1.29.1`. */
  cacheDir: string;
  /** What the entry is, for progress lines: `Temporal server 1.29.1`. */
  title: string;
  /** Module version every package is installed at (`v` prefix included). */
  version: string;
  /** Go package path → file name in the cache (go install names a binary after its package's last element). */
  packages: Readonly<Record<string, File>>;
}

/**
 * The binaries of `spec` in its cache entry, built there with `go install` from the Go module proxy the first
 * time (once per machine: under the cache lock, into a temporary directory renamed into place when complete).
 * Resolves with the path of each binary, by file name.
 */
export async function goBuiltBinaries<File extends string>(
  spec: GoBuiltBinaries<File>,
  log: ProgressLog,
): Promise<Record<File, string>> {
  const files = Object.values<File>(spec.packages);
  const paths = Object.fromEntries(files.map((file) => [file, path.join(spec.cacheDir, file)])) as Record<
    File,
    string
  >;
  const last = files[files.length - 1];
  if (last === undefined) throw new Error(`${spec.title}: no package to build`);
  let goVersion = '';
  await buildCacheEntryOnce({
    finalDir: spec.cacheDir,
    // Renamed last, so its presence means every binary is there.
    executable: path.join(spec.cacheDir, last),
    purpose: `building ${spec.title}`,
    log,
    checkTools: async () => {
      const found = await probeCommand('go', ['env', 'GOVERSION']);
      if (found === undefined)
        throw new Error(`\`go\` is not on PATH (Go 1.25 or newer builds ${spec.title})`);
      goVersion = found;
    },
    announce: () =>
      `building ${spec.title} from source with ${goVersion} into ${spec.cacheDir} ` +
      '(first run on this machine only; downloads Go modules and compiles for a few minutes)',
    build: async (workDir) => {
      const installDir = path.join(workDir, 'go-install');
      for (const pkg of Object.keys(spec.packages)) {
        await runLongProcess('go', ['install', `${pkg}@${spec.version}`], {
          cwd: workDir,
          // CGO off: static binaries that need no C toolchain.
          env: { ...process.env, CGO_ENABLED: '0', GOBIN: installDir },
          log,
          label: `go install ${pkg}`,
        });
        const file = spec.packages[pkg] ?? '';
        await rename(path.join(installDir, path.basename(pkg)), path.join(workDir, file));
      }
      await rmdir(installDir);
    },
  });
  for (const [file, binary] of Object.entries<string>(paths)) {
    if (!(await isExecutableFile(binary)))
      throw new Error(`${spec.title}: ${file} missing from ${spec.cacheDir}`);
  }
  return paths;
}
