/**
 * Request parameter checking, the way API 3.0 reports problems:
 * - a parameter the action does not define → `UnknownParameter`;
 * - a required one absent (or null, or an array that must not be empty but is) → `MissingParameter`,
 *   because in API 3.0's flattened form (`JobIds.0=...`) an empty array is an absent parameter;
 * - the wrong type → `InvalidParameter`;
 * - the right type with a value out of range → `InvalidParameterValue`.
 * Paths are written the flattened way: `Job.Tasks.0.TaskName`. The first problem found is reported.
 */
import { invalidParameter, invalidParameterValue, missingParameter, unknownParameter } from './api-error';

/** The shape of one parameter. */
export type ParamSchema =
  | { type: 'string'; maxLength?: number; oneOf?: readonly string[] }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'array'; items: ParamSchema; minItems?: number; maxItems?: number }
  | { type: 'object'; fields: ObjectFields }
  /** Accepted as is: nested structures the emulator does not interpret (ComputeEnv, Docker...). */
  | { type: 'any' };

/** The fields of an object parameter; fields not listed are unknown. */
export type ObjectFields = Readonly<Record<string, { schema: ParamSchema; required?: boolean }>>;

/** Shorthands for schemas. */
export const p = {
  string: (options: { maxLength?: number; oneOf?: readonly string[] } = {}): ParamSchema => ({
    type: 'string',
    ...options,
  }),
  integer: (options: { min?: number; max?: number } = {}): ParamSchema => ({ type: 'integer', ...options }),
  boolean: (): ParamSchema => ({ type: 'boolean' }),
  array: (items: ParamSchema, options: { minItems?: number; maxItems?: number } = {}): ParamSchema => ({
    type: 'array',
    items,
    ...options,
  }),
  object: (fields: ObjectFields): ParamSchema => ({ type: 'object', fields }),
  any: (): ParamSchema => ({ type: 'any' }),
  required: (schema: ParamSchema) => ({ schema, required: true }),
  optional: (schema: ParamSchema) => ({ schema }),
};

/**
 * Checks a request body against the action's fields and returns it as a record.
 * @throws {ApiError} for the first problem found.
 */
export function checkParams(body: unknown, fields: ObjectFields): Record<string, unknown> {
  checkValue(body, { type: 'object', fields }, '');
  return body as Record<string, unknown>;
}

function checkValue(value: unknown, schema: ParamSchema, path: string): void {
  switch (schema.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') throw invalidParameter(path, 'a string');
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        throw invalidParameterValue(path, `longer than ${schema.maxLength} characters`);
      }
      if (schema.oneOf && !schema.oneOf.includes(value)) {
        throw invalidParameterValue(
          path,
          `${JSON.stringify(value)} is not one of ${schema.oneOf.join(', ')}`,
        );
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(path, 'an integer');
      if (schema.min !== undefined && value < schema.min) {
        throw invalidParameterValue(path, `${value} is less than ${schema.min}`);
      }
      if (schema.max !== undefined && value > schema.max) {
        throw invalidParameterValue(path, `${value} is greater than ${schema.max}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidParameter(path, 'a boolean');
      return;
    case 'array':
      if (!Array.isArray(value)) throw invalidParameter(path, 'an array');
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        if (value.length === 0) throw missingParameter(`${path}.0`);
        throw invalidParameterValue(path, `at least ${schema.minItems} items are required`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        throw invalidParameterValue(path, `${value.length} items exceed the maximum of ${schema.maxItems}`);
      }
      value.forEach((item: unknown, i) => {
        if (item === null || item === undefined) throw missingParameter(`${path}.${i}`);
        checkValue(item, schema.items, `${path}.${i}`);
      });
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw path === ''
          ? invalidParameter('(request body)', 'a JSON object')
          : invalidParameter(path, 'an object');
      }
      const record = value as Record<string, unknown>;
      const prefix = path === '' ? '' : `${path}.`;
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(schema.fields, key)) throw unknownParameter(prefix + key);
      }
      for (const [key, field] of Object.entries(schema.fields)) {
        const fieldValue = record[key];
        if (fieldValue === undefined || fieldValue === null) {
          if (field.required) throw missingParameter(prefix + key);
          continue;
        }
        checkValue(fieldValue, field.schema, prefix + key);
      }
      return;
    }
  }
}
