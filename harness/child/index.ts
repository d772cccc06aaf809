export { SupervisedChild } from './supervised-child.js';
export type { ChildExit, SupervisedChildOptions } from './supervised-child.js';
export { commandLine, kitCommand, kitCommandLine, kitModuleCommand, shellQuote } from './kit-command.js';
export type { Argv } from './kit-command.js';
export { ChildProcessError, CHILD_ERROR_CODES } from './child-error.js';
export type { ChildErrorCode } from './child-error.js';
