// GraphiQL's editor (Monaco) runs language services in web workers. graphiql ships a Vite helper with
// the same imports, but from inside node_modules, where Vite's dev dependency optimizer cannot follow
// `?worker`; declared here in our own source, dev and build both bundle them.
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'json') return new JsonWorker();
    if (label === 'graphql') return new GraphQLWorker();
    return new EditorWorker();
  },
};
