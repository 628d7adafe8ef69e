import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { createSchemaForApi } from '../src/api/app';

/** Writes the API's schema to schema.graphql, the contract the front end reads. */
export const SCHEMA_FILE = path.join(__dirname, '..', 'schema.graphql');

export function printedSchema(): string {
  return `${printSchema(createSchemaForApi())}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
