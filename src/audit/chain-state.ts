// Where a pass over an audit log stands after the lines it has accepted: all
// the next line is checked against, and all a writer needs to continue.
import { GENESIS } from './format.js';

export interface ChainState {
  /** The seq of the last record (0 before the first). */
  seq: number;
  /** The `hash` of the last record (GENESIS before the first): what the next checkpoint must sign. */
  recordHash: string;
  /** SHA-256 of the last line (GENESIS before line 1): the next record's `prev`. */
  prevLine: string;
  records: number;
  /** Records covered by the last good checkpoint. */
  signedRecords: number;
  checkpoints: number;
  lastKind: 'start' | 'record' | 'checkpoint';
  /** View index of the last accepted checkpoint, -1 if none. */
  lastCheckpointIndex: number;
  /** View index of the first record after the last checkpoint, -1 if none. */
  firstUnsignedIndex: number;
}

export function genesisState(): ChainState {
  return { seq: 0, recordHash: GENESIS, prevLine: GENESIS, records: 0, signedRecords: 0, checkpoints: 0, lastKind: 'start', lastCheckpointIndex: -1, firstUnsignedIndex: -1 };
}
