import type { SearchAttributePair } from '@temporalio/common';
import { SearchAttributes } from '../messages';
import type { TaskInstanceKey } from '../types';

/** The task instance key as search attributes, so operators find a task by dag/task/run/try. */
export function keySearchAttributes(key: TaskInstanceKey): SearchAttributePair[] {
  return [
    { key: SearchAttributes.dagId, value: key.dagId },
    { key: SearchAttributes.taskId, value: key.taskId },
    { key: SearchAttributes.runId, value: key.runId },
    { key: SearchAttributes.tryNumber, value: key.tryNumber },
    { key: SearchAttributes.mapIndex, value: key.mapIndex },
  ];
}
