export { LifetimeTracker, type LifeObject, type LifetimeFrame, type Phase } from './tracker';
export { feedEvent, feedSnapshot, frameTime } from './feed';
export * from './queries';
export * from './leak';
export { SessionLifetimes, type FrameMaps, type LifetimeSource, type UpdateOptions } from './session';
