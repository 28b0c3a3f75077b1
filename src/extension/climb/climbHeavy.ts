// What the editor's Climb needs from the core, loaded with the other heavy modules on first use (heavy.ts).
export { climb, planClimb, ClimbInputError } from '../../core/climb/loop';
export { listClimbs, readClimb, ClimbRecordSchema } from '../../core/climb/record';
export { toolHostOptions } from '../../core/agent/tools/climb';
export { runRootOf } from '../../core/runs/root';
export { ClimbPanel } from './climbPanel';
