import { parseTaskDefinitionRef, taskDefinitionArn, type ArnContext } from './arns';
import type { ExecutionMode, TaskDefinitionInput } from './config-schema';

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  registeredAt: Date;
  input: TaskDefinitionInput;
}

/** The family the endpoint registers when no declared task definition takes the name. */
const DEFAULT_FAMILY = 'airflow';

/**
 * Log options of the default task definition in process mode. ECS's log drivers have no "plain
 * file on this machine", so it says `json-file` (Docker's local-file driver) and names, in options
 * of our own, where the file is and that it is plain text (stdout and stderr as written), not
 * Docker's JSON lines: a task's output is `<local-ecs-log-dir>/<task id>.log`.
 */
const LOCAL_LOG_DIR_OPTION = 'local-ecs-log-dir';
const LOCAL_LOG_FORMAT_OPTION = 'local-ecs-log-format';

/**
 * What a demo needs with no config: a family `airflow` whose one essential container `airflow` has
 * no command, so RunTask with a command override (what Airflow's executor sends) runs that command.
 * In process mode it declares where the endpoint writes the task's output; in scripted mode nothing
 * is written, so it declares no log configuration.
 */
export function defaultTaskDefinition(execution: ExecutionMode, logDir: string): TaskDefinitionInput {
  const container: TaskDefinitionInput['containerDefinitions'][number] = { name: 'airflow', image: 'apache/airflow:latest', essential: true };
  if (execution === 'process') {
    container.logConfiguration = { logDriver: 'json-file', options: { [LOCAL_LOG_DIR_OPTION]: logDir, [LOCAL_LOG_FORMAT_OPTION]: 'text' } };
  }
  return { family: DEFAULT_FAMILY, cpu: '256', memory: '512', containerDefinitions: [container] };
}

/** Registered task definitions, by family, each family's revisions numbered from 1. */
export class TaskDefinitionRegistry {
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  constructor(
    private readonly arns: ArnContext,
    declared: readonly TaskDefinitionInput[],
    fallback: TaskDefinitionInput,
  ) {
    for (const input of declared) this.register(input);
    if (!this.families.has(fallback.family)) this.register(fallback);
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
