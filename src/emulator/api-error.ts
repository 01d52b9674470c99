/**
 * API errors as Tencent Cloud answers them: HTTP 200 with `Response.Error {Code, Message}`. Handlers throw
 * {@link ApiError}; the request pipeline turns it into the envelope.
 */

/** An error the emulated API answers with; `code` is a documented Tencent Cloud error code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `MissingParameter`: a required parameter is absent (or an array that must not be empty is empty). */
export function missingParameter(path: string): ApiError {
  return new ApiError('MissingParameter', `The request is missing a required parameter \`${path}\`.`);
}

/** `UnknownParameter`: a parameter the action does not define. */
export function unknownParameter(path: string): ApiError {
  return new ApiError('UnknownParameter', `The parameter \`${path}\` is not recognized.`);
}

/** `InvalidParameter`: a parameter of the wrong type or shape. */
export function invalidParameter(path: string, expected: string): ApiError {
  return new ApiError('InvalidParameter', `The parameter \`${path}\` must be ${expected}.`);
}

/**
 * `InvalidParameterValue` (or the action's more specific `code`): a parameter of the right type whose value
 * is out of range or not allowed.
 */
export function invalidParameterValue(
  path: string,
  problem: string,
  code = 'InvalidParameterValue',
): ApiError {
  return new ApiError(code, `The value of the parameter \`${path}\` is invalid: ${problem}.`);
}

/** `InvalidParameter.JobIdMalformed`, naming every malformed ID. */
export function jobIdMalformed(jobIds: readonly unknown[]): ApiError {
  return new ApiError(
    'InvalidParameter.JobIdMalformed',
    `Invalid job ID format: ${jobIds.map((id) => JSON.stringify(id)).join(', ')} ` +
      '(expected `job-` followed by 8 characters of [a-z0-9]).',
  );
}

/** `ResourceNotFound.Job`, naming every unknown job (of the request's region). */
export function jobNotFound(jobIds: readonly string[]): ApiError {
  return new ApiError('ResourceNotFound.Job', `The specified job does not exist: ${jobIds.join(', ')}.`);
}
