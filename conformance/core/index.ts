/** The kit core: clauses, findings and evidence, verdicts and their merge rule, the property runner. */
export type { ClauseId } from 'continuum-contract';
export { CLAUSE_IDS, isClauseId } from 'continuum-contract';
export { addEvidence, clauseOr, evidenceRecord, mergeEvidence, runChecks } from './finding.js';
export type { Check, CheckOutcome, Evidence, Finding } from './finding.js';
export { mergeVerdict, mergeVerdictMaps } from './verdict.js';
export type { ClauseState, ClauseVerdict } from './verdict.js';
export { EnvironmentError, asEnvironmentError } from './environment-error.js';
export { runBudgetedProperty } from './run-budgeted-property.js';
export type {
  BudgetedResult,
  BudgetedRun,
  ExecutionOutcome,
  PropertyBudget,
} from './run-budgeted-property.js';
