/**
 * The copy of the repository the mutants are applied to: the files git would see (tracked, plus new files not
 * ignored, as they are in the working tree now) under a temporary directory, with `node_modules` linked to the
 * real one. The working tree itself is never written to.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Mutant } from './catalogue';

export interface Sandbox {
  /** The temporary directory: `repo/` (the copy) and `logs/` (one jest log per run). */
  root: string;
  /** Root of the copy; jest runs here. */
  repo: string;
  logs: string;
  remove(): Promise<void>;
}

/** Copies `repoRoot` into a new temporary directory. */
export async function createSandbox(repoRoot: string): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tencent-batch-recovery-mutants-'));
  const repo = path.join(root, 'repo');
  const logs = path.join(root, 'logs');
  if (!path.relative(repoRoot, root).startsWith('..')) {
    throw new Error(`the sandbox ${root} lies inside the repository ${repoRoot}`);
  }
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '');
  await mkdir(logs, { recursive: true });
  for (const file of files) {
    const from = path.join(repoRoot, file);
    // Tracked but deleted in the working tree: the copy is of the tree as it is.
    if (!existsSync(from)) continue;
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await copyFile(from, path.join(repo, file));
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
  return { root, repo, logs, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Every problem with the catalogue against the copy, all at once: duplicate IDs, missing files, searches not found exactly once. */
export async function catalogueProblems(repo: string, mutants: readonly Mutant[]): Promise<string[]> {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const m of mutants) {
    if (ids.has(m.id)) problems.push(`${m.id}: the id is used twice`);
    ids.add(m.id);
    if (m.search === m.replace) problems.push(`${m.id}: the replacement equals the search string`);
    if (m.tests.length === 0) problems.push(`${m.id}: names no test`);
    for (const test of m.tests) {
      if (!existsSync(path.join(repo, test))) problems.push(`${m.id}: test ${test} does not exist`);
    }
    const file = path.join(repo, m.file);
    if (!existsSync(file)) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const count = (await readFile(file, 'utf8')).split(m.search).length - 1;
    if (count !== 1) problems.push(`${m.id}: the search string occurs ${count} times in ${m.file}, not once`);
  }
  return problems;
}

/**
 * Applies `mutant` to the copy, runs `body`, and restores the file whatever happens (checked: the file reads back
 * as it was), so that each mutant runs alone.
 */
export async function withMutant<T>(repo: string, mutant: Mutant, body: () => Promise<T>): Promise<T> {
  const file = path.join(repo, mutant.file);
  const original = await readFile(file, 'utf8');
  const [before, after, ...rest] = original.split(mutant.search);
  if (before === undefined || after === undefined || rest.length > 0) {
    throw new Error(`${mutant.id}: the search string is not in ${mutant.file} exactly once`);
  }
  const restore = async (): Promise<void> => {
    await writeFile(file, original);
    if ((await readFile(file, 'utf8')) !== original) {
      throw new Error(`${mutant.id}: ${mutant.file} could not be restored in the sandbox`);
    }
  };
  await writeFile(file, before + mutant.replace + after);
  let result: T;
  try {
    result = await body();
  } catch (error) {
    await restore();
    throw error;
  }
  await restore();
  return result;
}
