/**
 * ECS service errors as the wire carries them: `__type` + `message` in a JSON body. botocore reads the
 * code only from `__type` (spec/ecs-api.md §1), so every error this endpoint sends goes through here.
 */
export type EcsErrorCode =
  | 'ClusterNotFoundException'
  | 'InvalidParameterException'
  | 'ClientException'
  | 'ConflictException'
  | 'ServerException'
  | 'ThrottlingException'
  | 'SerializationException'
  | 'UnknownOperationException';

export class EcsError extends Error {
  constructor(
    readonly code: EcsErrorCode,
    message: string,
    /** Extra members of the error body, e.g. ConflictException's `resourceIds`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }

  /** ServerException is ECS's only 5xx; every other code is a client fault (HTTP 400). */
  get httpStatus(): number {
    return this.code === 'ServerException' ? 500 : 400;
  }

  toBody(): Record<string, unknown> {
    return { __type: this.code, message: this.message, ...this.extra };
  }
}

export const invalidParameter = (message: string): EcsError => new EcsError('InvalidParameterException', message);
export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
