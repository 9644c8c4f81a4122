// The tasks module's door: what other modules and the adapters may use. Everything else in
// this folder is internal (checked by dependency-cruiser, see .dependency-cruiser.cjs).
export {
  insertTask,
  linkTaskToDocument,
  openPlanRequestOf,
  presentTask,
  taskOfDocument,
} from './task.repository.ts';
export { Task, TaskComplete, TaskListQuery, TaskUpdate } from './task.schemas.ts';
export { completeTaskIn, createTaskService, openTaskIn } from './task.service.ts';
