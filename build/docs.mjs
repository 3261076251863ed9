// `npm run docs`: docs/api/ -- the API reference of the public API
// (host/index.ts) as Markdown, from the doc comments, with the pinned typedoc
// and typedoc-plugin-markdown. Committed; test/docs/api.test.ts fails when an
// export of host/index.ts is missing from it (re-run after changing the API).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const root = fileURLToPath(new URL('..', import.meta.url));
const API_DIR = fileURLToPath(new URL('../docs/api/', import.meta.url));

export async function run() {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [`${root}host/index.ts`],
    tsconfig: `${root}tsconfig.json`,
    plugin: ['typedoc-plugin-markdown'],
    out: API_DIR,
    name: 'unixsock',
    readme: 'none',
    // No source links: line numbers would change the reference on every edit.
    disableSources: true,
    excludePrivate: true,
    excludeProtected: true,
    excludeInternal: true,
    excludeExternals: true,
    hideGenerator: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    outputFileStrategy: 'modules',
    useCodeBlocks: true,
    expandObjects: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    typeDeclarationFormat: 'table',
    enumMembersFormat: 'table',
    sort: ['kind', 'alphabetical'],
    logLevel: 'Warn',
    treatWarningsAsErrors: false,
  });
  const project = await app.convert();
  if (!project) throw new Error('docs: typedoc could not convert host/index.ts');
  rmSync(API_DIR, { recursive: true, force: true });
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('docs: typedoc reported errors');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
