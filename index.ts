/**
 * continuum-kit's library entry: the contract package's API, so `import ... from 'continuum-kit'`
 * and `from 'continuum-contract'` name the same functions and types.
 * @packageDocumentation
 */
export * from 'continuum-contract';
