/** One broken clause found in one execution (the kit core's Finding). */
export type { Finding as Violation } from '../core/finding.js';
