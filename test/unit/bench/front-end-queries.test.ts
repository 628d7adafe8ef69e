import { buildSchema, parse, validate } from 'graphql';
import { FRONT_END_QUERIES } from '../../../bench/api-load';
import { typeDefs } from '../../../src/api/schema';

// The API benchmark measures these queries; one the schema no longer accepts would measure error answers.
describe("the API benchmark's front-end queries", () => {
  const schema = buildSchema(typeDefs);

  it.each(Object.entries(FRONT_END_QUERIES))('%s is valid against the served schema', (_name, query) => {
    expect(validate(schema, parse(query)).map((error) => error.message)).toEqual([]);
  });
});
