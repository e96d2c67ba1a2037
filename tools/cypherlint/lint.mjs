// Reads {"NAME": "cypher statement", ...} as JSON on stdin and prints
// {"NAME": [{"message": ..., "severity": ..., "offsets": ...}, ...], ...} on stdout.
// The checker is Neo4j's own (@neo4j-cypher/language-support), run offline with no database schema.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = {};
for (const [name, query] of Object.entries(statements)) {
  const result = lintCypherQuery(query, {});
  const diagnostics = Array.isArray(result) ? result : (result.diagnostics ?? []);
  out[name] = diagnostics.map((d) => ({
    message: d.message,
    severity: d.severity,
    offsets: d.offsets ?? null,
  }));
}
process.stdout.write(JSON.stringify(out));
