export { airflowTaskWorkflow } from './airflow-task';
export { ecsTaskWorkflow } from './ecs-task';
