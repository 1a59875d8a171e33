import type { Tag } from './clusters';
import type { RunningContainer } from './container-runner';
import type { TaskDefinitionRecord } from './task-definition-registry';

/** ECS task states in lifecycle order. ACTIVATING is not emulated. */
export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
type DesiredStatus = 'RUNNING' | 'STOPPED';
export type StopCode = 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated';
type ContainerStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

export interface LocalContainer {
  name: string;
  arn: string;
  image: string;
  essential: boolean;
  /** entryPoint + command, exec form; empty = the image's default, which we emulate as "exit 0". */
  argv: string[];
  environment: Record<string, string>;
  workingDirectory?: string | undefined;
  stopTimeoutMs: number;
  cpu?: number | undefined;
  memory?: number | undefined;
  memoryReservation?: number | undefined;
  lastStatus: ContainerStatus;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  /** The running process (process mode) or interpreted command (scripted mode). */
  running?: RunningContainer;
}

export interface LocalTask {
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  taskDefinition: TaskDefinitionRecord;
  lastStatus: TaskStatus;
  /** Every lastStatus the task has had, in order: lets tests check the lifecycle without racing a poll. */
  statusHistory: TaskStatus[];
  desiredStatus: DesiredStatus;
  /** Bumped on every state change, like ECS's `version`. */
  version: number;
  createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  connectivityAt?: Date;
  stoppingAt?: Date;
  executionStoppedAt?: Date;
  stoppedAt?: Date;
  stopCode?: StopCode;
  stoppedReason?: string;
  startedBy?: string | undefined;
  group: string;
  tags: Tag[];
  launchType: string;
  /** Where ECS placed the task; the endpoint puts every task in the region's first zone. */
  availabilityZone: string;
  capacityProviderName?: string | undefined;
  platformVersion?: string | undefined;
  cpu?: string | undefined;
  memory?: string | undefined;
  overrides: Record<string, unknown>;
  enableExecuteCommand: boolean;
  containers: LocalContainer[];
  /** Where the containers' output goes; none in scripted mode, where nothing prints. */
  logFile?: string | undefined;
  /** The RunTask clientToken the task was launched with. */
  clientToken?: string | undefined;
  /** Epoch ms after which the task is hidden from the API (the `vanish` fault). */
  vanishesAt?: number;
}
