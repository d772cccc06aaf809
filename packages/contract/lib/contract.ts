// The only layer that imports generated/ is lib/; everything else goes through here.
export {
  CONTRACT,
  MIGRATION_SQL,
  CLAUSE_IDS,
  CLAUSES,
  CLAUSE_CHECKS,
  CLAUSE_SIDES,
  isClauseId,
  type Contract,
  type ClauseId,
  type Clause,
  type ClauseCheck,
  type ClauseSide,
} from '../generated/contract.js';
