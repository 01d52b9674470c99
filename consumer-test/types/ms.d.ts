// Stands in for `ms`, which the Temporal SDK's declarations import types from (`Duration`). Its version
// 3.0.0-canary.1 is an ES module whose package.json "exports" has no "types" condition, so with node16 resolution
// and skipLibCheck off tsc rejects that import from the SDK's CommonJS declarations (TS1541, TS1479); this file
// re-exports the same type with the resolution mode spelled out. tsconfig.json maps "ms" here.
export type { StringValue } from '../node_modules/ms/dist/index.js' with { 'resolution-mode': 'import' };
