// The only layer that imports generated/ is lib/; everything else goes through here.
export { CONTRACT, MIGRATION_SQL, type Contract } from '../generated/contract.js';
