import type { TaskSummary } from '../client';
import { WORKFLOW_ID_PREFIX } from '../contract/ids';
import { type WorkloadKey } from '../contract/keys';
import { isCallbackKey } from '../contract/key-format';
import type { AirflowTaskStatus } from '../contract/messages';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function formatKey(key: WorkloadKey): string {
  if (isCallbackKey(key)) return `callback ${key.callbackId}${key.dagId ? ` of ${key.dagId}` : ''}`;
  return `${key.dagId}.${key.taskId} run=${key.runId} try=${key.tryNumber} map_index=${key.mapIndex}`;
}

export function formatStatus(status: AirflowTaskStatus): string {
  const current = status.attempts[status.attempts.length - 1];
  const lines = [
    `task      ${formatKey(status.key)}${status.adopted ? ' (adopted ECS task)' : ''}`,
    `state     ${status.state} (${status.phase})${status.terminateRequested ? `, terminate requested: ${status.terminateReason}` : ''}`,
    `attempt   ${status.attempt}${status.maxAttempts ? ` of ${status.maxAttempts}` : ''}${status.nextAttemptAt ? `, next at ${status.nextAttemptAt}` : ''}`,
    `ecs task  ${status.taskArn ?? '-'} (${status.lastStatus ?? '-'}${current?.observedAt ? ` as of ${current.observedAt}` : ''})${status.cluster ? ` on cluster ${status.cluster}` : ''}`,
    `output    ${current?.logLocation ?? '-'}`,
    '',
    table([
      ['ATTEMPT', 'STARTED', 'OUTCOME', 'ECS STATUS', 'STOP CODE', 'EXIT CODES', 'TASK ARN'],
      ...status.attempts.map((a) => [
        String(a.attempt),
        a.at,
        a.outcome ?? '-',
        a.lastStatus ?? '-',
        a.stopCode ?? '-',
        a.containers.map((c) => `${c.name ?? '?'}=${c.exitCode ?? '-'}`).join(',') || '-',
        a.taskArn ?? '-',
      ]),
    ]),
    '',
    'events:',
    ...status.events.map((e) => `  ${e.at} ${e.level.toUpperCase().padEnd(7)} ${e.message}`),
  ];
  return lines.join('\n');
}

export function formatList(rows: TaskSummary[]): string {
  if (rows.length === 0) return 'no tasks';
  return table([
    ['KIND', 'DAG', 'TASK', 'RUN', 'TRY', 'MAP', 'STATE', 'WORKFLOW', 'ECS TASK'],
    ...rows.map((r) => {
      const key = r.key;
      const task = key === undefined || isCallbackKey(key) ? undefined : key;
      return [
        r.workflowId.startsWith(WORKFLOW_ID_PREFIX.adopted) ? 'adopted' : key !== undefined && isCallbackKey(key) ? 'callback' : 'task',
        key?.dagId ?? '-',
        task?.taskId ?? (key !== undefined && isCallbackKey(key) ? key.callbackId : '-'),
        key?.runId ?? '-',
        String(task?.tryNumber ?? '-'),
        String(task?.mapIndex ?? '-'),
        r.state ?? '-',
        r.status,
        r.taskArn ?? '-',
      ];
    }),
  ]);
}
