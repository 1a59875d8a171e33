import { z } from 'zod';
import { taskDefinitionInputSchema } from '../config-schema';
import { clientError, invalidParameter } from '../errors';
import { taskDefinitionView, type WireObject } from '../wire-views';
import { parseInput, type EcsBackend } from './context';

export function registerTaskDefinition(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(taskDefinitionInputSchema, rawInput);
  const record = backend.taskDefinitions.register(input);
  return { taskDefinition: taskDefinitionView(record), tags: record.input.tags ?? [] };
}

const describeTaskDefinitionSchema = z.looseObject({
  taskDefinition: z.string().optional(),
  include: z.array(z.enum(['TAGS'])).optional(),
});

export function describeTaskDefinition(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(describeTaskDefinitionSchema, rawInput);
  if (input.taskDefinition === undefined || input.taskDefinition === '') throw invalidParameter('TaskDefinition can not be blank.');
  const record = backend.taskDefinitions.find(input.taskDefinition);
  // The text real ECS sends for an unknown family or revision (spec §6).
  if (!record) throw clientError('Unable to describe task definition.');
  const includeTags = input.include?.includes('TAGS') ?? false;
  return includeTags ? { taskDefinition: taskDefinitionView(record), tags: record.input.tags ?? [] } : { taskDefinition: taskDefinitionView(record) };
}
