import { parseTaskDefinitionRef, taskDefinitionArn, type ArnContext } from './arns';
import type { TaskDefinitionInput } from './config-schema';

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  registeredAt: Date;
  input: TaskDefinitionInput;
}

/**
 * What a demo needs with no config: a family `airflow` whose one essential container `airflow` has
 * no command, so RunTask with a command override (what Airflow's executor sends) runs that command.
 */
export const DEFAULT_TASK_DEFINITION: TaskDefinitionInput = {
  family: 'airflow',
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'airflow', image: 'apache/airflow:latest', essential: true }],
};

/** Registered task definitions, by family, each family's revisions numbered from 1. */
export class TaskDefinitionRegistry {
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  constructor(
    private readonly arns: ArnContext,
    declared: readonly TaskDefinitionInput[] = [],
  ) {
    for (const input of declared) this.register(input);
    if (!this.families.has(DEFAULT_TASK_DEFINITION.family)) this.register(DEFAULT_TASK_DEFINITION);
  }

  /** Each registration creates the family's next revision, as RegisterTaskDefinition does. */
  register(input: TaskDefinitionInput): TaskDefinitionRecord {
    const revisions = this.families.get(input.family) ?? [];
    const revision = revisions.length + 1;
    const record: TaskDefinitionRecord = {
      arn: taskDefinitionArn(this.arns, input.family, revision),
      family: input.family,
      revision,
      registeredAt: new Date(),
      input: structuredClone(input),
    };
    revisions.push(record);
    this.families.set(input.family, revisions);
    return record;
  }

  /** `family` (latest revision), `family:revision` or an ARN. */
  find(identifier: string): TaskDefinitionRecord | undefined {
    const ref = parseTaskDefinitionRef(identifier);
    if (!ref) return undefined;
    const revisions = this.families.get(ref.family);
    if (!revisions) return undefined;
    return ref.revision === undefined ? revisions[revisions.length - 1] : revisions[ref.revision - 1];
  }
}
