/** One broken clause found in one execution. */
export interface Violation {
  clauseId: string;
  message: string;
}
