// The single entry point of the workflow bundle: export every workflow here.
export { pingWorkflow } from './ping';
