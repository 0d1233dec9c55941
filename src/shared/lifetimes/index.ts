export { LifetimeTracker, type LifeObject, type LifetimeFrame, type Phase } from './tracker';
export { feedEvent, feedSnapshot, frameTime } from './feed';
export * from './queries';
export * from './leak';
export { SessionLifetimes, type LifetimeSource } from './session';
