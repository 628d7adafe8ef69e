import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { createSchemaForApi } from '../src/api/app';

/** Writes the API's schema to schema.graphql, the contract the front end reads. */
export const SCHEMA_FILE = path.join(__dirname, '..', 'schema.graphql');

// The printed file is a deliberate twin of src/api/schema.ts; the header keeps anyone from editing the copy.
const HEADER = '# Printed from src/api/schema.ts by `npm run schema`: edit that file, not this one.\n\n';

export function printedSchema(): string {
  return `${HEADER}${printSchema(createSchemaForApi())}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
