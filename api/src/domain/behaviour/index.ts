// The behaviour module's door: how each customer pays (lateness, reminders, promises, plans).
export { CustomerBehaviour } from './behaviour.schemas.ts';
export { createBehaviourService, type BehaviourService } from './behaviour.service.ts';
