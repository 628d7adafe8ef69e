// The single entry point of the workflow bundle: export every workflow here.
export { courseSyncWorkflow } from './course-sync';
export { enrollmentSyncBatchWorkflow, enrollmentSyncWorkflow } from './enrollment-sync';
