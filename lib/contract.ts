// The only layer that imports generated/ is lib/; everything else goes through here.
export {
  CONTRACT,
  MIGRATION_SQL,
  CLAUSE_IDS,
  isClauseId,
  type Contract,
  type ClauseId,
} from '../generated/contract.js';
