import TencentCloudSDKHttpException from 'tencentcloud-sdk-nodejs/tencentcloud/common/exception/tencent_cloud_sdk_exception';
import { classifyTencentError, kindOfErrorCode } from '../../src/batch/classify-error';
import { BATCH_ERROR_CODES, COMMON_ERROR_CODES } from '../../src/emulator/official-error-codes';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../src/shared/errors';

const RETRIED = true;
const NEVER = false;

/**
 * The decision for every error code of the official lists (the common codes of API 3.0 and every Batch
 * code of the Python and Go SDKs), written out one by one so that a change to the table shows here as a
 * changed decision. Why each family is decided as it is: the kinds in src/batch/classify-error.ts.
 */
const DECISIONS: readonly [code: string, type: ErrorType, retried: boolean][] = [
  ['ActionOffline', ErrorType.InvalidRequest, NEVER],
  ['AllowedOneAttributeInEnvIdAndComputeEnv', ErrorType.InvalidRequest, NEVER],
  ['AuthFailure.InvalidAuthorization', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.InvalidSecretId', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.MFAFailure', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.SecretIdNotFound', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.SignatureExpire', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.SignatureFailure', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.TokenFailure', ErrorType.AuthFailure, RETRIED],
  ['AuthFailure.UnauthorizedOperation', ErrorType.PermissionDenied, NEVER],
  ['DryRunOperation', ErrorType.InvalidRequest, NEVER],
  ['FailedOperation', ErrorType.ServiceError, RETRIED],
  ['InternalError', ErrorType.ServiceError, RETRIED],
  ['InternalError.CallCam', ErrorType.ServiceError, RETRIED],
  ['InternalError.CallCpmAPI', ErrorType.ServiceError, RETRIED],
  ['InternalError.CallCvm', ErrorType.ServiceError, RETRIED],
  ['InternalError.CallTagAPI', ErrorType.ServiceError, RETRIED],
  ['InternalError.CpmResponseDataEmpty', ErrorType.ServiceError, RETRIED],
  ['InvalidAction', ErrorType.InvalidRequest, NEVER],
  ['InvalidFilter', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.ComputeNodeIdMalformed', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.CvmParameters', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.EnvDescriptionTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.EnvIdMalformed', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.EnvNameTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.ImageIdMalformed', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.InvalidParameterCombination', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.JobDescriptionTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.JobIdMalformed', ErrorType.InvalidJobId, NEVER],
  ['InvalidParameter.JobNameTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.NotificationEventNameDuplicate', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.NotificationTopicName', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.NotificationTopicNameTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskName', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskNameTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskTemplateDescriptionTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskTemplateIdMalformed', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskTemplateName', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameter.TaskTemplateNameTooLong', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterAtLeastOneAttribute', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.ComputeEnv', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.DependenceNotFoundTaskName', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.DependenceUnfeasible', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InstanceIdDuplicated', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InstanceType', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InstanceTypeDuplicate', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InstanceTypesEmpty', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InvalidDataTypeAny', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InvalidFilter', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.InvalidZoneMismatchRegion', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.LimitExceeded', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.LocalPath', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.MaxRetryCount', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.Negative', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.NotFloat', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.OsTypeId', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.RegionNotSupportCpm', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.RemoteStoragePath', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.RemoteStorageSchemeType', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.ResourceType', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.TaskInstanceNum', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.UnavailableZone', ErrorType.InvalidRequest, NEVER],
  ['InvalidParameterValue.UnsupportedBatchInstanceChargeType', ErrorType.InvalidRequest, NEVER],
  ['InvalidRequest', ErrorType.InvalidRequest, NEVER],
  ['InvalidZone.MismatchRegion', ErrorType.InvalidRequest, NEVER],
  ['IpInBlacklist', ErrorType.PermissionDenied, NEVER],
  ['IpNotInWhitelist', ErrorType.PermissionDenied, NEVER],
  ['LimitExceeded', ErrorType.NonRetryableApiError, NEVER],
  ['LimitExceeded.ComputeEnvQuota', ErrorType.NonRetryableApiError, NEVER],
  ['LimitExceeded.CpuQuota', ErrorType.NonRetryableApiError, NEVER],
  ['LimitExceeded.JobQuota', ErrorType.NonRetryableApiError, NEVER],
  ['LimitExceeded.TaskTemplateQuota', ErrorType.NonRetryableApiError, NEVER],
  ['MissingParameter', ErrorType.InvalidRequest, NEVER],
  ['NoSuchProduct', ErrorType.InvalidRequest, NEVER],
  ['NoSuchVersion', ErrorType.InvalidRequest, NEVER],
  ['RequestLimitExceeded', ErrorType.Throttled, RETRIED],
  ['RequestLimitExceeded.GlobalRegionUinLimitExceeded', ErrorType.Throttled, RETRIED],
  ['RequestLimitExceeded.IPLimitExceeded', ErrorType.Throttled, RETRIED],
  ['RequestLimitExceeded.UinLimitExceeded', ErrorType.Throttled, RETRIED],
  ['RequestSizeLimitExceeded', ErrorType.InvalidRequest, NEVER],
  ['ResourceInUse', ErrorType.ServiceError, RETRIED],
  ['ResourceInUse.Job', ErrorType.ServiceError, RETRIED],
  ['ResourceInsufficient', ErrorType.ServiceError, RETRIED],
  ['ResourceNotFound', ErrorType.JobNotFound, NEVER],
  ['ResourceNotFound.ComputeEnv', ErrorType.InvalidRequest, NEVER],
  ['ResourceNotFound.ComputeNode', ErrorType.InvalidRequest, NEVER],
  ['ResourceNotFound.Job', ErrorType.JobNotFound, NEVER],
  ['ResourceNotFound.Task', ErrorType.JobNotFound, NEVER],
  ['ResourceNotFound.TaskInstance', ErrorType.JobNotFound, NEVER],
  ['ResourceNotFound.TaskTemplate', ErrorType.InvalidRequest, NEVER],
  ['ResourceUnavailable', ErrorType.ServiceError, RETRIED],
  ['ResponseSizeLimitExceeded', ErrorType.InvalidRequest, NEVER],
  ['ServiceUnavailable', ErrorType.ServiceError, RETRIED],
  ['UnauthorizedOperation', ErrorType.PermissionDenied, NEVER],
  ['UnauthorizedOperation.UserNotAllowedToUseBatch', ErrorType.PermissionDenied, NEVER],
  ['UnknownParameter', ErrorType.InvalidRequest, NEVER],
  ['UnsupportedOperation', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedOperation.AcceptOtherRequest', ErrorType.ServiceError, RETRIED],
  ['UnsupportedOperation.ComputeEnvAcceptOtherRequest', ErrorType.ServiceError, RETRIED],
  ['UnsupportedOperation.ComputeEnvOperation', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedOperation.ComputeNodeForbidTerminate', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedOperation.ComputeNodeIsTerminating', ErrorType.ServiceError, RETRIED],
  ['UnsupportedOperation.InstancesNotAllowToAttach', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedOperation.NotEnoughComputeNodesToTerminate', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedOperation.TerminateOperationWithEnvId', ErrorType.UnsupportedOperation, NEVER],
  ['UnsupportedProtocol', ErrorType.InvalidRequest, NEVER],
  ['UnsupportedRegion', ErrorType.InvalidRequest, NEVER],
];

describe('classifyTencentError: every official error code', () => {
  it('has a decision here for exactly the codes of the official lists', () => {
    const official = [...new Set<string>([...COMMON_ERROR_CODES, ...BATCH_ERROR_CODES])].sort();
    expect(DECISIONS.map(([code]) => code)).toEqual(official);
  });

  it.each(DECISIONS)('%s → %s (retried: %s)', (code, type, retried) => {
    expect(kindOfErrorCode(code)).toMatchObject({ known: true, type, retryable: retried });
    const err = new TencentCloudSDKHttpException(`message for ${code}`, 'request-id', 'trace-id');
    err.code = code;
    const failure = classifyTencentError(err, 'RetryJobs');
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(!retried);
    expect(NON_RETRYABLE_ERROR_TYPES.includes(type)).toBe(!retried);
  });

  it('keeps throttling retryable in every sub-code, after a jittered delay', () => {
    for (const code of COMMON_ERROR_CODES.filter((c) => c.startsWith('RequestLimitExceeded'))) {
      const err = new TencentCloudSDKHttpException('throttled', 'request-id', 'trace-id');
      err.code = code;
      const failure = classifyTencentError(err, 'RetryJobs');
      expect(failure.nonRetryable).toBe(false);
      expect(failure.nextRetryDelay).toBeDefined();
    }
  });

  it('tells refused credentials apart from refused permissions, so each can change on its own', () => {
    const credentials = DECISIONS.filter(
      ([code]) => code.startsWith('AuthFailure.') && code !== 'AuthFailure.UnauthorizedOperation',
    );
    expect(credentials.every(([, type]) => type === ErrorType.AuthFailure)).toBe(true);
    expect(kindOfErrorCode('UnauthorizedOperation').type).toBe(ErrorType.PermissionDenied);
    expect(kindOfErrorCode('AuthFailure.UnauthorizedOperation').type).toBe(ErrorType.PermissionDenied);
  });

  it('still sends a code nobody documented down the retryable unknown path', () => {
    expect(kindOfErrorCode('SomethingNew.Entirely')).toMatchObject({ known: false, retryable: true });
  });
});
