export { airflowTaskWorkflow } from './airflow-task';
export { ecsTaskWorkflow } from './ecs-task';
export { ecsObserverWorkflow } from './observer';
export { executorProbeWorkflow, ecsLookupWorkflow } from './probe';
