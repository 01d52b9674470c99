import { MalformedResponseError } from '../../src/batch/classify-error';
import {
  parseDescribeJob,
  parseDescribeJobs,
  parseDescribeTask,
  parseRequestIdOnly,
  parseSubmitJob,
} from '../../src/batch/parse-responses';

const REQUEST_ID = '970e5a9f-2963-436c-8dad-4847360676f7';

function malformed(parse: () => unknown): MalformedResponseError {
  try {
    parse();
  } catch (err) {
    if (err instanceof MalformedResponseError) return err;
    throw err;
  }
  throw new Error('expected a MalformedResponseError');
}

describe('parseRequestIdOnly', () => {
  it('returns the RequestId', () => {
    expect(parseRequestIdOnly({ RequestId: REQUEST_ID })).toEqual({ requestId: REQUEST_ID });
  });

  it.each([undefined, null, 'text', [], {}, { RequestId: '' }, { RequestId: 42 }])(
    'refuses %p as an answer without a RequestId',
    (raw) => {
      const err = malformed(() => parseRequestIdOnly(raw));
      expect(err.requestId).toBeUndefined();
    },
  );
});

describe('parseDescribeJobs', () => {
  const job = {
    JobId: 'job-rybewp57',
    JobName: 'nightly',
    JobState: 'FAILED',
    Priority: 1,
    Placement: { Zone: 'ap-guangzhou-3' },
    CreateTime: '2024-05-01T00:00:00Z',
    EndTime: '2024-05-01T01:00:00Z',
    TaskMetrics: { FailedCount: 1, SucceedCount: 2 },
    Tags: [],
  };

  it('maps JobSet to camelCase summaries, missing counters as 0', () => {
    expect(
      parseDescribeJobs({ JobSet: [job], TotalCount: 1, RequestId: REQUEST_ID }, ['job-rybewp57']),
    ).toEqual({
      requestId: REQUEST_ID,
      jobs: [
        {
          jobId: 'job-rybewp57',
          jobName: 'nightly',
          jobState: 'FAILED',
          createTime: '2024-05-01T00:00:00Z',
          endTime: '2024-05-01T01:00:00Z',
          taskMetrics: {
            submittedCount: 0,
            pendingCount: 0,
            runnableCount: 0,
            startingCount: 0,
            runningCount: 0,
            succeedCount: 2,
            failedInterruptedCount: 0,
            failedCount: 1,
          },
        },
      ],
    });
  });

  it('leaves out times the API reports as null', () => {
    const { jobs } = parseDescribeJobs(
      { JobSet: [{ ...job, JobState: 'RUNNING', EndTime: null, TaskMetrics: null }], RequestId: REQUEST_ID },
      ['job-rybewp57'],
    );
    expect(jobs[0]).toEqual({
      jobId: 'job-rybewp57',
      jobName: 'nightly',
      jobState: 'RUNNING',
      createTime: '2024-05-01T00:00:00Z',
    });
  });

  it('refuses an answer without JobSet, keeping its RequestId', () => {
    const err = malformed(() =>
      parseDescribeJobs({ TotalCount: 0, RequestId: REQUEST_ID }, ['job-rybewp57']),
    );
    expect(err.message).toBe('Response.JobSet is missing, not an array');
    expect(err.requestId).toBe(REQUEST_ID);
  });

  it('refuses an unknown job state', () => {
    const err = malformed(() =>
      parseDescribeJobs({ JobSet: [{ ...job, JobState: 'EXPLODED' }], RequestId: REQUEST_ID }, [
        'job-rybewp57',
      ]),
    );
    expect(err.message).toContain('Response.JobSet[0].JobState is the string "EXPLODED", not a known state');
  });

  it('refuses a job that was not asked for', () => {
    const err = malformed(() =>
      parseDescribeJobs({ JobSet: [job], RequestId: REQUEST_ID }, ['job-97zcl3wt']),
    );
    expect(err.message).toContain('which was not asked for');
  });
});

