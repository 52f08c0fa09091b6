// Builds the installable @opentab/merchant-agent into dist/merchant-agent/ and packs it with
// `npm pack`: ESM bundles with their declarations (the protocol and the server kit inlined, so
// nothing unpublished is needed), the widget file, README, LICENSE and a package.json whose
// dependencies are what the bundles import.
//   npm run pack:merchant-agent            → dist/merchant-agent/ and dist/opentab-merchant-agent-<version>.tgz

import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsdown';
import { buildWidget } from '@opentab/widget/build';
import { buildDashboard } from '@opentab/merchant-agent/dashboard/build';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const AGENT = join(REPOSITORY, 'merchant-widget/agent');
export const PACKAGE_DIR = join(REPOSITORY, 'dist/merchant-agent');

interface Manifest {
  name: string;
  version: string;
  description: string;
  license: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = (dir: string) => JSON.parse(readFileSync(join(REPOSITORY, dir, 'package.json'), 'utf8')) as Manifest;

/** The npm packages the bundles import: the agent's own and those of the workspaces inlined into it. */
function externalDependencies(): Record<string, string> {
  const all = {
    ...manifest('protocol/core').dependencies,
    ...manifest('protocol/server').dependencies,
    ...manifest('merchant-widget/agent').dependencies,
  };
  // The declarations import better-sqlite3's types (the store's), so a merchant's tsc needs them too.
  const typesOfDependencies = {
    '@types/better-sqlite3': manifest('.').devDependencies?.['@types/better-sqlite3'] ?? '*',
  };
  return Object.fromEntries(
    Object.entries({ ...all, ...typesOfDependencies })
      .filter(([name]) => !name.startsWith('@opentab/'))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

const ENTRIES = {
  index: join(AGENT, 'index.ts'),
  express: join(AGENT, 'adapters/express.ts'),
  fastify: join(AGENT, 'adapters/fastify.ts'),
  cli: join(AGENT, 'cli/main.ts'),
};

/** Where the declarations of the inlined workspaces are, in the declaration tree tsc writes (rootDir: the
 * repository). */
const INLINED_DECLARATIONS: Record<string, string> = {
  '@opentab/protocol': 'protocol/core/index.d.ts',
  '@opentab/server-kit': 'protocol/server/index.d.ts',
};
const TYPES_DIR = 'types';

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? declarationFiles(path) : path.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The agent's declarations with those of the protocol and the server kit beside them (tsc, with
 * tsconfig.package.json mapping the workspaces to their sources), every import specifier made one
 * that resolves under moduleResolution NodeNext: a relative path with its .js extension.
 */
function writeDeclarations(outDir: string): void {
  const typesDir = join(outDir, TYPES_DIR);
  execFileSync(
    process.execPath,
    [
      join(REPOSITORY, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(AGENT, 'tsconfig.package.json'),
      '--outDir',
      typesDir,
    ],
    { stdio: 'inherit' },
  );
  for (const file of declarationFiles(typesDir)) {
    const specifierOf = (spec: string): string => {
      const inlined = INLINED_DECLARATIONS[spec];
      let target: string;
      if (inlined !== undefined) target = join(typesDir, inlined);
      else if (spec.startsWith('.'))
        target = existsSync(join(dirname(file), `${spec}.d.ts`))
          ? join(dirname(file), `${spec}.d.ts`)
          : join(dirname(file), spec, 'index.d.ts');
      else return spec;
      if (!existsSync(target)) throw new Error(`${relative(typesDir, file)}: no declarations for ${spec}`);
      const path = relative(dirname(file), target).replace(/\.d\.ts$/, '.js');
      return path.startsWith('.') ? path : `./${path}`;
    };
    const text = readFileSync(file, 'utf8').replace(
      /(from |import\()(['"])([^'"]+)\2/g,
      (_, keyword: string, quote: string, spec: string) => `${keyword}${quote}${specifierOf(spec)}${quote}`,
    );
    writeFileSync(file, text);
  }
}

/** Where the declarations of an entry are in the package. */
const typesOf = (entry: string) => `./${TYPES_DIR}/merchant-widget/agent/${entry}.d.ts`;

export async function buildMerchantAgentPackage(): Promise<string> {
  const agent = manifest('merchant-widget/agent');
  const dependencies = externalDependencies();
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGE_DIR, { recursive: true });
  await build({
    entry: ENTRIES,
    outDir: PACKAGE_DIR,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    dts: false,
    clean: false,
    config: false,
    logLevel: 'warn',
    tsconfig: join(AGENT, 'tsconfig.package.json'),
    // Inline the workspaces (they are not published); leave every npm package to the merchant's install.
    deps: {
      neverBundle: [...Object.keys(dependencies), 'express', 'fastify', /^node:/],
      alwaysBundle: [/^@opentab\//],
    },
    outExtensions: () => ({ js: '.js', dts: '.d.ts' }),
  });
  // The command is run as a program: npm links it as `opentab-merchant`.
  writeFileSync(
    join(PACKAGE_DIR, 'cli.js'),
    `#!/usr/bin/env node\n${readFileSync(join(PACKAGE_DIR, 'cli.js'), 'utf8')}`,
  );
  writeDeclarations(PACKAGE_DIR);
  // The widget's build empties its output directory, so it is built beside the package and copied in.
  copyFileSync(
    await buildWidget(join(REPOSITORY, 'dist/merchant-agent-widget'), 'silent'),
    join(PACKAGE_DIR, 'widget.js'),
  );
  // The merchant dashboard's static files, served by the agent under <mount>/dashboard/.
  await buildDashboard(join(PACKAGE_DIR, 'dashboard'), 'silent');
  const published = {
    name: agent.name,
    version: agent.version,
    description: agent.description,
    license: agent.license,
    type: 'module',
    engines: { node: '>=20.19' },
    exports: {
      '.': { types: typesOf('index'), default: './index.js' },
      './express': { types: typesOf('adapters/express'), default: './express.js' },
      './fastify': { types: typesOf('adapters/fastify'), default: './fastify.js' },
      './widget.js': './widget.js',
      './package.json': './package.json',
    },
    bin: { 'opentab-merchant': './cli.js' },
    files: ['*.js', `${TYPES_DIR}/`, 'dashboard/', 'README.md', 'LICENSE'],
    dependencies,
    peerDependencies: { express: '^5.0.0', fastify: '^5.0.0' },
    peerDependenciesMeta: { express: { optional: true }, fastify: { optional: true } },
  };
  writeFileSync(join(PACKAGE_DIR, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  copyFileSync(join(AGENT, 'README.md'), join(PACKAGE_DIR, 'README.md'));
  copyFileSync(join(REPOSITORY, 'LICENSE'), join(PACKAGE_DIR, 'LICENSE'));
  return PACKAGE_DIR;
}

/** Packs the built package into `outDir`; returns the tarball's path. */
export function packMerchantAgent(packageDir: string, outDir: string): string {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(output) as Array<{ filename: string }>;
  return join(outDir, packed!.filename);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = await buildMerchantAgentPackage();
  console.log(packMerchantAgent(dir, join(REPOSITORY, 'dist')));
}
