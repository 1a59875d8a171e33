/** The ECS operations this endpoint implements, by their X-Amz-Target suffix. */
export const ECS_OPERATIONS = [
  'RunTask',
  'DescribeTasks',
  'StopTask',
  'ListTasks',
  'DescribeClusters',
  'RegisterTaskDefinition',
  'DescribeTaskDefinition',
] as const;
export type EcsOperation = (typeof ECS_OPERATIONS)[number];

export const isEcsOperation = (name: string): name is EcsOperation => (ECS_OPERATIONS as readonly string[]).includes(name);