describe('parseDescribeJob', () => {
  const answer = {
    JobId: 'job-rybewp57',
    JobName: 'nightly',
    Zone: 'ap-guangzhou-3',
    Priority: 1,
    JobState: 'FAILED',
    CreateTime: '2024-05-01T00:00:00Z',
    EndTime: '2024-05-01T01:00:00Z',
    TaskSet: [{ TaskName: 'a', TaskState: 'FAILED', CreateTime: '2024-05-01T00:00:00Z', EndTime: null }],
    DependenceSet: [{ StartTask: 'a', EndTask: 'b' }],
    TaskMetrics: {},
    TaskInstanceMetrics: null,
    StateReason: null,
    Tags: null,
    NextAction: '',
    RequestId: REQUEST_ID,
  };

  it('maps the job with its tasks and dependences', () => {
    expect(parseDescribeJob(answer, 'job-rybewp57')).toMatchObject({
      jobId: 'job-rybewp57',
      jobState: 'FAILED',
      endTime: '2024-05-01T01:00:00Z',
      tasks: [{ taskName: 'a', taskState: 'FAILED', createTime: '2024-05-01T00:00:00Z' }],
      dependences: [{ startTask: 'a', endTask: 'b' }],
      requestId: REQUEST_ID,
    });
  });

  it('treats a null DependenceSet as no dependences', () => {
    expect(parseDescribeJob({ ...answer, DependenceSet: null }, 'job-rybewp57').dependences).toEqual([]);
  });

  it('refuses an answer about another job', () => {
    expect(malformed(() => parseDescribeJob(answer, 'job-97zcl3wt')).message).toContain('not job-97zcl3wt');
  });

  it('refuses a TaskSet that is not an array', () => {
    expect(malformed(() => parseDescribeJob({ ...answer, TaskSet: 'a' }, 'job-rybewp57')).message).toBe(
      'Response.TaskSet is the string "a", not an array',
    );
  });
});

describe('parseDescribeTask', () => {
  const answer = {
    JobId: 'job-rybewp57',
    TaskName: 'a',
    TaskState: 'FAILED',
    TaskInstanceTotalCount: 2,
    TaskInstanceSet: [
      { TaskInstanceIndex: 0, TaskInstanceState: 'SUCCEED', ExitCode: 0 },
      { TaskInstanceIndex: 1, TaskInstanceState: 'FAILED', ExitCode: 137, StateReason: 'OOM', EndTime: 'x' },
    ],
    RequestId: REQUEST_ID,
  };

  it('maps the instances', () => {
    expect(parseDescribeTask(answer, 'job-rybewp57', 'a')).toEqual({
      jobId: 'job-rybewp57',
      taskName: 'a',
      taskState: 'FAILED',
      totalInstances: 2,
      instances: [
        { taskInstanceIndex: 0, state: 'SUCCEED', exitCode: 0 },
        { taskInstanceIndex: 1, state: 'FAILED', exitCode: 137, stateReason: 'OOM', endTime: 'x' },
      ],
      requestId: REQUEST_ID,
    });
  });

  it('refuses a fractional instance index', () => {
    const bad = { ...answer, TaskInstanceSet: [{ TaskInstanceIndex: 0.5, TaskInstanceState: 'FAILED' }] };
    expect(malformed(() => parseDescribeTask(bad, 'job-rybewp57', 'a')).message).toContain(
      'TaskInstanceSet[0].TaskInstanceIndex is the number 0.5, not an integer',
    );
  });
});

describe('parseSubmitJob', () => {
  it('returns the new job ID', () => {
    expect(parseSubmitJob({ JobId: 'job-rybewp57', RequestId: REQUEST_ID })).toEqual({
      jobId: 'job-rybewp57',
      requestId: REQUEST_ID,
    });
  });

  it('refuses a JobId that is not a job ID', () => {
    expect(malformed(() => parseSubmitJob({ JobId: 'nope', RequestId: REQUEST_ID })).message).toContain(
      'not a job ID',
    );
  });
});
