import {
  deltaTemporalMetrics,
  parsePrometheusText,
  PrometheusParseError,
  rpcPerTask,
  summarizeTemporalMetrics,
} from '../../scripts/bench/temporal-metrics';

// Captured from `temporal server start-dev --metrics-port` (CLI v1.5.1) after 3 workflows that ran
// one heartbeating activity and waited for a signal, a signal-with-start, a list, a count and 3
// history fetches. The last block (errors) is written by hand in the server's format: those
// counters only appear once an error has happened.
const SAMPLE = `# HELP service_requests service_requests counter
# TYPE service_requests counter
service_requests{namespace="default",operation="CountWorkflowExecutions",service_name="frontend"} 1
service_requests{namespace="default",operation="DescribeNamespace",service_name="frontend"} 3
service_requests{namespace="default",operation="GetWorkflowExecutionHistory",service_name="frontend"} 3
service_requests{namespace="default",operation="GetWorkflowExecutionHistory",service_name="history"} 3
service_requests{namespace="default",operation="ListWorkflowExecutions",service_name="frontend"} 1
service_requests{namespace="default",operation="PollActivityTaskQueue",service_name="frontend"} 16
service_requests{namespace="default",operation="PollActivityTaskQueue",service_name="matching"} 19
service_requests{namespace="default",operation="PollWorkflowExecutionHistory",service_name="frontend"} 4
service_requests{namespace="default",operation="PollWorkflowExecutionHistory",service_name="history"} 4
service_requests{namespace="default",operation="PollWorkflowTaskQueue",service_name="frontend"} 22
service_requests{namespace="default",operation="PollWorkflowTaskQueue",service_name="matching"} 26
service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="frontend"} 4
service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="history"} 4
service_requests{namespace="default",operation="RespondActivityTaskCompleted",service_name="frontend"} 3
service_requests{namespace="default",operation="RespondActivityTaskCompleted",service_name="history"} 3
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} 10
service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="history"} 10
service_requests{namespace="default",operation="SignalWithStartWorkflowExecution",service_name="frontend"} 1
service_requests{namespace="default",operation="SignalWithStartWorkflowExecution",service_name="history"} 1
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} 3
service_requests{namespace="default",operation="SignalWorkflowExecution",service_name="history"} 3
service_requests{namespace="default",operation="StartWorkflowExecution",service_name="frontend"} 3
service_requests{namespace="default",operation="StartWorkflowExecution",service_name="history"} 3
service_requests{namespace="temporal_system",operation="DescribeNamespace",service_name="frontend"} 13
service_requests{namespace="temporal_system",operation="PollActivityTaskQueue",service_name="frontend"} 49
service_requests{namespace="temporal_system",operation="PollWorkflowTaskQueue",service_name="frontend"} 32
service_requests{namespace="temporal_system",operation="StartWorkflowExecution",service_name="frontend"} 2
# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{namespace="default",operation="CreateWorkflowExecution",service_name="history"} 4
persistence_requests{namespace="default",operation="GetTaskQueue",service_name="matching"} 12
persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 34
persistence_requests{namespace="temporal_system",operation="GetTaskQueue",service_name="matching"} 51
# HELP persistence_error_with_type persistence_error_with_type counter
# TYPE persistence_error_with_type counter
persistence_error_with_type{error_type="serviceerror_NotFound",namespace="default",operation="GetTaskQueue",service_name="matching"} 12
persistence_error_with_type{error_type="serviceerror_NotFound",namespace="temporal_system",operation="GetTaskQueue",service_name="matching"} 51
service_latency_bucket{namespace="default",operation="StartWorkflowExecution",service_name="frontend",le="1000"} 3
service_latency_bucket{namespace="default",operation="StartWorkflowExecution",service_name="frontend",le="+Inf"} 3
persistence_error_with_type{error_type="persistence_TimeoutError",namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 5
persistence_error_with_type{error_type="persistence_AppendHistoryTimeoutError",namespace="default",operation="AppendHistoryNodes",service_name="history"} 2
persistence_errors{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 1
service_error_with_type{error_type="serviceerror_ResourceExhausted",namespace="default",operation="StartWorkflowExecution",service_name="frontend"} 7
`;

