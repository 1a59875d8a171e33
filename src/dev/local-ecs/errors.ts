/**
 * ECS service errors as the wire carries them: `__type` + `message` in a JSON body. botocore reads the
 * code only from `__type`, so every error this endpoint sends goes through here.
 */
type EcsErrorCode =
  | 'ClusterNotFoundException'
  | 'InvalidParameterException'
  | 'ClientException'
  | 'ConflictException'
  | 'ServerException'
  | 'ThrottlingException'
  | 'SerializationException'
  | 'UnknownOperationException';

export class EcsError extends Error {
  /** ServerException is ECS's only 5xx; every other code is a client fault (HTTP 400). */
  readonly httpStatus: number;

  constructor(
    /** One of ours, or any code an injected `error` fault names (e.g. AccessDeniedException). */
    readonly code: EcsErrorCode | (string & {}),
    message: string,
    /** Extra members of the error body, e.g. ConflictException's `resourceIds`. */
    readonly extra: Record<string, unknown> = {},
    httpStatus?: number,
  ) {
    super(message);
    this.name = code;
    this.httpStatus = httpStatus ?? (code === 'ServerException' ? 500 : 400);
  }

  toBody(): Record<string, unknown> {
    return { __type: this.code, message: this.message, ...this.extra };
  }
}

export const invalidParameter = (message: string): EcsError => new EcsError('InvalidParameterException', message);
export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
