/**
 * The check the worker makes before it polls: the namespace must have the package's search attributes with
 * their types. Without them every workflow task fails (the workflows set them at start and upsert them), forever,
 * with nothing in the worker's own output; so the worker refuses to start and says how to create them.
 */
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../shared/constants';

/** gRPC status codes (as @grpc/grpc-js `status`) of servers that will not list search attributes. */
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNIMPLEMENTED = 12;

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** Search attribute types by the names the CLI and `tcld` take. */
const TYPE_NAMES: Readonly<Record<string, IndexedValueType>> = {
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** One search attribute that is missing or has another type. */
export interface SearchAttributeProblem {
  name: string;
  expected: string;
  /** The registered type's name; undefined when the attribute is missing. */
  actual?: string;
}

/** The namespace lacks the package's search attributes (or has them with other types). */
export class NamespaceSetupError extends Error {
  override readonly name = 'NamespaceSetupError';

  constructor(
    readonly namespace: string,
    readonly problems: readonly SearchAttributeProblem[],
  ) {
    super(namespaceSetupMessage(namespace, problems));
  }
}

/** The search attribute problems of `registered` (name → type) against the package's definitions. */
export function searchAttributeProblems(
  registered: Readonly<Record<string, IndexedValueType | string | null | undefined>>,
  expected: Readonly<Record<string, string>> = SEARCH_ATTRIBUTE_DEFINITIONS,
): SearchAttributeProblem[] {
  const problems: SearchAttributeProblem[] = [];
  for (const [name, type] of Object.entries(expected)) {
    const actual = registered[name];
    if (actual === undefined || actual === null) problems.push({ name, expected: type });
    else if (typeNameOf(actual) !== type) problems.push({ name, expected: type, actual: typeNameOf(actual) });
  }
  return problems;
}

function typeNameOf(value: IndexedValueType | string): string {
  if (typeof value === 'string') return value.replace(/^INDEXED_VALUE_TYPE_/, '');
  return Object.entries(TYPE_NAMES).find(([, v]) => v === value)?.[0] ?? `type ${value}`;
}

/**
 * Checks the namespace's search attributes through the operator service.
 * @throws {NamespaceSetupError} naming the commands that create what is missing.
 * @returns false when the server would not say (no permission, or not implemented): the caller warns and goes on.
 */
export async function checkNamespaceSetup(connection: NativeConnection, namespace: string): Promise<boolean> {
  let registered: Record<string, IndexedValueType>;
  try {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    registered = listed.customAttributes ?? {};
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === GRPC_PERMISSION_DENIED || code === GRPC_UNIMPLEMENTED) return false;
    throw err;
  }
  const problems = searchAttributeProblems(registered);
  if (problems.length > 0) throw new NamespaceSetupError(namespace, problems);
  return true;
}

/**
 * What to tell the operator. Temporal CLI 1.5.1 takes one `--type` per command (a repeated `--type` keeps the
 * last), so each attribute gets its own command.
 */
export function namespaceSetupMessage(
  namespace: string,
  problems: readonly SearchAttributeProblem[],
): string {
  const missing = problems.filter((p) => p.actual === undefined);
  const wrong = problems.filter((p) => p.actual !== undefined);
  const lines = [
    `Namespace "${namespace}" is not set up for tencent-batch-recovery: every workflow task would fail until it is.`,
    ...missing.map((p) => `  - search attribute ${p.name} (${p.expected}) is missing`),
    ...wrong.map((p) => `  - search attribute ${p.name} has type ${p.actual}, expected ${p.expected}`),
  ];
  const ns = shellWord(namespace);
  if (wrong.length > 0) {
    lines.push(
      'A search attribute cannot change its type: remove it, then create it again (self-hosted servers):',
      ...wrong.map(
        (p) => `  temporal operator search-attribute remove --namespace ${ns} --name ${p.name} --yes`,
      ),
    );
  }
  lines.push(
    'Create them (self-hosted Temporal or the dev server), then start the worker again:',
    ...problems.map(
      (p) =>
        `  temporal operator search-attribute create --namespace ${ns} --name ${p.name} --type ${p.expected}`,
    ),
    'On Temporal Cloud (namespace as <name>.<account-id>):',
    `  tcld namespace search-attributes add --namespace ${ns} ${problems
      .map((p) => `--search-attribute "${p.name}=${p.expected}"`)
      .join(' ')}`,
  );
  return lines.join('\n');
}

function shellWord(text: string): string {
  return /^[\w.@:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
