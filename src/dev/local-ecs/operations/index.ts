import type { EcsOperation } from './names';
import type { WireObject } from '../wire-views';
import type { EcsBackend } from './context';
import { describeClusters } from './describe-clusters';
import { describeTaskDefinition } from './describe-task-definition';
import { describeTasks } from './describe-tasks';
import { listTasks } from './list-tasks';
import { registerTaskDefinition } from './register-task-definition';
import { runTask } from './run-task';
import { stopTask } from './stop-task';

export type { EcsBackend } from './context';

type OperationHandler = (backend: EcsBackend, input: unknown) => WireObject;

export const OPERATION_HANDLERS: Record<EcsOperation, OperationHandler> = {
  RunTask: runTask,
  DescribeTasks: describeTasks,
  StopTask: stopTask,
  ListTasks: listTasks,
  DescribeClusters: describeClusters,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
};
