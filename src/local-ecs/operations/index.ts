import type { EcsOperation } from '../operations-list';
import type { WireObject } from '../wire-views';
import type { EcsBackend } from './context';
import { describeClusters } from './describe-clusters';
import { describeTasks } from './describe-tasks';
import { listTasks } from './list-tasks';
import { runTask } from './run-task';
import { stopTask } from './stop-task';
import { describeTaskDefinition, registerTaskDefinition } from './task-definitions';

export type { EcsBackend } from './context';

export type OperationHandler = (backend: EcsBackend, input: unknown) => WireObject;

export const OPERATION_HANDLERS: Record<EcsOperation, OperationHandler> = {
  RunTask: runTask,
  DescribeTasks: describeTasks,
  StopTask: stopTask,
  ListTasks: listTasks,
  DescribeClusters: describeClusters,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
};
