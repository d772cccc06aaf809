// Builds the light contract package: compiles lib/ and generated/ into dist/, and copies the spec
// files from the repository root beside them so they resolve by path
// (`continuum-contract/asyncapi.yaml`). Everything written here is build output (.gitignore).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');

rmSync(path.join(here, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { stdio: 'inherit' });
cpSync(path.join(root, 'asyncapi.yaml'), path.join(here, 'asyncapi.yaml'));
cpSync(path.join(root, 'schemas'), path.join(here, 'schemas'), { recursive: true });
cpSync(path.join(root, 'LICENSE'), path.join(here, 'LICENSE'));
