import { z } from 'zod';
import { clientError, invalidParameter } from '../errors';
import { taskDefinitionView, type WireObject } from '../wire-views';
import { parseInput, type EcsBackend } from './context';

const describeTaskDefinitionSchema = z.looseObject({
  taskDefinition: z.string().optional(),
  include: z.array(z.enum(['TAGS'])).optional(),
});

export function describeTaskDefinition(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(describeTaskDefinitionSchema, rawInput);
  if (input.taskDefinition === undefined || input.taskDefinition === '') throw invalidParameter('TaskDefinition can not be blank.');
  const record = backend.taskDefinitions.find(input.taskDefinition);
  // The text real ECS sends for an unknown family or revision.
  if (!record) throw clientError('Unable to describe task definition.');
  const includeTags = input.include?.includes('TAGS') ?? false;
  return includeTags ? { taskDefinition: taskDefinitionView(record), tags: record.input.tags ?? [] } : { taskDefinition: taskDefinitionView(record) };
}
