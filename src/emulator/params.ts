/**
 * Request parameter checking, the way API 3.0 reports problems:
 * - a parameter the action does not define → `UnknownParameter`;
 * - a required one absent (or null, or an array that must not be empty but is) → `MissingParameter`,
 *   because in API 3.0's flattened form (`JobIds.0=...`) an empty array is an absent parameter;
 * - the wrong type → `InvalidParameter`;
 * - the right type with a value out of range → `InvalidParameterValue`.
 * Paths are written the flattened way: `Job.Tasks.0.TaskName`. The first problem found is reported.
 *
 * Parameters that arrived flattened (a GET query or a form body: `JobIds.0=job-x&Limit=10`) are all strings;
 * they are read as the schema's type, as the API does, so `Limit=10` is the integer 10.
 */
import { invalidParameter, invalidParameterValue, missingParameter, unknownParameter } from './api-error';

/** The shape of one parameter. */
export type ParamSchema =
  | { type: 'string'; maxLength?: number; oneOf?: readonly string[]; code?: string }
  | { type: 'integer'; min?: number; max?: number; code?: string }
  | { type: 'boolean' }
  | { type: 'array'; items: ParamSchema; minItems?: number; maxItems?: number; code?: string }
  | { type: 'object'; fields: ObjectFields }
  /** Accepted as is: nested structures the emulator does not interpret (ComputeEnv, Docker...). */
  | { type: 'any' };

/** The fields of an object parameter; fields not listed are unknown. */
export type ObjectFields = Readonly<Record<string, { schema: ParamSchema; required?: boolean }>>;

/**
 * Shorthands for schemas. `code` is the error code of an out-of-range value when the action's official list
 * has a specific one (`InvalidParameter.JobNameTooLong`), instead of `InvalidParameterValue`.
 */
export const p = {
  string: (options: { maxLength?: number; oneOf?: readonly string[]; code?: string } = {}): ParamSchema => ({
    type: 'string',
    ...options,
  }),
  integer: (options: { min?: number; max?: number; code?: string } = {}): ParamSchema => ({
    type: 'integer',
    ...options,
  }),
  boolean: (): ParamSchema => ({ type: 'boolean' }),
  array: (
    items: ParamSchema,
    options: { minItems?: number; maxItems?: number; code?: string } = {},
  ): ParamSchema => ({
    type: 'array',
    items,
    ...options,
  }),
  object: (fields: ObjectFields): ParamSchema => ({ type: 'object', fields }),
  any: (): ParamSchema => ({ type: 'any' }),
  required: (schema: ParamSchema) => ({ schema, required: true }),
  optional: (schema: ParamSchema) => ({ schema }),
};

/** How the parameters arrived: a JSON body, or flattened string values (GET query, form body). */
export type ParamEncoding = 'json' | 'flattened';

/**
 * Checks a request body against the action's fields and returns it as a record (flattened strings read as
 * the schema's types).
 * @throws {ApiError} for the first problem found.
 */
export function checkParams(
  body: unknown,
  fields: ObjectFields,
  encoding: ParamEncoding = 'json',
): Record<string, unknown> {
  return checkValue(body, { type: 'object', fields }, '', encoding === 'flattened') as Record<
    string,
    unknown
  >;
}

function checkValue(input: unknown, schema: ParamSchema, path: string, fromStrings: boolean): unknown {
  const value = fromStrings ? fromString(input, schema) : input;
  switch (schema.type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value !== 'string') throw invalidParameter(path, 'a string');
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        throw invalidParameterValue(path, `longer than ${schema.maxLength} characters`, schema.code);
      }
      if (schema.oneOf && !schema.oneOf.includes(value)) {
        throw invalidParameterValue(
          path,
          `${JSON.stringify(value)} is not one of ${schema.oneOf.join(', ')}`,
        );
      }
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParameter(path, 'an integer');
      if (schema.min !== undefined && value < schema.min) {
        throw invalidParameterValue(path, `${value} is less than ${schema.min}`, schema.code);
      }
      if (schema.max !== undefined && value > schema.max) {
        throw invalidParameterValue(path, `${value} is greater than ${schema.max}`, schema.code);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidParameter(path, 'a boolean');
      return value;
    case 'array':
      if (!Array.isArray(value)) throw invalidParameter(path, 'an array');
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        if (value.length === 0) throw missingParameter(`${path}.0`);
        throw invalidParameterValue(path, `at least ${schema.minItems} items are required`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        throw invalidParameterValue(
          path,
          `${value.length} items exceed the maximum of ${schema.maxItems}`,
          schema.code,
        );
      }
      // Index loop, not map: a flattened `JobIds.1=` without `JobIds.0` leaves a hole map would skip.
      return Array.from({ length: value.length }, (_, i) => {
        const item: unknown = value[i];
        if (item === null || item === undefined) throw missingParameter(`${path}.${i}`);
        return checkValue(item, schema.items, `${path}.${i}`, fromStrings);
      });
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
      const checked: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(schema.fields)) {
        const fieldValue = record[key];
        if (fieldValue === undefined || fieldValue === null) {
          if (field.required) throw missingParameter(prefix + key);
          continue;
        }
        checked[key] = checkValue(fieldValue, field.schema, prefix + key, fromStrings);
      }
      return checked;
    }
  }
}

/** A flattened string value read as the schema's scalar type; anything that does not parse stays as is. */
function fromString(value: unknown, schema: ParamSchema): unknown {
  if (typeof value !== 'string') return value;
  if (schema.type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