describe('parsePrometheusText', () => {
  it('reads names, labels and values, and skips HELP and TYPE lines', () => {
    const samples = parsePrometheusText(SAMPLE);
    expect(samples).toHaveLength(SAMPLE.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length);
    expect(samples[0]).toEqual({
      name: 'service_requests',
      labels: { namespace: 'default', operation: 'CountWorkflowExecutions', service_name: 'frontend' },
      value: 1,
    });
  });

  it('reads +Inf in a label and NaN, exponents and a timestamp in the value', () => {
    const [bucket, nan, exp] = parsePrometheusText('a_bucket{le="+Inf"} 3\nb NaN\nc{x="1",} 1.5e3 1700000000000\n');
    expect(bucket).toEqual({ name: 'a_bucket', labels: { le: '+Inf' }, value: 3 });
    expect(nan!.value).toBeNaN();
    expect(exp).toEqual({ name: 'c', labels: { x: '1' }, value: 1500 });
  });

  it('unescapes \\\\, \\" and \\n in label values, and keeps commas and braces inside quotes', () => {
    const [sample] = parsePrometheusText('m{path="C:\\\\tmp",msg="say \\"hi\\"\\nbye",set="{a,b}"} 2');
    expect(sample!.labels).toEqual({ path: 'C:\\tmp', msg: 'say "hi"\nbye', set: '{a,b}' });
  });

  it.each([
    ['an unclosed label value', 'm{a="x} 1', /not closed/],
    ['a missing value', 'm{a="x"}', /expected a value/],
    ['a value that is not a number', 'm 12abc', /is not a number/],
    ['a label without =', 'm{a} 1', /has no ="value"/],
  ])('rejects %s, naming the line', (_label, text, message) => {
    expect(() => parsePrometheusText(`# TYPE m counter\n${text}`)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(`# TYPE m counter\n${text}`)).toThrow(message);
    expect(() => parsePrometheusText(`# TYPE m counter\n${text}`)).toThrow(/^line 2: /);
  });
});

describe('summarizeTemporalMetrics', () => {
  const metrics = summarizeTemporalMetrics(parsePrometheusText(SAMPLE), { namespace: 'default', scrapedAt: 1 });

  it('counts each frontend request of the namespace once, leaving out history/matching hops and other namespaces', () => {
    expect(metrics.rpc.byOperation.StartWorkflowExecution).toBe(3);
    expect(metrics.rpc.byOperation.PollWorkflowTaskQueue).toBe(22);
    expect(metrics.rpc.byOperation.AddWorkflowTask).toBeUndefined();
    expect(metrics.rpc.total).toBe(1 + 3 + 3 + 1 + 16 + 4 + 22 + 4 + 3 + 10 + 1 + 3 + 3);
  });

  it('groups operations into the per-task figures', () => {
    expect(metrics.rpc).toMatchObject({
      starts: 4, // 3 starts + 1 signal-with-start
      signals: 4, // 3 signals + 1 signal-with-start
      heartbeats: 4,
      workflowTaskPolls: 22,
      activityTaskPolls: 16,
      polls: 38,
      workflowTaskCompletions: 10,
      activityTaskResults: 3,
      visibility: 2,
      historyReads: 7,
    });
    expect(metrics.rpc.totalExcludingPolls).toBe(metrics.rpc.total - 38);
  });

  it('sums persistence requests over all namespaces and finds the timeouts among the typed errors', () => {
    expect(metrics.persistence.requests).toBe(4 + 12 + 34 + 51);
    expect(metrics.persistence.requestsByOperation.GetTaskQueue).toBe(63);
    expect(metrics.persistence.errorsByType).toEqual({ serviceerror_NotFound: 63, persistence_TimeoutError: 5, persistence_AppendHistoryTimeoutError: 2 });
    expect(metrics.persistence.timeouts).toBe(7);
    expect(metrics.persistence.errors).toBe(1);
    expect(metrics.frontendErrorsByType).toEqual({ serviceerror_ResourceExhausted: 7 });
  });

  it('reads another namespace when asked', () => {
    const system = summarizeTemporalMetrics(parsePrometheusText(SAMPLE), { namespace: 'temporal_system' });
    expect(system.rpc.starts).toBe(2);
    expect(system.rpc.total).toBe(13 + 49 + 32 + 2);
  });
});

describe('deltaTemporalMetrics and rpcPerTask', () => {
  const before = summarizeTemporalMetrics(parsePrometheusText(SAMPLE), { scrapedAt: 1 });
  const later = SAMPLE.replace(
    'operation="StartWorkflowExecution",service_name="frontend"} 3',
    'operation="StartWorkflowExecution",service_name="frontend"} 13',
  ).replace('operation="RecordActivityTaskHeartbeat",service_name="frontend"} 4', 'operation="RecordActivityTaskHeartbeat",service_name="frontend"} 24');
  const after = summarizeTemporalMetrics(parsePrometheusText(`${later}service_requests{namespace="default",operation="TerminateWorkflowExecution",service_name="frontend"} 1\n`), {
    scrapedAt: 2,
  });

  it('keeps only what changed between the scrapes, including operations that first appeared', () => {
    const delta = deltaTemporalMetrics(before, after);
    expect(delta.rpc.byOperation).toEqual({ StartWorkflowExecution: 10, RecordActivityTaskHeartbeat: 20, TerminateWorkflowExecution: 1 });
    expect(delta.rpc).toMatchObject({ starts: 10, heartbeats: 20, terminationsAndCancels: 1, total: 31, polls: 0 });
    expect(delta.persistence.requests).toBe(0);
    expect(delta.scrapedAt).toBe(2);
    expect(rpcPerTask(delta.rpc, 10)).toMatchObject({ starts: 1, heartbeats: 2, total: 3.1 });
  });

  it('refuses counters that went down (a server restart between the scrapes)', () => {
    expect(() => deltaTemporalMetrics(after, before)).toThrow(/^service_requests \w+ went down from (13 to 3|24 to 4): the Temporal server restarted/);
  });
});
