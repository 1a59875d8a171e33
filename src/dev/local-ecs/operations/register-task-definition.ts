import { taskDefinitionInputSchema } from '../config-schema';
import { taskDefinitionView, type WireObject } from '../wire-views';
import { parseInput, type EcsBackend } from './context';

/** Each call registers the family's next revision, as ECS does. */
export function registerTaskDefinition(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(taskDefinitionInputSchema, rawInput);
  const record = backend.taskDefinitions.register(input);
  return { taskDefinition: taskDefinitionView(record), tags: record.input.tags ?? [] };
}
