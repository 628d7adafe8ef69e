import type { GraphiQLOptions } from 'graphql-yoga';

/** What to replace in GraphiQL's headers editor; short enough to show whole there. */
export const GRAPHIQL_KEY_PLACEHOLDER = '<Reader API key>';

/**
 * GraphiQL opens ready for a reader: the headers editor holds the Authorization
 * header to complete, and the query needs no admin.
 */
export const GRAPHIQL: GraphiQLOptions = {
  title: 'sms-sync GraphiQL',
  headers: JSON.stringify({ Authorization: `Bearer ${GRAPHIQL_KEY_PLACEHOLDER}` }, null, 2),
  defaultEditorToolsVisibility: 'headers',
  // Short lines: the editor is about 60 characters wide on a laptop screen.
  defaultQuery: `# 1. In Headers below, replace ${GRAPHIQL_KEY_PLACEHOLDER} with
#    the key \`npm run dev\` printed.
# 2. Ctrl-Enter runs this query; Shift-Ctrl-R loads
#    the schema for the docs and autocompletion.
{
  syncStatus {
    connection
    message
    lastSuccessAt
  }
  courses(first: 10) {
    totalCount
    edges {
      node {
        id
        shortName
        fullName
        state
      }
    }
  }
}
`,
};

/**
 * Yoga's own GraphiQL page loads its CSS, JS and editor workers from unpkg, so
 * it stays blank offline; this one inlines them all. Imported on the first
 * page view: the package weighs about 45 MB of memory that a production API,
 * which never serves GraphiQL, should not carry.
 */
export async function renderGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL: render } = await import('@graphql-yoga/render-graphiql');
  return render(options);
}
